package tcpct.model;

import static tcpct.segment.Flag.ACK;
import static tcpct.segment.Flag.FIN;
import static tcpct.segment.Flag.RST;
import static tcpct.segment.Flag.SYN;
import static tcpct.state.TcpState.*;

import java.util.List;
import tcpct.segment.Flags;
import tcpct.state.TcpState;

/**
 * RFC 9293 section 3.10.7, SEGMENT ARRIVES, as executable rules: given the connection's state and
 * variables and an arriving segment, what the target must send and which state it must be in after.
 * {@code rfc5961} selects the blind-attack mitigations that RFC 9293 folds in (challenge ACKs for RSTs not
 * at RCV.NXT and for SYNs in synchronized states, the ACK range check); without it, RFC 793's answers.
 *
 * <p>Numbers are the harness's relative ones (see {@link Tcb}); a segment's SEQ lies in the peer's space,
 * its ACK in the target's. Text is not modelled beyond its length in the acceptability test.
 */
public final class ReferenceModel {

    private final boolean rfc5961;

    public ReferenceModel(boolean rfc5961) {
        this.rfc5961 = rfc5961;
    }

    public boolean rfc5961() {
        return rfc5961;
    }

    public Prediction arrive(Tcb t, Arrival s) {
        return switch (t.state()) {
            case CLOSED -> closed(s);
            case LISTEN -> listen(s);
            case SYN_SENT -> synSent(t, s);
            default -> synchronizedOrSynReceived(t, s);
        };
    }

    private static Reply rst(long seq) {
        return new Reply(Flags.of(RST), seq, 0);
    }

    private static Reply ackOf(Tcb t, long rcvNxt) {
        return new Reply(Flags.of(ACK), t.sndNxt(), rcvNxt);
    }

    /** 3.10.7.1: no TCB; everything but a RST is answered by a RST. */
    private static Prediction closed(Arrival s) {
        if (s.has(RST)) {
            return Prediction.drop(CLOSED, "3.10.7.1: an incoming segment containing a RST is discarded");
        }
        if (!s.has(ACK)) {
            return Prediction.send(new Reply(Flags.of(RST, ACK), 0, s.seq() + s.segLen()), CLOSED,
                    "3.10.7.1: if the ACK bit is off, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> is sent");
        }
        return Prediction.send(rst(s.ack()), CLOSED, "3.10.7.1: if the ACK bit is on, <SEQ=SEG.ACK><CTL=RST> is sent");
    }

    /** 3.10.7.2: RST ignored, ACK answered by RST, SYN starts a connection, anything else dropped. */
    private static Prediction listen(Arrival s) {
        if (s.has(RST)) {
            return Prediction.drop(LISTEN, "3.10.7.2: an incoming RST is ignored");
        }
        if (s.has(ACK)) {
            return Prediction.send(rst(s.ack()), LISTEN, "3.10.7.2: any acknowledgment is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>");
        }
        if (s.has(SYN)) {
            return Prediction.send(new Reply(Flags.of(SYN, ACK), 0, s.seq() + 1), SYN_RECEIVED,
                    "3.10.7.2: on a SYN, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> is sent and the state becomes SYN-RECEIVED");
        }
        return Prediction.drop(LISTEN, "3.10.7.2: any other control or text-bearing segment is dropped");
    }

    /** 3.10.7.3: ACK check, RST check, SYN, else drop. ISS is 0, SND.NXT 1. */
    private static Prediction synSent(Tcb t, Arrival s) {
        boolean ackAcceptable = false;
        if (s.has(ACK)) {
            if (s.ack() <= 0 || s.ack() > t.sndNxt()) {
                if (s.has(RST)) {
                    return Prediction.drop(SYN_SENT, "3.10.7.3: an unacceptable ACK on a RST: drop the segment");
                }
                return Prediction.send(rst(s.ack()), SYN_SENT, "3.10.7.3: SEG.ACK =< ISS or > SND.NXT: <SEQ=SEG.ACK><CTL=RST>");
            }
            ackAcceptable = s.ack() > t.sndUna();
        }
        if (s.has(RST)) {
            if (ackAcceptable) {
                return Prediction.drop(CLOSED, "3.10.7.3: a RST with an acceptable ACK resets the connection: CLOSED");
            }
            return Prediction.drop(SYN_SENT, "3.10.7.3: a RST without an ACK is dropped");
        }
        if (s.has(SYN)) {
            long rcvNxt = s.seq() + 1;
            if (ackAcceptable) {
                return Prediction.send(new Reply(Flags.of(ACK), t.sndNxt(), rcvNxt), ESTABLISHED,
                        "3.10.7.3: our SYN acknowledged: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>");
            }
            return Prediction.send(new Reply(Flags.of(SYN, ACK), 0, rcvNxt), SYN_RECEIVED,
                    "3.10.7.3: a SYN without ACK (simultaneous open, MUST-10): SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>");
        }
        return Prediction.drop(SYN_SENT, "3.10.7.3: neither SYN nor RST: drop the segment");
    }

