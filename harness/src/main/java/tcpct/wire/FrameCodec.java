package tcpct.wire;

import java.net.Inet4Address;
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
 * Ethernet II / IPv4 / TCP, encoded and decoded by the harness itself, so that a scenario controls every
 * octet (including wrong ones) and the capture library only moves bytes.
 */
public final class FrameCodec {

    static final int ETH_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int IP_PROTO_TCP = 6;

    private FrameCodec() {
    }

    /**
     * A frame from the peer to the target carrying {@code segment}, with correct IPv4 and TCP checksums
     * unless the segment's {@link Malformation} says otherwise (each malformation touches only its field).
     */
    public static byte[] encode(Link link, Segment segment, int ipId) {
        byte[] tcp = tcpBytes(segment, link.peerIp(), link.targetIp());
        int ipLen = 20 + tcp.length;
        ByteBuffer b = ByteBuffer.allocate(Math.max(ETH_HEADER + ipLen, 60));
        b.put(link.targetMac()).put(link.peerMac()).putShort((short) ETHERTYPE_IPV4);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) ipId)
                .putShort((short) 0x4000) // DF
                .put((byte) 64).put((byte) IP_PROTO_TCP).putShort((short) 0)
                .put(link.peerIp().getAddress()).put(link.targetIp().getAddress());
        byte[] arr = b.array();
        int ipSum = checksum(arr, ipStart, 20, 0);
        if (segment.malformation().badIpChecksum()) {
            ipSum = spoil(ipSum);
        }
        arr[ipStart + 10] = (byte) (ipSum >> 8);
        arr[ipStart + 11] = (byte) ipSum;
        b.put(tcp);
        return arr; // zero padded to the Ethernet minimum of 60 octets
    }

    static byte[] tcpBytes(Segment s, Inet4Address src, Inet4Address dst) {
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
        int sum = checksum(tcp, 0, tcp.length, pseudoHeaderSum(src, dst, tcp.length));
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

    /** The TCP/IPv4 frame inside {@code frame}, or empty when it is something else (ARP, IPv6, UDP, a fragment). */
    public static Optional<Decoded> decode(byte[] frame) {
        if (frame.length < ETH_HEADER + 20 || ((frame[12] & 0xff) << 8 | (frame[13] & 0xff)) != ETHERTYPE_IPV4) {
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
        Inet4Address src = ipv4(Arrays.copyOfRange(frame, ip + 12, ip + 16));
        Inet4Address dst = ipv4(Arrays.copyOfRange(frame, ip + 16, ip + 20));
        int t = ip + ihl;
        int tcpLen = totalLen - ihl;
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
        boolean checksumOk = checksum(frame, t, tcpLen, pseudoHeaderSum(src, dst, tcpLen)) == 0;
        boolean ipChecksumOk = checksum(frame, ip, ihl, 0) == 0;
        byte[] srcMac = Arrays.copyOfRange(frame, 6, 12);
        return Optional.of(new Decoded(srcMac, src, dst, seg, checksumOk, frame[ip + 8] & 0xff, headerOk, ipChecksumOk));
    }

    /**
     * A decoded frame: who sent it at layer 2 and 3, the segment, whether its TCP checksum held, its TTL,
     * whether its Data Offset made sense (5 words up to the segment's length), and whether its IPv4 header
     * checksum held.
     */
    public record Decoded(byte[] srcMac, Inet4Address src, Inet4Address dst, Segment segment, boolean checksumOk, int ttl,
                          boolean headerOk, boolean ipChecksumOk) {
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

    static int pseudoHeaderSum(Inet4Address src, Inet4Address dst, int tcpLength) {
        byte[] s = src.getAddress();
        byte[] d = dst.getAddress();
        return u16(s, 0) + u16(s, 2) + u16(d, 0) + u16(d, 2) + IP_PROTO_TCP + tcpLength;
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

    private static Inet4Address ipv4(byte[] a) {
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: four octets
        }
    }
}
