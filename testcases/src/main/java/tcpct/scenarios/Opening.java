package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.agent.AgentError;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Segment;
import tcpct.wire.IpFamily;

/**
 * Opening Connections (RFC 9293 3.9.1.1, Appendix B): a passive OPEN either creates a new LISTEN record or returns an
 * error, and never affects a connection record made before (MUST-41); an active OPEN to a broadcast or multicast address
 * is an error (MUST-46), seen as the call's result and as a wire with no SYN on it.
 */
public class Opening extends Fixtures {

    /** How long the wire must stay without a SYN after a refused OPEN: a stack that sent one sends it at once. */
    static final Duration NO_SYN = Duration.ofSeconds(1);

    @Test(description = "MUST-46: an active OPEN to the wire's broadcast address 192.0.2.255 is refused with an error, and no SYN goes on the wire", groups = "opening")
    @Scenario(id = "opening/open-to-broadcast-refused", ipv4Only = "IPv6 has no broadcast address (RFC 4291 2); opening/open-to-multicast-refused covers it")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-46"})
    public void openToBroadcastRefused() {
        refusedOpen(peer.broadcastAddress());
    }

    @Test(description = "MUST-46: an active OPEN to a multicast address (233.252.0.1, ff0e::db8:0:1) is refused with an error, and no SYN goes on the wire", groups = "opening")
    @Scenario(id = "opening/open-to-multicast-refused")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-46"})
    public void openToMulticastRefused() {
        refusedOpen(ipFamily() == IpFamily.IPV4 ? Addressing.MULTICAST_V4 : Addressing.MULTICAST_V6);
    }

    /** "A TCP implementation MUST reject as an error a local OPEN call for an invalid remote IP address" (MUST-46). */
    private void refusedOpen(String address) {
        Optional<String> refused = target.connectTo(address);
        if (refused.isEmpty()) {
            Optional<Segment> sent = peer.awaitAnswer(NO_SYN);
            throw new ConformanceFailure("expecting the active OPEN to " + address + " to fail with an error (MUST-46: an OPEN to a broadcast "
                    + "or multicast address is invalid), but the stack took the call" + sent.map(s -> " and sent " + peer.describe(s)).orElse(""));
        }
        note("the OPEN to " + address + " failed with " + refused.get());
        peer.expectNothing(NO_SYN);
    }

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
