package tcpct.wire;

/**
 * An ICMPv4 error message (RFC 792) the peer sends about one of the target's segments, as a router or the peer's host
 * would: its type, code, the four octets after the checksum ({@code rest}: zero, or the next-hop MTU of RFC 1191 in
 * the low half for "fragmentation needed"), and a name for the scenario's steps. The wire quotes the target's segment
 * (its IP header and first 8 TCP octets) after them ({@link FrameCodec#icmpError}).
 */
public record Icmp(int type, int code, int rest, String name) {

    public Icmp {
        if (type < 0 || type > 255 || code < 0 || code > 255) {
            throw new IllegalArgumentException("ICMP type and code take 8 bits each, got " + type + "/" + code);
        }
    }

    /** Destination unreachable, code 0 (net): a soft error (RFC 9293 3.9.2.2, MUST-56). */
    public static Icmp netUnreachable() {
        return new Icmp(3, 0, 0, "net unreachable (3/0)");
    }

    /** Destination unreachable, code 1 (host): a soft error (MUST-56). */
    public static Icmp hostUnreachable() {
        return new Icmp(3, 1, 0, "host unreachable (3/1)");
    }

    /** Destination unreachable, code 4: fragmentation needed and DF set, with the next hop's MTU (RFC 1191 4). */
    public static Icmp fragmentationNeeded(int nextHopMtu) {
        if (nextHopMtu < 68 || nextHopMtu > 0xffff) {
            throw new IllegalArgumentException("an IPv4 MTU is 68 to 65535 octets, got " + nextHopMtu);
        }
        return new Icmp(3, 4, nextHopMtu, "fragmentation needed (3/4), next-hop MTU " + nextHopMtu);
    }

    /** Destination unreachable, code 5 (source route failed): a soft error (MUST-56). */
    public static Icmp sourceRouteFailed() {
        return new Icmp(3, 5, 0, "source route failed (3/5)");
    }

    /** Source quench (type 4), which a TCP must silently discard (MUST-55, RFC 6633). */
    public static Icmp sourceQuench() {
        return new Icmp(4, 0, 0, "source quench (4/0)");
    }

    /** Time exceeded in transit (11/0): a soft error (MUST-56). */
    public static Icmp timeExceeded() {
        return new Icmp(11, 0, 0, "time exceeded (11/0)");
    }

    /** Parameter problem (12/0), pointing at the first octet: a soft error (MUST-56). */
    public static Icmp parameterProblem() {
        return new Icmp(12, 0, 0, "parameter problem (12/0)");
    }

    /** Whether the message tells the target a next-hop MTU (fragmentation needed, RFC 1191), which it may keep for the path. */
    public boolean setsPathMtu() {
        return type == 3 && code == 4;
    }

    @Override
    public String toString() {
        return "ICMP " + name;
    }
}
