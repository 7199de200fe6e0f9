package tcpct.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.TIME_WAIT;

import org.testng.annotations.Test;
import tcpct.model.Tcb;

/** The grid's set-up makes only segments a correct peer can send (testcases/GRID-JUDGEMENTS.md). */
public class GridSetUpTest {

    @Test
    public void anExactFinAfterThePeersFinIsThatFinAgain() {
        Tcb closeWait = new Tcb(CLOSE_WAIT, 1, 1, 2, 64240, true);
        assertThat(Grid.seqFor("exact", closeWait, "FIN-ACK")).as("the peer's FIN was at 1").isEqualTo(1);
        assertThat(Grid.seqFor("exact", closeWait, "FIN")).isEqualTo(1);
        assertThat(Grid.seqFor("exact", closeWait, "ACK")).as("an ACK follows the FIN").isEqualTo(2);
        assertThat(Grid.seqFor("in-window", closeWait, "FIN-ACK")).isEqualTo(102);
        assertThat(Grid.seqFor("exact", new Tcb(TIME_WAIT, 2, 2, 2, 64240, true), "FIN-ACK")).isEqualTo(1);
        assertThat(Grid.seqFor("exact", new Tcb(ESTABLISHED, 1, 1, 1, 64240, true), "FIN-ACK")).as("the first FIN").isEqualTo(1);
    }

    @Test
    public void anOldAckComesAfterOctetsReallySentAndAcknowledged() {
        assertThat(Grid.afterEstablished("ESTABLISHED")).isTrue();
        assertThat(Grid.afterEstablished("TIME-WAIT")).isTrue();
        assertThat(Grid.afterEstablished("SYN-RECEIVED")).as("no data can be sent before ESTABLISHED").isFalse();
        int sent = Grid.SENT_BEFORE_OLD_ACK;
        Tcb established = new Tcb(ESTABLISHED, 1 + sent, 1 + sent, 1, 64240, true);
        long old = Grid.ackFor("old-ack", established);
        assertThat(old).as("SND.UNA - 1000 acknowledges octets the target sent, not octets before its ISS").isGreaterThan(1).isLessThan(1 + sent);
    }
}
