package tcpct.model;

import static org.assertj.core.api.Assertions.assertThat;
import static tcpct.segment.Flag.ACK;
import static tcpct.segment.Flag.FIN;
import static tcpct.segment.Flag.RST;
import static tcpct.segment.Flag.SYN;
import static tcpct.state.TcpState.*;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.state.TcpState;

/**
 * The model against the examples RFC 9293 itself gives (section 3.5 Figures 6 to 11, section 3.6 Figures
 * 12 and 13). Numbers are the figures' own, made relative: the model's side has ISS 0, so from each TCP's
 * point of view we subtract its ISS from what it sends and the peer's ISS from what it receives.
 */
public class ReferenceModelTest {

    private final ReferenceModel rfc5961 = new ReferenceModel(true);
    private final ReferenceModel rfc793 = new ReferenceModel(false);

    private static Arrival seg(long seq, long ack, Flag... flags) {
        return new Arrival(Flags.of(flags), seq, ack, 0);
    }

    private static Reply reply(long seq, long ack, Flag... flags) {
        return new Reply(Flags.of(flags), seq, ack);
    }

    private static Tcb tcb(TcpState s, long una, long nxt, long rcvNxt, boolean passive) {
        return new Tcb(s, una, nxt, rcvNxt, 64000, passive);
    }

    private static void expect(Prediction p, TcpState next, Reply... replies) {
        assertThat(p.next()).as(p.toString()).isEqualTo(next);
        assertThat(p.replies()).as(p.toString()).containsExactly(replies);
    }

    @Test
    public void figure6ThreeWayHandshake() {
        // B in LISTEN gets A's <SEQ=100><CTL=SYN> (relative 0): sends <SEQ=300><ACK=101><CTL=SYN,ACK>
        expect(rfc5961.arrive(tcb(LISTEN, 0, 0, 0, true), seg(0, 0, SYN)), SYN_RECEIVED, reply(0, 1, SYN, ACK));
        // A in SYN-SENT (ISS 100, SND.NXT 101) gets <SEQ=300><ACK=101><CTL=SYN,ACK>: ESTABLISHED, <SEQ=101><ACK=301><CTL=ACK>
        expect(rfc5961.arrive(tcb(SYN_SENT, 0, 1, 0, false), seg(0, 1, SYN, ACK)), ESTABLISHED, reply(1, 1, ACK));
        // B in SYN-RECEIVED gets <SEQ=101><ACK=301><CTL=ACK>: ESTABLISHED, nothing sent
        expect(rfc5961.arrive(tcb(SYN_RECEIVED, 0, 1, 1, true), seg(1, 1, ACK)), ESTABLISHED);
    }

    @Test
    public void figure7SimultaneousOpen() {
        // A in SYN-SENT (ISS 100) gets B's <SEQ=300><CTL=SYN>: SYN-RECEIVED, <SEQ=100><ACK=301><CTL=SYN,ACK>
        Prediction p = rfc5961.arrive(tcb(SYN_SENT, 0, 1, 0, false), seg(0, 0, SYN));
        expect(p, SYN_RECEIVED, reply(0, 1, SYN, ACK));
        assertThat(p.rfcTags()).contains("3.10.7.3", "MUST-10");
        // A in SYN-RECEIVED gets B's <SEQ=300><ACK=101><CTL=SYN,ACK>: ESTABLISHED, <SEQ=101><ACK=301><CTL=ACK>
        expect(rfc5961.arrive(tcb(SYN_RECEIVED, 0, 1, 1, false), seg(0, 1, SYN, ACK)), ESTABLISHED, reply(1, 1, ACK));
    }

    @Test
    public void figure8OldDuplicateSyn() {
        // A in SYN-SENT (ISS 100) gets <SEQ=300><ACK=91><CTL=SYN,ACK>, an ACK of an old SYN: <SEQ=91><CTL=RST>
        expect(rfc5961.arrive(tcb(SYN_SENT, 0, 1, 0, false), seg(0, -9, SYN, ACK)), SYN_SENT, reply(-9, 0, RST));
        // B in SYN-RECEIVED from LISTEN (the old SYN had SEQ 90, so RCV.NXT is 91) gets <SEQ=91><CTL=RST>: LISTEN
        expect(rfc5961.arrive(tcb(SYN_RECEIVED, 0, 1, 1, true), seg(1, 0, RST)), LISTEN);
    }

