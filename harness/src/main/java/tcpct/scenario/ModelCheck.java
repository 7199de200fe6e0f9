package tcpct.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tcpct.model.Arrival;
import tcpct.model.Prediction;
import tcpct.model.ReferenceModel;
import tcpct.model.Reply;
import tcpct.model.Strength;
import tcpct.model.Tcb;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.state.TcpState;

/**
 * The reference model as the oracle of one scenario step: sends a segment, collects what the target
 * sends back for {@link #REPLY_WINDOW}, asks the target's state, and compares both with the model's
 * prediction. The prediction of the RFC variant the target claims (its profile: RFC 5961 or not) must
 * hold; the other variant's answer is a deviation (NON_STRICT), not a failure; anything else is FAILED
 * (NON_STRICT where the clause is only a SHOULD).
 */
public final class ModelCheck {

    /** How long the target's answer is awaited; a stack answers a segment at once (no delayed ACK applies to these). */
    public static final Duration REPLY_WINDOW = Duration.ofMillis(250);

    private ModelCheck() {
    }

    public static void verify(Peer peer, Target target, Tcb tcb, SegmentTemplate segment, Arrival arrival, boolean claimsRfc5961) {
        Session s = Session.current();
        Prediction claimed = new ReferenceModel(claimsRfc5961).arrive(tcb, arrival);
        Prediction other = new ReferenceModel(!claimsRfc5961).arrive(tcb, arrival);
        s.extraRfc.addAll(claimed.rfcTags());
        if (!claimsRfc5961 || !claimed.equals(other)) {
            s.extraRfc.add(claimsRfc5961 ? "RFC5961" : "RFC793");
        }
        s.step("model (" + (claimsRfc5961 ? "RFC 5961" : "RFC 793") + ") predicts " + claimed, () -> { });
        peer.send(segment);
        Peer.Answer answer = ackMayBeDelayed(tcb, arrival) ? mayBeDelayed(peer, s, tcb) : peer.collectAnswer(tcb.state(), REPLY_WINDOW);
        List<Segment> seen = answer.segments();
        // once a barrier proved the target done with the segment, its state is final: one look (a bound shorter
        // than the poll interval), no settling time
        Duration settle = answer.proven() ? Duration.ofMillis(1) : TargetAssert.SETTLE.dividedBy(4);
        List<String> seenText = new ArrayList<>();
        for (Segment x : seen) {
            seenText.add(x.flags().has(Flag.SYN) ? withFreeIss(Peer.relative(s, x)) : Peer.relative(s, x));
        }
        boolean hidden = TargetAssert.hiddenFromAgent(s, claimed.next());
        TcpState state = hidden ? settleHidden(target, claimed.next(), settle) : settle(target, claimed.next(), settle);
        if (tcb.state() == TcpState.LISTEN && state == TcpState.CLOSED && !TargetAssert.hiddenFromAgent(s, TcpState.LISTEN)) {
            // no connection came of the segment: the TCB that was in LISTEN is the listener, so its state is the answer
            state = target.state(TcpState.LISTEN);
            s.step("no connection came of the segment; the listener is " + state, () -> { });
        }
        String observed = (seenText.isEmpty() ? "no reply" : seenText.toString()) + ", then " + state;
        if (matches(claimed, seenText, state, s)) {
            if (!hidden) {
                s.noteObserved(state); // a hidden state that matched is in the session's inferences instead
            }
            return;
        }
        for (Prediction permitted : new ReferenceModel(claimsRfc5961).permittedAlternatives(tcb, arrival)) {
            if (matches(permitted, seenText, state, s)) {
                if (!hidden) {
                    s.noteObserved(state);
                }
                s.extraRfc.addAll(permitted.rfcTags());
                s.step("the target took an answer the RFC permits: " + permitted, () -> { });
                return;
            }
        }
        if (!claimed.equals(other) && matches(other, seenText, state, s)) {
            s.noteObserved(state);
            s.shouldViolation("answered as " + (claimsRfc5961 ? "RFC 793" : "RFC 5961") + " does (" + other.clause() + "), while the profile claims "
                    + (claimsRfc5961 ? "RFC 5961" : "RFC 793") + ": expected " + describe(claimed) + ", saw " + observed);
            return;
        }
        String sentence = "expected " + describe(claimed) + " (" + claimed.clause() + "), saw " + observed;
        if (claimed.strength() == Strength.SHOULD) {
            throw new NonStrictDeviation(sentence);
        }
        throw new ConformanceFailure(sentence);
    }

