package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;
import tcpct.model.Arrival;
import tcpct.model.Tcb;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
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
}
