package tcpct.wire;

/**
 * An ICMP error message (ICMPv4, RFC 792; or ICMPv6, RFC 4443) the peer sends about one of the target's segments, as a
 * router or the peer's host would: the IP version it goes over, its type, code, the four octets after the checksum
 * ({@code rest}: zero, the next-hop MTU of RFC 1191 in the low half for "fragmentation needed", the MTU of ICMPv6's
 * Packet Too Big, or the pointer of ICMPv6's Parameter Problem), and a name for the scenario's steps. The wire quotes
 * the target's segment after them ({@link FrameCodec#icmpError}). Scenarios name the ICMPv4 message; {@link #over}
 * gives its ICMPv6 counterpart for a run over IPv6.
 */
public record Icmp(IpFamily family, int type, int code, int rest, String name) {

    /** The least MTU of an IPv6 link (RFC 8200 5): a Packet Too Big below it does not lower the path MTU further (RFC 8201 4). */
    public static final int IPV6_MIN_MTU = 1280;

    public Icmp {
        if (type < 0 || type > 255 || code < 0 || code > 255) {
            throw new IllegalArgumentException("ICMP type and code take 8 bits each, got " + type + "/" + code);
        }
    }

    private static Icmp v4(int type, int code, int rest, String name) {
        return new Icmp(IpFamily.IPV4, type, code, rest, name);
    }

    private static Icmp v6(int type, int code, int rest, String name) {
        return new Icmp(IpFamily.IPV6, type, code, rest, name);
    }

    /** Destination unreachable, code 0 (net): a soft error (RFC 9293 3.9.2.2, MUST-56). */
    public static Icmp netUnreachable() {
        return v4(3, 0, 0, "net unreachable (3/0)");
    }

    /** Destination unreachable, code 1 (host): a soft error (MUST-56). */
    public static Icmp hostUnreachable() {
        return v4(3, 1, 0, "host unreachable (3/1)");
    }

    /** Destination unreachable, code 2 (protocol): a hard error (RFC 1122 4.2.3.9). */
    public static Icmp protocolUnreachable() {
        return v4(3, 2, 0, "protocol unreachable (3/2)");
    }

    /** Destination unreachable, code 3 (port): a hard error (RFC 1122 4.2.3.9). */
    public static Icmp portUnreachable() {
        return v4(3, 3, 0, "port unreachable (3/3)");
    }

    /** Destination unreachable, code 4: fragmentation needed and DF set, with the next hop's MTU (RFC 1191 4). */
    public static Icmp fragmentationNeeded(int nextHopMtu) {
        if (nextHopMtu < 68 || nextHopMtu > 0xffff) {
            throw new IllegalArgumentException("an IPv4 MTU is 68 to 65535 octets, got " + nextHopMtu);
        }
        return v4(3, 4, nextHopMtu, "fragmentation needed (3/4), next-hop MTU " + nextHopMtu);
    }

    /** Destination unreachable, code 5 (source route failed): a soft error (MUST-56). */
    public static Icmp sourceRouteFailed() {
        return v4(3, 5, 0, "source route failed (3/5)");
    }

    /** Destination unreachable, code 13 (communication administratively prohibited, RFC 1812 5.2.7.1). */
    public static Icmp adminProhibited() {
        return v4(3, 13, 0, "communication administratively prohibited (3/13)");
    }

    /** Source quench (type 4), which a TCP must silently discard (MUST-55, RFC 6633). ICMPv6 has none. */
    public static Icmp sourceQuench() {
        return v4(4, 0, 0, "source quench (4/0)");
    }

    /** Time exceeded in transit (11/0): a soft error (MUST-56). */
    public static Icmp timeExceeded() {
        return v4(11, 0, 0, "time exceeded (11/0)");
    }

    /** Parameter problem (12/0), pointing at the first octet: a soft error (MUST-56). */
    public static Icmp parameterProblem() {
        return v4(12, 0, 0, "parameter problem (12/0)");
    }

    // ---- ICMPv6 (RFC 4443) ----------------------------------------------------------------------------------------

    /** ICMPv6 Destination Unreachable (type 1) with {@code code}: 0 no route, 1 administratively prohibited, 3 address, 4 port unreachable. */
    public static Icmp destinationUnreachable6(int code) {
        String what = switch (code) {
            case 0 -> "no route to destination";
            case 1 -> "communication administratively prohibited";
            case 2 -> "beyond scope of source address";
            case 3 -> "address unreachable";
            case 4 -> "port unreachable";
            case 5 -> "source address failed ingress/egress policy";
            case 6 -> "reject route to destination";
            default -> throw new IllegalArgumentException("ICMPv6 Destination Unreachable has codes 0 to 6 (RFC 4443 3.1), got " + code);
        };
        return v6(1, code, 0, "ICMPv6 " + what + " (1/" + code + ")");
    }

