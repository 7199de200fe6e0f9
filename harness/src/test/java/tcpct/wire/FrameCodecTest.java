package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.segment.TcpOption;

public class FrameCodecTest {

    private static final Link LINK = link();

    private static Link link() {
        try {
            return new Link(Link.parseMac("02:00:00:00:00:01"), (Inet4Address) InetAddress.getByName("192.0.2.1"),
                    Link.parseMac("02:00:00:00:00:02"), (Inet4Address) InetAddress.getByName("192.0.2.2"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Segment segment(byte[] data) {
        return new Segment(20001, 5001, SeqNum.of(0xdeadbeefL), SeqNum.of(7), Flags.of(Flag.SYN, Flag.ACK), 29200, 0,
                List.of(TcpOption.mss(1460), TcpOption.nop(), new TcpOption(TcpOption.WINDOW_SCALE, new byte[] {7})), data);
    }

    @Test
    public void encodeThenDecodeGivesTheSameSegmentWithValidChecksums() {
        Segment s = segment("hello".getBytes());
        byte[] frame = FrameCodec.encode(LINK, s, 42);
        FrameCodec.Decoded d = FrameCodec.decode(frame).orElseThrow();
        assertThat(d.segment()).isEqualTo(s);
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.src().getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(FrameCodec.checksum(frame, FrameCodec.ETH_HEADER, 20, 0)).as("IPv4 header checksum verifies").isZero();
    }

    @Test
    public void shortFramesArePaddedToTheEthernetMinimumAndStillDecode() {
        Segment s = new Segment(1, 2, SeqNum.of(1), SeqNum.of(0), Flags.of(Flag.RST), 0, 0, List.of(), new byte[0]);
        byte[] frame = FrameCodec.encode(LINK, s, 1);
        assertThat(frame).hasSize(60);
        assertThat(FrameCodec.decode(frame).orElseThrow().segment()).isEqualTo(s);
    }

    @Test
    public void aFlippedBitFailsTheTcpChecksum() {
        byte[] frame = FrameCodec.encode(LINK, segment("hello".getBytes()), 1);
        frame[frame.length - 1] ^= 0x01;
        assertThat(FrameCodec.decode(frame).orElseThrow().checksumOk()).isFalse();
    }

    @Test
    public void checksumMatchesAKnownValue() {
        // RFC 1071's example words 0001 f203 f4f5 f6f7 sum to ddf2 before complement
        byte[] words = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(FrameCodec.checksum(words, 0, words.length, 0)).isEqualTo(~0xddf2 & 0xffff);
    }

    @Test
    public void nonTcpFramesAreIgnored() {
        byte[] frame = FrameCodec.encode(LINK, segment(new byte[0]), 1);
        frame[FrameCodec.ETH_HEADER + 9] = 17; // UDP
        assertThat(FrameCodec.decode(frame)).isEmpty();
        byte[] arp = frame.clone();
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(FrameCodec.decode(arp)).isEmpty();
    }

    @Test
    public void malformedOptionsEndTheListWithoutThrowing() {
        byte[] opts = {2, 4, 5, (byte) 0xb4, 3, 0 /* length 0: malformed */, 1, 1};
        assertThat(FrameCodec.parseOptions(opts, 0, opts.length)).containsExactly(TcpOption.mss(1460));
        byte[] truncated = {2, 4, 5};
        assertThat(FrameCodec.parseOptions(truncated, 0, truncated.length)).isEmpty();
    }

    @Test
    public void icmpErrorQuotesTheTargetsSegmentWithRightChecksums() {
        tcpct.segment.Segment quoted = new tcpct.segment.Segment(5001, 20001, tcpct.segment.SeqNum.of(0x01020304), tcpct.segment.SeqNum.of(9),
                tcpct.segment.Flags.of(tcpct.segment.Flag.ACK), 1000, 0, java.util.List.of(), new byte[100]);
        byte[] f = FrameCodec.icmpError(LINK, Icmp.fragmentationNeeded(1000), quoted, 3);
        int ip = FrameCodec.ETH_HEADER;
        int icmp = ip + 20;
        assertThat(f[ip + 9]).as("protocol ICMP").isEqualTo((byte) 1);
        assertThat(FrameCodec.checksum(f, ip, 20, 0)).as("outer IPv4 header checksum").isZero();
        assertThat(FrameCodec.checksum(f, icmp, f.length - icmp, 0)).as("ICMP checksum").isZero();
        assertThat(new int[] {f[icmp] & 0xff, f[icmp + 1] & 0xff, ((f[icmp + 6] & 0xff) << 8) | (f[icmp + 7] & 0xff)}).containsExactly(3, 4, 1000);
        int inner = icmp + 8;
        assertThat(FrameCodec.checksum(f, inner, 20, 0)).as("quoted IPv4 header checksum").isZero();
        assertThat(((f[inner + 2] & 0xff) << 8) | (f[inner + 3] & 0xff)).as("quoted total length").isEqualTo(20 + 20 + 100);
        assertThat(java.util.Arrays.copyOfRange(f, inner + 12, inner + 16)).isEqualTo(LINK.targetIp().getAddress()); // from the target
        assertThat(HexFormat.of().formatHex(f, inner + 20, inner + 28)).isEqualTo("13894e2101020304"); // ports 5001, 20001, SEQ
        assertThat(f.length).isEqualTo(ip + 20 + 8 + 28);
    }

    @Test
    public void optionsAreaAuditNamesMust68AndMust69Breaches() {
        byte[] good = {2, 4, 5, (byte) 0xb4, 4, 2, 1, 3, 3, 7, 0, 0}; // MSS, SACK-permitted, NOP, WS, EOL, padding
        assertThat(FrameCodec.optionsProblem(good, 0, good.length)).isEmpty();
        byte[] lengthOne = {2, 1, 5, (byte) 0xb4};
        assertThat(FrameCodec.optionsProblem(lengthOne, 0, lengthOne.length)).contains("kind 2 at octet 0 has length 1").contains("MUST-68");
        byte[] pastEnd = {1, 8, 10, 0, 0, 0, 0};
        assertThat(FrameCodec.optionsProblem(pastEnd, 0, pastEnd.length)).contains("kind 8 at octet 1 has length 10, 4 octets past").contains("MUST-68");
        byte[] noLength = {1, 1, 1, 30};
        assertThat(FrameCodec.optionsProblem(noLength, 0, noLength.length)).contains("kind 30 at octet 3 has no length octet");
        byte[] garbage = {0, 4, 5, (byte) 0xb4};
        assertThat(FrameCodec.optionsProblem(garbage, 0, garbage.length)).isEqualTo("octet 1, after the EOL at octet 0, is 0x04, not zero padding (MUST-69)");
    }

    @Test
    public void answersArpForThePeerOnlyWithThePeersMac() {
        byte[] req = HexFormat.of().parseHex("ffffffffffff" + "020000000002" + "0806" + "0001080006040001"
                + "020000000002" + "c0000202" + "000000000000" + "c0000201" + "0000000000000000000000000000000000");
        byte[] reply = FrameCodec.arpReply(LINK, req).orElseThrow();
        assertThat(HexFormat.of().formatHex(reply, 0, 42)).isEqualTo("020000000002" + "020000000001" + "0806" + "0001080006040002"
                + "020000000001" + "c0000201" + "020000000002" + "c0000202");
        byte[] other = req.clone();
        other[14 + 27] = 9; // who-has 192.0.2.9: not ours to answer
        assertThat(FrameCodec.arpReply(LINK, other)).isEmpty();
    }

    @Test
    public void announcesThePeerWithABroadcastArpRequestForTheTarget() {
        byte[] req = FrameCodec.arpRequest(LINK);
        assertThat(req).hasSize(60);
        assertThat(HexFormat.of().formatHex(req, 0, 42)).isEqualTo("ffffffffffff" + "020000000001" + "0806" + "0001080006040001"
                + "020000000001" + "c0000201" + "000000000000" + "c0000202");
    }

    @Test
    public void aSourceRoutedSegmentIsSummedOverItsFinalDestinationAndKeepsItsOptions() throws Exception {
        // on its way to the hop 192.0.2.9, with the rest of the route (192.0.2.1, the final destination) in an LSRR
        InetAddress hop = InetAddress.getByName("192.0.2.9");
        InetAddress peer = InetAddress.getByName("192.0.2.1");
        Segment s = segment(new byte[0]);
        byte[] tcp = FrameCodec.tcpBytes(s, LINK.targetIp(), peer);
        byte[] options = {(byte) 0x83, 7, 4, (byte) 192, 0, 2, 1, 0};
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(FrameCodec.ETH_HEADER + 28 + tcp.length);
        b.put(LINK.peerMac()).put(LINK.targetMac()).putShort((short) FrameCodec.ETHERTYPE_IPV4);
        b.put((byte) 0x47).put((byte) 0).putShort((short) (28 + tcp.length)).putInt(0).put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(LINK.targetIp().getAddress()).put(hop.getAddress()).put(options).put(tcp);
        FrameCodec.Decoded d = FrameCodec.decode(b.array()).orElseThrow();
        assertThat(d.checksumOk()).as("TCP checksum over the pseudo-header's final destination").isTrue();
        assertThat(d.dst()).isEqualTo(hop);
        assertThat(d.ipOptions()).isEqualTo(options);
        assertThat(FrameCodec.finalDestination(new byte[] {(byte) 0x83, 7, 8, (byte) 192, 0, 2, 9, 0}, peer))
                .as("a completed route: the datagram's destination is the final one").isEqualTo(peer);
    }
}
