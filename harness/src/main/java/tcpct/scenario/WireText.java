package tcpct.scenario;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SeqSpace;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/**
 * A scenario's frames as text, decoded by the harness's own codec (no tshark needed): one line per frame
 * with its kernel timestamp, direction, flags, sequence and acknowledgement numbers relative to each side's
 * ISN and absolute, window, options and payload length; written beside the pcap ({@code pcap/<id>.txt}) and
 * attached to the report. Also tells a retransmission from a first sending, for the ladder.
 */
final class WireText {

    private WireText() {
    }

    static String of(String scenarioId, List<Frame> frames, SeqSpace space) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(scenarioId).append(": ").append(frames.size()).append(" frames of the scenario's connection, as captured")
                .append(" (kernel timestamps, ns since the epoch; relative numbers count from each side's ISN: peer ")
                .append(space.peerIsn().unsigned()).append(", target ")
                .append(space.knowsTargetIsn() ? Long.toString(space.targetIsn().unsigned()) : "not seen").append(")\n");
        long t0 = frames.isEmpty() ? 0 : frames.get(0).timestampNanos();
        Set<String> sent = new HashSet<>();
        int n = 1;
        for (Frame f : frames) {
            Segment s = f.segment();
            boolean toTarget = f.direction() == Direction.TO_TARGET;
            b.append(String.format("%4d %d.%09d %+11.3f ms  %-13s %-11s %s%s%n", n++, f.timestampNanos() / 1_000_000_000L,
                    f.timestampNanos() % 1_000_000_000L, (f.timestampNanos() - t0) / 1e6, f.direction().arrow(), s.flags(),
                    numbers(s, space, toTarget), (retransmission(f, sent) ? "  RETRANSMISSION" : "")
                            + (f.checksumOk() ? "" : "  BAD CHECKSUM")));
        }
        return b.toString();
    }

    /** {@code seq 1 (3456789012) ack 1 (123456790) win 64240 len 5 options [mss 1460, sackOK]}, as in the text and the ladder's hover. */
    static String numbers(Segment s, SeqSpace space, boolean toTarget) {
        long seq = toTarget ? space.peerRelative(s.seq()) : space.targetRelative(s.seq());
        StringBuilder b = new StringBuilder("seq ").append(seq).append(" (").append(s.seq().unsigned()).append(')');
        if (s.flags().has(Flag.ACK)) {
            long ack = toTarget ? space.targetRelative(s.ack()) : space.peerRelative(s.ack());
            b.append(" ack ").append(ack).append(" (").append(s.ack().unsigned()).append(')');
        }
        b.append(" win ").append(s.window()).append(" len ").append(s.payloadLength());
        if (s.flags().has(Flag.URG)) {
            b.append(" urp ").append(s.urgentPointer());
        }
        b.append(" options ").append(s.options());
        if (!s.malformation().isNone()) {
            b.append(" <").append(s.malformation()).append('>');
        }
        return b.toString();
    }

    /**
     * Whether {@code f} repeats a segment its sender already sent (same direction, sequence number, length
     * in sequence space, SYN and FIN): a retransmission. Segments that occupy no sequence space (bare ACKs)
     * never count. {@code sent} remembers what came before.
     */
    static boolean retransmission(Frame f, Set<String> sent) {
        Segment s = f.segment();
        if (s.seqLength() == 0) {
            return false;
        }
        String key = f.direction() + " " + s.seq().unsigned() + " " + s.seqLength() + " " + s.flags().has(Flag.SYN) + s.flags().has(Flag.FIN);
        return !sent.add(key);
    }
}