    @Test
    public void figures10And11HalfOpenRecovery() {
        // A has crashed (no TCB) and gets B's <SEQ=300><ACK=100><CTL=ACK>: <SEQ=100><CTL=RST>
        expect(rfc5961.arrive(Tcb.closed(), seg(300, 100, ACK)), CLOSED, reply(100, 0, RST));
        // B is ESTABLISHED (SND.NXT 300, RCV.NXT 100) and gets A's new <SEQ=400><CTL=SYN>, outside its window:
        // <SEQ=300><ACK=100><CTL=ACK>. Relative to B: A's ISN 0 means its old data ended at 100 - 0.
        expect(rfc5961.arrive(tcb(ESTABLISHED, 300, 300, 100, false), new Arrival(Flags.of(SYN), 100 + 64000 + 300, 0, 0)),
                ESTABLISHED, reply(300, 100, ACK));
        // A in SYN-SENT (ISS 400) gets <SEQ=300><ACK=100><CTL=ACK>: SEG.ACK =< ISS: <SEQ=100><CTL=RST>
        expect(rfc5961.arrive(tcb(SYN_SENT, 0, 1, 0, false), seg(0, -300, ACK)), SYN_SENT, reply(-300, 0, RST));
        // B gets <SEQ=100><CTL=RST>, exactly RCV.NXT: CLOSED
        expect(rfc5961.arrive(tcb(ESTABLISHED, 300, 300, 100, false), seg(100, 0, RST)), CLOSED);
    }

    @Test
    public void figure12NormalClose() {
        // B ESTABLISHED gets A's <SEQ=100><ACK=300><CTL=FIN,ACK> (relative: RCV.NXT 1): CLOSE-WAIT, <SEQ=300><ACK=101><CTL=ACK>
        expect(rfc5961.arrive(tcb(ESTABLISHED, 1, 1, 1, true), seg(1, 1, FIN, ACK)), CLOSE_WAIT, reply(1, 2, ACK));
        // A FIN-WAIT-1 (SND.NXT 2) gets <SEQ=300><ACK=101><CTL=ACK>: FIN-WAIT-2
        expect(rfc5961.arrive(tcb(FIN_WAIT_1, 1, 2, 1, false), seg(1, 2, ACK)), FIN_WAIT_2);
        // A FIN-WAIT-2 gets B's <SEQ=300><ACK=101><CTL=FIN,ACK>: TIME-WAIT, <SEQ=101><ACK=301><CTL=ACK>
        expect(rfc5961.arrive(tcb(FIN_WAIT_2, 2, 2, 1, false), seg(1, 2, FIN, ACK)), TIME_WAIT, reply(2, 2, ACK));
        // B LAST-ACK (SND.NXT 2) gets <SEQ=101><ACK=301><CTL=ACK>: CLOSED
        expect(rfc5961.arrive(tcb(LAST_ACK, 1, 2, 2, true), seg(2, 2, ACK)), CLOSED);
    }

    @Test
    public void figure13SimultaneousClose() {
        // A FIN-WAIT-1 gets B's FIN that does not ACK A's: CLOSING, <SEQ=101><ACK=301><CTL=ACK>
        expect(rfc5961.arrive(tcb(FIN_WAIT_1, 1, 2, 1, false), seg(1, 1, FIN, ACK)), CLOSING, reply(2, 2, ACK));
        // A CLOSING gets the ACK of its FIN: TIME-WAIT
        expect(rfc5961.arrive(tcb(CLOSING, 1, 2, 2, false), seg(2, 2, ACK)), TIME_WAIT);
        // and a FIN that ACKs ours in FIN-WAIT-1 goes straight to TIME-WAIT (E21)
        expect(rfc5961.arrive(tcb(FIN_WAIT_1, 1, 2, 1, false), seg(1, 2, FIN, ACK)), TIME_WAIT, reply(2, 2, ACK));
    }

    @Test
    public void rfc5961AndRfc793DifferOnRstInTheWindowAndOnSyn() {
        Tcb est = tcb(ESTABLISHED, 1, 1, 1, true);
        expect(rfc5961.arrive(est, seg(101, 0, RST)), ESTABLISHED, reply(1, 1, ACK)); // challenge ACK
        expect(rfc793.arrive(est, seg(101, 0, RST)), CLOSED);
        expect(rfc5961.arrive(est, seg(1, 0, SYN)), ESTABLISHED, reply(1, 1, ACK)); // challenge ACK
        expect(rfc793.arrive(est, seg(1, 0, SYN)), CLOSED, reply(1, 0, RST));
        // outside the window both drop a RST silently, and both ACK anything else
        expect(rfc5961.arrive(est, seg(-100, 0, RST)), ESTABLISHED);
        expect(rfc793.arrive(est, seg(-100, 1, ACK)), ESTABLISHED, reply(1, 1, ACK));
        assertThat(ReferenceModel.bothVariants(est, seg(1, 1, ACK))).extracting(Prediction::next).containsOnly(ESTABLISHED);
    }

