package tcpct.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;

import java.util.List;
import org.testng.annotations.Test;

public class SegmentTemplateTest {

    private static final SeqSpace SPACE = new SeqSpace(SeqNum.of(0xffff_fff0L), SeqNum.of(1000));

    private static Segment fromTarget(Flags flags, long seqAbs, long ackAbs, byte[] data) {
        return new Segment(5000, 20000, SeqNum.of(seqAbs), SeqNum.of(ackAbs), flags, 65535, 0, List.of(TcpOption.mss(1460)), data);
    }

    @Test
    public void anUrgTemplateSendsItsPointerAndComparesIt() {
        Segment sent = ack().seq(1).ack(1).data("abc").urg(3).toSegment(20000, 5000, SPACE, 0, 0);
        assertThat(sent.flags().has(Flag.URG)).isTrue();
        assertThat(sent.urgentPointer()).isEqualTo(3);
        byte[] abc = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Segment right = new Segment(5000, 20000, SeqNum.of(1001), SeqNum.of(0xffff_fff1L), Flags.of(Flag.ACK, Flag.URG), 65535, 3, List.of(), abc);
        Segment zeroed = new Segment(5000, 20000, SeqNum.of(1001), SeqNum.of(0xffff_fff1L), Flags.of(Flag.ACK, Flag.URG), 65535, 0, List.of(), abc);
        assertThat(ack().seq(1).ack(1).data("abc").urg(3).compare(right, SPACE)).isEmpty();
        assertThat(ack().seq(1).ack(1).data("abc").urg(3).compare(zeroed, SPACE))
                .containsExactly(new FieldMismatch("urp", "3", "0"));
        // without URG in the template the pointer is not looked at
        assertThat(ack().seq(1).ack(1).data("abc").urgentPointer(0).compare(
                new Segment(5000, 20000, SeqNum.of(1001), SeqNum.of(0xffff_fff1L), Flags.of(Flag.ACK), 65535, 9, List.of(), abc), SPACE)).isEmpty();
    }

    @Test
    public void sendFillsAbsoluteNumbersFromRelativeOnesAcrossTheWrap() {
        Segment s = ack().seq(1).ack(1).toSegment(20000, 5000, SPACE, 0, 0);
        assertThat(s.seq().unsigned()).isEqualTo(0xffff_fff1L);
        assertThat(s.ack().unsigned()).isEqualTo(1001L);
        Segment wrapped = ack().seq(0x20).ack(1).toSegment(20000, 5000, SPACE, 0, 0);
        assertThat(wrapped.seq().unsigned()).isEqualTo(0x10L);
    }

    @Test
    public void sendDefaultsSeqAndAckToThePeersOwnCounters() {
        Segment s = finAck().toSegment(20000, 5000, SPACE, 7, 9);
        assertThat(SPACE.peerRelative(s.seq())).isEqualTo(7);
        assertThat(SPACE.targetRelative(s.ack())).isEqualTo(9);
        assertThat(s.seqLength()).isEqualTo(1);
    }

    @Test
    public void aSynCarriesAnMssOptionUnlessToldOtherwise() {
        assertThat(syn().seq(0).toSegment(1, 2, SPACE, 0, 0).mss()).isEqualTo(SegmentTemplate.DEFAULT_MSS);
        assertThat(syn().mss(536).toSegment(1, 2, SPACE, 0, 0).mss()).isEqualTo(536);
        assertThat(syn().options(List.of()).toSegment(1, 2, SPACE, 0, 0).options()).isEmpty();
        assertThat(ack().toSegment(1, 2, SPACE, 0, 0).options()).isEmpty();
    }

    @Test
    public void matchingSegmentHasNoMismatch() {
        Segment s = fromTarget(Flags.of(Flag.SYN, Flag.ACK), 1000, 0xffff_fff1L, new byte[0]);
        assertThat(synAck().seq(0).ack(1).compare(s, SPACE)).isEmpty();
    }

    @Test
    public void everyDifferingFieldIsReportedExpectedVersusActual() {
        Segment rst = fromTarget(Flags.of(Flag.RST, Flag.ACK), 1001, 0xffff_fff0L, new byte[] {1, 2});
        List<FieldMismatch> diff = synAck().seq(0).ack(1).win(100).compare(rst, SPACE);
        assertThat(diff).extracting(FieldMismatch::field).containsExactly("flags", "seq", "ack", "win", "data");
        assertThat(diff.get(0)).hasToString("flags: expecting SYN,ACK, but was RST,ACK");
        assertThat(diff.get(1)).hasToString("seq: expecting 0, but was 1");
        assertThat(diff.get(2)).hasToString("ack: expecting 1, but was 0");
        assertThat(diff.get(4).actual()).startsWith("2 octets");
    }

    @Test
    public void flagsMustMatchExactlyPshIncluded() {
        Segment withPsh = fromTarget(Flags.of(Flag.ACK, Flag.PSH), 1001, 0xffff_fff1L, "hi".getBytes());
        assertThat(ack().seq(1).ack(1).data("hi").compare(withPsh, SPACE)).extracting(FieldMismatch::field).containsExactly("flags");
        assertThat(ack().seq(1).ack(1).data("hi").psh().compare(withPsh, SPACE)).isEmpty();
    }

    @Test
    public void mssIsCheckedOnlyWhenTheTemplateNamesIt() {
        Segment s = fromTarget(Flags.of(Flag.SYN, Flag.ACK), 1000, 0xffff_fff1L, new byte[0]);
        assertThat(synAck().mss(1460).compare(s, SPACE)).isEmpty();
        assertThat(synAck().mss(536).compare(s, SPACE)).extracting(FieldMismatch::toString).containsExactly("mss: expecting 536, but was 1460");
    }

    @Test
    public void ackNumberNeedsTheAckBit() {
        assertThatThrownBy(() -> syn().ack(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void relativeAckNeedsTheTargetsIsn() {
        SeqSpace fresh = SeqSpace.withPeerIsn(SeqNum.of(5));
        assertThatThrownBy(() -> ack().ack(1).toSegment(1, 2, fresh, 0, 0)).hasMessageContaining("ISN is not known");
    }

    @Test
    public void templatesReadLikeTheWire() {
        assertThat(synAck().seq(0).ack(1)).hasToString("SYN,ACK seq 0 ack 1");
        assertThat(finAck().seq(1).ack(2)).hasToString("FIN,ACK seq 1 ack 2");
    }
}
