package tcpct.cli;

import java.nio.file.Path;
import java.util.List;
import tcpct.wire.IpFamily;

/**
 * What {@code ./tcpct run} was asked to do; {@code out} null means the default folder under reports/out. {@code ip}: the
 * IP versions each scenario runs over, in order ({@code --ip 4|6|both}).
 */
public record RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                         boolean updateBaseline, String fault, List<IpFamily> ip) {

    public RunOptions {
        ip = List.copyOf(ip);
    }

    /** Over IPv4 only, as every run before {@code --ip}. */
    public RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                      boolean updateBaseline, String fault) {
        this(target, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, List.of(IpFamily.IPV4));
    }

    public RunOptions withTarget(String name) {
        return new RunOptions(name, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, ip);
    }

    public RunOptions withOut(Path dir) {
        return new RunOptions(target, scenarioGlob, group, dir, home, workers, baseline, updateBaseline, fault, ip);
    }

    public Path targetsDir() {
        return tcpct.target.TargetSpec.dir(home);
    }
}
