package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import org.testng.annotations.Test;
import tcpct.agent.AgentError;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/**
 * Opening Connections (RFC 9293 3.9.1.1, Appendix B): a passive OPEN either creates a new LISTEN record or returns an
 * error, and never affects a connection record made before (MUST-41).
 */
public class Opening extends Fixtures {

    @Test(description = "A passive OPEN on the port of an established connection (its listener closed) succeeds or fails, and the connection goes on carrying data both ways", groups = "opening")
    @Scenario(id = "opening/passive-open-leaves-connection")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-41"}, edges = {"E1", "E4", "E10"})
    public void passiveOpenLeavesConnection() {
        establishedPassively();
        target.closeListener();                       assertThat(target).isIn(ESTABLISHED);
        try {
            target.listen();
            note("the second passive OPEN on the port made a new listener");
        } catch (AgentError e) {
            note("the second passive OPEN on the port returned an error (" + e.errno() + "), which MUST-41 allows");
        }
        assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(1).data("alive").psh());
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("alive");
        target.send("well");
        receive("well", 1, 6);                        assertThat(target).isIn(ESTABLISHED);
    }
}