    @Test
    public void acceptabilityFollowsTable6() {
        Tcb zeroWindow = new Tcb(ESTABLISHED, 1, 1, 10, 0, false);
        assertThat(ReferenceModel.acceptable(zeroWindow, seg(10, 1, ACK))).isTrue();
        assertThat(ReferenceModel.acceptable(zeroWindow, seg(11, 1, ACK))).isFalse();
        assertThat(ReferenceModel.acceptable(zeroWindow, new Arrival(Flags.of(ACK), 10, 1, 5))).isFalse();
        Tcb open = new Tcb(ESTABLISHED, 1, 1, 10, 100, false);
        assertThat(ReferenceModel.acceptable(open, seg(109, 1, ACK))).isTrue();
        assertThat(ReferenceModel.acceptable(open, seg(110, 1, ACK))).isFalse();
        assertThat(ReferenceModel.acceptable(open, new Arrival(Flags.of(ACK), 5, 1, 10))).as("straddles the left edge").isTrue();
    }

    @Test
    public void listenAndClosedAnswerAsSection3_10_7SaysAndNameTheClause() {
        Prediction p = rfc5961.arrive(tcb(LISTEN, 0, 0, 0, true), seg(0, 77, ACK));
        expect(p, LISTEN, reply(77, 0, RST));
        assertThat(p.rfcTags()).containsExactly("3.10.7.2");
        expect(rfc5961.arrive(Tcb.closed(), new Arrival(Flags.of(SYN), 5, 0, 0)), CLOSED, reply(0, 6, RST, ACK));
        expect(rfc5961.arrive(Tcb.closed(), seg(5, 0, RST)), CLOSED);
        assertThat(rfc5961.arrive(tcb(ESTABLISHED, 1, 1, 1, true), seg(-100, 1, ACK)).strength()).isEqualTo(Strength.SHOULD);
        assertThat(List.of(rfc5961.arrive(tcb(ESTABLISHED, 1, 1, 1, true), seg(1, 1, FIN)).next())).containsExactly(ESTABLISHED);
    }

    private static void permits(List<Prediction> alternatives, TcpState next, Reply... replies) {
        assertThat(alternatives).as(alternatives.toString())
                .anySatisfy(a -> {
                    assertThat(a.next()).isEqualTo(next);
                    assertThat(a.replies()).containsExactly(replies);
                });
    }

    @Test
    public void closingIgnoresASegmentWhoseAckIsNotOfOurFin() {
        // 3.10.7.4 fifth, CLOSING STATE: "In addition to the processing for the ESTABLISHED state, if the ACK
        // acknowledges our FIN, then enter the TIME-WAIT state; otherwise, ignore the segment."
        Tcb closing = tcb(CLOSING, 1, 2, 2, true);
        expect(rfc5961.arrive(closing, seg(2, 1, ACK)), CLOSING);
        Prediction p = rfc5961.arrive(closing, seg(2, 1, FIN, ACK));
        expect(p, CLOSING); // ignored: not acknowledged, not taken as a FIN
        assertThat(p.clause()).contains("otherwise, ignore the segment");
        expect(rfc5961.arrive(closing, seg(2, 2, ACK)), TIME_WAIT); // the ACK of our FIN still moves it on
        expect(rfc5961.arrive(closing, seg(2, 102, ACK)), CLOSING, reply(2, 2, ACK)); // ESTABLISHED's "acks something not yet sent"
    }

    @Test
    public void timeWaitAcknowledgesWhatArrivesAndMayIgnoreAnAckWithoutFin() {
        // 3.10.7.4 fifth, TIME-WAIT STATE: "The only thing that can arrive in this state is a retransmission of
        // the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
        Tcb timeWait = tcb(TIME_WAIT, 2, 2, 2, true);
        Prediction p = rfc5961.arrive(timeWait, seg(102, 2, ACK));
        expect(p, TIME_WAIT, reply(2, 2, ACK));
        assertThat(p.clause()).contains("Acknowledge it, and restart the 2 MSL timeout");
        permits(rfc5961.permittedAlternatives(timeWait, seg(102, 2, ACK)), TIME_WAIT);
        // the remote FIN's retransmission (SEQ = RCV.NXT - 1) is acknowledged by the sequence check already
        expect(rfc5961.arrive(timeWait, seg(1, 2, FIN, ACK)), TIME_WAIT, reply(2, 2, ACK));
        assertThat(rfc5961.permittedAlternatives(timeWait, seg(1, 2, FIN, ACK))).as("a retransmitted FIN must be acknowledged").isEmpty();
    }

