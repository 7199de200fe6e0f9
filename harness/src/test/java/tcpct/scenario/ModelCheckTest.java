package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;
import tcpct.model.Arrival;
import tcpct.model.Tcb;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.state.TcpState;

/** Which arrivals a barrier may not end the wait for: a FIN (or text) the connection may take in order, whose ACK may be delayed. */
public class ModelCheckTest {

    private static final Tcb ESTABLISHED = new Tcb(TcpState.ESTABLISHED, 1, 1, 1, 1000, true);

    @Test
    public void aFinAtOrInsideTheWindowMayBeAcknowledgedLate() {
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.FIN, Flag.ACK), 1, 1, 0))).isTrue();
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.FIN, Flag.ACK), 101, 1, 0))).isTrue();
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.ACK), 1, 1, 10))).isTrue();
    }

    @Test
    public void unacceptableSegmentsControlSegmentsAndListenersAnswerAtOnce() {
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.FIN, Flag.ACK), -99, 1, 0))).isFalse();   // left of the window
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.FIN, Flag.ACK), 1101, 1, 0))).isFalse(); // right of it
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.ACK), 1, 1, 0))).isFalse();
        assertThat(ModelCheck.ackMayBeDelayed(ESTABLISHED, new Arrival(Flags.of(Flag.RST), 1, 0, 0))).isFalse();
        assertThat(ModelCheck.ackMayBeDelayed(new Tcb(TcpState.LISTEN, 0, 0, 0, 0, true), new Arrival(Flags.of(Flag.SYN, Flag.FIN), 0, 0, 0))).isFalse();
    }

    @Test
    public void aBarrierEndsTheWaitOnlyOnceTheSegmentWasAcknowledgedOrResetBeforeIt() {
        Segment ack = segment(Flags.of(Flag.ACK));
        assertThat(ModelCheck.acknowledgedBeforeBarrier(new Peer.Answer(java.util.List.of(ack), true))).isTrue();
        assertThat(ModelCheck.acknowledgedBeforeBarrier(new Peer.Answer(java.util.List.of(ack), false))).isFalse();   // barrier unanswered
        assertThat(ModelCheck.acknowledgedBeforeBarrier(new Peer.Answer(java.util.List.of(), true))).isFalse();       // the ACK may still come
        assertThat(ModelCheck.acknowledgedBeforeBarrier(new Peer.Answer(java.util.List.of(segment(Flags.of(Flag.RST))), true))).isTrue(); // no connection left
        assertThat(ModelCheck.acknowledgedBeforeBarrier(new Peer.Answer(java.util.List.of(segment(Flags.of(Flag.FIN))), true))).isFalse();
    }

    private static Segment segment(Flags flags) {
        return new Segment(80, 40000, SeqNum.of(1), SeqNum.of(2), flags, 1000, 0, java.util.List.of(), new byte[0]);
    }
}
