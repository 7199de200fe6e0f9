package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/** Opening a connection: RFC 9293 section 3.5 (Figures 6 to 9) and the OPEN and SEND calls of 3.10. */
public class Establish extends Fixtures {

    @Test(description = "Passive open: LISTEN, then SYN-RECEIVED on a SYN, then ESTABLISHED on the ACK of our SYN", groups = {"establish", "smoke"})
    @Scenario(id = "establish/passive-open")
    @Rfc9293(section = {"3.5", "3.10.1", "3.10.7.2", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void passiveOpen() {
        establishedPassively();
    }

    @Test(description = "Active open: SYN-SENT after connect, then ESTABLISHED on SYN,ACK, answered by an ACK", groups = {"establish", "smoke"})
    @Scenario(id = "establish/active-open")
    @Rfc9293(section = {"3.5", "3.10.1", "3.10.7.3"}, edges = {"E2", "E8"})
    public void activeOpen() {
        establishedActively();
    }

    @Test(description = "Simultaneous open: a SYN crosses the target's SYN; SYN-RECEIVED, then ESTABLISHED (Figure 7)", groups = "establish")
    @Scenario(id = "establish/simultaneous-open")
    @Rfc9293(section = {"3.5", "3.10.7.3", "3.10.7.4"}, requirements = "MUST-10", edges = {"E2", "E7", "E10"})
    public void simultaneousOpen() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "RST in SYN-RECEIVED from a passive open: back to LISTEN, and the listener takes the next SYN", groups = "establish")
    @Scenario(id = "establish/rst-in-syn-received")
    @Rfc9293(section = {"3.5.3", "3.10.7.4"}, requirements = "MUST-11", edges = {"E1", "E4", "E9"})
    public void rstInSynReceived() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(rst().seq(1));                      assertThat(target).isIn(LISTEN);
        peer.newIncarnation();
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
    }

    @Test(description = "SEND in LISTEN turns the connection active (E5): no sockets API offers it", groups = "establish")
    @Scenario(id = "establish/send-in-listen")
    @Rfc9293(section = "3.10.2", edges = {"E1", "E5"})
    public void sendInListen() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        target.sendOnListener("x");
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
    }
}