    /**
     * 3.10.7.4 for SYN-RECEIVED and the synchronized states. A SYN at RCV.NXT-1 (the peer's SYN again,
     * e.g. its SYN,ACK in a simultaneous open, Figure 7) is first trimmed to what lies in the window, as
     * the section allows; the old SYN is then acknowledged.
     */
    private Prediction synchronizedOrSynReceived(Tcb t, Arrival arriving) {
        if (arriving.has(SYN) && !arriving.has(RST) && arriving.seq() == t.rcvNxt() - 1) {
            Arrival trimmed = new Arrival(arriving.flags().without(SYN), arriving.seq() + 1, arriving.ack(), arriving.len());
            Prediction p = steps(t, trimmed);
            if (p.replies().isEmpty()) {
                TcpState after = p.next();
                return new Prediction(List.of(ackOf(t, t.rcvNxt())), after,
                        "3.10.7.4 first: the old SYN is trimmed off and acknowledged; " + p.clause(), p.strength());
            }
            return p;
        }
        return steps(t, arriving);
    }

    private Prediction steps(Tcb t, Arrival s) {
        TcpState st = t.state();
        // First: the sequence number (Table 6)
        if (!acceptable(t, s)) {
            if (s.has(RST)) {
                return Prediction.drop(st, "3.10.7.4 first: an unacceptable segment with RST is dropped");
            }
            return Prediction.send(ackOf(t, t.rcvNxt()), st,
                    "3.10.7.4 first: an unacceptable segment is answered by <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped").should();
        }
        // Second: RST
        if (s.has(RST)) {
            if (rfc5961 && s.seq() != t.rcvNxt()) {
                return Prediction.send(ackOf(t, t.rcvNxt()), st,
                        "3.10.7.4 second (RFC 5961 section 3): a RST in the window but not at RCV.NXT gets a challenge ACK");
            }
            if (st == SYN_RECEIVED && t.passive()) {
                return Prediction.drop(LISTEN, "3.10.7.4 second: a RST in SYN-RECEIVED from a passive OPEN returns it to LISTEN");
            }
            return Prediction.drop(CLOSED, "3.10.7.4 second: a RST in " + st + " resets the connection: CLOSED");
        }
        // Fourth: SYN
        if (s.has(SYN)) {
            if (st == SYN_RECEIVED && t.passive()) {
                return Prediction.drop(LISTEN, "3.10.7.4 fourth: a SYN in SYN-RECEIVED from a passive OPEN returns it to LISTEN");
            }
            if (rfc5961) {
                return Prediction.send(ackOf(t, t.rcvNxt()), st,
                        "3.10.7.4 fourth (RFC 5961 section 4): a SYN in a synchronized state gets a challenge ACK");
            }
            return Prediction.send(rst(t.sndNxt()), CLOSED, "3.10.7.4 fourth (RFC 793): a SYN in the window is an error: RST, CLOSED");
        }
        // Fifth: ACK
        if (!s.has(ACK)) {
            return Prediction.drop(st, "3.10.7.4 fifth: a segment without ACK is dropped");
        }
        TcpState next = st;
        boolean finAcked = false;
        if (st == SYN_RECEIVED) {
            if (s.ack() > t.sndUna() && s.ack() <= t.sndNxt()) {
                next = ESTABLISHED;
            } else {
                return Prediction.send(rst(s.ack()), st, "3.10.7.4 fifth: an unacceptable ACK in SYN-RECEIVED gets <SEQ=SEG.ACK><CTL=RST>");
            }
        } else {
            if (s.ack() > t.sndNxt()) {
                return Prediction.send(ackOf(t, t.rcvNxt()), st, rfc5961
                        ? "3.10.7.4 fifth (RFC 5961 section 5, MAY-12): an ACK beyond SND.NXT is discarded and an ACK sent back"
                        : "3.10.7.4 fifth: an ACK of something not yet sent gets an ACK, and the segment is dropped");
            }
            boolean advances = s.ack() > t.sndUna();
            finAcked = advances && s.ack() == t.sndNxt() && finSent(st);
            if (st == CLOSING && !finAcked) {
                return Prediction.drop(CLOSING, CLOSING_IGNORES);
            }
            if (st == TIME_WAIT && !s.has(FIN)) {
                return Prediction.send(ackOf(t, t.rcvNxt()), TIME_WAIT, TIME_WAIT_ACKNOWLEDGES);
            }
            if (finAcked) {
                switch (st) {
                    case FIN_WAIT_1 -> next = FIN_WAIT_2;
                    case CLOSING -> next = TIME_WAIT;
                    case LAST_ACK -> {
                        return Prediction.drop(CLOSED, "3.10.7.4 fifth: in LAST-ACK the ACK of our FIN closes the connection");
                    }
                    default -> { }
                }
            }
        }
        // Eighth: FIN (text, the seventh step, is not modelled)
        if (!s.has(FIN)) {
            String why = next != st ? "3.10.7.4 fifth: the ACK moves " + st + " to " + next
                    : "3.10.7.4 fifth: an acceptable ACK with nothing else needs no reply";
            return Prediction.drop(next, why);
        }
        if (s.seq() != t.rcvNxt()) {
            return Prediction.send(ackOf(t, t.rcvNxt()), next,
                    "3.10.7.4: a FIN beyond RCV.NXT is held for later (SHLD-31); the out-of-order segment is acknowledged").should();
        }
        long rcvNxt = t.rcvNxt() + s.segLen();
        TcpState afterFin = switch (next) {
            case SYN_RECEIVED, ESTABLISHED -> CLOSE_WAIT;
            case FIN_WAIT_1 -> CLOSING;
            case FIN_WAIT_2 -> TIME_WAIT;
            default -> next; // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT remain
        };
        if (st == FIN_WAIT_1 && finAcked) {
            afterFin = TIME_WAIT;
        }
        return Prediction.send(ackOf(t, rcvNxt), afterFin,
                "3.10.7.4 eighth: a FIN advances RCV.NXT over it and is acknowledged; " + next + " becomes " + afterFin);
    }

