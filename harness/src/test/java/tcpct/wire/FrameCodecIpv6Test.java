package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Malformation;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.segment.TcpOption;

/** TCP over IPv6 on the test wire: the frames, the pseudo-header checksum, and neighbour discovery for the peer. */
public class FrameCodecIpv6Test {

    private static final Link LINK = new Link(Link.parseMac("02:00:00:00:00:01"), IpFamily.IPV6.peerAddress(),
            Link.parseMac("02:00:00:00:00:02"), IpFamily.IPV6.targetAddress());

    /**
     * A SYN from 2001:db8::1 port 20001 to 2001:db8::2 port 5001, seq 1, MSS 1440, window 64240, as the codec must
     * write it. Its TCP checksum 0xe029 was computed apart from the codec (a Python one-off summing RFC 8200 8.1's
     * pseudo-header, the two addresses, the 32-bit length 24 and next header 6, with the TCP header's words), and
     * tshark 4.0 reads the frame, written to a pcap, as "Checksum: 0xe029 [correct]".
     */
    static final String KNOWN_SYN = "020000000002" + "020000000001" + "86dd"
            + "60000000" + "0018" + "06" + "40"
            + "20010db8000000000000000000000001" + "20010db8000000000000000000000002"
            + "4e211389" + "00000001" + "00000000" + "6002" + "faf0" + "e029" + "0000" + "020405a0";

    private static Segment syn() {
        return new Segment(20001, 5001, SeqNum.of(1), SeqNum.of(0), Flags.of(Flag.SYN), 64240, 0, List.of(TcpOption.mss(1440)), new byte[0]);
    }

    @Test
    public void aSynIsEncodedOctetForOctetAsTheKnownFrame() {
        assertThat(HexFormat.of().formatHex(FrameCodec.encode(LINK, syn(), 99))).isEqualTo(KNOWN_SYN);
    }

    @Test
    public void encodeThenDecodeGivesTheSameSegmentAndAddresses() {
        Segment s = new Segment(20001, 5001, SeqNum.of(0xdeadbeefL), SeqNum.of(7), Flags.of(Flag.ACK, Flag.PSH), 29200, 0,
                List.of(), "hello over six".getBytes());
        FrameCodec.Decoded d = FrameCodec.decode(FrameCodec.encode(LINK, s, 1)).orElseThrow();
        assertThat(d.segment()).isEqualTo(s);
        assertThat(d.checksumOk()).isTrue();
        assertThat(d.ipChecksumOk()).as("IPv6 has no header checksum to fail").isTrue();
        assertThat(d.src()).isEqualTo(IpFamily.IPV6.peerAddress());
        assertThat(d.dst()).isEqualTo(IpFamily.IPV6.targetAddress());
        assertThat(d.ttl()).as("hop limit").isEqualTo(64);
    }

    @Test
    public void aTargetFrameWithAWrongPseudoHeaderChecksumIsFlagged() {
        byte[] frame = HexFormat.of().parseHex(KNOWN_SYN);
        assertThat(FrameCodec.decode(frame).orElseThrow().checksumOk()).isTrue();
        // the same octets from another source address: the TCP checksum no longer covers the pseudo-header it travels with
        byte[] moved = frame.clone();
        moved[14 + 8 + 15] = 3; // source 2001:db8::3
        assertThat(FrameCodec.decode(moved).orElseThrow().checksumOk()).isFalse();
        // a checksum one off the right one
        byte[] sum = frame.clone();
        sum[14 + 40 + 17] = (byte) 0x2a;
        assertThat(FrameCodec.decode(sum).orElseThrow().checksumOk()).isFalse();
    }

    @Test
    public void aSegmentWithABadTcpChecksumIsSentWithIt() {
        Segment bad = new Segment(20001, 5001, SeqNum.of(1), SeqNum.of(0), Flags.of(Flag.SYN), 64240, 0, List.of(TcpOption.mss(1440)),
                new byte[0], Malformation.NONE.withBadTcpChecksum());
        byte[] frame = FrameCodec.encode(LINK, bad, 1);
        assertThat(FrameCodec.decode(frame).orElseThrow().checksumOk()).isFalse();
        assertThat(HexFormat.of().formatHex(frame, 0, 70)).as("only the checksum differs").isEqualTo(KNOWN_SYN.substring(0, 140));
    }

