package tcpct.wire;

import tcpct.segment.Segment;

/**
 * One captured TCP frame: when the kernel saw it (pcap timestamp, nanoseconds since the epoch), which way it went,
 * the decoded segment, whether its TCP checksum was right, its TTL (hop limit), and what is wrong with its options
 * area by RFC 9293 3.1 (MUST-68, MUST-69; empty when nothing is).
 */
public record Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl, String optionsProblem) {

    /** A frame whose options area is well formed. */
    public Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl) {
        this(timestampNanos, direction, segment, checksumOk, ipTtl, "");
    }
}
