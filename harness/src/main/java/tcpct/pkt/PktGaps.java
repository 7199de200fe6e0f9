package tcpct.pkt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tcpct.pkt.PktScript.Event;

/**
 * Which lines of a script tcpct cannot run, and why, known before it runs (what a stack's agent lacks is
 * found at run time: its ENOSYS). {@code ./tcpct scenarios --pkt} lists them; the interpreter stops at the
 * first one with UNIMPLEMENTED.
 */
public final class PktGaps {

    /** One line tcpct cannot run. */
    public record Gap(int line, String reason) {
    }

    /** The system calls the interpreter maps onto agent commands (targets/AGENT-PROTOCOL.md). */
    public static final Set<String> CALLS = Set.of("socket", "bind", "listen", "accept", "connect", "write", "send", "sendto", "read",
            "recv", "recvfrom", "close", "shutdown", "setsockopt", "getsockopt", "fcntl", "poll");

    /** The socket options the agent protocol names (section 5, setsockopt). */
    public static final Set<String> OPTIONS = Set.of("SO_REUSEADDR", "SO_KEEPALIVE", "SO_RCVBUF", "SO_SNDBUF", "SO_LINGER", "TCP_NODELAY",
            "TCP_MAXSEG", "TCP_SYNCNT", "TCP_LINGER2", "TCP_USER_TIMEOUT", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_DEFER_ACCEPT",
            "TCP_QUICKACK", "TCP_WINDOW_CLAMP", "TCP_FASTOPEN", "TCP_FASTOPEN_CONNECT");

    /** The MTU of tcpct's veth wire (IPv4: 20 octets of IP header and 20 of TCP header before options and data). */
    static final int WIRE_MTU = 1500;

    private PktGaps() {
    }

    private static int octets(TcpOpt o) {
        if (o instanceof TcpOpt.Nop || o instanceof TcpOpt.Eol) {
            return 1;
        }
        if (o instanceof TcpOpt.Mss) {
            return 4;
        }
        if (o instanceof TcpOpt.WScale) {
            return 3;
        }
        if (o instanceof TcpOpt.SackOk) {
            return 2;
        }
        if (o instanceof TcpOpt.Timestamp) {
            return 10;
        }
        if (o instanceof TcpOpt.Sack s) {
            return 2 + 8 * s.blocks().size();
        }
        if (o instanceof TcpOpt.FastOpen f) {
            return (f.experimental() ? 4 : 2) + f.cookie().length() / 2;
        }
        return 0;
    }

    /**
     * What a line needs of the target beyond the agent protocol's calls, or empty: a shell line a target that runs
     * them (target.json {@code "shell"}), a {@code %{ }%} block an agent that reports TCP_INFO ({@code tcpinfo}).
     * Of the five targets, linux has both.
     */
    public static Optional<String> needs(Action a) {
        if (a instanceof Action.Shell) {
            return Optional.of("a shell line: runs on a target whose target.json says \"shell\": \"netns\" (linux)");
        }
        if (a instanceof Action.Code) {
            return Optional.of("a %{ }% block over tcp_info: runs on a target whose agent has tcpinfo (linux)");
        }
        return Optional.empty();
    }

    /** The lines of {@code script} that need more of the target than the agent protocol's calls ({@link #needs}). */
    public static List<Gap> needs(PktScript script) {
        return needs(script, false);
    }

    /** The same; with {@code shellSkipped} ({@code --shell skip}) a shell line needs nothing, as it is not run. */
    public static List<Gap> needs(PktScript script, boolean shellSkipped) {
        List<Gap> out = new ArrayList<>();
        for (Event e : script.events()) {
            if (!(shellSkipped && e.action() instanceof Action.Shell)) {
                needs(e.action()).ifPresent(r -> out.add(new Gap(e.line(), r)));
            }
        }
        return out;
    }

    /** {@code MSG_FASTOPEN}, alone or with {@code MSG_DONTWAIT} (every agent socket is non-blocking anyway). */
    static boolean isFastOpen(Expr flags) {
        java.util.Set<String> f = new java.util.HashSet<>();
        for (String w : flags.text().split("\\|")) {
            f.add(w.strip());
        }
        return f.contains("MSG_FASTOPEN") && java.util.Set.of("MSG_FASTOPEN", "MSG_DONTWAIT").containsAll(f);
    }

    public static List<Gap> of(PktScript script) {
        List<Gap> out = new ArrayList<>();
        for (PktScript.Setting s : script.options()) {
            setting(s).ifPresent(r -> out.add(new Gap(s.line(), r)));
        }
        tcpct.wire.IpFamily family = script.options().stream().anyMatch(o -> o.name().equals("ip_version") && "ipv6".equals(o.value()))
                ? tcpct.wire.IpFamily.IPV6 : tcpct.wire.IpFamily.IPV4;
        for (Event e : script.events()) {
            of(e.action(), family).ifPresent(r -> out.add(new Gap(e.line(), r)));
        }
        return out;
    }

    static Optional<String> setting(PktScript.Setting s) {
        if (PktSettings.WIRE_OPTIONS.contains(s.name())) {
            return Optional.empty(); // packetdrill's own addresses and devices: tcpct's wire has its own (the run notes it)
        }
        if (!PktSettings.NAMES.contains(s.name())) {
            return Optional.of("option --" + s.name() + " is not one tcpct knows (it takes --" + String.join(", --", PktSettings.NAMES) + ")");
        }
        try {
            PktSettings.DEFAULTS.with(s.name(), s.value());
            return Optional.empty();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return Optional.of(e.getMessage());
        }
    }

    static Optional<String> of(Action a) {
        return of(a, tcpct.wire.IpFamily.IPV4);
    }

