package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.time.Duration;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;

/**
 * Recovery from faults on the wire. The harness is the peer, so it is also the network: it loses, delays,
 * reorders and duplicates its own segments ({@code peer.lose/hold/release/duplicate}) and loses the
 * target's ({@code peer.miss}); the target must retransmit (3.8.1), acknowledge what is not acceptable
 * (3.10.7.4, "first check sequence number"), queue what arrives out of order (SHLD-31) and process it all
 * before it acknowledges (MUST-59), and deliver every octet once and in order (3.1, 3.4).
 */
public class Recovery extends Fixtures {

    /** Bound on a retransmission the target owes (its RTO; slirp's first one is 6 s). */
    static final Duration RETRANSMISSION = Retransmission.MAX_INTERVAL;
    /** How long a target may take before an optional ACK of an out-of-order segment (MAY-13). */
    static final Duration MAY_ACK = Duration.ofMillis(500);

    @Test(description = "The peer's ACK of the SYN,ACK is lost: the target stays in SYN-RECEIVED, retransmits its SYN,ACK, and the late ACK establishes",
            groups = "recovery")
    @Scenario(id = "recovery/lost-ack-of-syn-ack")
    @Rfc9293(section = {"3.5", "3.8.1", "3.10.8"}, requirements = "MUST-19", edges = {"E1", "E4", "E10"})
    public void lostAckOfSynAck() {
        synReceivedPassively();
        peer.lose(ack().seq(1).ack(1));               assertThat(target).isIn(SYN_RECEIVED);
        peer.expect(synAck().seq(0).ack(1), RETRANSMISSION);   // the retransmission timeout (3.10.8)
        assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
    }

    @Test(description = "The ACK of the target's FIN is delayed past its retransmission timeout: the FIN comes again, the late ACK still leads to FIN-WAIT-2",
            groups = "recovery")
    @Scenario(id = "recovery/delayed-ack-of-fin")
    @Rfc9293(section = {"3.6", "3.8.1", "3.10.7.4"}, requirements = "MUST-19", edges = {"E1", "E4", "E10", "E12", "E14"})
    public void delayedAckOfFin() {
        finWait1();
        peer.hold(ack().seq(1).ack(2));
        peer.expect(finAck().seq(1).ack(1), RETRANSMISSION);   // the FIN, retransmitted
        assertThat(target).isIn(FIN_WAIT_1);
        peer.release();                               assertThat(target).isIn(FIN_WAIT_2);
    }

    @Test(description = "The target's data is lost on its way: the target retransmits the same octets until they are acknowledged",
            groups = "recovery")
    @Scenario(id = "recovery/lost-data-from-target")
    @Rfc9293(section = {"3.8.1", "3.10.8"}, requirements = "MUST-19", edges = {"E1", "E4", "E10"})
    public void lostDataFromTarget() {
        establishedPassively();
        target.send("hello");
        peer.miss(ack().seq(1).ack(1).data("hello").psh());
        peer.expect(ack().seq(1).ack(1).data("hello").psh(), RETRANSMISSION);
        peer.send(ack().seq(1).ack(6));               assertThat(target).isIn(ESTABLISHED);
        peer.expectNothing(Duration.ofMillis(500));   // acknowledged: no further retransmission
    }

