package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.segment.Flag;
import tcpct.segment.FieldMismatch;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * The remote TCP, played by the harness. Two verbs, as in packetdrill: {@link #send} puts a segment on
 * the wire, {@link #expect} takes the target's next segment on this connection and checks it field by
 * field. Sequence numbers are relative to each side's ISN.
 */
public final class Peer {

    /** How long the target may take to answer a segment or a socket call on the wire. */
    public static final Duration EXPECT_TIMEOUT = Duration.ofSeconds(3);

    Peer() {
    }

    /** The peer's port for this scenario: fresh, never used by another scenario of the run. */
    public int port() {
        return Session.current().peerPort;
    }

    /**
     * Starts a new connection incarnation from the same port: a fresh ISN of ours, the target's ISN
     * forgotten (learned again from its next SYN), relative counters back to zero.
     */
    public void newIncarnation() {
        Session session = Session.current();
        session.step("peer starts a new connection from the same port", () -> {
            session.space = tcpct.segment.SeqSpace.withPeerIsn(session.space.peerIsn().plus(0x10000000L));
            session.sndNxt = 0;
            session.rcvNxt = 0;
        });
    }

    /**
     * For a target with no connection (no TCB, no ISN): numbers in the target's space are taken as
     * absolute from here on (its "ISN" is 0), as a RST in answer carries SEG.ACK itself.
     */
    public void absoluteTargetNumbers() {
        Session session = Session.current();
        session.step("peer takes the target's numbers as absolute (no connection on the target)",
                () -> session.space = session.space.learnTargetIsn(new tcpct.segment.SeqNum(0)));
    }

    public void send(SegmentTemplate t) {
        Session session = Session.current();
        if (session.targetPort == null) {
            throw new IllegalStateException("send before the target has a port: call target.listen() or target.connect() first");
        }
        String what = "peer sends " + t;
        session.step(what, () -> {
            Segment s = t.toSegment(session.peerPort, session.targetPort, session.space, session.sndNxt, session.rcvNxt);
            session.lab.wire().send(s);
            long end = session.space.peerRelative(s.seq()) + s.seqLength();
            session.sndNxt = Math.max(session.sndNxt, end);
        });
        if (t.flags().has(Flag.SYN)) {
            session.peerSentSyn = true;
        }
        session.lastAction = t.toString();
    }

    /** Waits for the target's next segment on this connection and checks it against {@code t}. */
    public Frame expect(SegmentTemplate t) {
        return expect(t, EXPECT_TIMEOUT);
    }

    /**
     * The same, waiting up to {@code within}: the frame, with its kernel timestamp, for timer checks.
     * The time until the target sent the frame (its kernel timestamp) counts as the protocol's wait
     * ({@link ProtocolWait}); what the harness took to notice and check it counts as its own overhead.
     */
    public Frame expect(SegmentTemplate t, Duration within) {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        long waitStart = System.nanoTime();
        long waitStartRealtime = ProtocolWait.realtimeNanos();
        try {
            session.step("target sends " + t, () -> {
                Frame f;
                try {
                    await("target sends " + t + " after " + after).pollInSameThread().atMost(within).pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(2)).until(() -> nextAnswer(session, t) != null);
                    f = session.fromTarget.poll();
                } catch (ConditionTimeoutException e) {
                    throw new ConformanceFailure("expected " + t + " from target after " + after + ", saw nothing within "
                            + within.toMillis() + " ms");
                }
                Segment s = f.segment();
                if (session.targetPort == null) {
                    session.targetPort = s.srcPort(); // active open: the target chose its port
                }
                if (s.flags().has(Flag.SYN) && !session.space.knowsTargetIsn()) {
                    session.space = session.space.learnTargetIsn(s.seq());
                }
                List<FieldMismatch> diff = t.compare(s, session.space);
                if (!f.checksumOk()) {
                    diff = new java.util.ArrayList<>(diff);
                    diff.add(new FieldMismatch("checksum", "valid", "invalid"));
                }
                if (!diff.isEmpty()) {
                    throw new ConformanceFailure("expected " + t + " from target after " + after + ", saw " + relative(session, s) + " ("
                            + diff.stream().map(FieldMismatch::toString).collect(Collectors.joining("; ")) + ")");
                }
                session.rcvNxt = Math.max(session.rcvNxt, session.space.targetRelative(s.seq()) + s.seqLength());
                session.lastExpected = s;
                session.expectedSoFar.add(s);
                seen[0] = f;
            });
        } finally {
            session.protocolWaitNanos += ProtocolWait.ofExpect(waitStartRealtime, System.nanoTime() - waitStart,
                    seen[0] == null ? -1 : seen[0].timestampNanos());
        }
        session.lastAction = t.toString();
        return seen[0];
    }

    /**
     * The next frame from the target that is not a timer's retransmission of what the scenario already
     * expected (such frames are dropped here, on purpose, unless {@code t} itself describes them).
     */
    private static Frame nextAnswer(Session session, SegmentTemplate t) {
        Frame f;
        while ((f = session.fromTarget.peek()) != null) {
            Segment s = f.segment();
            if (isRetransmission(session, s) && !t.compare(s, session.space).isEmpty()) {
                session.fromTarget.poll();
                continue;
            }
            return f;
        }
        return null;
    }

    /** The last segment the target sent on this connection that a scenario expected, or null. */
    public Segment lastExpected() {
        return Session.current().lastExpected;
    }

    /**
     * Every segment the target sends on this connection during {@code window}, in order. Retransmissions
     * of a SYN, FIN or data segment the scenario already expected are left out on purpose (a timer, not an
     * answer), unless {@code keepRetransmissions}; a repeated pure ACK is an answer and is kept.
     */
    public List<Segment> collect(Duration window, boolean keepRetransmissions) {
        Session session = Session.current();
        List<Segment> out = new java.util.ArrayList<>();
        long collectStart = System.nanoTime();
        try {
            session.step("peer collects what the target sends for " + window.toMillis() + " ms", () -> {
                long end = System.nanoTime() + window.toNanos();
                while (true) {
                    long left = end - System.nanoTime();
                    Frame f = left <= 0 ? session.fromTarget.poll() : session.fromTarget.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                    if (f == null) {
                        break;
                    }
                    Segment s = f.segment();
                    if (!keepRetransmissions && isRetransmission(session, s)) {
                        continue; // a timer resending SYN, FIN or data that the scenario already expected
                    }
                    out.add(s);
                }
            });
        } finally {
            session.protocolWaitNanos += Math.min(System.nanoTime() - collectStart, window.toNanos()); // the scenario's own reply window
        }
        return out;
    }

    /**
     * Whether {@code s} resends sequence space (SYN, FIN or data) that a segment the scenario already
     * expected occupied: same SEQ, length and control bits (its ACK field may have moved on). A SYN,ACK
     * after a SYN with the same SEQ (simultaneous open) is an answer, not a retransmission.
     */
    static boolean isRetransmission(Session session, Segment s) {
        if (s.seqLength() == 0) {
            return false;
        }
        for (Segment e : session.expectedSoFar) {
            if (e.seq().equals(s.seq()) && e.seqLength() == s.seqLength() && e.flags().equals(s.flags())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that the target sends nothing on this connection for {@code quiet} (e.g. no segment on a
     * CLOSE in SYN-SENT). Ends the wait at the first segment, which fails the scenario.
     */
    public void expectNothing(Duration quiet) {
        Session session = Session.current();
        String after = session.lastAction;
        long quietStart = System.nanoTime();
        try {
            session.step("target sends nothing for " + quiet.toMillis() + " ms", () -> {
                try {
                    await("target stays silent after " + after).pollInSameThread().during(quiet).atMost(quiet.plusMillis(500))
                            .pollInterval(Duration.ofMillis(5)).until(session.fromTarget::isEmpty);
                } catch (ConditionTimeoutException e) {
                    Frame f = session.fromTarget.peek();
                    throw new ConformanceFailure("expected no segment from target after " + after + " for " + quiet.toMillis()
                            + " ms, saw " + (f == null ? "one" : relative(session, f.segment())));
                }
            });
        } finally {
            session.protocolWaitNanos += Math.min(System.nanoTime() - quietStart, quiet.toNanos()); // the scenario's own quiet period
        }
    }

    /** A segment from the target in the scenario's relative numbers: {@code RST,ACK seq 0 ack 1}. */
    static String relative(Session session, Segment s) {
        StringBuilder b = new StringBuilder(s.flags().toString());
        b.append(" seq ").append(session.space.targetRelative(s.seq()));
        if (s.flags().has(Flag.ACK)) {
            b.append(" ack ").append(session.space.peerRelative(s.ack()));
        }
        if (s.payloadLength() > 0) {
            b.append(" len ").append(s.payloadLength());
        }
        return b.toString();
    }
}
