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
import tcpct.scenario.ConformanceBase;
import tcpct.scenario.ConformanceFailure;
import tcpct.wire.Frame;

/**
 * Fixtures that scenarios build on, each reached through real segments and socket calls and asserting
 * every state on its way (smoltcp's {@code established()} idea): a scenario about closing starts from a
 * connection that was really opened.
 */
abstract class Fixtures extends ConformanceBase {

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

    /** CLOSED, SYN-SENT, ESTABLISHED (E2 E8); both sides at seq 1. */
    protected void establishedActively() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1));
        peer.expect(ack().seq(1).ack(1));             assertThat(target).isIn(ESTABLISHED);
    }

    /** Established passively, then CLOSE (E12): FIN-WAIT-1. Returns the target's FIN. */
    protected Frame finWait1() {
        establishedPassively();
        target.close();
        Frame fin = peer.expect(finAck().seq(1).ack(1)); assertThat(target).isIn(FIN_WAIT_1);
        return fin;
    }

    /** FIN-WAIT-1, then the ACK of the target's FIN (E14): FIN-WAIT-2. Returns the target's FIN. */
    protected Frame finWait2() {
        Frame fin = finWait1();
        peer.send(ack().seq(1).ack(2));               assertThat(target).isIn(FIN_WAIT_2);
        return fin;
    }

    /** Established passively, then the peer's FIN (E13): CLOSE-WAIT. */
    protected void closeWait() {
        establishedPassively();
        peer.send(finAck().seq(1).ack(1));
        peer.expect(ack().seq(1).ack(2));             assertThat(target).isIn(CLOSE_WAIT);
    }

    /** CLOSE-WAIT, then CLOSE (E19): LAST-ACK. Returns the target's FIN. */
    protected Frame lastAck() {
        closeWait();
        target.close();
        Frame fin = peer.expect(finAck().seq(1).ack(2)); assertThat(target).isIn(LAST_ACK);
        return fin;
    }

    /** FIN-WAIT-2, then the peer's FIN (E16): TIME-WAIT. Returns the target's last ACK, where TIME-WAIT began. */
    protected Frame activeCloseIntoTimeWait() {
        finWait2();
        peer.send(finAck().seq(1).ack(2));
        Frame last = peer.expect(ack().seq(2).ack(2)); assertThat(target).isIn(TIME_WAIT);
        return last;
    }

    /** The application reads from the connection now, and must get exactly {@code text}. */
    protected void expectRead(String text) {
        String read = target.recv();
        if (!read.equals(text)) {
            throw new ConformanceFailure("expected the application to read \"" + text + "\", but it read \"" + read + "\"");
        }
    }
}
