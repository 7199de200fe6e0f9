package tcpct.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects every scenario's result of one run, in the order they finished; thread-safe. */
public final class RunRecorder {

    private static volatile RunRecorder current = new RunRecorder(r -> { });
    private final List<ScenarioResult> results = new ArrayList<>();
    private final Consumer<ScenarioResult> progress;

    private RunRecorder(Consumer<ScenarioResult> progress) {
        this.progress = progress;
    }

    public static RunRecorder current() {
        return current;
    }

    /** Starts a fresh recorder for a new run; {@code progress} hears of each result as it comes. */
    public static RunRecorder begin(Consumer<ScenarioResult> progress) {
        current = new RunRecorder(progress);
        return current;
    }

    public void add(ScenarioResult r) {
        synchronized (this) {
            results.add(r);
        }
        progress.accept(r);
    }

    public synchronized List<ScenarioResult> results() {
        return List.copyOf(results);
    }
}
