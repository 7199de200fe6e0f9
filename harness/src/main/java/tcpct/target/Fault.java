package tcpct.target;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A fault injected into a target, to prove the suite catches a broken stack (./tcpct run --fault NAME):
 * nftables rules inside the target's own network namespace that drop some of its segments (kernel and
 * user-space stacks alike), or a namespaced sysctl (kernel stacks) that changes its behaviour. Nothing outside the container's namespace is touched.
 */
public enum Fault {
    /** The target's FIN segments never leave it: every close must be seen to fail. */
    DROP_FIN("drop-fin", "the target's FIN segments are dropped on their way out", "tcp flags & fin == fin drop"),
    /** The target's SYN,ACK segments never leave it: every passive open must be seen to fail. */
    DROP_SYN_ACK("drop-syn-ack", "the target's SYN,ACK segments are dropped on their way out",
            "tcp flags & (syn | ack) == syn | ack drop"),
    /** Every pure ACK without data from the target is dropped: handshakes and FINs go unacknowledged. */
    DROP_ACK("drop-ack", "the target's segments carrying only ACK are dropped on their way out",
            "tcp flags == ack meta l4proto tcp drop"),
    /** net.ipv4.tcp_keepalive_time = 1: keep-alives come after 1 s of idle by default, against MUST-28's two hours. */
    KEEPALIVE_1S("keepalive-1s", "net.ipv4.tcp_keepalive_time = 1 in the target (keep-alives after 1 s idle by default)", null),
    /** net.ipv4.tcp_rfc1337 = 1: a RST in TIME-WAIT is ignored, against RFC 9293 3.10.7.4. */
    RFC1337("rfc1337", "net.ipv4.tcp_rfc1337 = 1 in the target (RST ignored in TIME-WAIT)", null),
    /**
     * Transmit checksum offload switched back on for the target's eth0: a veth never fills the checksum in, so the
     * target's frames reach the wire with only the pseudo-header sum in it (MUST-2 broken as a peer sees it).
     */
    CHECKSUM_OFFLOAD("checksum-offload", "transmit checksum offload on for the target's eth0: its frames leave with partial checksums", null),
    /**
     * The routes to the peer get the quickack metric: the kernel acknowledges every segment at once, as a stack without
     * delayed or aggregated ACKs would (MUST-58 broken; SHLD-18 too).
     */
    QUICKACK("quickack", "the target's kernel acknowledges every segment at once (route metric quickack 1): ACKs are never aggregated", null),
    /**
     * The length octet of the first option on the target's SYN and SYN,ACK rewritten to 1 (MUST-68 broken). The kernel
     * stack's output hook sees the segment before its checksum is filled in, so the checksum still holds.
     */
    OPTION_BAD_LENGTH("option-bad-length", "the first option of the target's SYN and SYN,ACK gets length 1", "tcp flags & syn == syn @th,168,8 set 1"),
    /** The first option octet of the target's SYN and SYN,ACK rewritten to EOL, leaving the rest of the area non-zero (MUST-69 broken). */
    OPTION_EOL_GARBAGE("option-eol-garbage", "the first option octet of the target's SYN and SYN,ACK becomes EOL, the octets after it left as they were",
            "tcp flags & syn == syn @th,160,8 set 0"),
    /**
     * Every IPv4 packet carrying IP options is dropped on its way in, at the kernel's input hook (MUST-50 broken: a stack
     * that refuses options it does not understand). A user-space stack's packet socket takes frames before any hook.
     */
    IP_OPTIONS_DROPPED("ip-options-dropped", "the target's kernel drops every arriving IPv4 packet that carries IP options",
            "input: ip hdrlength > 5 drop"),
    /**
     * Every arriving ICMP and ICMPv6 error message (destination unreachable, time exceeded, parameter problem, source
     * quench, packet too big) is dropped at the kernel's input hook, before TCP's error handler sees it: the stack learns
     * of no soft error and reports none to the application (MUST-47, SHLD-25 broken), nor acts on one (MUST-54).
     * Neighbour discovery (ICMPv6 types 133 to 137) passes.
     */
    ICMP_ERRORS_DROPPED("icmp-errors-dropped", "the target's kernel drops every arriving ICMP and ICMPv6 error message",
            "input: icmp type { destination-unreachable, source-quench, time-exceeded, parameter-problem } drop\n"
                    + "  icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } drop"),
    /** The TTL (hop limit) and DSCP of every segment the target sends reset to 64 and 0, whatever its application set (MUST-48, MUST-49 broken). */
    TTL_DSCP_RESET("ttl-dscp-reset", "the TTL (hop limit) and DSCP of the target's segments are rewritten to 64 and 0 on their way out",
            "meta nfproto ipv4 ip ttl set 64 ip dscp set cs0\n  meta nfproto ipv6 ip6 hoplimit set 64 ip6 dscp set cs0"),
    /**
     * The source address of every segment the target sends from its second address (192.0.2.3, 2001:db8::3) rewritten to its
     * first (192.0.2.2, 2001:db8::2), the checksums kept right: a stack that forgets the local address of a connection
     * (MUST-43, MUST-44, MUST-45 broken).
     */
    SOURCE_ADDRESS_REWRITTEN("source-address-rewritten", "the target's segments from its second address 192.0.2.3 (2001:db8::3) leave from 192.0.2.2 (2001:db8::2)",
            "ip saddr 192.0.2.3 ip saddr set 192.0.2.2\n  ip6 saddr 2001:db8::3 ip6 saddr set 2001:db8::2"),
    /**
     * The first IPv4 option of the target's packets, when it is a loose source route (LSRR, type 131), turned into a strict
     * one (SSRR, 137) with the same addresses: not the route the application asked for, nor the return route of a received
     * LSRR (MUST-51, MUST-52, MUST-53 broken). The final destination stays, and with it the TCP checksum; the IPv4 header
     * checksum is not mended (the kernel filled it in before the output hook).
     */
    SOURCE_ROUTE_STRICT("source-route-strict", "the target's loose source routes (IPv4 option LSRR) leave as strict ones (SSRR)",
            "meta nfproto ipv4 ip hdrlength > 5 @nh,160,8 0x83 @nh,160,8 set 0x89"),
    /** The urgent pointer of every URG segment the target sends rewritten to 0, its URG bit kept (MUST-62 broken). */
    URGENT_POINTER_ZEROED("urgent-pointer-zeroed", "the urgent pointer of the target's URG segments is rewritten to 0 on their way out",
            "tcp flags & urg == urg tcp urgptr set 0"),
    /**
     * Every segment, arriving or leaving, loses its URG bit and urgent pointer at the kernel's input and output hooks, as a
     * stack without the urgent mechanism would: the target never sees urgent data and never sends any (MUST-30, MUST-31,
     * MUST-32, MUST-33, MUST-62 broken).
     */
    URGENT_FLAG_CLEARED("urgent-flag-cleared", "segments lose their URG bit and urgent pointer both ways: the target never sees nor sends urgent data",
            "both: tcp flags == ack | urg tcp flags set ack tcp urgptr set 0\n  tcp flags == ack | psh | urg tcp flags set ack | psh tcp urgptr set 0"),
    /**
     * net.ipv4.tcp_stdurg = 1: the kernel takes the urgent pointer to point at the last urgent octet (RFC 1122's reading),
     * not at the octet following the urgent data (MUST-62's): its urgent octet is one past the peer's, or not yet arrived.
     */
    URGENT_STDURG("urgent-stdurg", "net.ipv4.tcp_stdurg = 1 in the target (the urgent pointer read as pointing at the last urgent octet)", null);

