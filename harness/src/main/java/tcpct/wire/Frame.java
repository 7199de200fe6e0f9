package tcpct.wire;

import tcpct.segment.Segment;

/**
 * One captured TCP/IPv4 frame: when the kernel saw it (pcap timestamp, nanoseconds since the epoch),
 * which way it went, the decoded segment, and whether its TCP checksum was right.
 */
public record Frame(long timestampNanos, Direction direction, Segment segment, boolean checksumOk, int ipTtl) {
}
