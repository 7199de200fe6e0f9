package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.segment.SeqNum;
import tcpct.wire.Frame;

/**
 * Window (RFC 9293 3.8.6, 3.8.6.1, 3.4; Appendix B "Window"): the target as the sender facing a window the peer keeps
 * at zero (it must probe, the first probe after an RTO, backing off, and keep the connection open while the probes
 * are acknowledged), and the target as the receiver with its own window at zero (a RST must still be processed).
 */
public class Window extends Fixtures {

    /** Probes the scenario waits for: one, then three more for the backoff. */
    static final int PROBES = 4;
    /** Bound on the wait for one probe (slirp's and lwIP's persist timers start at 5 s and 1.5 s and double). */
    static final Duration MAX_PROBE_INTERVAL = Duration.ofSeconds(40);
    /** No RTO is shorter than Linux's 200 ms floor (RFC 6298 asks for 1 s): a probe sooner is not "after the RTO". */
    static final double MIN_RTO_MS = 200;

    @Test(description = "The peer's window is 0 while the target has data to send: the target probes it (a zero-length segment at SND.UNA-1 or one new octet), first after an RTO, then backing off, and stays ESTABLISHED while the probes are acknowledged; the data flows once the window opens",
            groups = {"window", "slow"})
    @Scenario(id = "window/zero-window-probing")
    @Rfc9293(section = {"3.8.6", "3.8.6.1"}, requirements = {"MUST-35", "MUST-36", "MUST-37", "SHLD-29", "SHLD-30"}, edges = {"E1", "E4", "E10"})
    public void zeroWindowProbing() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        Frame synAck = peer.expect(synAck().seq(0).ack(1)); assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1).win(0));        assertThat(target).isIn(ESTABLISHED);
        target.accept();
        String text = "held back by a zero window";
        target.send(text);
        Optional<Segment> firstSeen = peer.awaitAnswer(MAX_PROBE_INTERVAL);
        if (firstSeen.isEmpty()) {
            throw new ConformanceFailure("expecting a zero-window probe from the target, which has " + text.length() + " octets to send "
                    + "into the peer's window of 0 (MUST-35, MUST-36), but it sent nothing within " + MAX_PROBE_INTERVAL.toSeconds() + " s");
        }
        SegmentTemplate probe = probeTemplate(firstSeen.get(), text);
        List<Frame> probes = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            probes.add(peer.expect(probe, MAX_PROBE_INTERVAL));
            peer.send(ack().seq(1).ack(1).win(0));    // acknowledged, the window still 0: the connection must stay (MUST-37)
            assertThat(target).isIn(ESTABLISHED);
        }
        double first = Timers.ms(synAck, probes.get(0));
        measure("first-probe-after-window-closed", first);
        if (first < MIN_RTO_MS - Timers.ABSOLUTE_TOLERANCE_MS) {
            shouldViolation(String.format("expecting the first zero-window probe after the retransmission timeout (SHLD-29; no RTO is "
                    + "under %.0f ms), but it came %.0f ms after the window closed", MIN_RTO_MS, first));
        }
        try {
            Timers.checkBackoff("zero-window-probe", probes.get(0), probes.subList(1, probes.size()), "SHLD-30");
        } catch (ConformanceFailure e) {
            shouldViolation(e.getMessage());          // SHLD-30: the backoff is a SHOULD
        }
        peer.send(ack().seq(1).ack(1));               // the window opens
        receive(text, 1, 1);                          assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The target's own receive window is 0 (the application does not read): a RST at RCV.NXT is still processed and the connection reset",
            groups = "window")
    @Scenario(id = "window/rst-in-zero-window")
    @Rfc9293(section = {"3.4", "3.10.7.4"}, requirements = {"MUST-66"}, edges = {"E1", "E4", "E10"})
    public void rstInZeroWindow() {
        long next = filledReceiveWindow(() -> {
            assertThat(target).isIn(CLOSED);
            target.listen();                          assertThat(target).isIn(LISTEN);
        });
        note("the target's window is 0 at RCV.NXT = " + next);
        peer.send(rst().seq(next));
        peer.expectNothing(Duration.ofMillis(300));   // a RST is never answered
        assertThat(target).isIn(CLOSED);
    }

    /** The octets the application reads first from the full buffer: under any min(Fr * RCV.BUFF, Eff.snd.MSS) of the scenario. */
    static final int SMALL_READ = 100;
    /** How long the peer watches for the target's answers to a window probe (a window update of its own counts too). */
    static final Duration UPDATE_WATCH = Duration.ofMillis(500);

    /**
     * MUST-39 (3.8.6.2.2): "A TCP implementation MUST include a SWS avoidance algorithm in the receiver", which keeps
     * RCV.NXT+RCV.WND fixed until the reduction is at least min(Fr * RCV.BUFF, Eff.snd.MSS) (Fr = 1/2; the peer's MSS is 536).
     * The target's window is filled to 0; the application reads 100 octets; the peer's probe (see {@link #probeWindow}) shows the
     * window: 1 to 535 octets is the small increment the algorithm
     * avoids (FAILED). Then the application reads the rest, and the window must open by at least that much.
     */
    @Test(description = "MUST-39: \"A TCP implementation MUST include a SWS avoidance algorithm in the receiver\": with its window at 0, the application reads 100 octets; the target keeps its right window edge fixed (window 0, not 100) until it can open by min(RCV.BUFF/2, MSS 536), which it does once the application reads the rest",
            groups = "window")
    @Scenario(id = "window/receiver-sws-avoidance")
    @Rfc9293(section = {"3.8.6.2.2"}, requirements = {"MUST-39"}, edges = {"E1", "E4", "E10"})
    public void receiverSwsAvoidance() {
        long next = filledReceiveWindow(() -> {
            assertThat(target).isIn(CLOSED);
            target.listen();                          assertThat(target).isIn(LISTEN);
        });
        long held = next - 1;                         // RCV.USER: RCV.BUFF is at least this
        int increment = (int) Math.min(held / 2, 536); // min(Fr * RCV.BUFF, Eff.snd.MSS), with RCV.BUFF taken as small as it can be
        note("the target holds " + held + " unread octets at window 0; the smallest window update the algorithm allows is " + increment);
        String read = target.recv(SMALL_READ);
        if (read.length() != SMALL_READ) {
            throw new ConformanceFailure("expecting the application to read " + SMALL_READ + " octets of the " + held + " held, but it read " + read.length());
        }
        Probed small = probeWindow(next, "after the application read " + SMALL_READ + " octets");
        if (small.window() > 0 && small.window() < increment) {
            throw new ConformanceFailure("expecting the right window edge kept fixed (window 0) until it can advance by min(RCV.BUFF/2, MSS) = "
                    + increment + " octets (MUST-39: receiver SWS avoidance), but after the application read " + SMALL_READ
                    + " octets the target offered a window of " + small.window());
        }
        long unread = held - SMALL_READ + (small.next() - next);
        String rest = target.recv();
        if (rest.length() != unread) {
            throw new ConformanceFailure("expecting the application to read the other " + unread + " octets, but it read " + rest.length());
        }
        Probed all = probeWindow(small.next(), "after the application read everything");
        if (all.window() < increment) {
            throw new ConformanceFailure("expecting the window open by at least " + increment + " octets once the application read all "
                    + held + " octets (MUST-39: RCV.WND = RCV.BUFF - RCV.USER once the reduction allows), but it was " + all.window());
        }
        assertThat(target).isIn(ESTABLISHED);
    }

    /** What a window probe showed: the window the target offered before the probe's octet, and RCV.NXT after it. */
    private record Probed(int window, long next) {
    }

    /**
     * The window the target offers now, as a peer can see it: first a zero-length segment at RCV.NXT-1 (unacceptable: the
     * target must ACK RCV.NXT with its window); a target silent to that within {@link #UPDATE_WATCH} (ns-3 checks SEQ only on
     * segments with text) gets one octet at RCV.NXT {@code next}, a zero-window probe (a window of 0 refuses it with an ACK, an
     * open one takes it; gVisor drops it unacknowledged while its buffer is full, hence not first). A window update the target
     * sends by itself counts too. Which probe a stack answers is not what this scenario judges, so either will do; silence to
     * both fails. The largest window seen wins (the window only grows here: the application only reads); a probe octet taken
     * counts back into the window it was offered.
     */
    private Probed probeWindow(long next, String when) {
        peer.send(ack().seq(next - 1).ack(1));
        Probed seen = windowIn(peer.collect(UPDATE_WATCH, false), next, when);
        if (seen == null) {
            note("no answer to the zero-length segment at RCV.NXT-1 " + when + ": the peer probes with one octet at RCV.NXT");
            peer.send(ack().seq(next).ack(1).data("p"));
            seen = windowIn(peer.collect(UPDATE_WATCH, false), next, when);
        }
        if (seen == null) {
            throw new ConformanceFailure("expecting an ACK (with the target's window) of a zero-length segment at RCV.NXT-1 or of a one-octet "
                    + "probe at RCV.NXT " + when + " (3.10.7.4: an unacceptable segment is answered with an ACK), but the target sent "
                    + "nothing within " + UPDATE_WATCH.toMillis() + " ms of either");
        }
        note("the target's window " + when + ": " + seen.window());
        return seen;
    }

    /** The window the target's ACKs {@code seen} of RCV.NXT {@code next} (or of a probe octet there) offered, null for none. */
    private Probed windowIn(List<Segment> seen, long next, String when) {
        Probed out = null;
        for (Segment s : seen) {
            if (peer.matches(ack().seq(1).ack(next + 1), s)) {   // the window was open: the octet taken, the window shown is one less
                out = new Probed(Math.max(out == null ? 0 : out.window(), s.window() + 1), next + 1);
            } else if (peer.matches(ack().seq(1).ack(next), s)) {
                out = new Probed(Math.max(out == null ? 0 : out.window(), s.window()), out == null ? next : out.next());
            } else {
                throw new ConformanceFailure("expecting an ACK of RCV.NXT " + next + " or " + (next + 1) + " " + when + ", but was " + peer.describe(s));
            }
        }
        return out;
    }

    /** The peer's MSS and its first window, two segments' worth: the target sends two, then the window shrinks under them. */
    static final int SHRINK_MSS = 536;
    /** How long the peer watches the target after shrinking its window (under Linux's 200 ms RTO floor a retransmission may come; fine). */
    static final Duration SHRUNK_WATCH = Duration.ofMillis(1500);

    /**
     * MUST-34 (3.8.6): "a sending TCP peer MUST be robust against window shrinking, which may cause the "usable window" (see
     * Section 3.8.6.2.1) to become negative". The peer offers two segments' window, takes both segments unacknowledged, then
     * moves the window's right edge back by one segment (same ACK, half the window): the usable window is -536. The MUST is
     * judged on the wire: no RST, the connection stays ESTABLISHED, and once the window reopens every octet arrives in order.
     * The RFC's SHOULDs around it are judged as SHOULDs: no new data past SND.NXT while the window is negative.
     */
    @Test(description = "MUST-34: \"a sending TCP peer MUST be robust against window shrinking, which may cause the usable window to become negative\": the peer shrinks its window under 536 octets in flight; the target stays ESTABLISHED, sends no new data into the negative window (SHOULD) and delivers everything once the window reopens",
            groups = "window")
    @Scenario(id = "window/shrinking-window")
    @Rfc9293(section = {"3.8.6", "3.8.6.2.1"}, requirements = {"MUST-34"}, edges = {"E1", "E4", "E10"})
    public void shrinkingWindow() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0).mss(SHRINK_MSS).win(2 * SHRINK_MSS));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1).win(2 * SHRINK_MSS)); assertThat(target).isIn(ESTABLISHED);
        target.accept();
        String text = "0123456789abcdef".repeat(4 * SHRINK_MSS / 16);   // four segments' worth, twice the window
        target.send(text);
        long inFlight = 2 * SHRINK_MSS;
        SeqNum first = takeUnacknowledged(text, (int) inFlight);
        long edge = 1 + SHRINK_MSS;                   // SND.UNA + the shrunk SND.WND
        note("the peer has " + inFlight + " octets unacknowledged; it moves its right edge back from " + (1 + inFlight) + " to " + edge);
        peer.send(ack().seq(1).ack(1).win(SHRINK_MSS));
        long sent = 1 + inFlight;                     // SND.NXT as the peer has seen it
        for (Segment s : peer.collect(SHRUNK_WATCH, true)) {
            String seen = peer.describe(s);
            if (s.flags().has(Flag.RST)) {
                throw new ConformanceFailure("expecting the target robust against the shrunk window (MUST-34), but it reset the connection: " + seen);
            }
            long from = relativeSeq(s, first);
            long to = from + s.payloadLength();
            if (s.payloadLength() == 0) {
                continue;
            }
            if (from < 1 || from > sent || to > 1 + text.length() || !new String(s.payload(), StandardCharsets.UTF_8)
                    .equals(text.substring((int) from - 1, (int) to - 1))) {
                throw new ConformanceFailure("expecting the octets of the application's write at their SEQ, none past SND.NXT " + sent
                        + ", while the window is shrunk (MUST-34), but was " + seen);
            }
            if (to > sent) {
                shouldViolation("expecting no new data while the usable window is negative (RFC 9293 3.8.6: the sender SHOULD NOT send new "
                        + "data; the right edge is now " + edge + " and SND.NXT " + sent + "), but the target sent " + seen);
                sent = to;                            // taken as a peer would, so that the rest is judged from there
            }
        }
        assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(sent).win(4 * SHRINK_MSS));  // everything sent taken, the window open again
        if (sent < 1 + text.length()) {
            receive(text.substring((int) sent - 1), sent, 1);
        }
        assertThat(target).isIn(ESTABLISHED);
    }

    /**
     * Takes the target's first {@code upTo} octets of {@code text} from relative SEQ 1 without acknowledging them, each checked
     * with {@link tcpct.scenario.Peer#expect}. Returns the first one's absolute SEQ (relative 1), for {@link #relativeSeq}.
     */
    private SeqNum takeUnacknowledged(String text, int upTo) {
        SeqNum first = null;
        int got = 0;
        while (got < upTo) {
            int sent = got;
            Segment s = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure("expecting the target to "
                    + "fill the peer's window of " + upTo + " octets, but it sent nothing within " + tcpct.scenario.Peer.EXPECT_TIMEOUT.toMillis()
                    + " ms (it had sent " + sent + ")"));
            int n = Math.max(1, Math.min(s.payloadLength(), upTo - got));
            SegmentTemplate t = ack().seq(1 + got).ack(1).data(text.substring(got, got + n));
            peer.expect(s.flags().has(Flag.PSH) ? t.psh() : t);
            if (got == 0) {
                first = peer.lastExpected().seq();
            }
            got += n;
        }
        return first;
    }

    /** {@code s}'s SEQ relative to the target's ISN, from the absolute SEQ {@code first} of relative 1. */
    private static long relativeSeq(Segment s, SeqNum first) {
        return 1 + s.seq().minus(first);
    }

    /**
     * What a probe of this target looks like, from the first one it sent: a zero-length segment at SND.UNA-1 (relative 0,
     * which the peer must ACK as out of window) or new data at SND.UNA (relative 1), the RFC's "at least one octet".
     */
    private SegmentTemplate probeTemplate(Segment s, String text) {
        String seen = peer.describe(s);
        SegmentTemplate keepAliveStyle = ack().seq(0).ack(1);
        if (peer.matches(keepAliveStyle, s)) {
            note("the target probes with a zero-length segment at SND.UNA-1 (" + seen + ")");
            return keepAliveStyle;
        }
        int n = Math.min(s.payloadLength(), text.length());
        if (n >= 1) {
            SegmentTemplate newData = ack().seq(1).ack(1).data(text.substring(0, n));
            newData = s.flags().has(Flag.PSH) ? newData.psh() : newData;
            if (peer.matches(newData, s)) {
                note("the target probes with " + n + " new octet(s) at SND.UNA (" + seen + ")");
                return newData;
            }
        }
        throw new ConformanceFailure("expecting a zero-window probe (ACK seq 0 with no data, or ACK seq 1 with new data) into the peer's "
                + "window of 0, but was " + seen);
    }
}
