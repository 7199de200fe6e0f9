package tcpct.pkt;

import java.util.List;

/**
 * The packetdrill options a run or a script's header sets, with packetdrill's defaults: outbound packets
 * are expected within {@code max(toleranceUsecs, tolerancePercent % of the time since the previous event)}
 * of their script time (4000 us, 12.5 %); {@code bindPort} is the port the script's explicit port numbers
 * and sockaddrs use for the stack's bound port (8080; tcpct maps it to the scenario's fresh port);
 * {@code mss} the segment size by which one outbound script packet may arrive as several segments (null:
 * segments match lines one to one); {@code ipVersion} ipv4 (the default) or ipv6, the family of the peer, the
 * wire and the stack's sockets.
 */
public record PktSettings(long toleranceUsecs, double tolerancePercent, int bindPort, Integer mss, String ipVersion) {

    public static final PktSettings DEFAULTS = new PktSettings(4000, 12.5, 8080, null, "ipv4");

    /** The options tcpct takes, on the command line and in a script's header. */
    public static final List<String> NAMES = List.of("tolerance_usecs", "tolerance_percent", "bind_port", "mss", "ip_version");

    /** The packetdrill options about addresses and devices of packetdrill's own set-up, which tcpct's wire replaces. */
    public static final List<String> WIRE_OPTIONS = List.of("local_ip", "remote_ip", "gateway_ip", "netmask_ip", "device", "non_fatal",
            "wire_client", "wire_server", "wire_server_ip", "wire_server_port", "wire_client_dev", "wire_server_dev", "verbose", "dry_run",
            "connect_port", "speed", "mtu", "init_scripts", "so_filename", "define");

    /**
     * This with {@code --name=value} applied. An unknown name or a bad value is an {@link IllegalArgumentException}
     * whose message names the option and the fix; an IP version other than ipv4 is {@link UnsupportedOperationException}.
     */
    public PktSettings with(String name, String value) {
        try {
            return switch (name) {
                case "tolerance_usecs" -> new PktSettings(positive(name, Long.parseLong(value)), tolerancePercent, bindPort, mss, ipVersion);
                case "tolerance_percent" -> {
                    double p = Double.parseDouble(value);
                    if (p < 0 || p > 100) {
                        throw new IllegalArgumentException("--tolerance_percent takes 0 to 100, got '" + value + "'");
                    }
                    yield new PktSettings(toleranceUsecs, p, bindPort, mss, ipVersion);
                }
                case "bind_port" -> {
                    int port = Integer.parseInt(value);
                    if (port < 1 || port > 65535) {
                        throw new IllegalArgumentException("--bind_port takes a port from 1 to 65535, got '" + value + "'");
                    }
                    yield new PktSettings(toleranceUsecs, tolerancePercent, port, mss, ipVersion);
                }
                case "mss" -> new PktSettings(toleranceUsecs, tolerancePercent, bindPort, (int) positive(name, Integer.parseInt(value)), ipVersion);
                case "ip_version" -> {
                    if (!List.of("ipv4", "ipv6", "ipv4-mapped-ipv6").contains(value)) {
                        throw new IllegalArgumentException("--ip_version takes ipv4, ipv6 or ipv4-mapped-ipv6, got '" + value + "'");
                    }
                    if (value.equals("ipv4-mapped-ipv6")) {
                        throw new UnsupportedOperationException("--ip_version " + value + " is not implemented yet: tcpct plays IPv4 and IPv6"
                                + " peers but does not give the stack an IPv4-mapped IPv6 socket; use --ip_version ipv4 or ipv6");
                    }
                    yield new PktSettings(toleranceUsecs, tolerancePercent, bindPort, mss, value);
                }
                default -> throw new IllegalArgumentException("unknown packetdrill option --" + name + ": tcpct takes --"
                        + String.join(", --", NAMES));
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a number, got '" + value + "'");
        }
    }

    private static long positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("--" + name + " takes a number above 0, got " + v);
        }
        return v;
    }

    /** The IP version as tcpct names it: ipv6 or ipv4. */
    public tcpct.wire.IpFamily family() {
        return ipVersion.equals("ipv6") ? tcpct.wire.IpFamily.IPV6 : tcpct.wire.IpFamily.IPV4;
    }

    /** The tolerance for an event {@code sinceLastUsecs} after the previous one, in microseconds (packetdrill's rule). */
    public long toleranceFor(double sinceLastUsecs) {
        return Math.max(toleranceUsecs, (long) (tolerancePercent / 100.0 * Math.max(0, sinceLastUsecs)));
    }
}
