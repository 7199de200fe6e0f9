package tcpct.scenario;

import java.time.Duration;
import java.time.Instant;
import tcpct.wire.Frame;

/**
 * What part of a scenario's wait belongs to the protocol (the target's answer, its timers, a quiet
 * period or reply window the scenario names) rather than to the harness. A scenario's wall time minus
 * these waits is the harness's own overhead, which {@code ./tcpct bench} reports.
 */
public final class ProtocolWait {

    private ProtocolWait() {
    }

    /** A wait for a target segment that begins now, timed on both clocks. */
    static Clock start() {
        return new Clock(System.nanoTime(), realtimeNanos());
    }

    /** The start of one wait for a target segment: on the JVM's clock and on the kernel's. */
    record Clock(long startNanos, long startRealtimeNanos) {

        /** The protocol's share ({@link #ofExpect}) of the wait until now, which {@code frame} ended (null: none did). */
        long share(Frame frame) {
            return share(frame, null);
        }

        /** The same, counting at most {@code window} (the scenario's own window; null: no bound). */
        long share(Frame frame, Duration window) {
            long elapsed = System.nanoTime() - startNanos;
            if (window != null) {
                elapsed = Math.min(elapsed, window.toNanos());
            }
            return ofExpect(startRealtimeNanos, elapsed, frame == null ? -1 : frame.timestampNanos());
        }
    }

    /** Now, on the clock the kernel stamps captured frames with (CLOCK_REALTIME), in ns since the epoch. */
    static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * The protocol's share of one wait for a target segment that began at {@code startRealtimeNanos} and
     * took {@code elapsedNanos}: up to the kernel timestamp of the frame that ended it ({@code frameNanos}),
     * never more than the wait itself; the whole wait when no frame ended it ({@code frameNanos} < 0: the
     * target sent nothing within the bound). A frame already queued before the wait began counts nothing.
     */
    public static long ofExpect(long startRealtimeNanos, long elapsedNanos, long frameNanos) {
        if (frameNanos < 0) {
            return elapsedNanos;
        }
        return Math.max(0, Math.min(frameNanos - startRealtimeNanos, elapsedNanos));
    }
}
