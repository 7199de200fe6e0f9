package tcpct.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.segment.SeqSpace;
import tcpct.segment.TcpOption;

public class PktMatchTest {

    private static final SeqSpace SPACE = new SeqSpace(SeqNum.of(5000), SeqNum.of(0xffff_fff0L));

    private static Action.Packet line(String text) {
        return (Action.Packet) PktParser.parse("t.pkt", "+0 > " + text + "\n").events().get(0).action();
    }

    private static Segment fromTarget(long relSeq, long relAck, int window, List<TcpOption> opts, int len, Flag... flags) {
        return new Segment(8080, 40000, SPACE.targetAbsolute(relSeq), SPACE.peerAbsolute(relAck), Flags.of(flags), window, 0, opts, new byte[len]);
    }

    @Test
    public void aMatchingSegmentHasNoDifference() {
        PktMatch m = PktMatch.compare(line("P. 1:1001(1000) ack 1"), fromTarget(1, 1, 502, List.of(), 1000, Flag.PSH, Flag.ACK), SPACE,
                PktSettings.DEFAULTS);
        assertThat(m.strict()).isEmpty();
        assertThat(m.lenient()).isEmpty();
    }

    @Test
    public void wrongFlagsAreStrictInTcpctsSentenceShape() {
        PktMatch m = PktMatch.compare(line("F. 1:1(0) ack 1"), fromTarget(1, 1, 502, List.of(), 0, Flag.RST, Flag.ACK), SPACE,
                PktSettings.DEFAULTS);
        assertThat(m.strict()).containsExactly("flags: expecting FIN,ACK, but was RST,ACK");
        assertThat(m.actualText()).isEqualTo("R. 1:1(0) ack 1");
    }

    @Test
    public void aPshOnlyDifferenceIsTheSendersChoice() {
        PktMatch m = PktMatch.compare(line(". 1:1001(1000) ack 1"), fromTarget(1, 1, 502, List.of(), 1000, Flag.PSH, Flag.ACK), SPACE,
                PktSettings.DEFAULTS);
        assertThat(m.strict()).isEmpty();
        assertThat(m.lenient()).containsExactly("flags: expecting ACK, but was PSH,ACK (PSH is the sender's choice)");
    }

    @Test
    public void seqAckAndLengthAreStrict() {
        PktMatch m = PktMatch.compare(line(". 1:1(0) ack 1"), fromTarget(2, 3, 502, List.of(), 5, Flag.ACK), SPACE, PktSettings.DEFAULTS);
        assertThat(m.strict()).containsExactly("seq: expecting 1, but was 2", "length: expecting 0, but was 5", "ack: expecting 1, but was 3");
    }

    @Test
    public void windowAndOptionsAreLeftToTheImplementation() {
        List<TcpOption> opts = List.of(TcpOption.mss(1460), TcpOption.nop(), new TcpOption(TcpOption.WINDOW_SCALE, new byte[] {10}));
        PktMatch m = PktMatch.compare(line("S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 8>"), fromTarget(0, 1, 64240, opts, 0, Flag.SYN, Flag.ACK),
                SPACE, PktSettings.DEFAULTS);
        assertThat(m.strict()).isEmpty();
        assertThat(m.lenient()).containsExactly("win: expecting 65535, but was 64240",
                "options: expecting <mss 1460,nop,wscale 8>, but was <mss 1460,nop,wscale 10>");
        assertThat(m.actualText()).isEqualTo("S. 0:0(0) ack 1 win 64240 <mss 1460,nop,wscale 10>");
    }

    @Test
    public void anyOptionsAcceptWhateverCameAndTimestampValuesAreNotCompared() {
        byte[] ts = java.nio.ByteBuffer.allocate(8).putInt(777).putInt(100).array();
        List<TcpOption> opts = List.of(TcpOption.nop(), TcpOption.nop(), new TcpOption(TcpOption.TIMESTAMPS, ts));
        Segment s = fromTarget(1, 1, 502, opts, 0, Flag.ACK);
        assertThat(PktMatch.compare(line(". 1:1(0) ack 1 <...>"), s, SPACE, PktSettings.DEFAULTS).lenient()).isEmpty();
        PktMatch m = PktMatch.compare(line(". 1:1(0) ack 1 <nop,nop,TS val 700 ecr 100>"), s, SPACE, PktSettings.DEFAULTS);
        assertThat(m.lenient()).isEmpty();
        assertThat(m.tsOffset()).isEqualTo(77L);
        assertThat(PktMatch.compare(line(". 1:1(0) ack 1"), s, SPACE, PktSettings.DEFAULTS).lenient())
                .containsExactly("options: expecting <>, but was <nop,nop,TS val 777 ecr 100>");
    }

    @Test
    public void sackBlocksAreInThePeersRelativeNumbers() {
        byte[] blk = java.nio.ByteBuffer.allocate(8).putInt(SPACE.peerAbsolute(1001).raw()).putInt(SPACE.peerAbsolute(2001).raw()).array();
        Segment s = fromTarget(1, 1, 502, List.of(TcpOption.nop(), TcpOption.nop(), new TcpOption(5, blk)), 0, Flag.ACK);
        assertThat(PktMatch.compare(line(". 1:1(0) ack 1 <nop,nop,sack 1001:2001>"), s, SPACE, PktSettings.DEFAULTS).lenient()).isEmpty();
        assertThat(PktMatch.compare(line(". 1:1(0) ack 1 <nop,nop,sack 1:2001>"), s, SPACE, PktSettings.DEFAULTS).lenient())
                .containsExactly("options: expecting <nop,nop,sack 1:2001>, but was <nop,nop,sack 1001:2001>");
    }
}
