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
     * A wait longer than {@link #EXPECT_TIMEOUT} is a wait on a protocol timer and is counted as such.
     */
    public Frame expect(SegmentTemplate t, Duration within) {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        long waitStart = System.nanoTime();
        session.step("target sends " + t, () -> {
            Frame f;
            try {
                await("target sends " + t + " after " + after).pollInSameThread().atMost(within).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(2)).until(() -> !session.fromTarget.isEmpty());
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
            seen[0] = f;
        });
        if (within.compareTo(EXPECT_TIMEOUT) > 0) {
            session.protocolWaitNanos += System.nanoTime() - waitStart;
        }
        session.lastAction = t.toString();
        return seen[0];
    }

    /**
     * Checks that the target sends nothing on this connection for {@code quiet} (e.g. no segment on a
     * CLOSE in SYN-SENT). Ends the wait at the first segment, which fails the scenario.
     */
    public void expectNothing(Duration quiet) {
        Session session = Session.current();
        String after = session.lastAction;
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
