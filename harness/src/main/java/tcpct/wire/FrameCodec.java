package tcpct.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import tcpct.segment.Flags;
import tcpct.segment.Malformation;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;
import tcpct.segment.TcpOption;

/**
 * Ethernet II / IPv4 or IPv6 / TCP, encoded and decoded by the harness itself, so that a scenario controls every
 * octet (including wrong ones) and the capture library only moves bytes.
 */
public final class FrameCodec {

    static final int ETH_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int IP_PROTO_TCP = 6;
    static final int IP_PROTO_ICMPV6 = 58;
    static final int IPV6_HEADER = 40;

    private FrameCodec() {
    }

    /**
     * A frame from the peer to the target carrying {@code segment}, with correct IPv4 and TCP checksums
     * unless the segment's {@link Malformation} says otherwise (each malformation touches only its field).
     * Over IPv6 ({@code link}'s addresses say which) {@code ipId} goes unused and there is no header checksum
     * to spoil: a segment that asks for a bad one cannot be sent.
     */
    public static byte[] encode(Link link, Segment segment, int ipId) {
        if (link.family() == IpFamily.IPV6) {
            return encode6(link, segment);
        }
        byte[] tcp = tcpBytes(segment, link.peerIp(), link.targetIp());
        byte[] ipOptions = segment.malformation().ipOptions() == null ? new byte[0] : segment.malformation().ipOptions();
        int ipHeader = 20 + ((ipOptions.length + 3) & ~3);
        int ipLen = ipHeader + tcp.length;
        ByteBuffer b = ByteBuffer.allocate(Math.max(ETH_HEADER + ipLen, 60));
        b.put(link.targetMac()).put(link.peerMac()).putShort((short) ETHERTYPE_IPV4);
        int ipStart = b.position();
        ipv4Header(b, ipHeader, ipLen, ipId, true, IP_PROTO_TCP, link.peerIp(), link.targetIp());
        b.put(ipOptions).position(ipStart + ipHeader); // zero padding: EOL octets (RFC 791)
        byte[] arr = b.array();
        int ipSum = checksum(arr, ipStart, ipHeader, 0);
        if (segment.malformation().badIpChecksum()) {
            ipSum = spoil(ipSum);
        }
        arr[ipStart + 10] = (byte) (ipSum >> 8);
        arr[ipStart + 11] = (byte) ipSum;
        b.put(tcp);
        return arr; // zero padded to the Ethernet minimum of 60 octets
    }

    private static byte[] encode6(Link link, Segment segment) {
        if (segment.malformation().ipOptions() != null) {
            throw new IllegalArgumentException("IPv6 has no IP options (RFC 8200 4: extension headers instead): " + segment);
        }
        if (segment.malformation().badIpChecksum()) {
            throw new IllegalArgumentException("IPv6 has no header checksum (RFC 8200 3) to send wrong: " + segment);
        }
        byte[] tcp = tcpBytes(segment, link.peerIp(), link.targetIp());
        ByteBuffer b = ByteBuffer.allocate(Math.max(ETH_HEADER + IPV6_HEADER + tcp.length, 60));
        b.put(link.targetMac()).put(link.peerMac()).putShort((short) ETHERTYPE_IPV6);
        ipv6Header(b, tcp.length, IP_PROTO_TCP, 64, link.peerIp(), link.targetIp());
        b.put(tcp);
        return b.array();
    }

