package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;
import static tcpct.state.TcpState.TIME_WAIT;

import java.time.Duration;
import java.util.List;
import org.testng.annotations.Test;
import java.util.function.LongFunction;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.segment.Flag;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * The protocol's timers, measured from pcap kernel timestamps: retransmission with exponential backoff
 * (RFC 9293 3.8.1, MUST-19; RFC 6298), the SYN's give-up time (MUST-20, MUST-23), TIME-WAIT (MUST-13)
 * and the FIN-WAIT-2 timeout some stacks add. The peer stays silent where the target must retransmit.
 */
public class Retransmission extends Fixtures {

    /** Bound on one retransmission interval that the scenarios wait for (backoff past 30 s is not measured). */
    static final Duration MAX_INTERVAL = Duration.ofSeconds(30);

    /** The peer's ACK delay while the target samples its RTT: above RFC 6298's 1 s minimum, so an RTO that never leaves its initial value fails. */
    static final Duration SAMPLED_RTT = Duration.ofMillis(1200);
    /** Segments the target sends one at a time, each acknowledged after {@link #SAMPLED_RTT}. */
    static final int RTT_ROUNDS = 8;
    /** From this round on the RTO has had at least three valid samples of the RTT and must exceed it: no retransmission before the ACK. */
    static final int RTO_SETTLED_ROUND = 5;
    /** Karn: the next RTO after an ambiguous ACK keeps the backoff (about twice); below this factor it collapsed. */
    static final double KARN_FACTOR = 1.5;
    /** What the target writes each round. */
    static final String ROUND_TEXT = "r".repeat(100);

    /**
     * MUST-18 (3.8.1): "The RTO MUST be computed according to the algorithm in [RFC 6298], including Karn's algorithm for
     * taking RTT samples". Timestamps are off (the peer offers none), so only Karn can tell an ambiguous sample. The peer
     * acknowledges each of 8 segments 1.2 s after it: from the fifth on, the RTO (SRTT + max(G, 4 RTTVAR) > SRTT, 2.3) must
     * exceed the RTT the target measured, so no segment is retransmitted before its ACK (a stack whose RTO ignores the
     * samples retransmits every one; one that stays at 1 s too). Then segment X is lost: its RTO must again exceed 1.2 s.
     * X's retransmission is acknowledged at once, an ambiguous ACK (Karn: no sample from a retransmitted segment; the
     * backed-off RTO stays until a valid sample, RFC 6298 5 "collapsing RTO back down" only then), and segment Y is lost
     * too: its RTO must be at least 1.5 times X's (twice, with the backoff kept). Kernel timestamps, tolerance in the check.
     */
    @Test(description = "MUST-18: RTO per RFC 6298 with Karn's algorithm: after RTT samples of 1.2 s no segment is retransmitted before its ACK, a lost segment waits more than 1.2 s, and after the ambiguous ACK of a retransmission the next lost segment keeps the backed-off RTO",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/rto-follows-rtt-with-karn")
    @Rfc9293(section = {"3.8.1"}, requirements = {"MUST-18", "RFC6298:2.3", "RFC6298:5.5"}, edges = {"E1", "E4", "E10"})
    public void rtoFollowsRttWithKarn() {
        establishedPassively();
        long seq = 1;
        target.send(ROUND_TEXT);
        // PSH is the sender's choice (MAY-16; ns-3 never sets it): each segment is expected with the flags of the first
        boolean psh = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).map(s -> s.flags().has(Flag.PSH)).orElse(true);
        LongFunction<SegmentTemplate> segmentAt = at -> psh ? ack().seq(at).ack(1).data(ROUND_TEXT).psh()
                : ack().seq(at).ack(1).data(ROUND_TEXT);
        for (int round = 1; round <= RTT_ROUNDS; round++) {
            if (round > 1) {
                target.send(ROUND_TEXT);
            }
            peer.expect(segmentAt.apply(seq));
            long resent = peer.collect(SAMPLED_RTT, true).size();
            if (round >= RTO_SETTLED_ROUND && resent > 0) {
                throw new ConformanceFailure(String.format("expecting no retransmission of segment %d before its ACK %d ms after it, after "
                        + "%d rounds with that RTT (MUST-18: a stack that keeps its backed-off RTO for the next segment, Karn's algorithm, stops "
                        + "retransmitting before the ACK within a few rounds and then samples the RTT, and RFC 6298's RTO = SRTT + max(G, "
                        + "4*RTTVAR) exceeds it), but the target sent %d segment(s) while it waited: it neither kept its backoff nor learnt the RTT",
                        round, SAMPLED_RTT.toMillis(), round - 1, resent));
            }
            note("round " + round + ": " + resent + " segments while the ACK was held " + SAMPLED_RTT.toMillis() + " ms");
            peer.send(ack().seq(1).ack(seq + ROUND_TEXT.length()));
            seq += ROUND_TEXT.length();
        }
        double rtoX = lostOnce(segmentAt.apply(seq), "X");
        if (rtoX < SAMPLED_RTT.toMillis()) {
            throw new ConformanceFailure(String.format("expecting the RTO of a lost segment above the %d ms RTT the target sampled %d times "
                    + "(MUST-18: RFC 6298 2.3, RTO = SRTT + max(G, 4*RTTVAR)), but it retransmitted after %.0f ms", SAMPLED_RTT.toMillis(),
                    RTT_ROUNDS, rtoX));
        }
        peer.send(ack().seq(1).ack(seq + ROUND_TEXT.length()));  // at once: ambiguous, Karn takes no sample
        seq += ROUND_TEXT.length();
        double rtoY = lostOnce(segmentAt.apply(seq), "Y");
        measure("rto-after-rtt-samples", rtoX);
        measure("rto-after-ambiguous-ack", rtoY);
        if (rtoY < KARN_FACTOR * rtoX) {
            throw new ConformanceFailure(String.format("expecting the next RTO after the ACK of a retransmitted segment to keep its backoff "
                    + "(MUST-18: Karn's algorithm, no RTT sample from a retransmitted segment, RFC 6298 5.5; about twice %.0f ms, at least "
                    + "%.1f times), but the next lost segment was retransmitted after %.0f ms", rtoX, KARN_FACTOR, rtoY));
        }
        peer.send(ack().seq(1).ack(seq + ROUND_TEXT.length())); assertThat(target).isIn(ESTABLISHED);
    }

