package tcpct.wire;

import tcpct.segment.Segment;

/**
 * One captured TCP frame: when the kernel saw it (pcap timestamp, nanoseconds since the epoch), which way it went,
 * the decoded segment, whether its TCP checksum was right, its TTL (hop limit) and type of service octet (traffic
 * class: DSCP in its high six bits, ECN in the low two), and what is wrong with its options area by RFC 9293 3.1
 * (MUST-68, MUST-69; empty when nothing is), its IP source and destination addresses (null when not known), and the
 * octets of its IPv4 header options (empty over IPv6 and for a header of 20 octets).
 */
public record Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl, int ipTos,
                    String optionsProblem, java.net.InetAddress srcIp, java.net.InetAddress dstIp, byte[] ipOptions) {

    public Frame {
        ipOptions = ipOptions == null ? new byte[0] : ipOptions.clone();
    }

    /** A frame with type of service 0 and a well-formed options area. */
    public Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl) {
        this(timestampNanos, direction, segment, checksumOk, ipTtl, 0, "");
    }

    /** A frame whose addresses and IP options are not known (a test's, or one built from a segment alone). */
    public Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl, int ipTos,
                 String optionsProblem) {
        this(timestampNanos, direction, segment, checksumOk, ipTtl, ipTos, optionsProblem, null, null, null);
    }

    @Override
    public byte[] ipOptions() {
        return ipOptions.clone();
    }

    /** The Differentiated Services codepoint: the high six bits of the type of service octet (RFC 2474 3). */
    public int dscp() {
        return ipTos >> 2;
    }
}
