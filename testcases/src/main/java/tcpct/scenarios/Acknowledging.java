package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.scenario.Unimplemented;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.wire.Frame;

/**
 * Delayed Acknowledgments -- When to Send an ACK Segment (RFC 9293 3.8.6.3) and the aggregation of ACKs (3.10.7.4):
 * an ACK may be delayed but "the delay MUST be less than 0.5 seconds" (MUST-40), "the processing of received segments
 * MUST be implemented to aggregate ACK segments whenever possible" (MUST-58), and "an ACK SHOULD be generated for at
 * least every second full-sized segment" (SHLD-19). The peer is the sender here; the application does not write, so
 * no ACK rides on data. Timings are the kernel timestamps of the two frames on the wire (the peer's segment as it
 * left, the target's ACK as it arrived), so the harness's own latency is not counted against the target.
 */
public class Acknowledging extends Fixtures {

    /** Segments the peer sends one at a time, each waiting for its ACK: enough to leave a quick-ACK start-up (Linux ACKs its first 16 at once). */
    static final int ROUNDS = 24;
    /** The octets of each of them: small, so that only the timer (not a second full segment) makes the target acknowledge. */
    static final int SMALL = 100;
    /** MUST-40's bound. */
    static final double ACK_DELAY_BOUND_MS = 500;
    /** How long the peer waits for an ACK before it calls the delay unbounded: past the bound, so a late ACK is seen and measured. */
    static final Duration ACK_WITHIN = Duration.ofMillis(1500);
    /** Full-sized segments the peer sends back to back, at most (fewer when the target's window is smaller). */
    static final int BURST = 8;
    /** How long the peer collects the ACKs of the burst: past MUST-40's bound, so every ACK the target owes has come. */
    static final Duration BURST_ACKS_WITHIN = Duration.ofMillis(700);
    /**
     * The longest the wire may be idle between the data before the burst and the burst (kernel timestamps): well under
     * the 200 ms minimum RTO after which Linux, for one, acknowledges every segment again (quick-ACK after idle).
     */
    static final double IDLE_BEFORE_BURST_MS = 100;
    /** Bursts tried when the harness was too slow to send one straight after the data before it. */
    static final int BURST_ATTEMPTS = 3;

