package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.state.TcpState;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/** The wire rules that stand in for an agent that cannot show a state (slirp's LISTEN, say). */
public class InferenceTest {

    private static final long T0 = 1_000_000_000L;

    private static Frame frame(long ms, Direction d, Flag... flags) {
        Segment s = new Segment(40000, 5000, new SeqNum(1), new SeqNum(0), Flags.of(flags), 65535, 0, List.of(), new byte[0]);
        return new Frame(T0 + ms * 1_000_000L, d, s, true, 64);
    }

    @Test
    public void listen_isConfirmedBySynAnsweredBySynAck() {
        Inference i = new Inference(TcpState.LISTEN, "showed no endpoint", 0);
        Inference.Evidence e = i.judge(List.of(frame(3, Direction.TO_TARGET, Flag.SYN),
                frame(4, Direction.FROM_TARGET, Flag.SYN, Flag.ACK)), T0);
        assertThat(e.contradicted()).isFalse();
        assertThat(e.how()).startsWith("confirmed by the wire: the peer's SYN at +3 ms was answered by SYN,ACK at +4 ms");
    }

    @Test
    public void listen_isContradictedBySynAnsweredByRst() {
        Inference i = new Inference(TcpState.LISTEN, "showed no endpoint", 0);
        Inference.Evidence e = i.judge(List.of(frame(3, Direction.TO_TARGET, Flag.SYN),
                frame(4, Direction.FROM_TARGET, Flag.RST, Flag.ACK)), T0);
        assertThat(e.contradicted()).isTrue();
        assertThat(e.how()).startsWith("contradicted by the wire");
    }

    @Test
    public void framesAfterTheWindowSayNothing() {
        Inference i = new Inference(TcpState.LISTEN, "showed no endpoint", 0);
        i.close(0); // the scenario acted on the target before any frame: e.g. it closed the listener
        Inference.Evidence e = i.judge(List.of(frame(3, Direction.TO_TARGET, Flag.SYN),
                frame(4, Direction.FROM_TARGET, Flag.RST, Flag.ACK)), T0);
        assertThat(e.contradicted()).isFalse();
        assertThat(e.how()).startsWith("not confirmed by the wire").contains("showed no endpoint");
    }

    @Test
    public void timeWait_isConfirmedByAnAckedFin() {
        Inference i = new Inference(TcpState.TIME_WAIT, "showed no endpoint", 1);
        Inference.Evidence e = i.judge(List.of(frame(1, Direction.FROM_TARGET, Flag.ACK),
                frame(200, Direction.TO_TARGET, Flag.FIN, Flag.ACK), frame(201, Direction.FROM_TARGET, Flag.ACK)), T0);
        assertThat(e.how()).contains("TIME-WAIT acknowledges a retransmitted FIN");
    }

    @Test
    public void closed_isConfirmedByRstAndContradictedBySynAck() {
        assertThat(new Inference(TcpState.CLOSED, "x", 0).judge(List.of(frame(1, Direction.TO_TARGET, Flag.ACK),
                frame(2, Direction.FROM_TARGET, Flag.RST)), T0).how()).startsWith("confirmed by the wire");
        assertThat(new Inference(TcpState.CLOSED, "x", 0).judge(List.of(frame(1, Direction.TO_TARGET, Flag.SYN),
                frame(2, Direction.FROM_TARGET, Flag.SYN, Flag.ACK)), T0).contradicted()).isTrue();
    }
}