    public final String id;
    public final String what;
    private final String nftRule;

    Fault(String id, String what, String nftRule) {
        this.id = id;
        this.what = what;
        this.nftRule = nftRule;
    }

    /**
     * Whether the fault works only in a kernel's own hooks: it rewrites octets of the target's segments before their
     * checksum is filled in, or drops arriving ones (a user-space stack's packet socket takes frames before any hook).
     */
    private boolean kernelHooksOnly() {
        return nftRule != null && (nftRule.contains(" set ") || inbound());
    }

    /** Whether the rule is for the input hook (arriving segments) rather than the output hook, or ({@link #bothWays}) for both. */
    private boolean inbound() {
        return nftRule.startsWith("input: ") || bothWays();
    }

    /** Whether the rule is for the input and the output hook alike. */
    private boolean bothWays() {
        return nftRule.startsWith("both: ");
    }

    public static Fault byId(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst()
                .orElseThrow(() -> new TargetException("unknown fault '" + id + "': faults are "
                        + Arrays.stream(values()).map(f -> f.id).collect(Collectors.joining(", "))));
    }

    /**
     * Applies the fault inside the network namespace of the target's process {@code pid}. A kernel stack's
     * segments are dropped at its output hook; a user-space stack writes whole frames to eth0 through a packet
     * socket, past the IP hooks, so its frames are dropped at eth0's egress hook (netdev family, Linux 5.16+),
     * which a packet socket's frames pass unless it bypasses the queueing layer.
     */
    void apply(long pid, boolean kernelStack) {
        if (nftRule == null) {
            if (!kernelStack) {
                throw new TargetException("fault " + id + " changes the container's kernel (a sysctl, the NIC's offload, its IP hooks), "
                        + "which a user-space stack bypasses: use a fault that drops segments (drop-fin, drop-syn-ack, drop-ack)");
            }
            switch (this) {
                case CHECKSUM_OFFLOAD -> HostCommand.inNetns(pid, "ethtool", "-K", "eth0", "tx", "on");
                case QUICKACK -> HostCommand.inNetns(pid, "sh", "-c", "ip route change 192.0.2.0/24 dev eth0 quickack 1 && "
                        + "{ ! ip -6 route show 2001:db8::/64 | grep -q . || ip -6 route change 2001:db8::/64 dev eth0 quickack 1; }");
                case KEEPALIVE_1S -> HostCommand.inNetns(pid, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_keepalive_time");
                case URGENT_STDURG -> HostCommand.inNetns(pid, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_stdurg");
                default -> HostCommand.inNetns(pid, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_rfc1337");
            }
            return;
        }
        if (kernelHooksOnly() && !kernelStack) {
            throw new TargetException("fault " + id + " works in the kernel's own IP hooks (rewriting segments before their checksum is "
                    + "filled in, or dropping arriving ones), which a user-space stack bypasses: use drop-fin, drop-syn-ack or drop-ack");
        }
        String rule = inbound() ? nftRule.substring(nftRule.indexOf(": ") + 2) : nftRule;
        String rules = kernelStack && bothWays()
                ? "table inet tcpct_fault {\n chain in {\n  type filter hook input priority 0; policy accept;\n  " + rule
                        + "\n }\n chain out {\n  type filter hook output priority 0; policy accept;\n  " + rule + "\n }\n}\n"
                : kernelStack
                ? "table inet tcpct_fault {\n chain c {\n  type filter hook " + (inbound() ? "input" : "output")
                        + " priority 0; policy accept;\n  " + rule + "\n }\n}\n"
                : "table netdev tcpct_fault {\n chain out {\n  type filter hook egress device \"eth0\" priority 0; policy accept;\n"
                        + "  meta protocol ip " + nftRule + "\n }\n}\n";
        HostCommand.inNetns(pid, "sh", "-c", "printf '%s' \"$0\" | nft -f -", rules);
    }
}
