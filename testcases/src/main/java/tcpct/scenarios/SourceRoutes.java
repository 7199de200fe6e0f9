package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;

import java.util.Arrays;
import java.util.HexFormat;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.wire.Frame;
import tcpct.wire.Ipv4Options;

/**
 * Source routes (RFC 9293 3.9.2.1, Appendix B "Source Route"): IPv4's loose source route option (LSRR, RFC 791 3.1,
 * type 131) through a hop on the wire's prefix, 192.0.2.9, which the target finds at the peer's MAC (a permanent
 * neighbour entry): the peer plays the hop and the far end alike. An application's route on an active open (MUST-51),
 * kept over a route the peer's SYN,ACK brings (MUST-52), and the return route of a passive open's SYN used for every
 * segment (MUST-53). Linux drops source-routed packets by default (accept_source_route 0), so the target takes them in
 * these scenarios (the sysctl in its own namespace, which also needs CAP_NET_RAW for IP_OPTIONS with a route: the
 * linux target.json adds it). A stack without IP_OPTIONS is UNIMPLEMENTED for the active opens; the passive open needs
 * no call, and a stack that ignores the route answers the peer directly (FAILED).
 */
public class SourceRoutes extends Fixtures {

    static final String HOP = "192.0.2.9";
    /** The hop of another route, the one the peer's SYN,ACK was recorded through (MUST-52). */
    static final String OTHER_HOP = "192.0.2.8";
    static final int LSRR = Ipv4Options.LSRR;
    static final String IPV4_ONLY = "RFC 9293 3.9.2.1's source routes are IPv4 options (RFC 791 3.1); IPv6 has no such option "
            + "(its type 0 routing header is deprecated, RFC 5095)";

    /**
     * The application's LSRR through 192.0.2.9 to the connection's destination, as Linux's IP_OPTIONS takes it: the route's
     * addresses, the first hop first (the stack takes it out as IP's destination, and the last slot then holds the
     * destination it fills in at each send), one EOL to make a word.
     */
    private static final int[] APP_ROUTE = {LSRR, 7, 4, 192, 0, 2, 9, 0};
    /** What the target's segments carry for it: the route's rest (the peer's address) with the pointer at it; IP's destination is the hop. */
    private static final byte[] ROUTE_ON_WIRE = {(byte) LSRR, 7, 4, (byte) 192, 0, 2, 1};
    /** A completed LSRR as it arrives from the peer through {@code hop}: the hop recorded itself, the pointer is past the end. */
    private static int[] completedVia(int lastOctet) {
        return new int[] {LSRR, 7, 8, 192, 0, 2, lastOctet, 0};
    }

    @Test(description = "The application sets a loose source route through 192.0.2.9 (IP_OPTIONS) and connects: its SYN goes to the hop carrying the route to the peer, and so do its ACK and its data", groups = "ip")
    @Scenario(id = "ip/source-route-on-active-open", ipv4Only = IPV4_ONLY)
    @Rfc9293(section = {"3.9.2.1"}, requirements = {"MUST-51"}, edges = {"E2", "E8"})
    public void sourceRouteOnActiveOpen() {
        assertThat(target).isIn(CLOSED);
        target.ipOptions(APP_ROUTE);
        target.sourceRoutesVia(HOP);
        target.connect();
        routed(peer.expect(syn().seq(0)), "the SYN");  assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1));
        routed(peer.expect(ack().seq(1).ack(1)), "the ACK of the SYN,ACK"); assertThat(target).isIn(ESTABLISHED);
        target.send("hello");
        routed(expectData("hello", 1, 1), "the data");
    }

    @Test(description = "The application sets a loose source route through 192.0.2.9 and connects; the peer's SYN,ACK arrives with a completed route through 192.0.2.8: the target's ACK and data still go through its own route", groups = "ip")
    @Scenario(id = "ip/own-source-route-over-received", ipv4Only = IPV4_ONLY)
    @Rfc9293(section = {"3.9.2.1"}, requirements = {"MUST-52"}, edges = {"E2", "E8"})
    public void ownSourceRouteOverReceived() {
        assertThat(target).isIn(CLOSED);
        target.ipOptions(APP_ROUTE);
        target.sourceRoutesVia(HOP, OTHER_HOP);
        target.connect();
        routed(peer.expect(syn().seq(0)), "the SYN");  assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1).ipOptions(completedVia(8)));
        routed(peer.expect(ack().seq(1).ack(1)), "the ACK of a SYN,ACK that came through " + OTHER_HOP);
        assertThat(target).isIn(ESTABLISHED);
        target.send("hello");
        routed(expectData("hello", 1, 1), "the data");
    }

    @Test(description = "The peer's SYN arrives at a listener with a completed loose source route through 192.0.2.9: the SYN,ACK, and every later segment of the connection, go back through the reversed route", groups = "ip")
    @Scenario(id = "ip/return-route-on-passive-open", ipv4Only = IPV4_ONLY)
    @Rfc9293(section = {"3.9.2.1"}, requirements = {"MUST-53"}, edges = {"E1", "E4", "E10"})
    public void returnRouteOnPassiveOpen() {
        target.sourceRoutesVia(HOP);
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0).ipOptions(completedVia(9)));
        routed(peer.expect(synAck().seq(0).ack(1)), "the SYN,ACK"); assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1).ipOptions(completedVia(9)));
        assertThat(target).isIn(ESTABLISHED);
        target.accept();
        target.send("hello");
        routed(expectData("hello", 1, 1), "the data");
    }

    /** {@code f} went to the hop, 192.0.2.9, carrying the LSRR to the peer with the pointer at it. */
    private static void routed(Frame f, String what) {
        String dst = f.dstIp() == null ? "an unknown address" : f.dstIp().getHostAddress();
        byte[] lsrr = Ipv4Options.first(f.ipOptions(), LSRR);
        if (!HOP.equals(dst) || !Arrays.equals(lsrr, ROUTE_ON_WIRE)) {
            throw new ConformanceFailure("expecting " + what + " sent to the first hop " + HOP + " with the LSRR "
                    + HexFormat.of().formatHex(ROUTE_ON_WIRE) + " (the rest of the route: the peer), but was sent to " + dst + " with "
                    + (lsrr == null ? "no LSRR (IP options: " + (f.ipOptions().length == 0 ? "none" : HexFormat.of().formatHex(f.ipOptions())) + ")"
                            : "the LSRR " + HexFormat.of().formatHex(lsrr)));
        }
    }

}
