package tcpct.scenario;

import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionEvaluationListener;
import org.awaitility.core.EvaluatedCondition;

/**
 * Progress on the console for long waits: every wait is an Awaitility wait with an alias, polled on the
 * scenario's own thread, so one listener hears them all. A wait still going after {@link #FIRST_MS} says
 * so, then again every {@link #EVERY_MS}: {@code timers/time-wait-duration: 15 s into a wait of at most
 * 70 s: target's TIME-WAIT ends after ...}. Short waits (nearly all) print nothing.
 */
public final class WaitProgress implements ConditionEvaluationListener<Object> {

    static final long FIRST_MS = 5_000;
    static final long EVERY_MS = 10_000;

    private final Consumer<String> out;
    /** Per scenario thread: the elapsed time of the last evaluation (a smaller one is a new wait) and the last line's slot. */
    private final ThreadLocal<long[]> last = ThreadLocal.withInitial(() -> new long[] {0, -1});

    WaitProgress(Consumer<String> out) {
        this.out = out;
    }

    /** Makes every Awaitility wait from now on report through {@code out}. */
    public static void install(Consumer<String> out) {
        Awaitility.setDefaultConditionEvaluationListener(new WaitProgress(out));
    }

    @Override
    public void conditionEvaluated(EvaluatedCondition<Object> c) {
        String line = line(c.getElapsedTimeInMS(), c.getRemainingTimeInMS(), c.getAlias());
        if (line != null) {
            out.accept(line);
        }
    }

    /** The line to print now, or null: at most one per slot (5 s, 15 s, 25 s ...) of each wait. */
    String line(long elapsedMs, long remainingMs, String alias) {
        long[] l = last.get();
        if (elapsedMs < l[0]) {
            l[1] = -1; // a new wait on this thread
        }
        l[0] = elapsedMs;
        if (elapsedMs < FIRST_MS) {
            return null;
        }
        long slot = (elapsedMs - FIRST_MS) / EVERY_MS;
        if (slot <= l[1]) {
            return null;
        }
        l[1] = slot;
        Session s = Session.currentOrNull();
        String bound = remainingMs == Long.MAX_VALUE ? "" : " of at most " + Math.round((elapsedMs + remainingMs) / 1000.0) + " s";
        return (s == null ? "" : s.info.id() + ": ") + elapsedMs / 1000 + " s into a wait" + bound + ": " + (alias == null ? "a condition" : alias);
    }
}