    /** 3.10.7.4 fifth, CLOSING STATE, in the RFC's words. */
    static final String CLOSING_IGNORES = "3.10.7.4 fifth, CLOSING: 'if the ACK acknowledges our FIN, then enter the TIME-WAIT state; "
            + "otherwise, ignore the segment'";

    /** 3.10.7.4 fifth, TIME-WAIT STATE, in the RFC's words. */
    static final String TIME_WAIT_ACKNOWLEDGES = "3.10.7.4 fifth, TIME-WAIT: 'The only thing that can arrive in this state is a "
            + "retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL timeout'";

    /** 3.10.7.4 first, on segments that lie partly or wholly outside the window, in the RFC's words. */
    static final String TRIMMED = "3.10.7.4 first: 'One could tailor actual segments to fit this assumption by trimming off any "
            + "portions that lie outside the window (including SYN and FIN) and only processing further if the segment then begins "
            + "at RCV.NXT': trimmed, the segment is an empty one at RCV.NXT; ";

    /** The states in which the peer's FIN has been received: its sequence space has ended at RCV.NXT. */
    public static boolean finReceived(TcpState st) {
        return st == CLOSE_WAIT || st == CLOSING || st == LAST_ACK || st == TIME_WAIT;
    }

    private static boolean finSent(TcpState st) {
        return st == FIN_WAIT_1 || st == CLOSING || st == LAST_ACK;
    }

    /** Table 6 of 3.10.7.4: the four cases of segment acceptability. */
    static boolean acceptable(Tcb t, Arrival s) {
        long len = s.segLen();
        long lo = t.rcvNxt();
        long hi = t.rcvNxt() + t.rcvWnd();
        if (len == 0) {
            return t.rcvWnd() == 0 ? s.seq() == lo : s.seq() >= lo && s.seq() < hi;
        }
        if (t.rcvWnd() == 0) {
            return false;
        }
        long last = s.seq() + len - 1;
        return (s.seq() >= lo && s.seq() < hi) || (last >= lo && last < hi);
    }

