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

    private final Session session;

    Peer(Session session) {
        this.session = session;
    }

    /** The peer's port for this scenario: fresh, never used by another scenario of the run. */
    public int port() {
        return session.peerPort;
    }

    public void send(SegmentTemplate t) {
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
        session.lastAction = t.toString();
    }

    /** Waits for the target's next segment on this connection and checks it against {@code t}. */
    public Segment expect(SegmentTemplate t) {
        return expect(t, EXPECT_TIMEOUT);
    }

    public Segment expect(SegmentTemplate t, Duration within) {
        String after = session.lastAction;
        Segment[] seen = new Segment[1];
        session.step("target sends " + t, () -> {
            Frame f;
            try {
                await("target sends " + t + " after " + after).atMost(within).pollDelay(Duration.ZERO)
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
                throw new ConformanceFailure("expected " + t + " from target after " + after + ", saw " + relative(s) + " ("
                        + diff.stream().map(FieldMismatch::toString).collect(Collectors.joining("; ")) + ")");
            }
            session.rcvNxt = Math.max(session.rcvNxt, session.space.targetRelative(s.seq()) + s.seqLength());
            seen[0] = s;
        });
        session.lastAction = t.toString();
        return seen[0];
    }

    /** A segment from the target in the scenario's relative numbers: {@code RST,ACK seq 0 ack 1}. */
    String relative(Segment s) {
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
