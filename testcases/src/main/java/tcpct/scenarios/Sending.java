package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * Sending Data (RFC 9293 3.7.4, Appendix B): the Nagle algorithm (SHLD-7) holds a small segment while an earlier one
 * is unacknowledged, and the application can switch it off per connection (MUST-17, TCP_NODELAY). The target sends
 * two small writes; the peer does not acknowledge the first.
 */
public class Sending extends Fixtures {

    /** How long the peer watches for the second write while the first is unacknowledged (under any RTO: Linux's is 200 ms or more). */
    static final Duration WATCH = Duration.ofMillis(150);

    @Test(description = "TCP_NODELAY: a second small write goes on the wire at once, while the first is still unacknowledged", groups = "sending")
    @Scenario(id = "sending/nagle-disabled")
    @Rfc9293(section = {"3.7.4"}, requirements = {"MUST-17"}, edges = {"E2", "E8"})
    public void nagleDisabled() {
        target.option("TCP_NODELAY", 1);
        firstWriteUnacknowledged();
        target.send("second");
        Optional<Segment> second = peer.awaitAnswer(WATCH);
        if (second.isEmpty()) {
            throw new ConformanceFailure("expecting the second write on the wire at once with TCP_NODELAY (MUST-17: the application can "
                    + "disable the Nagle algorithm), but the target held it for " + WATCH.toMillis() + " ms while the first was unacknowledged");
        }
        expectData(6, "second", second.get());
        peer.send(ack().seq(1).ack(12));              assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The Nagle algorithm: a second small write waits until the first is acknowledged, then goes", groups = "sending")
    @Scenario(id = "sending/nagle")
    @Rfc9293(section = {"3.7.4"}, requirements = {"SHLD-7"}, edges = {"E2", "E8"})
    public void nagle() {
        firstWriteUnacknowledged();
        target.send("second");
        Optional<Segment> early = peer.awaitAnswer(WATCH);
        if (early.isPresent()) {
            shouldViolation("expecting the second small write held while the first is unacknowledged (SHLD-7: the Nagle algorithm), "
                    + "but the target sent " + peer.describe(early.get()));
            expectData(6, "second", early.get());
            peer.send(ack().seq(1).ack(12));          assertThat(target).isIn(ESTABLISHED);
            return;
        }
        peer.send(ack().seq(1).ack(6));
        Optional<Segment> after = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT);
        if (after.isEmpty()) {
            throw new ConformanceFailure("expecting the held write once the first was acknowledged (MUST-60: not buffered indefinitely), "
                    + "but the target sent nothing within " + tcpct.scenario.Peer.EXPECT_TIMEOUT.toMillis() + " ms");
        }
        expectData(6, "second", after.get());
        peer.send(ack().seq(1).ack(12));              assertThat(target).isIn(ESTABLISHED);
    }

    /** The peer's MSS and its largest window in the SWS scenario: Eff.snd.MSS 500, Fs * Max(SND.WND) = 1000 (Fs = 1/2). */
    static final int SWS_MSS = 500;
    static final int SWS_MAX_WINDOW = 2000;
    /** The small window the peer then offers, far below both thresholds. */
    static final int SWS_SMALL_WINDOW = 10;
    /** What the application writes: more than the windows will take, so data stays queued (D > U). */
    static final int SWS_DATA = 6000;
    /** "the override timeout should be in the range 0.1 - 1.0 seconds" (3.8.6.2.1): a small segment sooner than 0.1 s is no override. */
    static final double OVERRIDE_MIN_MS = 100;
    /** How long the target may stay silent while it fills the peer's first window (it may hold a last partial segment). */
    static final Duration FILL_QUIET = Duration.ofMillis(600);
    /** How long the peer watches the small window: past the override timeout's upper end. */
    static final Duration SWS_WATCH = Duration.ofMillis(1200);

