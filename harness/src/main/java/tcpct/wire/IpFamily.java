package tcpct.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The IP version a scenario runs over, with the test wire's addresses for it: documentation ranges only
 * (192.0.2.0/24, RFC 5737; 2001:db8::/32, RFC 3849), the peer at ::1/.1, the target at ::2/.2.
 */
public enum IpFamily {

    IPV4("inet", "", "192.0.2.1", "192.0.2.2", 24, 1460, 536),
    IPV6("inet6", "@ipv6", "2001:db8::1", "2001:db8::2", 64, 1440, 1220);

    /** The agent protocol's name of the family ({@code socket}'s {@code family}, hello's {@code families}). */
    public final String agentName;
    /** What a scenario's id carries when it ran over this family: nothing for IPv4, {@code @ipv6} for IPv6. */
    public final String idSuffix;
    public final String peerIp;
    public final String targetIp;
    public final int prefixLength;
    /** The MSS the peer offers on its SYNs unless a scenario says otherwise: a 1500-octet MTU less the IP and TCP headers. */
    public final int synMss;
    /** The send MSS a TCP must assume when the SYN carries no MSS option (RFC 9293 3.7.1, MUST-15). */
    public final int defaultMss;

    IpFamily(String agentName, String idSuffix, String peerIp, String targetIp, int prefixLength, int synMss, int defaultMss) {
        this.agentName = agentName;
        this.idSuffix = idSuffix;
        this.peerIp = peerIp;
        this.targetIp = targetIp;
        this.prefixLength = prefixLength;
        this.synMss = synMss;
        this.defaultMss = defaultMss;
    }

    public InetAddress peerAddress() {
        return address(peerIp);
    }

    public InetAddress targetAddress() {
        return address(targetIp);
    }

    /**
     * Whether {@code address}, as an agent reports it, is the peer's address of this family: IPv6 in any of its
     * spellings ({@code 2001:db8::1}, {@code 2001:0db8:0:0:0:0:0:1}).
     */
    public boolean isPeer(String address) {
        if (address.equals(peerIp)) {
            return true;
        }
        if (this != IPV6 || !address.contains(":")) {
            return false; // only an IPv6 literal goes to the parser: a name would mean a lookup
        }
        try {
            return InetAddress.getByName(address).equals(peerAddress());
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The wildcard address a listener binds to: {@code 0.0.0.0} or {@code ::}. */
    public String wildcard() {
        return this == IPV4 ? "0.0.0.0" : "::";
    }

    /** The family of a scenario id: IPv6 when it ends with {@code @ipv6}. */
    public static IpFamily ofId(String id) {
        return id.endsWith(IPV6.idSuffix) ? IPV6 : IPV4;
    }

    /** A scenario id without its family suffix: the id of the scenario's IPv4 run. */
    public static String baseId(String id) {
        return id.endsWith(IPV6.idSuffix) ? id.substring(0, id.length() - IPV6.idSuffix.length()) : id;
    }

    /** {@code --ip}'s value: {@code 4}, {@code 6} or {@code both} (IPv4 first); null for anything else. */
    public static List<IpFamily> parse(String value) {
        return switch (value) {
            case "4" -> List.of(IPV4);
            case "6" -> List.of(IPV6);
            case "both" -> List.of(IPV4, IPV6);
            default -> null;
        };
    }

    /** The family of {@code a}: IPv6 for a 16-octet address. */
    public static IpFamily of(InetAddress a) {
        return a.getAddress().length == 16 ? IPV6 : IPV4;
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
