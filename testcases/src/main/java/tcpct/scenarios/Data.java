package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.TIME_WAIT;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/** Data in ESTABLISHED and after a half close: RFC 9293 3.9 (SEND, RECEIVE), 3.10.7.4 (segment text), 3.6 (half close). */
public class Data extends Fixtures {

    @Test(description = "Data both ways in ESTABLISHED, every octet acknowledged, then a passive close at the right sequence numbers", groups = "data")
    @Scenario(id = "data/exchange-then-passive-close")
    // MUST-1: the peer's window, 64240, read as a signed 16-bit number is negative and no data would leave; MUST-60 and
    // MUST-61 (a SEND cannot set PUSH in the sockets API): the data is on the wire within 3 s, its last segment with PSH
    @Rfc9293(section = {"3.1", "3.9.1.2", "3.10.7.4", "3.6"}, requirements = {"MUST-1", "MUST-60", "MUST-61"},
            edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void exchangeThenPassiveClose() {
        establishedPassively();
        peer.send(ack().seq(1).ack(1).data("hello").psh());
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("hello");
        target.send("world!");
        peer.expect(ack().seq(1).ack(6).data("world!").psh());
        peer.send(ack().seq(6).ack(7));
        peer.send(finAck().seq(6).ack(7));
        peer.expect(ack().seq(7).ack(7));             assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(7).ack(7));          assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(7).ack(8));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "Data both ways in ESTABLISHED, then an active close whose FIN follows the data", groups = "data")
    @Scenario(id = "data/exchange-then-active-close")
    @Rfc9293(section = {"3.9.1.2", "3.10.7.4", "3.6"}, requirements = {"MUST-60", "MUST-61"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void exchangeThenActiveClose() {
        establishedPassively();
        target.send("ping");
        peer.expect(ack().seq(1).ack(1).data("ping").psh());
        peer.send(ack().seq(1).ack(5).data("pong").psh());
        peer.expect(ack().seq(5).ack(5));             assertThat(target).isIn(ESTABLISHED);
        expectRead("pong");
        target.close();
        peer.expect(finAck().seq(5).ack(5));          assertThat(target).isIn(FIN_WAIT_1);
        peer.send(ack().seq(5).ack(6));               assertThat(target).isIn(FIN_WAIT_2);
        peer.send(finAck().seq(5).ack(6));
        peer.expect(ack().seq(6).ack(6));             assertThat(target).isIn(TIME_WAIT);
    }

    @Test(description = "Half close: after the peer's FIN the target may still send; its data reaches the peer in CLOSE-WAIT", groups = "data")
    @Scenario(id = "data/send-in-close-wait")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, requirements = "MAY-1", edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void sendInCloseWait() {
        closeWait();
        target.send("still here");
        peer.expect(ack().seq(1).ack(2).data("still here").psh());
        peer.send(ack().seq(2).ack(11));              assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(11).ack(2));         assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(2).ack(12));              assertThat(target).isIn(CLOSED);
    }
}