    @Test(description = "The peer's first data segment is lost and the second arrives: the target queues it, and once the first is resent acknowledges both at once",
            groups = "recovery")
    @Scenario(id = "recovery/lost-data-from-peer")
    @Rfc9293(section = {"3.4", "3.10.7.4"}, requirements = {"SHLD-31", "MUST-59", "MAY-13"}, edges = {"E1", "E4", "E10"})
    public void lostDataFromPeer() {
        establishedPassively();
        peer.lose(ack().seq(1).ack(1).data("hello"));
        peer.send(ack().seq(6).ack(1).data("world").psh());
        peer.expectMaybe(ack().seq(1).ack(1), MAY_ACK);  // an ACK of the out-of-order segment is optional (MAY-13)
        assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(1).data("hello"));    // the peer's retransmission fills the hole
        acknowledgesQueued(ack().seq(1).ack(11), ack().seq(1).ack(6), "the segment that arrived out of order (\"world\")",
                () -> peer.send(ack().seq(6).ack(1).data("world").psh()));
        assertThat(target).isIn(ESTABLISHED);
        expectRead("helloworld");
    }

    @Test(description = "Data and FIN reordered: the FIN arrives first and is not processed; once the data arrives, one ACK covers both and the target is in CLOSE-WAIT",
            groups = "recovery")
    @Scenario(id = "recovery/reordered-fin-and-data")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, requirements = {"SHLD-31", "MUST-59", "MAY-13"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void reorderedFinAndData() {
        establishedPassively();
        peer.hold(ack().seq(1).ack(1).data("hello").psh());
        peer.send(finAck().seq(6).ack(1));
        peer.expectMaybe(ack().seq(1).ack(1), MAY_ACK);  // MAY-13; the FIN is beyond RCV.NXT and not processed yet
        assertThat(target).isIn(ESTABLISHED);
        peer.release();
        acknowledgesQueued(ack().seq(1).ack(7), ack().seq(1).ack(6), "the FIN that arrived before the data", () -> peer.send(finAck().seq(6).ack(1)));
        assertThat(target).isIn(CLOSE_WAIT);
        expectRead("hello");
        target.close();
        peer.expect(finAck().seq(1).ack(7));          assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(7).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "The wire duplicates the peer's FIN: the target acknowledges the duplicate and stays in CLOSE-WAIT",
            groups = "recovery")
    @Scenario(id = "recovery/duplicate-fin")
    @Rfc9293(section = {"3.10.7.4"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void duplicateFin() {
        closeWait();
        peer.duplicate();                             // seq 1 is below RCV.NXT 2: not acceptable
        acknowledgesUnacceptable(ack().seq(1).ack(2), "the duplicate FIN");
        assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(1).ack(2));          assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "The wire duplicates the peer's data: the duplicate is acknowledged again and the application reads the octets once",
            groups = "recovery")
    @Scenario(id = "recovery/duplicate-data")
    @Rfc9293(section = {"3.4", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void duplicateData() {
        establishedPassively();
        peer.send(ack().seq(1).ack(1).data("once").psh());
        peer.expect(ack().seq(1).ack(5));
        peer.duplicate();                             // wholly below RCV.NXT: not acceptable
        acknowledgesUnacceptable(ack().seq(1).ack(5), "the duplicate data");
        assertThat(target).isIn(ESTABLISHED);
        expectRead("once");
        peer.send(ack().seq(5).ack(1).data("!").psh());
        peer.expect(ack().seq(1).ack(6));
        expectRead("!");
    }

    /**
     * After the hole is filled, one ACK must cover what was queued too: the target queues segments that arrive
     * out of order (SHLD-31) and processes them all before it sends any ACK (MUST-59). An ACK of the hole alone
     * followed by one of the rest breaks MUST-59 (FAILED); an ACK of the hole alone and nothing more means the
     * out-of-order segment was dropped (SHLD-31, NON_STRICT): the peer then resends it and the scenario goes on.
     */
    private void acknowledgesQueued(SegmentTemplate all, SegmentTemplate holeOnly, String queued, Runnable resendDropped) {
        Segment first = peer.next();
        if (peer.matches(all, first)) {
            return;
        }
        if (!peer.matches(holeOnly, first)) {
            throw new ConformanceFailure("expected " + all + " once the hole was filled, saw " + peer.describe(first));
        }
        if (peer.expectMaybe(all, MAY_ACK).isPresent()) {
            throw new ConformanceFailure("expected one " + all + " covering the hole and " + queued
                    + " (MUST-59: process all queued segments before sending an ACK), saw " + peer.describe(first) + " first");
        }
        shouldViolation("did not queue " + queued + " (SHLD-31): once the hole was filled it acknowledged only up to it");
        resendDropped.run();
        peer.expect(all);
    }

    /**
     * "If an incoming segment is not acceptable, an acknowledgment should be sent in reply" (3.10.7.4, first
     * check): a lower-case should, so a target that stays silent is NON_STRICT; a wrong reply is FAILED.
     */
    private void acknowledgesUnacceptable(SegmentTemplate ackNow, String what) {
        if (peer.expectMaybe(ackNow, Peer.EXPECT_TIMEOUT).isEmpty()) {
            shouldViolation("did not acknowledge " + what + " (3.10.7.4: an unacceptable segment should be acknowledged)");
        }
    }
}