    /**
     * Version 4 and {@code headerLength} (20, or more with options written after it by the caller), type of service 0,
     * the total length, {@code id}, DF or no flags, TTL 64, the protocol, a zero checksum (the caller fills it in once the
     * header is whole) and the two addresses.
     */
    private static void ipv4Header(ByteBuffer b, int headerLength, int totalLength, int id, boolean dontFragment, int protocol,
                                   InetAddress src, InetAddress dst) {
        b.put((byte) (0x40 | headerLength / 4)).put((byte) 0).putShort((short) totalLength).putShort((short) id)
                .putShort((short) (dontFragment ? 0x4000 : 0)).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src.getAddress()).put(dst.getAddress());
    }

    /** Version 6, traffic class and flow label 0, then payload length, next header, hop limit and the two addresses. */
    private static void ipv6Header(ByteBuffer b, int payloadLength, int nextHeader, int hopLimit, InetAddress src, InetAddress dst) {
        b.putInt(0x6000_0000).putShort((short) payloadLength).put((byte) nextHeader).put((byte) hopLimit)
                .put(src.getAddress()).put(dst.getAddress());
    }

    static byte[] tcpBytes(Segment s, InetAddress src, InetAddress dst) {
        Malformation m = s.malformation();
        byte[] opts = m.rawOptions() != null ? m.rawOptions() : optionBytes(s.options());
        int padded = (opts.length + 3) & ~3;
        int headerLen = 20 + padded;
        if (headerLen > 60) {
            throw new IllegalArgumentException("TCP options take " + opts.length + " octets; at most 40 fit in the header");
        }
        int offsetWords = m.dataOffset() != null ? m.dataOffset() : headerLen / 4;
        int reserved = m.reservedBits() != null ? m.reservedBits() : 0;
        ByteBuffer b = ByteBuffer.allocate(headerLen + s.payloadLength());
        b.putShort((short) s.srcPort()).putShort((short) s.dstPort()).putInt(s.seq().raw()).putInt(s.ack().raw())
                .put((byte) (offsetWords << 4 | reserved)).put((byte) s.flags().bits()).putShort((short) s.window())
                .putShort((short) 0).putShort((short) s.urgentPointer());
        b.put(opts);
        for (int i = opts.length; i < padded; i++) {
            b.put((byte) TcpOption.EOL);
        }
        b.put(s.payload());
        byte[] tcp = b.array();
        int sum = checksum(tcp, 0, tcp.length, pseudoHeaderSum(src, dst, IP_PROTO_TCP, tcp.length));
        if (m.badTcpChecksum()) {
            sum = spoil(sum);
        }
        tcp[16] = (byte) (sum >> 8);
        tcp[17] = (byte) sum;
        return tcp;
    }

    private static byte[] optionBytes(List<TcpOption> options) {
        ByteBuffer b = ByteBuffer.allocate(options.stream().mapToInt(TcpOption::length).sum());
        for (TcpOption o : options) {
            b.put((byte) o.kind());
            if (o.length() > 1) {
                b.put((byte) o.length()).put(o.data());
            }
        }
        return b.array();
    }

    /**
     * A checksum that no longer verifies: flipping the low 8 bits changes its ones' complement value by
     * 1 to 255, never by 0xffff, so even 0x0000 and 0xffff (the two zeros) cannot turn into each other.
     */
    static int spoil(int checksum) {
        return checksum ^ 0x00ff;
    }

    static final int IP_PROTO_ICMP = 1;

    /**
     * A frame from the peer to the target carrying the ICMPv4 error {@code message} about {@code quoted}, a segment the
     * target sent to the peer: the quoted datagram's IPv4 header (as the target's kernel would have built it: no
     * options, DF, the segment's length) and its first 8 TCP octets (ports and SEQ), which is all RFC 792 asks for and
     * all a TCP needs to find the connection (RFC 9293 3.9.2.2). Over an IPv6 {@code link} the message is an ICMPv6 one
     * ({@link #icmp6Error}); {@code message} goes over the link's IP version.
     */
    public static byte[] icmpError(Link link, Icmp message, Segment quoted, int ipId) {
        if (link.family() != message.family()) {
            throw new IllegalArgumentException(message + " goes over " + message.family() + "; the link is " + link.family()
                    + " (Icmp.over gives the counterpart)");
        }
        if (link.family() == IpFamily.IPV6) {
            return icmp6Error(link, message, quoted);
        }
        byte[] tcp = tcpBytes(quoted, link.targetIp(), link.peerIp());
        ByteBuffer inner = ByteBuffer.allocate(28);
        ipv4Header(inner, 20, 20 + tcp.length, 0, true, IP_PROTO_TCP, link.targetIp(), link.peerIp());
        byte[] in = inner.array();
        int innerSum = checksum(in, 0, 20, 0);
        in[10] = (byte) (innerSum >> 8);
        in[11] = (byte) innerSum;
        System.arraycopy(tcp, 0, in, 20, 8);
        ByteBuffer icmp = ByteBuffer.allocate(8 + in.length);
        icmp.put((byte) message.type()).put((byte) message.code()).putShort((short) 0).putInt(message.rest()).put(in);
        byte[] body = icmp.array();
        int sum = checksum(body, 0, body.length, 0);
        body[2] = (byte) (sum >> 8);
        body[3] = (byte) sum;
        ByteBuffer b = ByteBuffer.allocate(ETH_HEADER + 20 + body.length);
        b.put(link.targetMac()).put(link.peerMac()).putShort((short) ETHERTYPE_IPV4);
        int ipStart = b.position();
        ipv4Header(b, 20, 20 + body.length, ipId, false, IP_PROTO_ICMP, link.peerIp(), link.targetIp());
        byte[] arr = b.array();
        int ipSum = checksum(arr, ipStart, 20, 0);
        arr[ipStart + 10] = (byte) (ipSum >> 8);
        arr[ipStart + 11] = (byte) ipSum;
        b.put(body);
        return arr;
    }

    /** The most an ICMPv6 error message may take, its IPv6 header included: the least IPv6 MTU (RFC 4443 2.4 (c)). */
    static final int ICMPV6_ERROR_MAX = 1280;

    /**
     * The ICMPv6 error {@code message} (RFC 4443) about {@code quoted}, from the peer to the target: type, code, checksum
     * over the IPv6 pseudo-header (RFC 4443 2.3, RFC 8200 8.1), the four octets of {@code rest} (Packet Too Big's MTU,
     * Parameter Problem's pointer), then as much of the invoking packet as fits in 1280 octets (RFC 4443 2.4 (c)): its
     * IPv6 header as the target's kernel built it (traffic class and flow label 0, hop limit 64) and its TCP segment.
     */
    private static byte[] icmp6Error(Link link, Icmp message, Segment quoted) {
        byte[] tcp = tcpBytes(quoted, link.targetIp(), link.peerIp());
        ByteBuffer invoking = ByteBuffer.allocate(IPV6_HEADER + tcp.length);
        ipv6Header(invoking, tcp.length, IP_PROTO_TCP, 64, link.targetIp(), link.peerIp());
        invoking.put(tcp);
        int quotedOctets = Math.min(invoking.capacity(), ICMPV6_ERROR_MAX - IPV6_HEADER - 8);
        ByteBuffer icmp = ByteBuffer.allocate(8 + quotedOctets);
        icmp.put((byte) message.type()).put((byte) message.code()).putShort((short) 0).putInt(message.rest())
                .put(invoking.array(), 0, quotedOctets);
        byte[] body = icmp.array();
        int sum = checksum(body, 0, body.length, pseudoHeaderSum(link.peerIp(), link.targetIp(), IP_PROTO_ICMPV6, body.length));
        body[2] = (byte) (sum >> 8);
        body[3] = (byte) sum;
        ByteBuffer b = ByteBuffer.allocate(ETH_HEADER + IPV6_HEADER + body.length);
        b.put(link.targetMac()).put(link.peerMac()).putShort((short) ETHERTYPE_IPV6);
        ipv6Header(b, body.length, IP_PROTO_ICMPV6, 64, link.peerIp(), link.targetIp());
        b.put(body);
        return b.array();
    }

    static final int ETHERTYPE_ARP = 0x0806;

    /**
     * The reply to an ARP request for the peer's address, or empty. A user-space stack resolves the peer
     * by ARP (a kernel target has a permanent neighbour entry instead); the harness answers as the peer.
     */
    public static Optional<byte[]> arpReply(Link link, byte[] frame) {
        if (frame.length < ETH_HEADER + 28 || u16(frame, 12) != ETHERTYPE_ARP) {
            return Optional.empty();
        }
        int a = ETH_HEADER;
        boolean ethIpv4Request = u16(frame, a) == 1 && u16(frame, a + 2) == ETHERTYPE_IPV4 && frame[a + 4] == 6
                && frame[a + 5] == 4 && u16(frame, a + 6) == 1;
        if (!ethIpv4Request || !Arrays.equals(Arrays.copyOfRange(frame, a + 24, a + 28), link.peerIp().getAddress())) {
            return Optional.empty();
        }
        byte[] senderMac = Arrays.copyOfRange(frame, a + 8, a + 14);
        byte[] senderIp = Arrays.copyOfRange(frame, a + 14, a + 18);
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(senderMac).put(link.peerMac()).putShort((short) ETHERTYPE_ARP)
                .putShort((short) 1).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4).putShort((short) 2)
                .put(link.peerMac()).put(link.peerIp().getAddress()).put(senderMac).put(senderIp);
        return Optional.of(b.array());
    }

    static final int ND_NEIGHBOR_SOLICITATION = 135;
    static final int ND_NEIGHBOR_ADVERTISEMENT = 136;

    /**
     * The neighbour advertisement answering a neighbour solicitation for the peer's IPv6 address, or empty: ARP's
     * counterpart (RFC 4861 7.2.4), for a user-space stack that resolves the peer (a kernel target has a permanent
     * neighbour entry instead). {@code link} is the IPv6 one. Solicited and Override set, the peer's MAC as the
     * target link-layer address option, hop limit 255 as RFC 4861 requires of every ND message.
     */
    public static Optional<byte[]> neighborAdvertisement(Link link, byte[] frame) {
        int ip = ETH_HEADER;
        int icmp = ip + IPV6_HEADER;
        if (frame.length < icmp + 24 || u16(frame, 12) != ETHERTYPE_IPV6 || frame[ip + 6] != IP_PROTO_ICMPV6
                || (frame[icmp] & 0xff) != ND_NEIGHBOR_SOLICITATION || frame[icmp + 1] != 0
                || !Arrays.equals(Arrays.copyOfRange(frame, icmp + 8, icmp + 24), link.peerIp().getAddress())) {
            return Optional.empty();
        }
        byte[] asker = Arrays.copyOfRange(frame, ip + 8, ip + 24);
        if (Arrays.equals(asker, new byte[16])) {
            return Optional.empty(); // duplicate address detection for our address: not a question to answer
        }
        byte[] askerMac = Arrays.copyOfRange(frame, 6, 12);
        ByteBuffer icmpv6 = ByteBuffer.allocate(32);
        icmpv6.put((byte) ND_NEIGHBOR_ADVERTISEMENT).put((byte) 0).putShort((short) 0).putInt(0x6000_0000)
                .put(link.peerIp().getAddress()).put((byte) 2).put((byte) 1).put(link.peerMac());
        byte[] body = icmpv6.array();
        InetAddress dst = address(asker);
        int sum = checksum(body, 0, body.length, pseudoHeaderSum(link.peerIp(), dst, IP_PROTO_ICMPV6, body.length));
        body[2] = (byte) (sum >> 8);
        body[3] = (byte) sum;
        ByteBuffer b = ByteBuffer.allocate(ETH_HEADER + IPV6_HEADER + body.length);
        b.put(askerMac).put(link.peerMac()).putShort((short) ETHERTYPE_IPV6);
        ipv6Header(b, body.length, IP_PROTO_ICMPV6, 255, link.peerIp(), dst);
        b.put(body);
        return Optional.of(b.array());
    }

    /**
     * A broadcast ARP request of the peer for the target's address: announces the peer's MAC, as any host
     * coming up does, so that a user-space stack that learns neighbours from ARP (slirp) has it before its
     * first segment instead of queueing that segment until its next poll round.
     */
    public static byte[] arpRequest(Link link) {
        ByteBuffer b = ByteBuffer.allocate(60);
        byte[] broadcast = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        b.put(broadcast).put(link.peerMac()).putShort((short) ETHERTYPE_ARP)
                .putShort((short) 1).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(link.peerMac()).put(link.peerIp().getAddress()).put(new byte[6]).put(link.targetIp().getAddress());
        return b.array();
    }

    /**
     * The TCP frame inside {@code frame}, over IPv4 or IPv6, or empty when it is something else (ARP, ICMP, UDP,
     * a fragment, an IPv6 extension header before TCP: the harness sends none and the targets send none on this wire).
     */
    public static Optional<Decoded> decode(byte[] frame) {
        if (frame.length >= ETH_HEADER + IPV6_HEADER + 20 && u16(frame, 12) == ETHERTYPE_IPV6) {
            return decode6(frame);
        }
        if (frame.length < ETH_HEADER + 20 || u16(frame, 12) != ETHERTYPE_IPV4) {
            return Optional.empty();
        }
        int ip = ETH_HEADER;
        int ihl = (frame[ip] & 0x0f) * 4;
        int totalLen = u16(frame, ip + 2);
        int fragment = u16(frame, ip + 6) & 0x3fff;
        if ((frame[ip] & 0xf0) != 0x40 || ihl < 20 || frame[ip + 9] != IP_PROTO_TCP || fragment != 0
                || totalLen < ihl + 20 || ip + totalLen > frame.length) {
            return Optional.empty();
        }
        InetAddress src = address(Arrays.copyOfRange(frame, ip + 12, ip + 16));
        InetAddress dst = address(Arrays.copyOfRange(frame, ip + 16, ip + 20));
        byte[] ipOptions = Arrays.copyOfRange(frame, ip + 20, ip + ihl);
        return Optional.of(decodeTcp(frame, ip + ihl, totalLen - ihl, src, dst, finalDestination(ipOptions, dst), frame[ip + 8] & 0xff,
                frame[ip + 1] & 0xff, checksum(frame, ip, ihl, 0) == 0, ipOptions));
    }

    private static Optional<Decoded> decode6(byte[] frame) {
        int ip = ETH_HEADER;
        int payloadLen = u16(frame, ip + 4);
        if ((frame[ip] & 0xf0) != 0x60 || frame[ip + 6] != IP_PROTO_TCP || payloadLen < 20
                || ip + IPV6_HEADER + payloadLen > frame.length) {
            return Optional.empty();
        }
        InetAddress src = address(Arrays.copyOfRange(frame, ip + 8, ip + 24));
        InetAddress dst = address(Arrays.copyOfRange(frame, ip + 24, ip + 40));
        // IPv6 has no header checksum: the TCP checksum over the pseudo-header (RFC 8200 8.1) is the only one
        int trafficClass = (frame[ip] & 0x0f) << 4 | (frame[ip + 1] & 0xf0) >> 4;
        return Optional.of(decodeTcp(frame, ip + IPV6_HEADER, payloadLen, src, dst, dst, frame[ip + 7] & 0xff, trafficClass, true,
                new byte[0]));
    }

    /** The TCP segment of {@code tcpLen} octets at {@code t}, carried from {@code src} to {@code dst}. */
    private static Decoded decodeTcp(byte[] frame, int t, int tcpLen, InetAddress src, InetAddress dst, InetAddress pseudoDst, int ttl,
                                     int tos, boolean ipChecksumOk, byte[] ipOptions) {
        int offsetWords = (frame[t + 12] & 0xf0) >> 4;
        int dataOffset = offsetWords * 4;
        // A Data Offset below 5 words or past the segment leaves no header to trust: the segment is shown with
        // the 20 fixed octets, no options and the rest as text, and marked (headerOk false, the offset kept).
        boolean headerOk = dataOffset >= 20 && dataOffset <= tcpLen;
        int textFrom = headerOk ? dataOffset : 20;
        List<TcpOption> options = headerOk ? parseOptions(frame, t + 20, t + dataOffset) : List.of();
        byte[] payload = Arrays.copyOfRange(frame, t + textFrom, t + tcpLen);
        int reserved = frame[t + 12] & 0x0f;
        Malformation seen = Malformation.NONE;
        if (!headerOk) {
            seen = seen.withDataOffset(offsetWords);
        }
        if (reserved != 0) {
            seen = seen.withReservedBits(reserved);
        }
        Segment seg = new Segment(u16(frame, t), u16(frame, t + 2), new SeqNum(i32(frame, t + 4)),
                new SeqNum(i32(frame, t + 8)), new Flags(frame[t + 13] & 0xff), u16(frame, t + 14),
                u16(frame, t + 18), options, payload, seen);
        boolean checksumOk = checksum(frame, t, tcpLen, pseudoHeaderSum(src, pseudoDst, IP_PROTO_TCP, tcpLen)) == 0;
        byte[] srcMac = Arrays.copyOfRange(frame, 6, 12);
        String optionsProblem = headerOk ? optionsProblem(frame, t + 20, t + dataOffset) : "";
        return new Decoded(srcMac, src, dst, seg, checksumOk, ttl, tos, headerOk, ipChecksumOk, optionsProblem, ipOptions);
    }

    /**
     * The destination a TCP checksum's pseudo-header names for an IPv4 datagram with header options {@code o} sent to
     * {@code dst}: the last address of a loose or strict source route not yet completed (its pointer within it: the
     * datagram is on its way to a hop, RFC 791 3.1; RFC 1122 3.2.1.8, and as Linux sums it), else {@code dst}.
     */
    static InetAddress finalDestination(byte[] o, InetAddress dst) {
        for (byte[] option : Ipv4Options.parse(o)) {
            int type = option[0] & 0xff;
            int len = option.length;
            if ((type == Ipv4Options.LSRR || type == Ipv4Options.SSRR) && len >= 7 && (option[2] & 0xff) <= len) {
                return address(Arrays.copyOfRange(option, len - 4, len));
            }
        }
        return dst;
    }

    /**
     * A decoded frame: who sent it at layer 2 and 3, the segment, whether its TCP checksum held, its TTL (IPv6:
     * hop limit) and its type of service octet (IPv6: traffic class; DSCP in the high six bits), whether its Data Offset made sense (5 words up to the segment's length), and whether its IPv4
     * header checksum held (always true over IPv6, which has none), and what is wrong with its options area
     * ({@link #optionsProblem}; empty when nothing is), and the octets of its IPv4 header options (empty over IPv6).
     */
    public record Decoded(byte[] srcMac, InetAddress src, InetAddress dst, Segment segment, boolean checksumOk, int ttl, int tos,
                          boolean headerOk, boolean ipChecksumOk, String optionsProblem, byte[] ipOptions) {
    }

    /**
     * What breaks RFC 9293 3.1 in the options area {@code b[from, to)} (the octets between the fixed header and the
     * Data Offset), in one phrase, or empty: every option but EOL and NOP has a length octet, of at least 2, that
     * ends inside the area (MUST-68), and every octet after an EOL is zero padding (MUST-69). Offsets count from
     * the first option octet.
     */
    static String optionsProblem(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int kind = b[i] & 0xff;
            if (kind == TcpOption.EOL) {
                for (int j = i + 1; j < to; j++) {
                    if (b[j] != 0) {
                        return String.format("octet %d, after the EOL at octet %d, is 0x%02x, not zero padding (MUST-69)", j - from, i - from, b[j] & 0xff);
                    }
                }
                return "";
            }
            if (kind == TcpOption.NOP) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                return "option kind " + kind + " at octet " + (i - from) + " has no length octet before the Data Offset (MUST-68)";
            }
            int len = b[i + 1] & 0xff;
            if (len < 2) {
                return "option kind " + kind + " at octet " + (i - from) + " has length " + len + ", less than its kind and length octets (MUST-68)";
            }
            if (i + len > to) {
                return "option kind " + kind + " at octet " + (i - from) + " has length " + len + ", " + (i + len - to)
                        + " octets past the Data Offset (MUST-68)";
            }
            i += len;
        }
        return "";
    }

    /** Options up to EOL; a malformed option ends the list (what it carried stays visible in the pcap). */
    static List<TcpOption> parseOptions(byte[] b, int from, int to) {
        List<TcpOption> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            int kind = b[i] & 0xff;
            if (kind == TcpOption.EOL) {
                break;
            }
            if (kind == TcpOption.NOP) {
                out.add(TcpOption.nop());
                i++;
                continue;
            }
            if (i + 1 >= to) {
                break;
            }
            int len = b[i + 1] & 0xff;
            if (len < 2 || i + len > to) {
                break;
            }
            out.add(new TcpOption(kind, Arrays.copyOfRange(b, i + 2, i + len)));
            i += len;
        }
        return out;
    }

    /**
     * The sum of the pseudo-header's 16-bit words: the two addresses, the protocol (IPv6: next header) and the
     * upper-layer length. IPv4's (RFC 9293 3.1) and IPv6's (RFC 8200 8.1: a 32-bit length, three zero octets
     * before the next header) sum the same words, since the high half of the length is zero below 64 KiB.
     */
    static int pseudoHeaderSum(InetAddress src, InetAddress dst, int protocol, int length) {
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        int sum = protocol + (length >>> 16) + (length & 0xffff);
        for (int i = 0; i < s.length; i += 2) {
            sum += u16(s, i) + u16(d, i);
        }
        return sum;
    }

    /** The Internet checksum (RFC 1071) of {@code len} octets from {@code off}, starting from {@code initial}. */
    static int checksum(byte[] b, int off, int len, int initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(b, off + i);
        }
        if ((len & 1) == 1) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static int i32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static InetAddress address(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: four or sixteen octets
        }
    }
}