    /** The same for a script over {@code family} (an IPv6 header is 20 octets longer). */
    static Optional<String> of(Action a, tcpct.wire.IpFamily family) {
        int headers = family == tcpct.wire.IpFamily.IPV6 ? 60 : 40;
        if (a instanceof Action.Shell || a instanceof Action.Code) {
            return Optional.empty(); // whether the target runs it is known at run time: see needs
        }
        if (a instanceof Action.OtherPacket o) {
            return Optional.of(o.protocol() + " packet: tcpct plays TCP only");
        }
        if (a instanceof Action.Packet p) {
            if (p.encapsulation() != null) {
                return Optional.of("encapsulated packet (" + p.encapsulation() + "): tcpct's wire sends plain IPv4");
            }
            if (p.ipInfo() != null) {
                return Optional.of("IP header fields " + p.ipInfo() + ": tcpct does not set or check ECN, TOS or TTL yet");
            }
            int optionOctets = p.options() == null ? 0 : p.options().stream().mapToInt(PktGaps::octets).sum();
            if (p.direction() == Action.Direction.INBOUND && headers + optionOctets + p.length() > WIRE_MTU) {
                return Optional.of("an inbound packet of " + p.length() + " octets: more than tcpct's wire carries in one frame (MTU "
                        + WIRE_MTU + "; packetdrill's tun device takes it as one GSO packet)");
            }
            if (p.options() != null && p.direction() == Action.Direction.INBOUND && p.has('S') && !p.has('.')
                    && p.options().stream().anyMatch(o -> o instanceof TcpOpt.FastOpen f && !f.cookie().isEmpty())) {
                return Optional.of("a SYN with the Fast Open cookie " + p.options().stream().filter(o -> o instanceof TcpOpt.FastOpen)
                        .findFirst().get().text() + ": a server's cookie depends on the addresses (RFC 7413, 4.1.2), and the script's"
                        + " was made for packetdrill's (192.168.0.1, 192.0.2.1), not tcpct's wire (192.0.2.2, 192.0.2.1)");
            }
            if (p.options() != null) {
                for (TcpOpt o : p.options()) {
                    if (o instanceof TcpOpt.Other other) {
                        return Optional.of("TCP option " + other.text() + ": tcpct builds and checks mss, wscale, sackOK, sack, TS, nop, eol");
                    }
                }
            }
            return Optional.empty();
        }
        Action.Syscall c = (Action.Syscall) a;
        if (!CALLS.contains(c.name())) {
            return Optional.of(c.name() + "(): no agent command for it (tcpct maps socket, bind, listen, accept, connect,"
                    + " write/send/sendto, read/recv/recvfrom, close, shutdown, setsockopt, getsockopt, fcntl F_GETFL/F_SETFL, poll)");
        }
        switch (c.name()) {
            case "socket" -> {
                if (c.args().size() < 2 || !c.args().get(1).text().equals("SOCK_STREAM")) {
                    return Optional.of("socket() of a type other than SOCK_STREAM: tcpct tests TCP");
                }
            }
            case "setsockopt", "getsockopt" -> {
                String name = c.args().size() > 2 ? c.args().get(2).text() : "?";
                if (!OPTIONS.contains(name) && !(c.name().equals("getsockopt") && name.equals("SO_ERROR"))) {
                    return Optional.of(c.name() + " " + name + ": the agent protocol has no such option (it has "
                            + String.join(", ", OPTIONS.stream().sorted().toList()) + ")");
                }
            }
            case "fcntl" -> {
                String cmd = c.args().size() > 1 ? c.args().get(1).text() : "?";
                if (!cmd.equals("F_SETFL") && !cmd.equals("F_GETFL")) {
                    return Optional.of("fcntl " + cmd + ": tcpct maps only F_GETFL and F_SETFL (O_NONBLOCK), every agent socket being non-blocking");
                }
            }
            case "write", "read" -> {
                if (c.args().size() > 1 && !(c.args().get(1) instanceof Expr.Ellipsis)) {
                    return Optional.of(c.name() + " with the buffer " + c.args().get(1).text() + ": the agent passes its own buffer (write ... only)");
                }
            }
            case "send", "sendto", "recv", "recvfrom" -> {
                if (c.args().size() > 1 && !(c.args().get(1) instanceof Expr.Ellipsis)) {
                    return Optional.of(c.name() + " with the buffer " + c.args().get(1).text() + ": the agent passes its own buffer (write ... only)");
                }
                if (c.name().equals("sendto") && c.args().size() > 4 && isFastOpen(c.args().get(3)) && !(c.args().get(4) instanceof Expr.Ellipsis)) {
                    return Optional.of("sendto with the address " + c.args().get(4).text() + ": the agent's sendto takes the peer's address (...)");
                }
                if (c.args().size() > 3 && !c.args().get(3).text().equals("0") && !(c.name().equals("sendto") && isFastOpen(c.args().get(3)))) {
                    return Optional.of(c.name() + " with flags " + c.args().get(3).text() + ": the agent's send and recv take no flags"
                            + " (sendto takes MSG_FASTOPEN)");
                }
            }
            case "poll" -> {
                if (!(c.args().get(0) instanceof Expr.Array fds) || fds.items().size() != 1) {
                    return Optional.of("poll of " + c.args().get(0).text() + ": tcpct polls one socket per call");
                }
            }
            case "shutdown" -> {
                String how = c.args().size() > 1 ? c.args().get(1).text() : "?";
                if (!Set.of("SHUT_RD", "SHUT_WR", "SHUT_RDWR").contains(how)) {
                    return Optional.of("shutdown how " + how + ": takes SHUT_RD, SHUT_WR or SHUT_RDWR");
                }
            }
            default -> {
            }
        }
        return Optional.empty();
    }
}