    @Test
    public void thereIsNoIpv6HeaderChecksumToSpoil() {
        Segment bad = new Segment(20001, 5001, SeqNum.of(1), SeqNum.of(0), Flags.of(Flag.SYN), 64240, 0, List.of(), new byte[0],
                Malformation.NONE.withBadIpChecksum());
        assertThatThrownBy(() -> FrameCodec.encode(LINK, bad, 1)).hasMessageContaining("IPv6 has no header checksum");
    }

    @Test
    public void framesWithAnExtensionHeaderOrNotTcpAreNotDecoded() {
        byte[] frame = HexFormat.of().parseHex(KNOWN_SYN);
        frame[14 + 6] = 0; // hop-by-hop options header first
        assertThat(FrameCodec.decode(frame)).isEmpty();
        frame[14 + 6] = 17; // UDP
        assertThat(FrameCodec.decode(frame)).isEmpty();
    }

    /** A neighbour solicitation of 2001:db8::2 (MAC 02:..:02) for the peer's 2001:db8::1, to its solicited-node group. */
    static final String SOLICITATION = "333300000001" + "020000000002" + "86dd" + "60000000" + "0020" + "3a" + "ff"
            + "20010db8000000000000000000000002" + "ff0200000000000000000001ff000001"
            + "87" + "00" + "0000" + "00000000" + "20010db8000000000000000000000001" + "0101" + "020000000002";

    @Test
    public void answersANeighbourSolicitationForThePeerWithItsMac() {
        byte[] na = FrameCodec.neighborAdvertisement(LINK, HexFormat.of().parseHex(SOLICITATION)).orElseThrow();
        String hex = HexFormat.of().formatHex(na);
        assertThat(hex).isEqualTo("020000000002" + "020000000001" + "86dd" + "60000000" + "0020" + "3a" + "ff"
                + "20010db8000000000000000000000001" + "20010db8000000000000000000000002"
                + "88" + "00" + hex.substring(2 * 56, 2 * 58) + "60000000" + "20010db8000000000000000000000001" + "0201" + "020000000001");
        int icmp = 14 + 40;
        assertThat(FrameCodec.checksum(na, icmp, na.length - icmp, FrameCodec.pseudoHeaderSum(IpFamily.IPV6.peerAddress(),
                IpFamily.IPV6.targetAddress(), FrameCodec.IP_PROTO_ICMPV6, na.length - icmp))).as("ICMPv6 checksum verifies").isZero();
    }

    @Test
    public void leavesOtherSolicitationsAndDuplicateAddressDetectionUnanswered() {
        byte[] other = HexFormat.of().parseHex(SOLICITATION);
        other[14 + 40 + 8 + 15] = 9; // for 2001:db8::9: not the peer
        assertThat(FrameCodec.neighborAdvertisement(LINK, other)).isEmpty();
        byte[] dad = HexFormat.of().parseHex(SOLICITATION);
        java.util.Arrays.fill(dad, 14 + 8, 14 + 24, (byte) 0); // from ::, probing whether the address is taken
        assertThat(FrameCodec.neighborAdvertisement(LINK, dad)).isEmpty();
    }

