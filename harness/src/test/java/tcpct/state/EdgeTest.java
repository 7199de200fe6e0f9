package tcpct.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.testng.annotations.Test;

public class EdgeTest {

    @Test
    public void thereAre21EdgesWithTheSpecsEnds() {
        assertThat(Edge.values()).hasSize(21);
        assertThat(Edge.E21.from).isEqualTo(TcpState.FIN_WAIT_1);
        assertThat(Edge.E21.to).isEqualTo(TcpState.TIME_WAIT);
        assertThat(Edge.E9.to).isEqualTo(TcpState.LISTEN);
    }

    @Test
    public void betweenLooksOnlyAmongTheCandidates() {
        assertThat(Edge.between(TcpState.FIN_WAIT_1, TcpState.TIME_WAIT, List.of(Edge.E21))).contains(Edge.E21);
        assertThat(Edge.between(TcpState.FIN_WAIT_1, TcpState.TIME_WAIT, List.of(Edge.E16))).isEmpty();
    }

    @Test
    public void stateNamesAreTheRfcsSpelling() {
        assertThat(TcpState.SYN_RECEIVED.rfcName()).isEqualTo("SYN-RECEIVED");
        assertThat(TcpState.fromRfcName("FIN-WAIT-2")).isEqualTo(TcpState.FIN_WAIT_2);
        assertThatThrownBy(() -> TcpState.fromRfcName("SYN_RECV")).hasMessageContaining("not an RFC 9293 state name");
    }
}
