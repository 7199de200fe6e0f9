package tcpct.cli;

import java.nio.file.Path;
import java.util.List;
import tcpct.wire.IpFamily;

/**
 * What {@code ./tcpct run} was asked to do; {@code out} null means the default folder under reports/out;
 * {@code history} null means the report's trend history of that output folder ({@link Runner#historyOf});
 * {@code shard} null means the whole selection; {@code durations} (a summary.json or a run's folder, or null)
 * balances the shards; {@code ip}: the IP versions each scenario runs over, in order ({@code --ip 4|6|both}).
 */
public record RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                         boolean updateBaseline, String fault, Path history, Shard shard, Path durations, List<IpFamily> ip) {

    public RunOptions {
        ip = List.copyOf(ip);
    }

    /** A run of the whole selection over IPv4, with the output folder's own history. */
    public RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                      boolean updateBaseline, String fault) {
        this(target, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, null);
    }

    /** A run of the whole selection over IPv4 with the trend history {@code history} (null: the output folder's own). */
    public RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                      boolean updateBaseline, String fault, Path history) {
        this(target, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, history, null, null, List.of(IpFamily.IPV4));
    }

    public RunOptions withTarget(String name) {
        return new RunOptions(name, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, history, shard, durations, ip);
    }

    public RunOptions withOut(Path dir) {
        return new RunOptions(target, scenarioGlob, group, dir, home, workers, baseline, updateBaseline, fault, history, shard, durations, ip);
    }

    public Path targetsDir() {
        return tcpct.target.TargetSpec.dir(home);
    }
}