    /** An ICMPv6 error as RFC 4443 has it: type, code, MTU, the checksum over the pseudo-header, the invoking packet whole. */
    @Test
    public void anIcmpv6ErrorQuotesTheTargetsPacketWithTheChecksumOverThePseudoHeader() {
        Segment quoted = new Segment(5001, 20001, SeqNum.of(0x01020304), SeqNum.of(9), Flags.of(Flag.ACK), 1000, 0, List.of(), new byte[100]);
        byte[] f = FrameCodec.icmpError(LINK, Icmp.packetTooBig(1280), quoted, 0);
        int ip = FrameCodec.ETH_HEADER;
        int icmp = ip + FrameCodec.IPV6_HEADER;
        int icmpLen = f.length - icmp;
        assertThat(f[ip + 6]).as("next header ICMPv6").isEqualTo((byte) 58);
        assertThat(((f[ip + 4] & 0xff) << 8) | (f[ip + 5] & 0xff)).as("payload length").isEqualTo(icmpLen);
        assertThat(FrameCodec.checksum(f, icmp, icmpLen, FrameCodec.pseudoHeaderSum(LINK.peerIp(), LINK.targetIp(), 58, icmpLen)))
                .as("ICMPv6 checksum over the pseudo-header").isZero();
        assertThat(HexFormat.of().formatHex(f, icmp, icmp + 8)).as("type 2, code 0, MTU 1280").isEqualTo("0200" + HexFormat.of().formatHex(f, icmp + 2, icmp + 4) + "00000500");
        int inner = icmp + 8;
        assertThat(icmpLen).as("the invoking packet whole: its IPv6 header and 120 TCP octets").isEqualTo(8 + 40 + 20 + 100);
        assertThat(f[inner] & 0xf0).isEqualTo(0x60);
        assertThat(java.util.Arrays.copyOfRange(f, inner + 8, inner + 24)).as("quoted source: the target").isEqualTo(LINK.targetIp().getAddress());
        assertThat(HexFormat.of().formatHex(f, inner + 40, inner + 48)).isEqualTo("13894e2101020304"); // ports 5001, 20001, SEQ
    }

    @Test
    public void anIcmpv6ErrorQuotesNoMoreThanFitsIn1280Octets() {
        Segment big = new Segment(5001, 20001, SeqNum.of(1), SeqNum.of(1), Flags.of(Flag.ACK), 1000, 0, List.of(), new byte[1440]);
        byte[] f = FrameCodec.icmpError(LINK, Icmp.destinationUnreachable6(0), big, 0);
        int icmp = FrameCodec.ETH_HEADER + FrameCodec.IPV6_HEADER;
        assertThat(f.length - FrameCodec.ETH_HEADER).as("RFC 4443 2.4 (c): the least IPv6 MTU").isEqualTo(1280);
        assertThat(FrameCodec.checksum(f, icmp, f.length - icmp, FrameCodec.pseudoHeaderSum(LINK.peerIp(), LINK.targetIp(), 58, f.length - icmp))).isZero();
    }

    @Test
    public void icmpv4MessagesMapToTheirIcmpv6Counterparts() {
        assertThat(Icmp.netUnreachable().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(1, 0);
        assertThat(Icmp.hostUnreachable().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(1, 3);
        assertThat(Icmp.adminProhibited().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(1, 1);
        assertThat(Icmp.portUnreachable().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(1, 4);
        assertThat(Icmp.protocolUnreachable().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code, Icmp::rest).containsExactly(4, 1, 6);
        assertThat(Icmp.timeExceeded().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(3, 0);
        assertThat(Icmp.parameterProblem().over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::code).containsExactly(4, 0);
        assertThat(Icmp.fragmentationNeeded(1400).over(IpFamily.IPV6)).extracting(Icmp::type, Icmp::rest).containsExactly(2, 1420);
        assertThat(Icmp.fragmentationNeeded(1000).over(IpFamily.IPV6).rest()).as("never below IPv6's least MTU").isEqualTo(1280);
        assertThat(Icmp.fragmentationNeeded(1000).over(IpFamily.IPV6).setsPathMtu()).isTrue();
        assertThat(Icmp.netUnreachable().over(IpFamily.IPV4)).isEqualTo(Icmp.netUnreachable());
        assertThatThrownBy(() -> Icmp.sourceQuench().over(IpFamily.IPV6)).hasMessageContaining("no ICMPv6 counterpart");
        assertThatThrownBy(() -> FrameCodec.icmpError(LINK, Icmp.netUnreachable(), syn(), 0)).hasMessageContaining("Icmp.over");
    }
}
