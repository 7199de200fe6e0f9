package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.segment.SeqSpace;
import tcpct.segment.TcpOption;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

public class WireTextTest {

    private static Frame frame(long ns, Direction d, Segment s) {
        return new Frame(ns, d, s, true, 64);
    }

    @Test
    public void oneLinePerFrameWithRelativeAndAbsoluteNumbersAndRetransmissionsMarked() {
        SeqSpace space = SeqSpace.withPeerIsn(SeqNum.of(1000)).learnTargetIsn(SeqNum.of(5000));
        Segment syn = new Segment(5001, 20001, SeqNum.of(5000), SeqNum.of(0), Flags.of(Flag.SYN), 65535, 0, List.of(TcpOption.mss(1460)), new byte[0]);
        Segment ack = new Segment(20001, 5001, SeqNum.of(1001), SeqNum.of(5001), Flags.of(Flag.ACK), 64240, 0, List.of(), new byte[0]);
        List<Frame> frames = List.of(frame(1_700_000_000_000_000_000L, Direction.FROM_TARGET, syn),
                frame(1_700_000_001_000_000_000L, Direction.FROM_TARGET, syn),
                frame(1_700_000_001_000_500_000L, Direction.TO_TARGET, ack),
                frame(1_700_000_001_000_600_000L, Direction.TO_TARGET, ack));
        List<String> lines = WireText.of("establish/x", frames, space).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("# establish/x: 4 frames").contains("peer 1000, target 5000");
        assertThat(lines.get(1)).isEqualTo("   1 1700000000.000000000      +0.000 ms  target > peer SYN         seq 0 (5000) win 65535 len 0 options [mss 1460]");
        assertThat(lines.get(2)).endsWith("  RETRANSMISSION").contains("+1000.000 ms");
        assertThat(lines.get(3)).contains("peer > target ACK         seq 1 (1001) ack 1 (5001) win 64240 len 0 options []").doesNotContain("RETRANSMISSION");
        assertThat(lines.get(4)).as("a bare ACK again is no retransmission: it occupies no sequence space").doesNotContain("RETRANSMISSION");
    }
}
