package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.SYN_SENT;

import java.time.Duration;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.agent.ErrorReport;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Unimplemented;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;
import tcpct.wire.Icmp;

/**
 * ICMP messages about the connection (RFC 9293 3.9.2.2, Appendix B "ICMP Messages"): a TCP acts on them (MUST-54: here
 * "fragmentation needed" makes it resend in smaller segments, RFC 1191), discards Source Quench (MUST-55), and does not
 * abort on the soft errors, Destination Unreachable codes 0, 1 and 5, Time Exceeded and Parameter Problem (MUST-56).
 * Each message quotes a segment the target really sent, as a router on the path would; it comes from the peer's own
 * address (the only one on the wire). Over IPv6 each goes as its ICMPv6 counterpart (RFC 4443; {@link Icmp#over}: net
 * unreachable as "no route" 1/0, host unreachable as "address unreachable" 1/3, source route failed as "beyond scope"
 * 1/2, time exceeded as hop limit exceeded 3/0, parameter problem as 4/0, fragmentation needed as Packet Too Big);
 * Source Quench has none, so that scenario is IPv4 only. A soft error must also reach the application (MUST-47, SHLD-25):
 * here through SO_ERROR or the error queue the application asked for (IP_RECVERR, agent protocol section 5d).
 */
public class IcmpErrors extends Fixtures {

    private static final String NO_ICMPV6_QUENCH = "ICMPv6 has no Source Quench (RFC 4443 lists none; RFC 6633 deprecated ICMPv4's)";
    /** Octets the target sends in one segment on every target (ns-3 sends 536 at most, whatever MSS the peer offers). */
    private static final int ONE_SEGMENT = 500;
    /** How long the target has to resend what it had not got acknowledged: its RTO, backed off once or twice. */
    private static final Duration RESEND_WITHIN = Duration.ofSeconds(7);
    /** How long the application waits for the stack's report of an ICMP error that arrived (Linux: at once, in its input path). */
    private static final Duration REPORT_WITHIN = Duration.ofSeconds(2);

    @Test(description = "Established, the target sends 500 octets; the peer answers with an ICMP Source Quench quoting them, then acknowledges them: the connection goes on (the target sends again, and stays ESTABLISHED)", groups = "icmp")
    @Scenario(id = "icmp/source-quench-ignored", ipv4Only = NO_ICMPV6_QUENCH)
    @Rfc9293(section = {"3.9.2.2"}, requirements = {"MUST-55"}, edges = {"E1", "E4", "E10"})
    public void sourceQuenchIgnored() {
        establishedPassively();
        Segment data = sendAndTake("q".repeat(ONE_SEGMENT), 1);
        peer.sendIcmp(Icmp.sourceQuench(), data);
        peer.send(ack().seq(1).ack(1 + ONE_SEGMENT));  assertThat(target).isIn(ESTABLISHED);
        sendAndTake("after the quench", 1 + ONE_SEGMENT);
        assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "Established, the target sends 500 octets; the peer answers each of the five soft errors (ICMP 3/0, 3/1, 3/5, 11/0, 12/0) quoting them, and no ACK: the target resends the octets and stays ESTABLISHED, and the connection goes on once they are acknowledged", groups = "icmp")
    @Scenario(id = "icmp/soft-errors-do-not-abort-established")
    @Rfc9293(section = {"3.9.2.2"}, requirements = {"MUST-56"}, edges = {"E1", "E4", "E10"})
    public void softErrorsDoNotAbortEstablished() {
        establishedPassively();
        String text = "s".repeat(ONE_SEGMENT);
        Segment data = sendAndTake(text, 1);
        for (Icmp soft : List.of(Icmp.netUnreachable(), Icmp.hostUnreachable(), Icmp.sourceRouteFailed(), Icmp.timeExceeded(),
                Icmp.parameterProblem())) {
            peer.sendIcmp(soft, data);
        }
        assertThat(target).isIn(ESTABLISHED);
        peer.expect(dataAt(1, text, data), RESEND_WITHIN);   // the octets are still unacknowledged: resent, not given up
        peer.send(ack().seq(1).ack(1 + ONE_SEGMENT));  assertThat(target).isIn(ESTABLISHED);
        sendAndTake("after the soft errors", 1 + ONE_SEGMENT);
    }

