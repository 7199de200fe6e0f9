package tcpct.scenarios;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/** Opening a connection: RFC 9293 section 3.5 (Figure 6, the three-way handshake). */
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
}
