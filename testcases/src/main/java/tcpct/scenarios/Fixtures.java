package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.TIME_WAIT;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tcpct.scenario.Peer;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.scenario.ConformanceBase;
import tcpct.scenario.ConformanceFailure;
import tcpct.wire.Frame;

/**
 * Fixtures that scenarios build on, each reached through real segments and socket calls and asserting
 * every state on its way (smoltcp's {@code established()} idea): a scenario about closing starts from a
 * connection that was really opened.
 */
abstract class Fixtures extends ConformanceBase {

    /** Bound on the segments sent to fill a window the application does not read. */
    static final int MAX_FILL_SEGMENTS = 64;

    /** "For this specification the MSL is taken to be 2 minutes" (RFC 9293 section 3.4.2). */
    static final Duration MSL = Duration.ofMinutes(2);
    static final Duration TWO_MSL = MSL.multipliedBy(2);

    /** CLOSED, LISTEN, SYN-RECEIVED (E1 E4): the peer's SYN answered, its ACK not sent yet. */
    protected void synReceivedPassively() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
    }

    /** CLOSED, LISTEN, SYN-RECEIVED, ESTABLISHED (E1 E4 E10), and the connection accepted; both sides at seq 1. */
    protected void establishedPassively() {
        synReceivedPassively();
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
    }

    /** CLOSED, SYN-SENT, ESTABLISHED (E2 E8); both sides at seq 1. Returns the target's ACK of the SYN,ACK. */
    protected Frame establishedActively() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1));
        Frame ack = peer.expect(ack().seq(1).ack(1)); assertThat(target).isIn(ESTABLISHED);
        return ack;
    }

    /**
     * Established passively, then the target sends {@code sent} octets (none: {@link #establishedPassively})
     * and the peer acknowledges every segment: SND.UNA = SND.NXT = 1 + sent, so an ACK below SND.UNA is an
     * old one of octets really sent, as a correct peer's delayed duplicate would be.
     */
    protected void establishedAfterSending(int sent) {
        establishedPassively();
        if (sent > 0) {
            String text = "x".repeat(sent);
            target.send(text);
            receive(text, 1, 1);                      assertThat(target).isIn(ESTABLISHED);
        }
    }

    /** Established passively, then CLOSE (E12): FIN-WAIT-1. Returns the target's FIN. */
    protected Frame finWait1() {
        return finWait1(0);
    }

    /** {@link #establishedAfterSending}, then CLOSE (E12): FIN-WAIT-1. Returns the target's FIN. */
    protected Frame finWait1(int sent) {
        establishedAfterSending(sent);
        target.close();
        Frame fin = peer.expect(finAck().seq(1 + sent).ack(1)); assertThat(target).isIn(FIN_WAIT_1);
        return fin;
    }

    /** FIN-WAIT-1, then the ACK of the target's FIN (E14): FIN-WAIT-2. Returns the target's FIN. */
    protected Frame finWait2() {
        return finWait2(0);
    }

    /** {@link #finWait1(int)}, then the ACK of the target's FIN (E14): FIN-WAIT-2. Returns the target's FIN. */
    protected Frame finWait2(int sent) {
        Frame fin = finWait1(sent);
        peer.send(ack().seq(1).ack(2 + sent));        assertThat(target).isIn(FIN_WAIT_2);
        return fin;
    }

    /** Established passively, then the peer's FIN (E13): CLOSE-WAIT. */
    protected void closeWait() {
        closeWait(0);
    }

    /** {@link #establishedAfterSending}, then the peer's FIN (E13): CLOSE-WAIT. */
    protected void closeWait(int sent) {
        establishedAfterSending(sent);
        peer.send(finAck().seq(1).ack(1 + sent));
        peer.expect(ack().seq(1 + sent).ack(2));      assertThat(target).isIn(CLOSE_WAIT);
    }

    /** CLOSE-WAIT, then CLOSE (E19): LAST-ACK. Returns the target's FIN. */
    protected Frame lastAck() {
        return lastAck(0);
    }

    /** {@link #closeWait(int)}, then CLOSE (E19): LAST-ACK. Returns the target's FIN. */
    protected Frame lastAck(int sent) {
        closeWait(sent);
        target.close();
        Frame fin = peer.expect(finAck().seq(1 + sent).ack(2)); assertThat(target).isIn(LAST_ACK);
        return fin;
    }

    /** FIN-WAIT-2, then the peer's FIN (E16): TIME-WAIT. Returns the target's last ACK, where TIME-WAIT began. */
    protected Frame activeCloseIntoTimeWait() {
        return activeCloseIntoTimeWait(0);
    }

    /** {@link #finWait2(int)}, then the peer's FIN (E16): TIME-WAIT. Returns the target's last ACK. */
    protected Frame activeCloseIntoTimeWait(int sent) {
        finWait2(sent);
        peer.send(finAck().seq(1).ack(2 + sent));
        Frame last = peer.expect(ack().seq(2 + sent).ack(2)); assertThat(target).isIn(TIME_WAIT);
        return last;
    }

    /**
     * ESTABLISHED on a 2048-octet receive buffer (SO_RCVBUF; a stack without it makes the scenario UNIMPLEMENTED), then
     * 536-octet segments the application does not read until the target's window is 0. {@code listening} brings the
     * target to LISTEN. Returns the peer's next SEQ, the target's RCV.NXT.
     */
    protected long filledReceiveWindow(Runnable listening) {
        target.option("SO_RCVBUF", 2048);             // a small buffer, so that a few segments fill the window
        listening.run();
        peer.send(syn().seq(0).mss(536));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        long next = 1;
        int window = peer.lastExpected().window();
        for (int segments = 0; window > 0; segments++) {
            if (segments == MAX_FILL_SEGMENTS) {
                throw new ConformanceFailure("expecting the target's window to close after " + MAX_FILL_SEGMENTS
                        + " segments the application does not read, but it still offers " + window + " octets");
            }
            int n = Math.min(window, 536);
            peer.send(ack().seq(next).ack(1).data("z".repeat(n)).psh());
            next += n;
            peer.expect(ack().seq(1).ack(next));
            window = peer.lastExpected().window();
        }
        return next;
    }

    /**
     * Takes the target's pure ACKs (with SEQ 1) until it has acknowledged the peer's data up to {@code next}, in one ACK or
     * several, within {@code within} in all; {@code what} names the data in the failure.
     */
    protected void awaitAcknowledged(long next, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        long acked = peer.lastExpected() == null ? 0 : peer.acknowledged(peer.lastExpected());
        while (acked < next) {
            long left = deadline - System.nanoTime();
            Optional<Segment> s = left > 0 ? peer.awaitAnswer(Duration.ofNanos(left)) : Optional.empty();
            if (s.isEmpty()) {
                throw new ConformanceFailure("expecting " + what + " acknowledged up to " + next + " within " + within.toMillis()
                        + " ms, but the target acknowledged up to " + acked);
            }
            acked = peer.acknowledged(s.get());
            peer.expect(ack().seq(1).ack(acked));
        }
    }

    /** The application reads from the connection now, and must get exactly {@code text}. */
    protected void expectRead(String text) {
        String read = target.recv();
        if (!read.equals(text)) {
            throw new ConformanceFailure("expected the application to read \"" + text + "\", but it read \"" + read + "\"");
        }
    }

    /**
     * Takes {@code text} from the target in as many segments as it uses, starting at its SEQ {@code seq}
     * with our ACK {@code ack}, each checked with {@link Peer#expect} and acknowledged as it arrives (as a
     * peer would: a Nagle sender waits for it). Returns the segments' lengths.
     */
    protected List<Integer> receive(String text, long seq, long ack) {
        return receive(text, seq, ack, s -> { });
    }

    /** The same, with {@code each} run on every segment of the target's as it is taken. */
    protected List<Integer> receive(String text, long seq, long ack, java.util.function.Consumer<Segment> each) {
        List<Integer> sizes = new java.util.ArrayList<>();
        int got = 0;
        while (got < text.length() && sizes.size() < text.length()) {
            Segment s = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure("expected the "
                    + text.length() + " octets the target was asked to send, saw nothing within " + Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
            int n = Math.max(1, Math.min(s.payloadLength(), text.length() - got));
            SegmentTemplate t = ack().seq(seq + got).ack(ack).data(text.substring(got, got + n));
            peer.expect(s.flags().has(Flag.PSH) ? t.psh() : t);
            each.accept(peer.lastExpected());
            sizes.add(n);
            got += n;
            peer.send(ack().seq(ack).ack(seq + got));
        }
        return sizes;
    }

    /**
     * The target's {@code text} (a few octets, one segment) at its SEQ {@code seq} with our ACK {@code ack}, PSH or not as the
     * segment has it (MUST-61 leaves it to the stack), not yet acknowledged: the frame, for checks of its IP header.
     */
    protected Frame expectData(String text, long seq, long ack) {
        Segment s = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure("expecting the " + text.length()
                + " octets the target was asked to send, but saw nothing within " + Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
        SegmentTemplate t = ack().seq(seq).ack(ack).data(text);
        return peer.expect(s.flags().has(Flag.PSH) ? t.psh() : t);
    }
}
