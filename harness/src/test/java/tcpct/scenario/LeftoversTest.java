package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.testng.annotations.Test;
import tcpct.agent.Endpoint;

public class LeftoversTest {

    private static final List<Endpoint> TABLE = List.of(
            Endpoint.of("0.0.0.0:5003", "0.0.0.0:0", "LISTEN"),                      // this scenario's listener: reset missed it
            Endpoint.of("192.0.2.2:5003", "192.0.2.1:20003", "TIME-WAIT"),           // this scenario's, the stack's own timer
            Endpoint.of("192.0.2.2:44282", "192.0.2.1:20003", "ESTABLISHED"),        // this scenario's active open
            Endpoint.of("192.0.2.2:5001", "192.0.2.1:20001", "TIME-WAIT"),           // an earlier scenario's
            Endpoint.of("0.0.0.0:5002", "0.0.0.0:0", "LISTEN"));                     // another's (not ours)

    @Test
    public void onlyThisScenariosEndpointsCountAndOpenSocketStatesAreHeld() {
        Leftovers l = Leftovers.of(TABLE, Set.of(5003), 20003);
        assertThat(l.held()).extracting(Endpoint::localPort).containsExactly(5003, 44282);
        assertThat(l.timerHeld()).extracting(Endpoint::localPort).containsExactly(5003);
        assertThat(l.none()).isFalse();
        assertThat(l.describe()).containsExactly("0.0.0.0:5003 <-> 0.0.0.0:0 LISTEN", "192.0.2.2:44282 <-> 192.0.2.1:20003 ESTABLISHED",
                "192.0.2.2:5003 <-> 192.0.2.1:20003 TIME-WAIT");
    }

    @Test
    public void aCleanTableLeavesNothing() {
        Leftovers l = Leftovers.of(TABLE, Set.of(5009), 20009);
        assertThat(l.none()).isTrue();
    }

    @Test
    public void anUnknownStateIsReportedButNotHeld() {
        Leftovers l = Leftovers.of(List.of(Endpoint.of("192.0.2.2:5004", "192.0.2.1:20004", "NEW_SYN_RECV")), Set.of(5004), 20004);
        assertThat(l.held()).isEmpty();
        assertThat(l.describe()).containsExactly("192.0.2.2:5004 <-> 192.0.2.1:20004 UNKNOWN");
    }
}
