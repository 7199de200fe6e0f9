package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.TIME_WAIT;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/** Closing a connection: RFC 9293 section 3.6 (Figure 12, normal close sequence). */
public class Close extends Fixtures {

    @Test(description = "Passive close: the peer's FIN moves the target to CLOSE-WAIT; its close to LAST-ACK; our ACK to CLOSED", groups = {"close", "smoke"})
    @Scenario(id = "close/passive-close")
    @Rfc9293(section = {"3.6", "3.10.4", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void passiveClose() {
        establishedPassively();
        peer.send(finAck().seq(1).ack(1));
        peer.expect(ack().seq(1).ack(2));             assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(1).ack(2));          assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "Active close: close sends FIN (FIN-WAIT-1); its ACK gives FIN-WAIT-2; the peer's FIN gives TIME-WAIT", groups = {"close", "smoke"})
    @Scenario(id = "close/active-close")
    @Rfc9293(section = {"3.6", "3.10.4", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void activeClose() {
        establishedPassively();
        target.close();
        peer.expect(finAck().seq(1).ack(1));          assertThat(target).isIn(FIN_WAIT_1);
        peer.send(ack().seq(1).ack(2));               assertThat(target).isIn(FIN_WAIT_2);
        peer.send(finAck().seq(1).ack(2));
        peer.expect(ack().seq(2).ack(2));             assertThat(target).isIn(TIME_WAIT);
    }
}
