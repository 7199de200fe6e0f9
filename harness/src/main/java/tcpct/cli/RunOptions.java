package tcpct.cli;

import java.nio.file.Path;

/**
 * What {@code ./tcpct run} was asked to do; {@code out} null means the default folder under reports/out;
 * {@code history} null means the report's trend history of that output folder ({@link Runner#historyOf}).
 */
public record RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                         boolean updateBaseline, String fault, Path history) {

    public RunOptions withTarget(String name) {
        return new RunOptions(name, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault, history);
    }

    public RunOptions withOut(Path dir) {
        return new RunOptions(target, scenarioGlob, group, dir, home, workers, baseline, updateBaseline, fault, history);
    }

    public Path targetsDir() {
        return tcpct.target.TargetSpec.dir(home);
    }
}