    /** The target sends {@link #ROUND_TEXT} as {@code segment}; it is lost; returns the ms until its retransmission (kernel timestamps). */
    private double lostOnce(SegmentTemplate segment, String name) {
        target.send(ROUND_TEXT);
        Frame first = peer.miss(segment);
        Frame again = peer.expect(segment, MAX_INTERVAL);
        double rto = Timers.ms(first, again);
        note(String.format("segment %s lost: retransmitted after %.0f ms", name, rto));
        return rto;
    }

    @Test(description = "SYN retransmission in SYN-SENT: 1 s initial RTO, doubling, then the stack gives up (TCP_SYNCNT 3; a stack without it: backoff only) and the connection is CLOSED",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-sent-backoff")
    @Rfc9293(section = {"3.8.1", "3.8.3"}, requirements = {"MUST-19", "MUST-20", "MUST-22", "RFC6298:2.1", "RFC6298:5.5"}, edges = {"E2", "E6"})
    public void synSentBackoff() {
        assertThat(target).isIn(CLOSED);
        boolean synCount = target.tryOption("TCP_SYNCNT", 3);
        target.connect();
        Frame first = peer.expect(syn().seq(0));      assertThat(target).isIn(SYN_SENT);
        List<Frame> again = Timers.retransmissions(peer, syn().seq(0), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("syn-rto", first, again, "MUST-19, MUST-22");
        Timers.checkInitialRto("the SYN", rto.get(0));
        if (!synCount) {
            // Without TCP_SYNCNT the stack's own retry count applies: timers/syn-sent-r2 measures that give-up
            target.close();
            return;
        }
        double giveUp = Timers.timeUntilGone(target, SYN_SENT, first, MAX_INTERVAL.multipliedBy(2), "the SYN's retries to run out");
        measure("syn-give-up", giveUp);
        assertThat(target).isIn(CLOSED);
    }

    @Test(description = "R2 for a SYN: retransmission goes on for at least 3 minutes before the stack gives up (default settings)",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-sent-r2")
    @Rfc9293(section = "3.8.3", requirements = {"MUST-20", "MUST-23"}, edges = {"E2", "E6"})
    public void synSentR2() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        Frame first = peer.expect(syn().seq(0));      assertThat(target).isIn(SYN_SENT);
        double giveUp = Timers.timeUntilGone(target, SYN_SENT, first, Duration.ofMinutes(4), "the SYN's retries to run out");
        measure("syn-give-up", giveUp);
        assertThat(target).isIn(CLOSED);
        if (giveUp < Duration.ofMinutes(3).toMillis()) {
            throw new ConformanceFailure(String.format("expected SYN retransmission for at least 3 minutes (R2, MUST-23), "
                    + "saw the connection given up after %.1f s", giveUp / 1000));
        }
    }

    @Test(description = "SYN,ACK retransmission in SYN-RECEIVED: initial RTO, doubling; the late ACK still completes the handshake",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-received-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.7.2"}, requirements = {"MUST-19", "RFC6298:2.1", "RFC6298:5.5"}, edges = {"E1", "E4", "E10"})
    public void synReceivedBackoff() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        Frame first = peer.expect(synAck().seq(0).ack(1)); assertThat(target).isIn(SYN_RECEIVED);
        List<Frame> again = Timers.retransmissions(peer, synAck().seq(0).ack(1), 2, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("synack-rto", first, again, "MUST-19");
        Timers.checkInitialRto("the SYN,ACK", rto.get(0));
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "FIN retransmission in FIN-WAIT-1: backoff doubles; an RTO under 1 s is a SHOULD deviation (RFC 6298 2.4)",
            groups = "timers")
    @Scenario(id = "timers/fin-wait-1-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.4"}, requirements = {"MUST-19", "RFC6298:2.4", "RFC6298:5.5"}, edges = {"E1", "E4", "E10", "E12", "E14"})
    public void finWait1Backoff() {
        Frame first = finWait1();
        List<Frame> again = Timers.retransmissions(peer, finAck().seq(1).ack(1), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("fin-rto", first, again, "MUST-19");
        Timers.checkMinimumRto("the FIN", rto.get(0));
        peer.send(ack().seq(1).ack(2));               assertThat(target).isIn(FIN_WAIT_2);
    }

    @Test(description = "FIN retransmission in LAST-ACK: backoff doubles; the late ACK closes the connection", groups = "timers")
    @Scenario(id = "timers/last-ack-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.4"}, requirements = {"MUST-19", "RFC6298:2.4", "RFC6298:5.5"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void lastAckBackoff() {
        Frame first = lastAck();
        List<Frame> again = Timers.retransmissions(peer, finAck().seq(1).ack(2), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("fin-rto", first, again, "MUST-19");
        Timers.checkMinimumRto("the FIN", rto.get(0));
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "TIME-WAIT lasts 2*MSL = 4 minutes (MSL 2 minutes, RFC 9293 3.4.2)", groups = {"timers", "slow"})
    @Scenario(id = "timers/time-wait-duration")
    @Rfc9293(section = {"3.4.2", "3.6"}, requirements = "MUST-13", edges = {"E1", "E4", "E10", "E12", "E14", "E16", "E18"})
    public void timeWaitDuration() {
        Frame lastAck = activeCloseIntoTimeWait();
        double ms = Timers.timeUntilGone(target, TIME_WAIT, lastAck, TWO_MSL.plusSeconds(30), "TIME-WAIT to end");
        measure("time-wait", ms);
        assertThat(target).isIn(CLOSED);
        double required = TWO_MSL.toMillis() * (1 - Timers.RELATIVE_TOLERANCE);
        if (ms < required) {
            throw new ConformanceFailure(String.format("expected TIME-WAIT to last 2*MSL = %d s (MUST-13), saw it end after %.1f s",
                    TWO_MSL.toSeconds(), ms / 1000));
        }
    }

    @Test(description = "FIN-WAIT-2 timeout: how long a closed socket waits for the peer's FIN (not in the RFC; measured where the stack has one)",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/fin-wait-2-timeout")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E14"})
    public void finWait2Timeout() {
        Frame fin = finWait2();
        double ms = Timers.timeUntilGoneOrNegative(target, FIN_WAIT_2, fin, TWO_MSL, "FIN-WAIT-2 to time out");
        if (ms >= 0) {
            measure("fin-wait-2", ms);
            assertThat(target).isIn(CLOSED);
        } else {
            // RFC 9293 has no FIN-WAIT-2 timer: waiting for the peer's FIN for ever conforms
            assertThat(target).isIn(FIN_WAIT_2);
        }
    }
}