    @Test(description = "MUST-40: \"the delay MUST be less than 0.5 seconds\": the peer sends 24 segments of 100 octets one at a time, each after the ACK of the one before; every ACK comes less than 500 ms after its segment",
            groups = "acks")
    @Scenario(id = "acks/delayed-ack-within-half-second")
    @Rfc9293(section = {"3.8.6.3"}, requirements = {"MUST-40"}, edges = {"E1", "E4", "E10"})
    public void delayedAckWithinHalfSecond() {
        establishedPassively();
        long next = 1;
        double slowest = 0;
        int delayed = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            peer.send(ack().seq(next).ack(1).data("d".repeat(SMALL)).psh());
            Frame sent = peer.lastSentFrame();
            next += SMALL;
            Frame acked = peer.expectMaybe(ack().seq(1).ack(next), ACK_WITHIN).orElseThrow(this::noAck);
            double ms = Timers.ms(sent, acked);
            slowest = Math.max(slowest, ms);
            if (ms > 10) {
                delayed++;
            }
            if (ms >= ACK_DELAY_BOUND_MS) {
                throw new ConformanceFailure(String.format("expecting the ACK of segment %d (100 octets, the application silent) less than "
                        + "0.5 s after it (MUST-40), but it came %.0f ms after it", round, ms));
            }
        }
        measure("slowest-ack", slowest);
        note(String.format("%d of %d ACKs came more than 10 ms after their segment (delayed); the slowest after %.1f ms", delayed, ROUNDS, slowest));
        assertThat(target).isIn(ESTABLISHED);
        expectRead("d".repeat(SMALL * ROUNDS));
    }

    @Test(description = "MUST-58, SHLD-19: after a warm-up of 24 full-sized segments in pairs, the peer sends up to 8 full-sized segments back to back: the target acknowledges them with fewer ACKs than segments (aggregated), and at least one for every second segment",
            groups = "acks")
    @Scenario(id = "acks/aggregated-for-back-to-back-segments")
    @Rfc9293(section = {"3.8.6.3", "3.10.7.4"}, requirements = {"MUST-58", "SHLD-19"}, edges = {"E1", "E4", "E10"})
    public void aggregatedForBackToBackSegments() {
        synReceivedPassively();
        int rmss = peer.lastExpected().mss() > 0 ? peer.lastExpected().mss() : peer.defaultMss();
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        String full = "f".repeat(rmss);
        long next = 1;
        for (int round = 0; round < ROUNDS / 2; round++) {   // warm-up: pairs, each pair acknowledged before the next
            next = sendPair(full, next, "warm-up pair " + (round + 1));
        }
        String read = target.recv();
        note("the application read the " + read.length() + " octets of the warm-up");
        peer.collect(Duration.ofMillis(20), false);   // a window update after the read, if any: not an ACK of the burst
        long start = next;
        int burst = 0;
        List<Segment> answers = List.of();
        for (int attempt = 1; attempt <= BURST_ATTEMPTS; attempt++) {
            // one more pair right before the burst, so that the burst follows data by a round trip, not by the application's read
            next = sendPair(full, next, "pair before burst " + attempt);
            Frame lastWarm = peer.lastSentFrame();
            int window = peer.lastExpected().window();
            burst = Math.min(BURST, window / rmss);
            if (burst < 2) {
                throw new Unimplemented("the target's window (" + window + " octets) takes fewer than two full-sized segments of " + rmss
                        + " octets: no back-to-back burst to aggregate ACKs for");
            }
            start = next;
            Frame firstOfBurst = null;
            for (int i = 0; i < burst; i++) {
                peer.send(ack().seq(next).ack(1).data(full));
                firstOfBurst = firstOfBurst == null ? peer.lastSentFrame() : firstOfBurst;
                next += rmss;
            }
            answers = peer.collect(BURST_ACKS_WITHIN, false);
            double idle = Timers.ms(lastWarm, firstOfBurst);
            measure("idle-before-burst." + attempt, idle);
            if (idle <= IDLE_BEFORE_BURST_MS) {
                break;
            }
            // A receiver may go back to acknowledging every segment after an idle spell (Linux: longer than its RTO); the
            // harness made this one, not the target, so the burst proves nothing either way: noted, and tried again.
            note(String.format("burst %d came %.0f ms after the data before it (the harness was slow, over %.0f ms): its ACKs are not "
                    + "judged%s", attempt, idle, IDLE_BEFORE_BURST_MS, attempt < BURST_ATTEMPTS ? "; once more" : ""));
            if (attempt == BURST_ATTEMPTS) {
                throw new IllegalStateException(String.format("the harness could not send a back-to-back burst within %.0f ms of the data "
                        + "before it in %d attempts (the machine is too busy): no verdict on ACK aggregation", IDLE_BEFORE_BURST_MS, BURST_ATTEMPTS));
            }
            requireBurstAcknowledged(burst, next, answers.stream().mapToLong(peer::acknowledged).max().orElse(start));
        }
        long acked = start;
        int acks = 0;
        long widest = 0;
        for (Segment s : answers) {
            long a = peer.acknowledged(s);
            if (s.payloadLength() > 0 || s.flags().has(Flag.SYN) || s.flags().has(Flag.FIN) || s.flags().has(Flag.RST)) {
                throw new ConformanceFailure("expecting only ACKs of the peer's burst (the application does not write), but was " + peer.describe(s));
            }
            if (a > acked) {
                widest = Math.max(widest, a - acked);
                acked = a;
            }
            acks++;
        }
        note(String.format("%d full-sized segments of %d octets back to back: %d ACKs, widest step %d octets", burst, rmss, acks, widest));
        measure("acks-for-burst", acks);
        requireBurstAcknowledged(burst, next, acked);
        if (acks >= burst) {
            throw new ConformanceFailure(String.format("expecting fewer ACKs than the %d back-to-back segments (MUST-58: ACKs are aggregated "
                    + "whenever possible), but the target sent %d", burst, acks));
        }
        if (widest > 2L * rmss) {
            shouldViolation(String.format("expecting an ACK for at least every second full-sized segment (SHLD-19: 2*RMSS = %d octets), but "
                    + "one ACK advanced by %d octets", 2 * rmss, widest));
        }
        assertThat(target).isIn(ESTABLISHED);
    }

    /**
     * Sends two full-sized segments of {@code full} from {@code next} (one where the window takes only one) and waits for
     * their ACK; returns the next SEQ. A window that takes no full-sized segment leaves nothing to aggregate: UNIMPLEMENTED.
     */
    private long sendPair(String full, long next, String what) {
        int rmss = full.length();
        int pair = Math.min(2, peer.lastExpected().window() / rmss);
        if (pair == 0) {
            throw new Unimplemented("the target's window (" + peer.lastExpected().window() + " octets) does not take one full-sized segment of "
                    + rmss + " octets while the application does not read");
        }
        for (int i = 0; i < pair; i++) {
            peer.send(ack().seq(next).ack(1).data(full));
            next += rmss;
        }
        awaitAcknowledged(next, ACK_WITHIN, "the " + what + " (MUST-40)");
        return next;
    }

    private static void requireBurstAcknowledged(int burst, long next, long acked) {
        if (acked != next) {
            throw new ConformanceFailure(String.format("expecting the burst of %d segments acknowledged up to %d within %d ms (MUST-40: an ACK "
                    + "is delayed less than 0.5 s), but the target acknowledged up to %d", burst, next, BURST_ACKS_WITHIN.toMillis(), acked));
        }
    }

    private ConformanceFailure noAck() {
        return new ConformanceFailure("expecting an ACK less than 0.5 s after the peer's segment (MUST-40), but the target sent none within "
                + ACK_WITHIN.toMillis() + " ms");
    }

}