    /** ICMPv6 Packet Too Big (type 2, RFC 4443 3.2) with the next hop's MTU. */
    public static Icmp packetTooBig(int mtu) {
        if (mtu < 0) {
            throw new IllegalArgumentException("an MTU is not negative, got " + mtu);
        }
        return v6(2, 0, mtu, "ICMPv6 packet too big (2/0), MTU " + mtu);
    }

    /** ICMPv6 Time Exceeded (type 3), code 0: hop limit exceeded in transit (RFC 4443 3.3). */
    public static Icmp hopLimitExceeded() {
        return v6(3, 0, 0, "ICMPv6 hop limit exceeded (3/0)");
    }

    /**
     * ICMPv6 Parameter Problem (type 4, RFC 4443 3.4): code 0 erroneous header field, 1 unrecognized Next Header, 2
     * unrecognized IPv6 option; {@code pointer} is the octet offset in the quoted packet where the problem is.
     */
    public static Icmp parameterProblem6(int code, int pointer) {
        String what = switch (code) {
            case 0 -> "erroneous header field";
            case 1 -> "unrecognized next header";
            case 2 -> "unrecognized IPv6 option";
            default -> throw new IllegalArgumentException("ICMPv6 Parameter Problem has codes 0 to 2 here (RFC 4443 3.4), got " + code);
        };
        return v6(4, code, pointer, "ICMPv6 parameter problem, " + what + " (4/" + code + "), pointer " + pointer);
    }

    /**
     * This message as it goes over {@code to}: itself, or for an ICMPv4 message over IPv6 its ICMPv6 counterpart (RFC
     * 4443, RFC 5927 2, soft and hard kept as RFC 1122 4.2.3.9 and RFC 9293 3.9.2.2 class them): net unreachable is "no
     * route" (1/0), host unreachable "address unreachable" (1/3), port unreachable 1/4, administratively prohibited 1/1,
     * source route failed "beyond scope of source address" (1/2: IPv6 has no source-route failure; both are soft in
     * Linux's icmpv6_err_convert), protocol unreachable a Parameter Problem "unrecognized next header" pointing at the
     * quoted header's Next Header (4/1, pointer 6), fragmentation needed a Packet Too Big whose MTU leaves the same TCP
     * payload (the next-hop MTU plus the 20 octets IPv6's header is longer, never below 1280), time exceeded 3/0,
     * parameter problem "erroneous header field" (4/0, pointer 0). Source Quench has no counterpart: RFC 4443 has none.
     */
    public Icmp over(IpFamily to) {
        if (to == family) {
            return this;
        }
        if (family == IpFamily.IPV6) {
            throw new IllegalArgumentException(this + " is an ICMPv6 message: it has no single ICMPv4 counterpart to send over " + to);
        }
        return switch (type * 256 + code) {
            case 3 * 256 + 0 -> destinationUnreachable6(0);
            case 3 * 256 + 1 -> destinationUnreachable6(3);
            case 3 * 256 + 2 -> parameterProblem6(1, 6);
            case 3 * 256 + 3 -> destinationUnreachable6(4);
            case 3 * 256 + 4 -> packetTooBig(Math.max(IPV6_MIN_MTU, rest + 20));
            case 3 * 256 + 5 -> destinationUnreachable6(2);
            case 3 * 256 + 13 -> destinationUnreachable6(1);
            case 11 * 256 + 0 -> hopLimitExceeded();
            case 12 * 256 + 0 -> parameterProblem6(0, 0);
            default -> throw new IllegalArgumentException(this + " has no ICMPv6 counterpart (RFC 4443): the scenario is IPv4 only");
        };
    }

    /** Whether the message tells the target a next-hop MTU (fragmentation needed, RFC 1191; Packet Too Big, RFC 8201), which it may keep for the path. */
    public boolean setsPathMtu() {
        return family == IpFamily.IPV4 ? type == 3 && code == 4 : type == 2;
    }

    /** The IP and TCP headers (without options) a segment carries over this message's IP version: 40 or 60 octets. */
    public int headerOctets() {
        return family == IpFamily.IPV4 ? 40 : 60;
    }

    @Override
    public String toString() {
        return family == IpFamily.IPV4 ? "ICMP " + name : name;
    }
}