    /**
     * MUST-38 (3.8.6.2.1): "A TCP implementation MUST include a SWS avoidance algorithm in the sender". The RFC's algorithm
     * sends when a full Eff.snd.MSS can go, when all pushed data fits, when at least Fs = 1/2 of the largest window the
     * peer offered can go, or when the override timeout (0.1 to 1 s) fires on pushed data. The peer offers 2000 octets
     * (MSS 500), takes what the target sends of its 6000 queued (up to 2000; a stack may hold a partial last segment), and
     * acknowledges it with a window of 10 octets:
     * min(D, U) = 10 meets none of the first three, so a segment of fewer than 500 octets sooner than 0.1 s after that ACK
     * (kernel timestamps) is the silly window the algorithm avoids (FAILED). A small segment after the override timeout,
     * or a window probe after an RTO, is allowed; the peer then opens the window and takes the rest, in order.
     */
    @Test(description = "MUST-38: \"A TCP implementation MUST include a SWS avoidance algorithm in the sender\": with 4000 octets still queued and the peer's window cut to 10 octets (largest 2000, MSS 500) after it sent what fitted, the target sends no small segment within 0.1 s; once the window opens, every octet arrives",
            groups = "sending")
    @Scenario(id = "sending/sender-sws-avoidance")
    @Rfc9293(section = {"3.8.6.2.1"}, requirements = {"MUST-38"}, edges = {"E1", "E4", "E10"})
    public void senderSwsAvoidance() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0).mss(SWS_MSS).win(SWS_MAX_WINDOW));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1).win(SWS_MAX_WINDOW)); assertThat(target).isIn(ESTABLISHED);
        target.accept();
        String text = "w".repeat(SWS_DATA);
        target.send(text);
        long next = takeUpTo(text, 1, 1 + SWS_MAX_WINDOW, FILL_QUIET, null);
        if (next == 1) {
            throw new ConformanceFailure("expecting the target to send some of the " + SWS_DATA + " octets into the peer's window of "
                    + SWS_MAX_WINDOW + ", but it sent nothing within " + FILL_QUIET.toMillis() + " ms");
        }
        note("the target sent " + (next - 1) + " octets into the peer's window of " + SWS_MAX_WINDOW + " (a stack may hold a last partial segment)");
        peer.send(ack().seq(1).ack(next).win(SWS_SMALL_WINDOW));
        Frame cut = peer.lastSentFrame();
        long sent = takeUpTo(text, next, 1 + SWS_DATA, SWS_WATCH, cut);
        note("the target sent " + (sent - next) + " octets into the " + SWS_SMALL_WINDOW + "-octet window within " + SWS_WATCH.toMillis() + " ms");
        peer.send(ack().seq(1).ack(sent).win(SWS_MAX_WINDOW));
        long end = takeUpTo(text, sent, 1 + SWS_DATA, Peer.EXPECT_TIMEOUT, null);
        if (end != 1 + SWS_DATA) {
            throw new ConformanceFailure("expecting all " + SWS_DATA + " octets once the window opened again, but the target sent up to "
                    + (end - 1) + " within " + Peer.EXPECT_TIMEOUT.toMillis() + " ms of each segment");
        }
        peer.send(ack().seq(1).ack(end).win(SWS_MAX_WINDOW)); assertThat(target).isIn(ESTABLISHED);
    }

    /**
     * Takes the target's data segments of {@code text} from relative SEQ {@code from}, each checked, until the target has
     * sent up to {@code upTo} or is silent for {@code within}; acknowledges each once the window is open again
     * ({@code cut} null). With {@code cut} (the peer's ACK that cut the window), {@code within} bounds the whole watch, not
     * each wait, and a segment of fewer than Eff.snd.MSS octets sooner than {@link #OVERRIDE_MIN_MS} after the cut fails
     * MUST-38. Returns the relative SEQ after the last octet taken.
     */
    private long takeUpTo(String text, long from, long upTo, Duration within, Frame cut) {
        long next = from;
        long watchEnd = System.nanoTime() + within.toNanos();
        for (int taken = 0; next < upTo && taken < SWS_DATA; taken++) {
            Duration wait = cut == null ? within : Duration.ofNanos(watchEnd - System.nanoTime());
            if (wait.isNegative() || wait.isZero()) {
                break;
            }
            Optional<Segment> seen = peer.awaitAnswer(wait);
            if (seen.isEmpty()) {
                break;
            }
            Segment s = seen.get();
            long seq = peer.sequence(s);
            int n = s.payloadLength();
            if (n == 0 || seq < 1 || seq - 1 + n > text.length()) {
                throw new ConformanceFailure("expecting a data segment of the " + SWS_DATA + " octets the application wrote, but was " + peer.describe(s));
            }
            SegmentTemplate t = ack().seq(seq).ack(1).data(text.substring((int) seq - 1, (int) seq - 1 + n));
            Frame f = peer.expect(s.flags().has(Flag.PSH) ? t.psh() : t);
            if (cut != null) {
                double ms = Timers.ms(cut, f);
                if (n < SWS_MSS && ms < OVERRIDE_MIN_MS) {
                    throw new ConformanceFailure(String.format("expecting no segment smaller than Eff.snd.MSS %d while the peer's window is %d octets "
                            + "and %d octets are queued, until the override timeout (0.1 to 1 s) fires (MUST-38: sender SWS avoidance), but "
                            + "the target sent %d octets %.1f ms after the window was cut", SWS_MSS, SWS_SMALL_WINDOW, SWS_DATA - (seq - 1), n, ms));
                }
                note(String.format("%d octets at seq %d, %.0f ms after the window was cut", n, seq, ms));
            } else if (from > 1 + SWS_MAX_WINDOW || seq + n > 1 + SWS_MAX_WINDOW) {
                peer.send(ack().seq(1).ack(seq + n).win(SWS_MAX_WINDOW));
            }
            next = Math.max(next, seq + n);
        }
        return next;
    }

    /** Active open, then the target writes "first" (5 octets), which the peer takes and does not acknowledge. */
    private void firstWriteUnacknowledged() {
        establishedActively();
        target.send("first");
        Segment first = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure(
                "expected the 5 octets the target was asked to send, saw nothing within " + tcpct.scenario.Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
        expectData(1, "first", first);
    }

    /** Takes the target's segment {@code seen}, which must be {@code text} at its SEQ {@code seq} (PSH as the target chose). */
    private void expectData(long seq, String text, Segment seen) {
        SegmentTemplate t = ack().seq(seq).ack(1).data(text);
        peer.expect(seen.flags().has(Flag.PSH) ? t.psh() : t);
    }
}