    /**
     * Answers the RFC permits besides the prediction, each with the clause that permits it:
     * <ul>
     * <li>in TIME-WAIT a new SYN, beyond RCV.NXT, MAY reopen the connection (MAY-2, section 3.6): SYN,ACK
     * and SYN-RECEIVED;</li>
     * <li>in TIME-WAIT an acceptable segment without FIN may also get no reply: the fifth step's "acknowledge
     * it" speaks of the remote FIN's retransmission, and nothing else in 3.10.7.4 answers an acceptable ACK;</li>
     * <li>after the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT) a second FIN, which no correct peer
     * sends (its sequence space ended with the first), may be ignored: the seventh step says of these states
     * "this should not occur since a FIN has been received from the remote side";</li>
     * <li>with RFC 5961, an ACK of octets before the target's ISS (SEG.ACK =< ISS, none of them ever sent)
     * may be discarded with an ACK sent back: 3.10.7.4 fifth says the ACK is acceptable "only if" it lies in
     * [SND.UNA - MAX.SND.WND, SND.NXT], a necessary condition that a narrower range keeps;</li>
     * <li>a segment whose every octet (text, FIN) lies just left of RCV.NXT, such as the peer's FIN again, may
     * be trimmed to an empty segment at RCV.NXT and its ACK processed, as the first step allows ("one could
     * tailor actual segments ... by trimming off any portions that lie outside the window"): in LAST-ACK an
     * ACK of our FIN in it then closes the connection, in CLOSING it enters TIME-WAIT, with or without an ACK
     * of the part trimmed off (the first step's "an acknowledgment should be sent"). Only where that ACK
     * moves the state on: where it changes nothing, the peer resent because it lacks our ACK, and the first
     * step's "an acknowledgment should be sent" stays the expectation.</li>
     * </ul>
     */
    public List<Prediction> permittedAlternatives(Tcb t, Arrival s) {
        List<Prediction> out = new java.util.ArrayList<>();
        TcpState st = t.state();
        if (st == TIME_WAIT && s.has(SYN) && !s.has(ACK) && !s.has(RST) && !s.has(FIN) && s.seq() >= t.rcvNxt()) {
            out.add(new Prediction(List.of(new Reply(Flags.of(SYN, ACK), 0, s.seq() + 1)), SYN_RECEIVED,
                    "3.6: a new SYN MAY reopen a connection in TIME-WAIT (MAY-2)", Strength.MUST));
        }
        if (st == CLOSED || st == LISTEN || st == SYN_SENT || st == SYN_RECEIVED) {
            return out;
        }
        Prediction p = arrive(t, s);
        if (p.clause().equals(TIME_WAIT_ACKNOWLEDGES)) {
            out.add(Prediction.drop(TIME_WAIT, "3.10.7.4 fifth, TIME-WAIT: the segment is not the retransmitted remote FIN that "
                    + "'acknowledge it' speaks of, and an acceptable ACK needs no reply ('it can be ignored', ESTABLISHED)"));
        }
        if (finReceived(st) && s.has(FIN) && (p.clause().startsWith("3.10.7.4 eighth") || p.clause().contains("SHLD-31")) && acceptable(t, s)
                && !s.has(SYN) && !s.has(RST) && s.has(ACK) && s.seq() >= t.rcvNxt()) {
            out.add(Prediction.drop(p.next(), "3.10.7.4 seventh: in " + st + " 'this should not occur since a FIN has been received "
                    + "from the remote side': a second FIN, which no correct peer sends, may be ignored"));
        }
        if (s.segLen() > 0 && s.seq() < t.rcvNxt() && s.seq() + s.segLen() == t.rcvNxt() && !s.has(SYN) && !s.has(RST)) {
            // everything it carries is left of the window (e.g. the peer's FIN again): trimmed, an empty segment at RCV.NXT
            Prediction trimmed = steps(t, new Arrival(s.flags().without(FIN), t.rcvNxt(), s.ack(), 0));
            if (trimmed.next() != st) { // where the ACK in it changes nothing, the first step's acknowledgment stays expected
                out.add(new Prediction(trimmed.replies(), trimmed.next(), TRIMMED + trimmed.clause(), trimmed.strength()));
                if (trimmed.replies().isEmpty()) { // the part trimmed off acknowledged, as the first step says it should be
                    out.add(new Prediction(List.of(ackOf(t, t.rcvNxt())), trimmed.next(), TRIMMED + "the part trimmed off "
                            + "acknowledged (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>); " + trimmed.clause(), trimmed.strength()));
                }
            }
        }
        if (rfc5961 && s.has(ACK) && !s.has(SYN) && !s.has(RST) && s.ack() <= 0 && acceptable(t, s)) {
            out.add(Prediction.send(ackOf(t, t.rcvNxt()), st, "3.10.7.4 fifth (MAY-12): the ACK is acceptable 'only if' it is in "
                    + "the range ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT); a range narrowed to the octets sent (SEG.ACK =< ISS "
                    + "acknowledges none) keeps that condition, and a segment outside it MUST be discarded and an ACK sent back"));
        }
        return out;
    }

    /** Both answers where RFC 5961 and RFC 793 differ; equal predictions otherwise. */
    public static List<Prediction> bothVariants(Tcb t, Arrival s) {
        return List.of(new ReferenceModel(true).arrive(t, s), new ReferenceModel(false).arrive(t, s));
    }
}