    /**
     * The answer to a segment whose ACK may be delayed (3.8.6.3). A barrier cannot prove such an ACK will not come:
     * a stack that delays it answers the barrier first. But once the target has acknowledged the segment (or reset
     * the connection, which leaves nothing to acknowledge from) before the barrier's answer, no delayed ACK is
     * pending and the barrier proves the rest of the answer, as for any other cell. With neither by then, the rest
     * of {@link #REPLY_WINDOW} is waited out.
     */
    private static Peer.Answer mayBeDelayed(Peer peer, Session s, Tcb tcb) {
        long start = System.nanoTime();
        Peer.Answer first = peer.collectAnswer(tcb.state(), REPLY_WINDOW);
        if (acknowledgedBeforeBarrier(first)) {
            s.step("the target acknowledged the segment or reset the connection before the barrier's answer: no delayed ACK is pending", () -> { });
            return first;
        }
        Duration rest = REPLY_WINDOW.minusNanos(System.nanoTime() - start);
        s.step("the segment may be acknowledged late (a delayed ACK, SHLD-18, within 0.5 s by MUST-40, RFC 9293 3.8.6.3)"
                + " and neither an ACK nor a RST came before the barrier's answer: the rest of the reply window is waited out", () -> { });
        List<Segment> all = new ArrayList<>(first.segments());
        if (!rest.isNegative() && !rest.isZero()) {
            all.addAll(peer.collect(rest, false));
        }
        return new Peer.Answer(all, false);
    }

    /** Whether a barrier proved {@code a} whole and it holds a segment carrying an ACK or a RST. */
    static boolean acknowledgedBeforeBarrier(Peer.Answer a) {
        return a.proven() && a.segments().stream().anyMatch(x -> x.flags().has(Flag.ACK) || x.flags().has(Flag.RST));
    }

    /**
     * Whether {@code a} carries text or a FIN that a synchronized (or half-synchronized) connection may take in
     * order, at RCV.NXT or within the window: such a segment's ACK a stack may delay (3.8.6.3), so its answer is not
     * over when a later segment is answered. Out-of-window and old segments are answered at once (3.10.7.4 first:
     * "an acknowledgment should be sent in reply"), as is anything in LISTEN or without a connection.
     */
    static boolean ackMayBeDelayed(Tcb tcb, Arrival a) {
        if (tcb.state() == TcpState.LISTEN || tcb.state() == TcpState.CLOSED || (a.len() == 0 && !a.flags().has(Flag.FIN))) {
            return false;
        }
        long offset = a.seq() - tcb.rcvNxt();
        return offset >= 0 && offset < Math.max(1, tcb.rcvWnd());
    }

    private static String describe(Prediction p) {
        return (p.replies().isEmpty() ? "no reply" : p.replies().toString()) + ", then " + p.next();
    }

    private static boolean matches(Prediction p, List<String> seen, TcpState state, Session s) {
        if (p.next() != state || p.replies().size() != seen.size()) {
            return false;
        }
        for (int i = 0; i < seen.size(); i++) {
            if (!render(p.replies().get(i), s).equals(seen.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A SYN's SEQ is the target's ISS, its own choice (MUST-8 governs it, not 3.10.7): compared as "ISS". */
    private static String withFreeIss(String relative) {
        return relative.replaceFirst(" seq \\d+", " seq ISS");
    }

    /** A predicted reply in the same words as {@link Peer#relative}. */
    private static String render(Reply r, Session s) {
        StringBuilder b = new StringBuilder(r.flags().toString());
        b.append(" seq ").append(r.flags().has(Flag.SYN) ? "ISS" : Long.toString(Integer.toUnsignedLong((int) r.seq())));
        if (r.flags().has(Flag.ACK)) {
            b.append(" ack ").append(Integer.toUnsignedLong((int) r.ack()));
        }
        return b.toString();
    }

    /**
     * {@code expected} is a state the agent cannot show: when the agent shows no endpoint for the connection
     * within {@code bound}, the state is taken as {@code expected} and left to the
     * wire's word ({@link Inference}); an endpoint it does show gives its state.
     */
    private static TcpState settleHidden(Target target, TcpState expected, Duration bound) {
        Session s = Session.current();
        java.util.Optional<tcpct.agent.Endpoint> seen = TargetAssert.awaitNoVisibleEndpoint(target, bound, "the cell's segment");
        if (seen.isPresent()) {
            return seen.get().state();
        }
        s.inferences.add(new Inference(expected, "showed no endpoint for the connection after the cell's segment", s.frameCount()));
        return expected;
    }

    /** The state, given {@code bound} (a quarter of {@link TargetAssert#SETTLE}, or one look) to reach {@code expected}. */
    private static TcpState settle(Target target, TcpState expected, Duration bound) {
        java.util.concurrent.atomic.AtomicReference<TcpState> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            org.awaitility.Awaitility.await("target's state settles on " + expected).pollInSameThread()
                    .atMost(bound).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        last.set(target.state(expected));
                        return last.get() == expected;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the state it is in is the answer; the caller compares it with the prediction
            Session.current().stateWindowRanOut(bound);
        }
        return last.get();
    }
}
