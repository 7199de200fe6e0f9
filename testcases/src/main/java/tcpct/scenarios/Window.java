package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

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
        long inFlight = takeUnacknowledged(text, 2 * SHRINK_MSS);
        long edge = 1 + SHRINK_MSS;                   // SND.UNA + the shrunk SND.WND
        note("the peer has " + inFlight + " octets unacknowledged; it moves its right edge back from " + (1 + inFlight) + " to " + edge);
        peer.send(ack().seq(1).ack(1).win(SHRINK_MSS));
        for (Segment s : peer.collect(SHRUNK_WATCH, true)) {
            String seen = peer.describe(s);
            if (s.flags().has(Flag.RST)) {
                throw new ConformanceFailure("expecting the target robust against the shrunk window (MUST-34), but it reset the connection: " + seen);
            }
            long from = relativeSeq(s);
            if (s.payloadLength() > 0 && from + s.payloadLength() > 1 + inFlight) {
                shouldViolation("expecting no new data while the usable window is negative (RFC 9293 3.8.6: the sender SHOULD NOT send new "
                        + "data; the right edge is now " + edge + " and SND.NXT " + (1 + inFlight) + "), but the target sent " + seen);
            }
        }
        assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(1 + inFlight).win(4 * SHRINK_MSS));  // everything in flight taken, the window open again
        receive(text.substring((int) inFlight), 1 + inFlight, 1);  assertThat(target).isIn(ESTABLISHED);
    }

    /** First data segment's absolute SEQ (relative 1), for {@link #relativeSeq}. */
    private SeqNum firstData;

    /**
     * Takes the target's first {@code upTo} octets of {@code text} from relative SEQ 1 without acknowledging them, each checked
     * with {@link tcpct.scenario.Peer#expect}. Returns how many octets it took (the window's worth).
     */
    private long takeUnacknowledged(String text, int upTo) {
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
                firstData = peer.lastExpected().seq();
            }
            got += n;
        }
        return got;
    }

    /** {@code s}'s SEQ relative to the target's ISN, from the first data segment taken (relative 1). */
    private long relativeSeq(Segment s) {
        return 1 + s.seq().minus(firstData);
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
