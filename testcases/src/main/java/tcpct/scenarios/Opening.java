package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.agent.AgentError;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Segment;
import tcpct.wire.Frame;
import tcpct.wire.IpFamily;

/**
 * Opening Connections (RFC 9293 3.9.1.1, Appendix B): a passive OPEN either creates a new LISTEN record or returns an
 * error, and never affects a connection record made before (MUST-41); a LISTEN on the local port of a connection in
 * SYN-SENT or SYN-RECEIVED (MUST-42); the OPEN's local IP address on a multihomed target, which gets a second address
 * (192.0.2.3, 2001:db8::3) beside its own for these scenarios only: an active OPEN's local address used (MUST-43), the
 * one IP selects when none is given (MUST-44), and every segment of a connection from the address of its first ones
 * (MUST-45). The second address is added through the container's kernel (ip addr add in its namespace): a user-space
 * stack owns its one address itself, and those scenarios are UNIMPLEMENTED there. An active OPEN to a broadcast or
 * multicast address is an error (MUST-46), seen as the call's result and as a wire with no SYN on it.
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

    @Test(description = "The target's application connects from its port P and the peer does not answer (SYN-SENT); a LISTEN on P succeeds, a SYN to P from another peer port gets a SYN,ACK and opens, and the SYN-SENT connection then opens too when the peer answers it", groups = "opening")
    @Scenario(id = "opening/listen-beside-syn-sent")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-42"}, edges = {"E1", "E2", "E4", "E8", "E10"})
    public void listenBesideSynSent() {
        assertThat(target).isIn(CLOSED);
        int port = target.listenPort();
        target.connect(port);                         // the agent binds P with SO_REUSEADDR, as it does for listen
        Frame syn = peer.expect(syn().seq(0));        assertThat(target).isIn(SYN_SENT);
        fromPort(syn, port);
        listenOnBusyPort(port, "SYN-SENT");
        secondConnectionOpens();
        peer.otherConnection();                       // back to the connection in SYN-SENT: its SYN is answered now
        assertThat(target).isIn(SYN_SENT);
        peer.send(synAck().seq(0).ack(1));
        peer.expect(ack().seq(1).ack(1));             assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The target's application connects from its port P, and the peer's own SYN crosses it (simultaneous open: SYN-RECEIVED); a LISTEN on P succeeds, a SYN to P from another peer port gets a SYN,ACK and opens, and the first connection then opens too", groups = "opening")
    @Scenario(id = "opening/listen-beside-syn-received")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-42"}, edges = {"E1", "E2", "E4", "E7", "E10"})
    public void listenBesideSynReceived() {
        assertThat(target).isIn(CLOSED);
        int port = target.listenPort();
        target.connect(port);
        Frame syn = peer.expect(syn().seq(0));        assertThat(target).isIn(SYN_SENT);
        fromPort(syn, port);
        peer.send(syn().seq(0));                      // the peer's SYN crosses the target's (RFC 9293 3.5, Figure 8)
        if (peer.expectMaybe(synAck().seq(0).ack(1), Peer.EXPECT_TIMEOUT).isEmpty()) {
            throw new ConformanceFailure("expecting a SYN,ACK to the peer's SYN that crossed the target's (simultaneous open, RFC 9293 3.5), "
                    + "but the target sent none: no connection from port " + port + " reached SYN-RECEIVED for MUST-42's second case");
        }
        assertThat(target).isIn(SYN_RECEIVED);
        listenOnBusyPort(port, "SYN-RECEIVED");
        secondConnectionOpens();
        peer.otherConnection();                       // back to the connection in SYN-RECEIVED: the peer ACKs its SYN,ACK
        assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The target, with a second address 192.0.2.3 (2001:db8::3), binds its socket to it and connects: its SYN, its ACK of the SYN,ACK, its data and its FIN all come from that address", groups = "opening")
    @Scenario(id = "opening/active-open-local-address-used")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-43", "MUST-45"}, edges = {"E2", "E8", "E12"})
    public void activeOpenLocalAddressUsed() {
        String second = target.secondAddress();
        assertThat(target).isIn(CLOSED);
        target.bindTo(second);
        target.connect();
        from(peer.expect(syn().seq(0)), second, "the SYN of the connection bound to it"); assertThat(target).isIn(SYN_SENT);
        peer.talkTo(second);
        peer.send(synAck().seq(0).ack(1));
        from(peer.expect(ack().seq(1).ack(1)), second, "the ACK of the SYN,ACK"); assertThat(target).isIn(ESTABLISHED);
        sendAndCloseFrom(second);
    }

    @Test(description = "The target has a second address 192.0.2.3 (2001:db8::3), and its route to the peer names it as the preferred source: a connect without a local address sends its SYN, the SYN's retransmission and every later segment from the address IP selected", groups = "opening")
    @Scenario(id = "opening/active-open-address-selected-by-ip")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-44", "MUST-45"}, edges = {"E2", "E8", "E12"})
    public void activeOpenAddressSelectedByIp() {
        String second = target.secondAddress();
        target.preferredSource(second);               // so that IP's choice is told from the TCP's taking the first address
        assertThat(target).isIn(CLOSED);
        target.connect();
        from(peer.miss(syn().seq(0)), second, "the SYN (IP's route to the peer prefers it)"); assertThat(target).isIn(SYN_SENT);
        from(peer.expect(syn().seq(0)), second, "the SYN's retransmission");
        peer.talkTo(second);
        peer.send(synAck().seq(0).ack(1));
        from(peer.expect(ack().seq(1).ack(1)), second, "the ACK of the SYN,ACK"); assertThat(target).isIn(ESTABLISHED);
        sendAndCloseFrom(second);
    }

    @Test(description = "The target, with a second address 192.0.2.3 (2001:db8::3), listens on the wildcard address; the peer's SYN to the second address gets a SYN,ACK from it, and the connection's ACKs, data and FIN come from it too", groups = "opening")
    @Scenario(id = "opening/passive-open-keeps-local-address")
    @Rfc9293(section = {"3.9.1.1"}, requirements = {"MUST-45"}, edges = {"E1", "E4", "E10", "E12"})
    public void passiveOpenKeepsLocalAddress() {
        String second = target.secondAddress();
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.talkTo(second);
        peer.send(syn().seq(0));
        from(peer.expect(synAck().seq(0).ack(1)), second, "the SYN,ACK to a SYN sent to it"); assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        peer.send(ack().seq(1).ack(1).data("hello").psh());
        from(peer.expect(ack().seq(1).ack(6)), second, "the ACK of the peer's data"); assertThat(target).isIn(ESTABLISHED);
        expectRead("hello");
        target.send("world!");
        from(expectData("world!", 1, 6), second, "the data");
        peer.send(ack().seq(6).ack(7));
        target.close();
        from(peer.expect(finAck().seq(7).ack(6)), second, "the FIN"); assertThat(target).isIn(FIN_WAIT_1);
    }

    // ---- the steps the cases share ------------------------------------------------------------------

    /** A LISTEN on {@code port}, which a connection in {@code state} holds, must succeed (MUST-42). */
    private void listenOnBusyPort(int port, String state) {
        try {
            target.listen();
        } catch (AgentError e) {
            throw new ConformanceFailure("expecting a LISTEN on port " + port + " to succeed while a connection from that port is in "
                    + state + " (MUST-42), but was " + e.errno() + " (" + e.getMessage() + ")");
        }
        // no state to assert here: the scenario's connection is the one in SYN-SENT (SYN-RECEIVED); the SYN,ACK to the next SYN
        // from another peer port is the listener's proof (without one the SYN would be refused)
    }

    /** A new connection from a second peer port to the listener: SYN, SYN,ACK, ACK. */
    private void secondConnectionOpens() {
        peer.otherConnection();
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    /** The established active connection's data and FIN, each from {@code address}. */
    private void sendAndCloseFrom(String address) {
        target.send("hello");
        from(expectData("hello", 1, 1), address, "the data");
        peer.send(ack().seq(1).ack(6));
        target.close();
        from(peer.expect(finAck().seq(6).ack(1)), address, "the FIN"); assertThat(target).isIn(FIN_WAIT_1);
    }

    private static void fromPort(Frame f, int port) {
        if (f.segment().srcPort() != port) {
            throw new ConformanceFailure("expecting the SYN from the port the application bound, " + port + ", but was " + f.segment().srcPort());
        }
    }

    /** {@code f} came from the target's {@code address} (MUST-43, MUST-44, MUST-45). */
    static void from(Frame f, String address, String what) {
        InetAddress want;
        try {
            want = InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
        if (!want.equals(f.srcIp())) {
            throw new ConformanceFailure("expecting " + what + " from " + address + ", but was from "
                    + (f.srcIp() == null ? "an unknown address" : f.srcIp().getHostAddress()));
        }
    }
}
