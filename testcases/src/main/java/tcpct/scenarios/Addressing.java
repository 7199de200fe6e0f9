package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.time.Duration;
import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.wire.IpFamily;

/**
 * IP addresses a SYN must not be answered from (RFC 9293 3.9.2.3, Appendix B "IP Addresses"): a SYN sent to a
 * broadcast or multicast address (MUST-57), and a SYN whose source is a broadcast or multicast address (MUST-63), are
 * discarded without an answer. Each scenario ends with the same SYN from the peer's own address, which the listener
 * must answer: the silence was the address's doing, not a dead listener's. Only documentation addresses go on the
 * wire: the test prefix's broadcast 192.0.2.255, 233.252.0.1 (RFC 5771's MCAST-TEST-NET) and ff0e::db8:0:1 (RFC 6676);
 * 255.255.255.255, 0.0.0.0 and loopback sources are left out for that reason.
 */
public class Addressing extends Fixtures {

    /** How long the peer listens for an answer that must not come: a listener answers a SYN at once. */
    static final Duration QUIET = Duration.ofMillis(500);
    static final String MULTICAST_V4 = "233.252.0.1";
    static final String MULTICAST_V6 = "ff0e::db8:0:1";

    @Test(description = "A SYN to the link's broadcast address, 192.0.2.255 (and the broadcast MAC), gets no answer; the same SYN to the target's address does", groups = "ip")
    @Scenario(id = "ip/syn-to-broadcast-discarded", ipv4Only = "IPv6 has no broadcast address (RFC 4291 2); ip/syn-to-multicast-discarded covers it")
    @Rfc9293(section = {"3.9.2.3"}, requirements = {"MUST-57"}, edges = {"E1", "E4", "E10"})
    public void synToBroadcastDiscarded() {
        unansweredThenAnswered(() -> peer.sendTo(peer.broadcastAddress(), syn().seq(0)));
    }

    @Test(description = "A SYN to a multicast address (233.252.0.1 or ff0e::db8:0:1, with its multicast MAC) gets no answer; the same SYN to the target's address does", groups = "ip")
    @Scenario(id = "ip/syn-to-multicast-discarded")
    @Rfc9293(section = {"3.9.2.3"}, requirements = {"MUST-57"}, edges = {"E1", "E4", "E10"})
    public void synToMulticastDiscarded() {
        unansweredThenAnswered(() -> peer.sendTo(multicast(), syn().seq(0)));
    }

    @Test(description = "A SYN from the link's broadcast address, 192.0.2.255, gets no answer; the same SYN from the peer's address does", groups = "ip")
    @Scenario(id = "ip/syn-from-broadcast-ignored", ipv4Only = "IPv6 has no broadcast address (RFC 4291 2); ip/syn-from-multicast-ignored covers it")
    @Rfc9293(section = {"3.9.2.3"}, requirements = {"MUST-63"}, edges = {"E1", "E4", "E10"})
    public void synFromBroadcastIgnored() {
        unansweredThenAnswered(() -> peer.sendFrom(peer.broadcastAddress(), syn().seq(0)));
    }

    @Test(description = "A SYN from a multicast address (233.252.0.1 or ff0e::db8:0:1) gets no answer; the same SYN from the peer's address does", groups = "ip")
    @Scenario(id = "ip/syn-from-multicast-ignored")
    @Rfc9293(section = {"3.9.2.3"}, requirements = {"MUST-63"}, edges = {"E1", "E4", "E10"})
    public void synFromMulticastIgnored() {
        unansweredThenAnswered(() -> peer.sendFrom(multicast(), syn().seq(0)));
    }

    // ---- the steps the cases share ------------------------------------------------------------------

    private void listening() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
    }

    /** The listener stays silent and in LISTEN after {@code hostileSyn}, then answers the same SYN from and to the two ends' own addresses. */
    private void unansweredThenAnswered(Runnable hostileSyn) {
        listening();
        hostileSyn.run();
        peer.expectNothing(QUIET);                    assertThat(target).isIn(LISTEN);
        answeredFromOwnAddress();
    }

    /** The control: the listener answers the same SYN when it comes from and to the two ends' own addresses. */
    private void answeredFromOwnAddress() {
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    private static String multicast() {
        return ipFamily() == IpFamily.IPV4 ? MULTICAST_V4 : MULTICAST_V6;
    }
}
