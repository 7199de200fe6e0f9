package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.SYN_SENT;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.wire.Frame;
import tcpct.wire.IpFamily;

/**
 * The IP header fields the application sets for its connection (RFC 9293 3.9.1.9 and 3.9.2, Appendix B "IP Options"
 * and "TCP Connection Failures"): the TTL (IPv6: hop limit) is configurable (MUST-49), and the application can set the
 * Differentiated Services field (MUST-48). The option is set on the socket before the active open; every segment of
 * the target's (SYN, the ACK of the SYN,ACK, data) must carry it.
 */
public class IpHeader extends Fixtures {

    /** A TTL no stack uses by default (64, 128 and 255 are the usual ones). */
    static final int TTL = 7;
    /** DSCP AF11 (RFC 2597: class 1, low drop precedence): 10, in the high six bits of the octet: 0x28. */
    static final int DSCP = 10;

    @Test(description = "The application sets the TTL (IPv6: hop limit) to 7 before an active open: the target's SYN, its ACK and its data all carry 7", groups = "ip")
    @Scenario(id = "ip/ttl-set-by-application")
    @Rfc9293(section = {"3.9.2"}, requirements = {"MUST-49"}, edges = {"E2", "E8"})
    public void ttlSetByApplication() {
        target.option(ipFamily() == IpFamily.IPV4 ? "IP_TTL" : "IPV6_UNICAST_HOPS", TTL);
        checkEverySegment("TTL", Frame::ipTtl, TTL, "MUST-49: the TTL used to send TCP segments must be configurable");
    }

    @Test(description = "The application sets the DSCP to AF11 (10) before an active open: the target's SYN, its ACK and its data all carry it", groups = "ip")
    @Scenario(id = "ip/dscp-set-by-application")
    @Rfc9293(section = {"3.9.1.9"}, requirements = {"MUST-48"}, edges = {"E2", "E8"})
    public void dscpSetByApplication() {
        target.option(ipFamily() == IpFamily.IPV4 ? "IP_TOS" : "IPV6_TCLASS", DSCP << 2);
        checkEverySegment("DSCP", Frame::dscp, DSCP, "MUST-48: the application must be able to set the Differentiated Services field");
    }

    /** Active open, one write; {@code field} of each of the target's frames must be {@code expected}. */
    private void checkEverySegment(String name, ToIntFunction<Frame> field, int expected, String why) {
        List<Frame> frames = new ArrayList<>();
        assertThat(target).isIn(CLOSED);
        target.connect();
        frames.add(peer.expect(syn().seq(0)));          assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1));
        frames.add(peer.expect(ack().seq(1).ack(1)));   assertThat(target).isIn(ESTABLISHED);
        target.send("ip header");
        boolean psh = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).map(x -> x.flags().has(Flag.PSH)).orElse(true); // PSH is the stack's choice
        frames.add(peer.expect(psh ? ack().seq(1).ack(1).data("ip header").psh() : ack().seq(1).ack(1).data("ip header")));
        peer.send(ack().seq(1).ack(10));                assertThat(target).isIn(ESTABLISHED);
        for (Frame f : frames) {
            int got = field.applyAsInt(f);
            if (got != expected) {
                throw new ConformanceFailure("expecting " + name + " " + expected + " on the target's " + peer.describe(f.segment()) + " ("
                        + why + "), but was " + got);
            }
        }
        note("every segment of the target's carried " + name + " " + expected + ": " + frames.size() + " segments");
    }
}