    @Test(description = "The target opens actively; the peer answers its SYN with an ICMP host unreachable (3/1), a soft error: the target keeps trying, resends the SYN, and is ESTABLISHED when the SYN,ACK comes", groups = "icmp")
    @Scenario(id = "icmp/soft-error-in-syn-sent")
    @Rfc9293(section = {"3.9.2.2"}, requirements = {"MUST-56"}, edges = {"E2", "E8"})
    public void softErrorInSynSent() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        Frame syn = peer.expect(syn().seq(0));         assertThat(target).isIn(SYN_SENT);
        peer.sendIcmp(Icmp.hostUnreachable(), syn.segment());
        assertThat(target).isIn(SYN_SENT);
        peer.expect(syn().seq(0), RESEND_WITHIN);      assertThat(target).isIn(SYN_SENT);   // its retransmission: the open goes on
        peer.send(synAck().seq(0).ack(1));
        peer.expect(ack().seq(1).ack(1));              assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "Established with MSS 1460, the target sends 1460 octets; the peer answers its first segment with ICMP fragmentation needed and a next-hop MTU that segment does not fit (1000, or less for a smaller segment): the target resends from SEQ 1 in segments that fit (960 octets: the MTU less the IPv4 and TCP headers); over IPv6 a Packet Too Big with MTU 1280 (1220 octets fit)", groups = "icmp")
    @Scenario(id = "icmp/fragmentation-needed-acted-on")
    @Rfc9293(section = {"3.9.2.2", "3.7.2"}, requirements = {"MUST-54"}, edges = {"E1", "E4", "E10"})
    public void fragmentationNeededActedOn() {
        establishedPassively();
        String text = "f".repeat(1460);
        Segment first = sendAndTake(text, 1);
        Icmp tooBig = tooBigFor(first);
        int fits = tooBig.rest() - tooBig.headerOctets();
        peer.sendIcmp(tooBig, first);
        Segment resent = peer.awaitAt(1, RESEND_WITHIN).orElseThrow(() -> new ConformanceFailure("expected the target to resend from SEQ 1 "
                + "after the " + tooBig + " (MUST-54), saw no segment at SEQ 1 within " + RESEND_WITHIN.toMillis() + " ms"));
        measure("resent-segment-octets", resent.payloadLength());
        if (resent.payloadLength() > fits) {
            throw new ConformanceFailure("expecting the target to act on the " + tooBig + " (MUST-54, RFC 1191, RFC 8201): "
                    + "a resend of at most " + fits + " octets, but was " + peer.describe(resent));
        }
        peer.send(ack().seq(1).ack(1 + text.length()));  assertThat(target).isIn(ESTABLISHED); // the whole first transmission taken
    }

    @Test(description = "The target's application asks for error reports (IP_RECVERR, IPV6_RECVERR over IPv6) and the connection is established; the target sends 500 octets and the peer answers them with an ICMP net unreachable (3/0; ICMPv6 no route 1/0), a soft error: the application learns of it (SO_ERROR or the error queue names it, ENETUNREACH) while the connection goes on (ESTABLISHED, the octets resent, then acknowledged, and more sent)", groups = "icmp")
    @Scenario(id = "icmp/soft-error-reported-to-application")
    @Rfc9293(section = {"3.9.1.8", "3.9.2.2"}, requirements = {"MUST-47", "SHLD-25", "MUST-56"}, edges = {"E1", "E4", "E10"})
    public void softErrorReportedToApplication() {
        String recverr = ipFamily() == tcpct.wire.IpFamily.IPV4 ? "IP_RECVERR" : "IPV6_RECVERR";
        boolean asked = target.tryOption(recverr, 1);   // on the listener: the connection it accepts inherits it
        establishedPassively();
        String text = "r".repeat(ONE_SEGMENT);
        Segment data = sendAndTake(text, 1);
        Icmp soft = peer.icmpOver(Icmp.netUnreachable());
        peer.sendIcmp(soft, data);
        List<ErrorReport> reports = target.errorReports(REPORT_WITHIN);
        if (reports.isEmpty()) {
            String nothing = "no error report (SO_ERROR 0" + (tcpct.scenario.ScriptSupport.agentHas("errqueue") ? ", the error queue empty"
                    : "; the agent has no errqueue") + ") within " + REPORT_WITHIN.toMillis() + " ms of the " + soft;
            if (!asked) {
                throw new Unimplemented("the target has no socket option " + recverr + " to ask for error reports, and gave " + nothing
                        + ": it has no call that reports soft errors to the application (MUST-47)");
            }
            throw new ConformanceFailure("expecting the application to learn of the " + soft + " (MUST-47, SHLD-25: SO_ERROR or the error "
                    + "queue naming ENETUNREACH), but was " + nothing);
        }
        measure("error-reports", reports.size());
        boolean named = reports.stream().anyMatch(r -> r.isIcmp(soft.type(), soft.code()) || "ENETUNREACH".equals(r.errno()));
        if (!named) {
            throw new ConformanceFailure("expecting the application to learn of the " + soft + " (MUST-47, SHLD-25: ENETUNREACH, or an error "
                    + "queue entry of ICMP type " + soft.type() + " code " + soft.code() + "), but was " + reports);
        }
        assertThat(target).isIn(ESTABLISHED);          // reported, not aborted (MUST-56)
        peer.expect(dataAt(1, text, data), RESEND_WITHIN);
        peer.send(ack().seq(1).ack(1 + ONE_SEGMENT));  assertThat(target).isIn(ESTABLISHED);
        sendAndTake("after the report", 1 + ONE_SEGMENT);
        assertThat(target).isIn(ESTABLISHED);
    }

    // ---- the steps the cases share ------------------------------------------------------------------

    /**
     * Fragmentation needed (IPv4) or Packet Too Big (IPv6) with a next-hop MTU that {@code first} does not fit: 1000
     * over IPv4 (or less for a smaller segment), the IPv6 minimum 1280 over IPv6, which a node takes as it is (RFC 8201
     * 4). A segment that fits 1280 octets already cannot be told to shrink over IPv6: the check cannot be made.
     */
    private Icmp tooBigFor(Segment first) {
        if (ipFamily() == tcpct.wire.IpFamily.IPV4) {
            return Icmp.fragmentationNeeded(first.payloadLength() >= 1200 ? 1000 : 40 + first.payloadLength() / 2);
        }
        Icmp tooBig = Icmp.packetTooBig(Icmp.IPV6_MIN_MTU);
        if (first.payloadLength() + tooBig.headerOctets() <= Icmp.IPV6_MIN_MTU) {
            throw new Unimplemented("the target's first segment of " + first.payloadLength() + " octets fits IPv6's least MTU "
                    + Icmp.IPV6_MIN_MTU + " (RFC 8200 5): no Packet Too Big can ask it to send smaller ones");
        }
        return tooBig;
    }

    /** The target sends {@code text} at its SEQ {@code seq}; the peer takes its first segment, not acknowledging it yet. */
    private Segment sendAndTake(String text, long seq) {
        target.send(text);
        Segment s = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure("expected the " + text.length()
                + " octets the target was asked to send, saw nothing within " + Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
        peer.expect(dataAt(seq, text.substring(0, Math.min(text.length(), Math.max(1, s.payloadLength()))), s));
        return peer.lastExpected(); // only the first segment of a longer text is taken: the rest is left for the caller
    }

    private static SegmentTemplate dataAt(long seq, String text, Segment like) {
        SegmentTemplate t = ack().seq(seq).ack(1).data(text);
        return like.flags().has(Flag.PSH) ? t.psh() : t;
    }
}
