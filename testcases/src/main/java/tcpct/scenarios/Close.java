package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSING;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;
import static tcpct.state.TcpState.TIME_WAIT;

import java.time.Duration;
import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.wire.Frame;

/** Closing a connection: RFC 9293 section 3.6 (Figures 12 and 13), the CLOSE call (3.10.4) and FIN processing (3.10.7.4). */
public class Close extends Fixtures {

    @Test(description = "Passive close: the peer's FIN moves the target to CLOSE-WAIT; its close to LAST-ACK; our ACK to CLOSED", groups = {"close", "smoke"})
    @Scenario(id = "close/passive-close")
    @Rfc9293(section = {"3.6", "3.10.4", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void passiveClose() {
        lastAck();                                    // ESTABLISHED, the peer's FIN: CLOSE-WAIT, close: LAST-ACK
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "Active close: close sends FIN (FIN-WAIT-1); its ACK gives FIN-WAIT-2; the peer's FIN gives TIME-WAIT", groups = {"close", "smoke"})
    @Scenario(id = "close/active-close")
    @Rfc9293(section = {"3.6", "3.10.4", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void activeClose() {
        activeCloseIntoTimeWait();                    // close: FIN-WAIT-1, its ACK: FIN-WAIT-2, the peer's FIN: TIME-WAIT
    }

    @Test(description = "Simultaneous close: FINs cross; CLOSING, then TIME-WAIT on the ACK of the target's FIN (Figure 13)", groups = "close")
    @Scenario(id = "close/simultaneous-close")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E15", "E17"})
    public void simultaneousClose() {
        finWait1();
        peer.send(finAck().seq(1).ack(1));            // our FIN, sent before the target's arrived: it does not ACK it
        peer.expect(ack().seq(2).ack(2));             assertThat(target).isIn(CLOSING);
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(TIME_WAIT);
    }

    @Test(description = "A FIN that also acknowledges the target's FIN moves FIN-WAIT-1 straight to TIME-WAIT", groups = "close")
    @Scenario(id = "close/fin-acks-our-fin")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E21"})
    public void finAcksOurFin() {
        finWait1();
        peer.send(finAck().seq(1).ack(2));
        peer.expect(ack().seq(2).ack(2));             assertThat(target).isIn(TIME_WAIT);
    }

    @Test(description = "CLOSE of a listener: LISTEN to CLOSED, and a SYN to the port then gets a RST", groups = "close")
    @Scenario(id = "close/close-listener")
    @Rfc9293(section = {"3.10.4", "3.10.7.1"}, edges = {"E1", "E3"})
    public void closeListener() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        target.closeListener();                       assertThat(target).isIn(CLOSED);
        peer.send(syn().seq(0));
        peer.expect(tcpct.segment.Segments.rstAck().seq(0).ack(1));
    }

    @Test(description = "CLOSE in SYN-SENT deletes the connection: CLOSED, and nothing is sent", groups = "close")
    @Scenario(id = "close/close-in-syn-sent")
    @Rfc9293(section = "3.10.4", edges = {"E2", "E6"})
    public void closeInSynSent() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        target.close();                               assertThat(target).isIn(CLOSED);
        peer.expectNothing(Duration.ofMillis(300));
    }

    @Test(description = "CLOSE in SYN-RECEIVED (after a simultaneous open) sends FIN: FIN-WAIT-1, then FIN-WAIT-2 on its ACK", groups = "close")
    @Scenario(id = "close/close-in-syn-received")
    @Rfc9293(section = {"3.10.4", "3.10.7.4"}, edges = {"E2", "E7", "E11", "E14"})
    public void closeInSynReceived() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        target.close();
        peer.expect(finAck().seq(1).ack(1));          assertThat(target).isIn(FIN_WAIT_1);
        peer.send(ack().seq(1).ack(2));               assertThat(target).isIn(FIN_WAIT_2);
    }

    @Test(description = "RST in TIME-WAIT: RFC 9293 says enter CLOSED (RFC 1337's advice to ignore it is not part of the standard)", groups = "close")
    @Scenario(id = "close/rst-in-time-wait")
    @Rfc9293(section = {"3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void rstInTimeWait() {
        activeCloseIntoTimeWait();
        peer.send(tcpct.segment.Segments.rst().seq(2));
        assertThat(target).isIn(CLOSED);
    }

    @Test(description = "TIME-WAIT ends by its timer (E18): the endpoint goes away with no segment; its duration is measured", groups = {"close", "slow"})
    @Scenario(id = "close/time-wait-expiry")
    @Rfc9293(section = {"3.6", "3.10.8"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16", "E18"})
    public void timeWaitExpiry() {
        Frame lastAck = activeCloseIntoTimeWait();
        double ms = Timers.timeUntilGone(target, TIME_WAIT, lastAck, TWO_MSL.plusSeconds(30), "TIME-WAIT to end");
        measure("time-wait", ms);
        assertThat(target).isIn(CLOSED);
    }
}
