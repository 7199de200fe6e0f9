package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.segment.TcpOption;

/**
 * TCP Options as RFC 9293 Appendix B groups them (3.1, 3.2, 3.7.1): the MSS option sent on the target's SYN
 * and SYN,ACK and only there, the MSS the peer sent honoured, the default MSS without one, the effective send
 * MSS capped by the link, and the mandatory option set parsed wherever it stands. The veth's MTU is 1500 octets
 * and the peer offers no other options, so the largest segment that fits is 1500 - 20 (IPv4) - 20 (TCP) = 1460, or
 * 1500 - 40 (IPv6) - 20 = 1440 in a scenario's IPv6 run.
 */
public class Options extends Fixtures {

    /** The link's MTU minus the fixed IP and TCP headers: the largest payload a segment on the veth carries (1460, IPv6 1440). */
    private static int linkMss() {
        return ipFamily().synMss;
    }

    @Test(description = "The target's SYN,ACK carries an MSS option, based on what it can receive: the 1500-octet link minus the IPv4 and TCP headers, 1460", groups = "options")
    @Scenario(id = "options/mss-sent-in-syn-ack")
    @Rfc9293(section = {"3.2", "3.7.1"}, requirements = {"MUST-14", "MUST-67", "SHLD-5"}, edges = {"E1", "E4", "E10"})
    public void mssSentInSynAck() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        checkAdvertisedMss(peer.lastExpected(), "SYN,ACK");
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The target's SYN (active open) carries an MSS option, based on what it can receive: 1460 on the 1500-octet link", groups = "options")
    @Scenario(id = "options/mss-sent-in-syn")
    @Rfc9293(section = {"3.2", "3.7.1"}, requirements = {"MUST-14", "MUST-67", "SHLD-5"}, edges = {"E2", "E8"})
    public void mssSentInSyn() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);
        checkAdvertisedMss(peer.lastExpected(), "SYN");
        peer.send(synAck().seq(0).ack(1));
        peer.expect(ack().seq(1).ack(1));             assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The peer's SYN offers MSS 300: the target sends 2000 octets in segments of at most 300", groups = "options")
    @Scenario(id = "options/mss-honoured")
    @Rfc9293(section = {"3.7.1"}, requirements = {"MUST-14", "MUST-16"}, edges = {"E1", "E4", "E10"})
    public void mssHonoured() {
        openWith(syn().seq(0).mss(300));
        checkSegmentsAtMost(300, "the MSS the peer's SYN offered (MUST-14 receiving it, MUST-16 the effective send MSS)");
    }

    @Test(description = "The peer's SYN has no MSS option: the target assumes 536 (IPv6: 1220) and sends 2000 octets in segments of at most that", groups = "options")
    @Scenario(id = "options/default-mss-without-option")
    @Rfc9293(section = {"3.7.1"}, requirements = {"MUST-15", "MUST-16"}, edges = {"E1", "E4", "E10"})
    public void defaultMssWithoutOption() {
        openWith(syn().seq(0).options(List.of()));
        checkSegmentsAtMost(ipFamily().defaultMss, "the default send MSS over " + ipFamily()
                + " when the SYN carries no MSS option (MUST-15: 536 for IPv4, 1220 for IPv6)");
    }

    @Test(description = "The peer's SYN offers MSS 9000, more than the link carries: the target's segments are at most 1460 octets (1500 minus the IPv4 and TCP headers)", groups = "options")
    @Scenario(id = "options/mss-capped-by-link")
    @Rfc9293(section = {"3.7.1"}, requirements = {"MUST-16"}, edges = {"E1", "E4", "E10"})
    public void mssCappedByLink() {
        openWith(syn().seq(0).mss(9000));
        checkSegmentsAtMost(linkMss(), "min(SendMSS + 20, MMS_S) - 20 with MMS_S = the 1500-octet link less the IP header (MUST-16)");
    }

    @Test(description = "The mandatory options where they may stand: NOP, then MSS 300 off a word boundary, then EOL; the MSS is honoured", groups = "options")
    @Scenario(id = "options/mandatory-set-unaligned")
    @Rfc9293(section = {"3.1", "3.2", "3.7.1"}, requirements = {"MUST-4", "MUST-64"}, edges = {"E1", "E4", "E10"})
    public void mandatorySetUnaligned() {
        // NOP (kind 1), MSS 300 (kind 2, length 4) at offset 1, EOL (kind 0), then zero padding to the word
        openWith(syn().seq(0).rawOptions(0x01, 0x02, 0x04, 0x01, 0x2c, 0x00));
        checkSegmentsAtMost(300, "the MSS 300 after a NOP, off a word boundary, before EOL (MUST-4, MUST-64)");
    }

    @Test(description = "No segment of the target but a SYN carries an MSS option: handshake, data both ways, passive close", groups = "options")
    @Scenario(id = "options/mss-only-on-syn")
    @Rfc9293(section = {"3.2"}, requirements = {"MUST-65"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void mssOnlyOnSyn() {
        listeningOnly();
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        peer.send(ack().seq(1).ack(1).data("hello").psh());
        peer.expect(ack().seq(1).ack(6));             noMss();
        expectRead("hello");
        String text = "m".repeat(3000);
        target.send(text);
        receive(text, 1, 6, s -> noMss());
        peer.send(finAck().seq(6).ack(3001));
        peer.expect(ack().seq(3001).ack(7));          noMss();  assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(3001).ack(7));       noMss();  assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(7).ack(3002));            assertThat(target).isIn(CLOSED);
    }

    @Test(description = "The peer's SYN offers MSS, SACK-permitted, timestamps and window scale: the options area of the target's SYN,ACK is well formed (each option but EOL and NOP with a length octet that fits, zeros after an EOL)", groups = "options")
    @Scenario(id = "options/well-formed-in-syn-ack")
    @Rfc9293(section = {"3.1"}, requirements = {"MUST-68", "MUST-69"}, edges = {"E1", "E4"})
    public void wellFormedInSynAck() {
        listeningOnly();
        // MSS 1460, SACK-permitted, timestamps (TSval 1, TSecr 0), NOP, window scale 7: 20 octets, the most a SYN offers
        peer.send(syn().seq(0).rawOptions(0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x07));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);   // the wire audits the options area of every frame it expects
        auditedOptions("SYN,ACK");
    }

    @Test(description = "The options area of the target's own SYN (an active open, with whatever options it offers) is well formed: each option but EOL and NOP with a length octet that fits, zeros after an EOL", groups = "options")
    @Scenario(id = "options/well-formed-in-syn")
    @Rfc9293(section = {"3.1"}, requirements = {"MUST-68", "MUST-69"}, edges = {"E2", "E8"})
    public void wellFormedInSyn() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        peer.expect(syn().seq(0));                    assertThat(target).isIn(SYN_SENT);        // audited as it is taken
        auditedOptions("SYN");
        peer.send(synAck().seq(0).ack(1));
        peer.expect(ack().seq(1).ack(1));             assertThat(target).isIn(ESTABLISHED);
    }

    /** Records the options the audited segment carried: the audit itself is the wire's, in every expect (MUST-68, MUST-69). */
    private void auditedOptions(String which) {
        Segment s = peer.lastExpected();
        note("the options area of the target's " + which + " is well formed (RFC 9293 3.1, MUST-68, MUST-69): " + s.options());
    }

    // ---- the steps the cases share ------------------------------------------------------------------

    private void listeningOnly() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
    }

    /** Passive open with the peer's {@code synTemplate}, the connection accepted; both sides at seq 1. */
    private void openWith(SegmentTemplate synTemplate) {
        listeningOnly();
        peer.send(synTemplate);
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
    }

    /** The target sends 2000 octets; every segment must carry at most {@code limit} of them. */
    private void checkSegmentsAtMost(int limit, String why) {
        String text = "s".repeat(2000);
        target.send(text);
        List<Integer> sizes = receive(text, 1, 1);
        measure("largest-segment", sizes.stream().mapToInt(Integer::intValue).max().orElse(0));
        if (sizes.stream().anyMatch(n -> n > limit)) {
            throw new ConformanceFailure("expecting segments of at most " + limit + " octets (" + why + "), but was " + sizes);
        }
        if (sizes.stream().limit(Math.max(0, sizes.size() - 1)).anyMatch(n -> n < limit)) {
            shouldViolation("expecting full segments of " + limit + " octets but the last (SHLD-28: send a maximum-sized segment whenever "
                    + "possible), but was " + sizes);
        }
        assertThat(target).isIn(ESTABLISHED);
    }

    /**
     * MUST-14 (send the MSS option), SHLD-5 (on every SYN when the receive MSS is not 536) and MUST-67 (its value at most
     * MMS_R - 20): 1460 on this link. A value under 1460 is not wrong but wastes the link (3.7.1: it "should be equal to
     * the effective MTU minus the fixed IP and TCP headers"): a SHOULD deviation.
     */
    private static void checkAdvertisedMss(Segment s, String which) {
        int mss = s.mss();
        measure("advertised-mss", mss);
        if (mss < 0) {
            throw new ConformanceFailure("expecting an MSS option on the target's " + which + " (MUST-14, SHLD-5), but was options "
                    + s.options());
        }
        if (mss > linkMss()) {
            throw new ConformanceFailure("expecting the MSS on the target's " + which + " to be at most " + linkMss() + " (MMS_R - 20 on "
                    + "the 1500-octet link, MUST-67), but was " + mss);
        }
        if (mss < linkMss()) {
            shouldViolation("expecting the MSS on the target's " + which + " to be the link's MTU minus the IP and TCP headers, " + linkMss()
                    + " (3.7.1), but was " + mss);
        }
    }

    /** MUST-65: the segment the peer last took from the target is no SYN, so it must carry no MSS option. */
    private void noMss() {
        Segment s = peer.lastExpected();
        if (!s.flags().has(Flag.SYN) && s.options().stream().anyMatch(o -> o.kind() == TcpOption.MSS)) {
            throw new ConformanceFailure("expecting no MSS option on the target's " + peer.describe(s) + " (MUST-65: MSS only on a SYN), "
                    + "but was options " + s.options());
        }
    }
}
