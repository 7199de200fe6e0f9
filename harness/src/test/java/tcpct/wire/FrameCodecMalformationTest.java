package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Malformation;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.segment.SeqNum;
import tcpct.segment.SeqSpace;
import tcpct.segment.TcpOption;

/** Each malformation changes exactly its field on the wire; the octets are read back from the frame itself. */
public class FrameCodecMalformationTest {

    private static final Link LINK = link();
    private static final SeqSpace SPACE = new SeqSpace(SeqNum.of(1000), SeqNum.of(5000));
    private static final int TCP = FrameCodec.ETH_HEADER + 20;

    private static Link link() {
        try {
            return new Link(Link.parseMac("02:00:00:00:00:01"), (Inet4Address) InetAddress.getByName("192.0.2.1"),
                    Link.parseMac("02:00:00:00:00:02"), (Inet4Address) InetAddress.getByName("192.0.2.2"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] frameOf(SegmentTemplate t) {
        return FrameCodec.encode(LINK, t.toSegment(20001, 5001, SPACE, 0, 0), 7);
    }

    private static FrameCodec.Decoded decode(byte[] frame) {
        return FrameCodec.decode(frame).orElseThrow();
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    @Test
    public void aWellFormedSegmentHasBothChecksumsRightAndNoMalformation() {
        FrameCodec.Decoded d = decode(frameOf(ack().seq(1).ack(1).data("hello")));
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.ipChecksumOk()).isTrue();
        assertThat(d.headerOk()).isTrue();
        assertThat(d.segment().malformation()).isEqualTo(Malformation.NONE);
    }

    @Test
    public void badChecksumBreaksOnlyTheTcpChecksum() {
        byte[] good = frameOf(ack().seq(1).ack(1).data("hello"));
        byte[] bad = frameOf(ack().seq(1).ack(1).data("hello").badChecksum());
        FrameCodec.Decoded d = decode(bad);
        assertThat(d.checksumOk()).as("TCP checksum verifies").isFalse();
        assertThat(d.ipChecksumOk()).as("IPv4 checksum verifies").isTrue();
        assertThat(u16(bad, TCP + 16)).isEqualTo(u16(good, TCP + 16) ^ 0x00ff);
        bad[TCP + 16] = good[TCP + 16];
        bad[TCP + 17] = good[TCP + 17];
        assertThat(bad).as("every other octet as in the well-formed frame").isEqualTo(good);
    }

    @Test
    public void aSpoiledChecksumNeverEqualsTheRightOneInOnesComplement() {
        for (int sum : new int[] {0x0000, 0xffff, 0x00ff, 0xff00, 0x1234}) {
            int spoiled = FrameCodec.spoil(sum);
            assertThat(spoiled).isNotEqualTo(sum);
            assertThat(Math.floorMod(spoiled - sum, 0xffff)).as("ones' complement difference of %04x", sum).isNotZero();
        }
    }

    @Test
    public void badIpChecksumBreaksOnlyTheIpChecksum() {
        FrameCodec.Decoded d = decode(frameOf(syn().seq(0).badIpChecksum()));
        assertThat(d.ipChecksumOk()).isFalse();
        assertThat(d.checksumOk()).isTrue();
    }

    @Test
    public void ipOptionsGrowTheIhlAndKeepBothChecksumsRight() {
        byte[] f = frameOf(ack().seq(1).ack(1).data("hello").ipOptions(0x9e, 4, 0, 0, 0x01));
        int ip = FrameCodec.ETH_HEADER;
        assertThat(f[ip] & 0x0f).as("IHL: 20 + 5 octets padded to 8").isEqualTo(7);
        assertThat(f[ip + 20] & 0xff).isEqualTo(0x9e);
        assertThat(new byte[] {f[ip + 25], f[ip + 26], f[ip + 27]}).containsOnly(0);
        assertThat(u16(f, ip + 2)).isEqualTo(28 + 20 + 5);
        FrameCodec.Decoded d = decode(f);
        assertThat(d.ipChecksumOk()).isTrue();
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.segment().payload()).isEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    public void dataOffsetBeyondTheSegmentIsWrittenAndDecodedLeniently() {
        byte[] frame = frameOf(ack().seq(1).ack(1).data("0123456789").dataOffset(15));
        assertThat((frame[TCP + 12] & 0xf0) >> 4).isEqualTo(15);
        assertThat(u16(frame, FrameCodec.ETH_HEADER + 2)).as("IP total length").isEqualTo(20 + 20 + 10);
        FrameCodec.Decoded d = decode(frame);
        assertThat(d.headerOk()).isFalse();
        assertThat(d.checksumOk()).as("the checksum covers the octets as sent").isTrue();
        assertThat(d.segment().malformation().dataOffset()).isEqualTo(15);
        assertThat(new String(d.segment().payload())).isEqualTo("0123456789");
    }

    @Test
    public void dataOffsetBelowFiveIsWritten() {
        byte[] frame = frameOf(syn().seq(0).dataOffset(4));
        assertThat((frame[TCP + 12] & 0xf0) >> 4).isEqualTo(4);
        FrameCodec.Decoded d = decode(frame);
        assertThat(d.headerOk()).isFalse();
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.segment().flags()).isEqualTo(Flags.of(Flag.SYN));
    }

    @Test
    public void rawOptionsReplaceTheOptionAreaAndArePaddedToAWord() {
        byte[] frame = frameOf(syn().seq(0).rawOptions(0xfd, 0x00));
        assertThat((frame[TCP + 12] & 0xf0) >> 4).as("data offset").isEqualTo(6);
        assertThat(new byte[] {frame[TCP + 20], frame[TCP + 21], frame[TCP + 22], frame[TCP + 23]})
                .containsExactly(0xfd, 0x00, 0x00, 0x00);
        FrameCodec.Decoded d = decode(frame);
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.segment().options()).as("the length-0 option ends the harness's own parse").isEmpty();
    }

    @Test
    public void rawOptionsMayClaimMoreThanTheHeaderHolds() {
        byte[] frame = frameOf(syn().seq(0).rawOptions(2, 8, 5, 0xb4));
        assertThat(frame[TCP + 21]).isEqualTo((byte) 8);
        assertThat(decode(frame).segment().mss()).isEqualTo(-1);
    }

    @Test
    public void reservedBitsAreSetWithoutTouchingOffsetOrFlags() {
        byte[] frame = frameOf(ack().seq(1).ack(1).reservedBits(0b1111));
        assertThat(frame[TCP + 12] & 0x0f).isEqualTo(0b1111);
        assertThat((frame[TCP + 12] & 0xf0) >> 4).isEqualTo(5);
        assertThat(frame[TCP + 13] & 0xff).isEqualTo(Flag.ACK.bit);
        FrameCodec.Decoded d = decode(frame);
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.segment().malformation().reservedBits()).isEqualTo(0b1111);
    }