    @Test
    public void aSecondFinAfterThePeersFinMayBeIgnored() {
        // 3.10.7.4 seventh, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has been
        // received from the remote side."
        Tcb closeWait = tcb(CLOSE_WAIT, 1, 1, 2, true);
        expect(rfc5961.arrive(closeWait, seg(2, 1, FIN, ACK)), CLOSE_WAIT, reply(1, 3, ACK));
        permits(rfc5961.permittedAlternatives(closeWait, seg(2, 1, FIN, ACK)), CLOSE_WAIT);
        permits(rfc5961.permittedAlternatives(tcb(LAST_ACK, 1, 2, 2, true), seg(102, 1, FIN, ACK)), LAST_ACK);
        // the peer's FIN again is a retransmission, not a second FIN: acknowledged (first step), nothing else permitted
        expect(rfc5961.arrive(closeWait, seg(1, 1, FIN, ACK)), CLOSE_WAIT, reply(1, 2, ACK));
        assertThat(rfc5961.permittedAlternatives(closeWait, seg(1, 1, FIN, ACK))).isEmpty();
        // in ESTABLISHED a FIN is the first one: no such freedom
        assertThat(rfc5961.permittedAlternatives(tcb(ESTABLISHED, 1, 1, 1, true), seg(1, 1, FIN, ACK))).isEmpty();
    }

    @Test
    public void anAckOfOctetsBeforeTheIssMayBeDiscardedWithAnAckUnderRfc5961() {
        // 3.10.7.4 fifth: "TCP stacks that implement RFC 5961 MUST add an input check that the ACK value is
        // acceptable only if it is in the range of ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming
        // segments whose ACK value doesn't satisfy the above condition MUST be discarded and an ACK sent back."
        Tcb fresh = tcb(ESTABLISHED, 1, 1, 1, true);
        expect(rfc5961.arrive(fresh, seg(1, -999, ACK)), ESTABLISHED); // within MAX.SND.WND: "it can be ignored"
        permits(rfc5961.permittedAlternatives(fresh, seg(1, -999, ACK)), ESTABLISHED, reply(1, 1, ACK));
        assertThat(rfc793.permittedAlternatives(fresh, seg(1, -999, ACK))).as("RFC 793 has no ACK range check").isEmpty();
        // after 2,000 octets were sent and acknowledged, SND.UNA - 1000 is a genuinely old ACK: ignored, FIN processed
        Tcb sent = tcb(ESTABLISHED, 2001, 2001, 1, true);
        expect(rfc5961.arrive(sent, seg(1, 1001, ACK)), ESTABLISHED);
        assertThat(rfc5961.permittedAlternatives(sent, seg(1, 1001, ACK))).isEmpty();
        expect(rfc5961.arrive(sent, seg(1, 1001, FIN, ACK)), CLOSE_WAIT, reply(2001, 2, ACK));
    }

    @Test
    public void theRetransmittedFinMayBeTrimmedAndItsAckProcessed() {
        // 3.10.7.4 first: "One could tailor actual segments to fit this assumption by trimming off any portions
        // that lie outside the window (including SYN and FIN) and only processing further if the segment then
        // begins at RCV.NXT."
        Tcb lastAck = tcb(LAST_ACK, 1, 2, 2, true);
        Arrival finAgain = seg(1, 2, FIN, ACK); // the peer's FIN again, now acknowledging ours
        expect(rfc5961.arrive(lastAck, finAgain), LAST_ACK, reply(2, 2, ACK)); // Table 6: not acceptable, ACK sent
        permits(rfc5961.permittedAlternatives(lastAck, finAgain), CLOSED); // trimmed: the ACK of our FIN closes it
        permits(rfc5961.permittedAlternatives(lastAck, finAgain), CLOSED, reply(2, 2, ACK)); // and the FIN acknowledged
        permits(rfc5961.permittedAlternatives(tcb(CLOSING, 1, 2, 2, true), finAgain), TIME_WAIT);
        permits(rfc5961.permittedAlternatives(tcb(CLOSING, 1, 2, 2, true), finAgain), TIME_WAIT, reply(2, 2, ACK));
        // a segment that does not end at RCV.NXT has nothing to trim to: no alternative
        assertThat(rfc5961.permittedAlternatives(lastAck, seg(-98, 2, FIN, ACK))).isEmpty();
    }
}
