package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.segment.SegmentTemplate;
import tcpct.state.TcpState;
import tcpct.wire.Frame;

/**
 * Timer checks, measured from pcap kernel timestamps (never from the JVM's clock when the wire can tell).
 * Tolerance: a measured interval may differ from the expected one by {@link #RELATIVE_TOLERANCE} of it
 * plus {@link #ABSOLUTE_TOLERANCE_MS} (kernel timer granularity, up to 4 ms at HZ=250, and scheduling).
 */
public final class Timers {

    public static final double RELATIVE_TOLERANCE = 0.10;
    public static final double ABSOLUTE_TOLERANCE_MS = 20;
    /** How often the state of an endpoint is asked while waiting for a timer to remove it. */
    public static final Duration STATE_POLL = Duration.ofMillis(100);

    private Timers() {
    }

    /**
     * The tolerance as the report states it. A stack whose timers tick coarsely (lwIP: every 500 ms)
     * declares its tick in target.json ({@code timerGranularityMs}); an interval between two events
     * that each wait for a tick may be off by one tick more.
     */
    public static String tolerance() {
        int tick = granularityMs();
        return String.format("±%.0f%% + %.0f ms%s", RELATIVE_TOLERANCE * 100, ABSOLUTE_TOLERANCE_MS,
                tick > 0 ? " + " + tick + " ms timer tick" : "");
    }

    static boolean near(double measured, double expected) {
        return Math.abs(measured - expected) <= expected * RELATIVE_TOLERANCE + ABSOLUTE_TOLERANCE_MS + granularityMs();
    }

    /**
     * A ticking stack arms its first timer between two ticks, so the first interval it shows is up to a tick
     * shorter than its RTO (slirp: 3 ticks of 500 ms show as 1.06-1.42 s), and twice it up to two ticks short;
     * the retransmission itself fires on a tick, so later intervals are whole ticks and are checked with the
     * usual tolerance (which is what catches a stack that does not back off; so the first comparison is
     * blurred only when a later one follows). Whether {@code second} fits twice
     * a first interval that lost up to one tick: between 2 x first and 2 x (first + tick), each side widened by
     * one more tick and the usual tolerance.
     */
    static boolean afterPhaseShortenedFirst(double second, double first, int tick) {
        double low = 2 * first;
        double high = 2 * (first + tick);
        double slack = high * RELATIVE_TOLERANCE + ABSOLUTE_TOLERANCE_MS + tick;
        return second >= low - slack && second <= high + slack;
    }

    private static int granularityMs() {
        return Session.current().lab.instance().spec().timerGranularityMs();
    }

    /** Milliseconds between two frames' kernel timestamps. */
    public static double ms(Frame from, Frame to) {
        return (to.timestampNanos() - from.timestampNanos()) / 1e6;
    }

    /**
     * Expects {@code count} retransmissions of the segment {@code original} (already expected), each
     * within {@code maxEach}; returns them. Each wait is a wait on the target's retransmission timer.
     */
    public static List<Frame> retransmissions(Peer peer, SegmentTemplate t, int count, Duration maxEach) {
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(peer.expect(t, maxEach));
        }
        return out;
    }

    /**
     * Checks exponential backoff (RFC 9293 MUST-19, RFC 6298 section 5.5): each retransmission interval
     * is twice the one before, within the tolerance. Records every interval as {@code name.1}, {@code name.2}...
     * Returns the intervals in ms.
     */
    public static List<Double> checkBackoff(String name, Frame original, List<Frame> retransmitted, String requirement) {
        Session s = Session.current();
        List<Double> intervals = new ArrayList<>();
        Frame prev = original;
        for (Frame f : retransmitted) {
            intervals.add(ms(prev, f));
            prev = f;
        }
        for (int i = 0; i < intervals.size(); i++) {
            s.measure(name + "." + (i + 1), intervals.get(i), i == 0 ? "tolerance " + tolerance() : "");
        }
        int tick = granularityMs();
        for (int i = 1; i < intervals.size(); i++) {
            double expected = 2 * intervals.get(i - 1);
            if (i == 1 && tick > 0 && intervals.size() > 2 && afterPhaseShortenedFirst(intervals.get(1), intervals.get(0), tick)) {
                continue;
            }
            if (!near(intervals.get(i), expected)) {
                throw new ConformanceFailure(String.format("expected retransmission %d of %s after %.0f ms (twice %.0f ms, exponential "
                        + "backoff, %s), saw it after %.0f ms (tolerance %s)", i + 1, name, expected, intervals.get(i - 1),
                        requirement, intervals.get(i), tolerance()));
            }
        }
        return intervals;
    }

    /**
     * RFC 6298 section 2.1: before any RTT sample (a SYN, a SYN,ACK) the RTO SHOULD be one second; any
     * other first interval is a SHOULD deviation (NON_STRICT), noted without stopping the scenario.
     */
    public static void checkInitialRto(String what, double firstIntervalMs) {
        if (!near(firstIntervalMs, 1000)) {
            Session.current().shouldViolation(String.format("initial RTO of %s was %.0f ms, RFC 6298 (2.1) says it SHOULD be 1 s",
                    what, firstIntervalMs));
        }
    }

    /**
     * RFC 6298 section 2.4: an RTO below one second SHOULD be rounded up to one second. A shorter first
     * retransmission interval is a SHOULD deviation (NON_STRICT), noted without stopping the scenario.
     */
    public static void checkMinimumRto(String name, double firstIntervalMs) {
        if (firstIntervalMs < 1000 - ABSOLUTE_TOLERANCE_MS) {
            Session.current().shouldViolation(String.format("RTO of %s was %.0f ms, RFC 6298 (2.4) says an RTO under 1 s "
                    + "SHOULD be rounded up to 1 s", name, firstIntervalMs));
        }
    }

    /**
     * Waits, at most {@code atMost}, for this scenario's endpoint to leave {@code state} by a timer, and
     * returns how long it stayed, in ms, measured from {@code since} (a kernel timestamp on the wire,
     * CLOCK_REALTIME) to the first state probe that no longer saw it (polled every {@link #STATE_POLL}).
     */
    public static double timeUntilGone(Target target, TcpState state, Frame since, Duration atMost, String what) {
        double ms = timeUntilGoneOrNegative(target, state, since, atMost, what);
        if (ms < 0) {
            throw new ConformanceFailure("expected the target to leave " + state + " by its timer within " + atMost.toSeconds()
                    + " s, saw it still in " + state);
        }
        return ms;
    }

    /** The same, but -1 when the endpoint is still in {@code state} after {@code atMost} (a stack without that timer). */
    public static double timeUntilGoneOrNegative(Target target, TcpState state, Frame since, Duration atMost, String what) {
        Session s = Session.current();
        long[] goneAtMillis = new long[1];
        long waitStart = System.nanoTime();
        s.step("waiting up to " + atMost.toSeconds() + " s for " + what, () -> {
            try {
                await(what).pollInSameThread().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(STATE_POLL).until(() -> {
                    if (target.state(TcpState.CLOSED) != state) {
                        goneAtMillis[0] = System.currentTimeMillis();
                        return true;
                    }
                    return false;
                });
            } catch (ConditionTimeoutException e) {
                goneAtMillis[0] = -1;
            }
        });
        s.protocolWaitNanos += System.nanoTime() - waitStart;
        return goneAtMillis[0] < 0 ? -1 : goneAtMillis[0] - since.timestampNanos() / 1e6;
    }
}