    @Test
    public void urgentPointerIsSentAsGiven() {
        byte[] frame = frameOf(SegmentTemplate.of(Flag.ACK, Flag.URG).seq(1).ack(1).data("abc").urgentPointer(1000));
        assertThat(u16(frame, TCP + 18)).isEqualTo(1000);
        assertThat(decode(frame).segment().urgentPointer()).isEqualTo(1000);
        assertThat(decode(frame).checksumOk()).isTrue();
    }

    @Test
    public void malformationsCombineAndShowInTheTemplate() {
        SegmentTemplate t = ack().seq(1).ack(1).badChecksum().reservedBits(2).rawOptions(2, 4, 2, 0);
        assertThat(t.toString()).contains("bad TCP checksum").contains("reserved bits 0010").contains("options 02 04 02 00");
        Segment s = t.toSegment(1, 2, SPACE, 0, 0);
        FrameCodec.Decoded d = decode(FrameCodec.encode(LINK, s, 1));
        assertThat(d.checksumOk()).isFalse();
        assertThat(d.segment().mss()).as("an MSS option on an ACK is encoded as asked").isEqualTo(512);
        assertThat(d.segment().options()).containsExactly(TcpOption.mss(512));
    }

    @Test
    public void outOfRangeMalformationsAreRefused() {
        assertThatThrownBy(() -> ack().dataOffset(16)).hasMessageContaining("data offset takes 4 bits");
        assertThatThrownBy(() -> ack().reservedBits(16)).hasMessageContaining("reserved field takes 4 bits");
        assertThatThrownBy(() -> ack().rawOptions(new int[41])).hasMessageContaining("at most 40");
        assertThatThrownBy(() -> ack().rawOptions(256)).hasMessageContaining("8 bits");
    }
}
