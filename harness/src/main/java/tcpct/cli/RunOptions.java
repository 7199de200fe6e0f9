package tcpct.cli;

import java.nio.file.Path;

/** What {@code ./tcpct run} was asked to do; {@code out} null means the default folder under reports/out. */
public record RunOptions(String target, String scenarioGlob, String group, Path out, Path home, int workers, Path baseline,
                         boolean updateBaseline, String fault) {

    public RunOptions withTarget(String name) {
        return new RunOptions(name, scenarioGlob, group, out, home, workers, baseline, updateBaseline, fault);
    }

    public RunOptions withOut(Path dir) {
        return new RunOptions(target, scenarioGlob, group, dir, home, workers, baseline, updateBaseline, fault);
    }

    public Path targetsDir() {
        return tcpct.target.TargetSpec.dir(home);
    }
}
