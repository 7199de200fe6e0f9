package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tcpct.agent.AgentError;
import tcpct.agent.Endpoint;
import tcpct.state.TcpState;

/**
 * The stack under test, as a scenario drives it: socket calls carried out by the target's agent, and the
 * state of this scenario's endpoint as the agent reports it. Each call is an Allure step. A call the
 * agent does not support makes the scenario UNIMPLEMENTED for this target. Stateless itself: it acts on
 * the scenario running on the calling thread, so one instance serves scenarios run in parallel.
 */
public final class Target {

    Target() {
    }

    private static Session session() {
        return Session.current();
    }

    /**
     * Sets a socket option (agent protocol names: TCP_SYNCNT, SO_LINGER, ...) on the socket that the next
     * {@link #listen} or {@link #connect} will use, creating it first if needed.
     */
    public void option(String name, int value) {
        Session s = session();
        s.step("target sets " + name + " = " + value, () -> setsockopt(s, name, args("value", value)));
        s.lastAction = "setsockopt " + name;
    }

    /** The socket the next {@link #listen} or {@link #connect} will use, made now (of the scenario's family) if there is none yet. */
    private static int pendingSocket(Session s) {
        if (s.pendingSocket == null) {
            s.pendingSocket = call("socket", s.family == tcpct.wire.IpFamily.IPV4 ? args() : args("family", s.family.agentName))
                    .path("sock").asInt();
        }
        return s.pendingSocket;
    }

    /** setsockopt {@code name} with {@code value} (the option's arguments) on the pending socket; a stack without the option is UNIMPLEMENTED. */
    private static void setsockopt(Session s, String name, Map<String, Object> value) {
        Map<String, Object> a = args("sock", pendingSocket(s), "name", name);
        a.putAll(value);
        try {
            call("setsockopt", a);
        } catch (AgentError e) {
            if ("ENOPROTOOPT".equals(e.errno())) { // the stack has no such option: a call it lacks, as ENOSYS
                throw new Unimplemented("the target has no socket option " + name + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * {@link #option}, for a scenario that can go on without it: false (and a step saying so) when the agent
     * answers that the stack has no such option, instead of making the scenario UNIMPLEMENTED.
     */
    public boolean tryOption(String name, int value) {
        try {
            option(name, value);
            return true;
        } catch (Unimplemented e) {
            session().step("the target has no " + name + ": the scenario goes on without it (" + e.getMessage() + ")", () -> { });
            return false;
        }
    }

    /**
     * Reads a socket option (getsockopt, agent protocol names) of the connection, or of the socket the next
     * {@link #listen} or {@link #connect} will use when there is no connection yet. A stack without the option makes
     * the scenario UNIMPLEMENTED.
     */
    public int optionValue(String name) {
        Session s = session();
        Integer sock = s.connection != null ? s.connection : s.pendingSocket;
        require(sock, "optionValue", "target.option(...), target.accept() or target.connect()");
        int[] value = new int[1];
        s.step("target reads " + name, () -> {
            try {
                value[0] = call("getsockopt", args("sock", sock, "name", name)).path("value").asInt();
            } catch (AgentError e) {
                if ("ENOPROTOOPT".equals(e.errno())) {
                    throw new Unimplemented("the target cannot read the socket option " + name + ": " + e.getMessage());
                }
                throw e;
            }
            io.qameta.allure.Allure.step(name + " is " + value[0]);
        });
        s.lastAction = "getsockopt " + name;
        return value[0];
    }

    /**
     * The soft errors the stack reported on the connection (RFC 9293 3.9.1.8, MUST-47), waiting up to {@code within}
     * for the first: each round reads the pending error (getsockopt SO_ERROR, which clears it, as an application's read
     * would) and then, where the agent has the command (protocol section 5d), the socket's error queue ({@code
     * errqueue}, read after SO_ERROR because taking an entry off the queue resets the pending error). Empty when nothing
     * came within {@code within}.
     */
    public List<tcpct.agent.ErrorReport> errorReports(Duration within) {
        Session s = session();
        require(s.connection, "errorReports", "target.accept() or target.connect()");
        int sock = s.connection;
        boolean queue = ScriptSupport.agentHas("errqueue");
        List<tcpct.agent.ErrorReport> got = new java.util.ArrayList<>();
        s.step("target reads its error reports (SO_ERROR" + (queue ? ", the error queue" : "") + ") until one comes, at most "
                + within.toMillis() + " ms", () -> {
            try {
                org.awaitility.Awaitility.await("an error report on the connection").pollInSameThread().atMost(within)
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> {
                            JsonNode pending = call("getsockopt", args("sock", sock, "name", "SO_ERROR"));
                            if (pending.path("value").asInt() != 0) {
                                got.add(tcpct.agent.ErrorReport.pending(pending.path("error").asText(String.valueOf(pending.path("value").asInt()))));
                            }
                            if (queue) {
                                for (JsonNode e : call("errqueue", args("sock", sock)).path("errors")) {
                                    got.add(new tcpct.agent.ErrorReport("MSG_ERRQUEUE", e.path("origin").asText(), e.path("type").asInt(-1),
                                            e.path("code").asInt(-1), e.path("errno").asText(null),
                                            e.path("offender").isTextual() ? e.path("offender").asText() : null));
                                }
                            }
                            return !got.isEmpty();
                        });
            } catch (org.awaitility.core.ConditionTimeoutException none) {
                // nothing within the bound: the empty list says so
            }
            io.qameta.allure.Allure.step(got.isEmpty() ? "no error report" : "reports: " + got);
        });
        s.lastAction = "read error reports";
        return got;
    }

    /** The fresh port {@link #listen} listens on (known before it does, for a connection from that port: MUST-42). */
    public int listenPort() {
        return session().listenPort;
    }

    /**
     * Binds the socket the next {@link #connect} (or {@link #listen}) will use to {@code address} and an ephemeral port
     * (bind(2), agent protocol 2), creating the socket first if needed: the OPEN's local IP address (MUST-43).
     */
    public void bindTo(String address) {
        Session s = session();
        s.step("target binds its socket to " + address, () -> call("bind", args("sock", pendingSocket(s), "addr", address, "port", 0)));
        s.lastAction = "bind " + address;
    }

    /**
     * Sets IPv4 options (IP_OPTIONS, section 5c of the agent protocol) on the socket the next {@link #connect} will use: the
     * octets as the application gives them (Linux: a source route names its first hop first, and the stack fills its last
     * slot with the connection's destination). A stack without IP_OPTIONS makes the scenario UNIMPLEMENTED.
     */
    public void ipOptions(int... octets) {
        Session s = session();
        StringBuilder hex = new StringBuilder();
        for (int o : octets) {
            hex.append(String.format("%02x", o & 0xff));
        }
        // "value" for an agent without section 5c, which then answers ENOPROTOOPT for the name, not EINVAL for a missing value
        s.step("target sets IP_OPTIONS " + hex, () -> setsockopt(s, "IP_OPTIONS", args("hex", hex.toString(), "value", 0)));
        s.lastAction = "setsockopt IP_OPTIONS";
    }

    /**
     * Gives the target a second address on its eth0, 192.0.2.3/24 or 2001:db8::3/64 by the scenario's family, beside its
     * own, and returns it: a kernel stack's with ip addr add in its namespace, a user-space stack's through its agent's
     * {@code address} command (agent protocol 5c), without which the scenario is UNIMPLEMENTED. The lab is not reused.
     */
    public String secondAddress() {
        Session s = session();
        String address = s.family == tcpct.wire.IpFamily.IPV4 ? "192.0.2.3" : "2001:db8::3";
        int prefix = s.family.prefixLength;
        s.lab.spoil("its scenario gave the target a second address, " + address);
        if (!s.lab.instance().kernelStack()) {
            s.step("the target's stack gets a second address, " + address + "/" + prefix + " (agent command address)", () -> {
                try {
                    s.lab.agent().call("address", args("addr", address, "prefix", prefix), Duration.ZERO);
                } catch (AgentError e) {
                    if (e.unsupported()) {
                        throw new Unimplemented(s.lab.instance().spec().name() + " is a user-space stack that owns its address itself "
                                + "(\"wiring\": \"raw\"), and its agent has no command to give it a second one (address, agent protocol 5c): "
                                + e.getMessage());
                    }
                    throw e;
                }
            });
            return address;
        }
        s.step("the target's eth0 gets a second address, " + address, () -> {
            if (s.family == tcpct.wire.IpFamily.IPV4) {
                s.lab.instance().inNetns("ip", "addr", "add", address + "/24", "dev", "eth0");
            } else {
                s.lab.instance().inNetns("ip", "-6", "addr", "add", address + "/64", "dev", "eth0", "nodad");
            }
            // IPv6 installs the address's local route from addrconf's work queue, after the address is usable as a source: until
            // then a segment to it is dropped
            org.awaitility.Awaitility.await("the local route of the target's second address " + address).pollInSameThread()
                    .atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> !s.lab.instance().inNetns("ip", s.family == tcpct.wire.IpFamily.IPV4 ? "-4" : "-6", "route", "show",
                            "table", "local", address).isBlank());
        });
        return address;
    }

    /** The route to the peer's prefix names {@code address} (one of the target's) as its preferred source: what IP selects (MUST-44). */
    public void preferredSource(String address) {
        Session s = session();
        if (!s.lab.instance().kernelStack()) {
            throw new Unimplemented("the harness steers IP's choice of source address with a route's preferred source (ip route ... src "
                    + address + ") in a kernel's namespace; " + s.lab.instance().spec().name() + " is a user-space stack whose routes "
                    + "its agent does not expose (agent protocol 5c has no route command)");
        }
        s.lab.spoil("its scenario changed the target's route to the peer");
        s.step("the target's route to the peer prefers the source " + address, () -> {
            String selected;
            if (s.family == tcpct.wire.IpFamily.IPV4) {
                s.lab.instance().inNetns("ip", "route", "change", "192.0.2.0/24", "dev", "eth0", "proto", "kernel", "scope", "link",
                        "src", address);
                selected = s.lab.instance().inNetns("ip", "route", "get", s.family.peerIp);
            } else {
                // the prefix route the kernel made for 2001:db8::2/64 (metric 256), given a preferred source
                s.lab.instance().inNetns("ip", "-6", "route", "replace", "2001:db8::/64", "dev", "eth0", "proto", "kernel", "metric", "256",
                        "src", address);
                selected = s.lab.instance().inNetns("ip", "-6", "route", "get", s.family.peerIp);
            }
            io.qameta.allure.Allure.step("IP selects: " + selected.trim());
            if (!java.util.Arrays.asList(selected.trim().split("\\s+")).contains(address)) {
                throw new IllegalStateException("the target's kernel does not select " + address + " for the peer after the route change: " + selected.trim());
            }
        });
    }

    /**
     * The target's kernel takes IPv4 source-routed packets (net.ipv4.conf.{all,eth0}.accept_source_route = 1 in its namespace:
     * Linux drops them by default) and knows {@code hops} (addresses on the wire's prefix) at the peer's MAC, as routers
     * on the path would be. A user-space stack has no kernel setting to change: it is left as it is (the harness answers
     * ARP for the peer's address only, so a hop it asks for stays unresolved).
     */
    public void sourceRoutesVia(String... hops) {
        Session s = session();
        if (!s.lab.instance().kernelStack()) {
            s.step("a user-space stack: no accept_source_route or neighbour entry to set for " + String.join(", ", hops), () -> { });
            return;
        }
        s.lab.spoil("its scenario let the target take source-routed packets");
        String mac = s.lab.instance().veth().hostMac();
        s.step("the target takes source-routed packets, and finds " + String.join(", ", hops) + " at the peer's MAC", () -> {
            s.lab.instance().inNetns("sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/all/accept_source_route"
                    + " && echo 1 > /proc/sys/net/ipv4/conf/eth0/accept_source_route");
            for (String hop : hops) {
                s.lab.instance().inNetns("ip", "neigh", "replace", hop, "lladdr", mac, "nud", "permanent", "dev", "eth0");
            }
        });
    }

    /** Passive OPEN on a fresh port; returns the port. */
    public int listen() {
        Session s = session();
        int port = s.listenPort;
        s.step("target listens on port " + port, () -> {
            Map<String, Object> a = args("port", port, "backlog", 8);
            if (s.family != tcpct.wire.IpFamily.IPV4) {
                a.put("addr", s.family.wildcard()); // the agent's socket follows the address's family
            }
            takePending(s, a);
            s.listener = call("listen", a).path("sock").asInt();
            s.targetPort = port;
            s.listened = true;
        });
        s.lastAction = "listen";
        return port;
    }

    /** Aims the peer at the scenario's fresh port without listening on it: a port with no socket at all. */
    public int closedPort() {
        Session s = session();
        s.targetPort = s.listenPort;
        s.lastAction = "nothing (no socket on port " + s.listenPort + ")";
        return s.listenPort;
    }

    /** Takes the established connection off the listener's queue, so that it can be closed later. */
    public void accept() {
        Session s = session();
        require(s.listener, "accept", "target.listen()");
        s.step("target accepts", () -> s.connection = call("accept", args("sock", s.listener, "timeoutMs", 1000),
                Duration.ofSeconds(1)).path("sock").asInt());
        s.lastAction = "accept";
    }

    /** Active OPEN towards the peer's port; returns at once (the peer then answers the SYN). */
    public void connect() {
        connect(null);
    }

    /**
     * Active OPEN from the target's {@code localPort} (the agent binds the wildcard address with SO_REUSEADDR first:
     * {@code connect}'s {@code localPort}); null: a port the stack chooses.
     */
    public void connect(Integer localPort) {
        Session s = session();
        s.step("target connects to the peer's port " + s.peerPort + (localPort == null ? "" : " from its port " + localPort), () -> {
            Map<String, Object> a = args("addr", s.family.peerIp, "port", s.peerPort);
            if (localPort != null) {
                a.put("localPort", localPort);
            }
            takePending(s, a);
            s.connection = call("connect", a).path("sock").asInt();
        });
        s.lastAction = "connect";
    }

    /**
     * Active OPEN towards {@code address} (the peer's port): the error the stack answered with (its errno name), or
     * empty when it took the call (the connection is then the scenario's, closed at its end as any other).
     */
    public java.util.Optional<String> connectTo(String address) {
        Session s = session();
        String[] refused = {null};
        s.step("target connects to " + address + " port " + s.peerPort, () -> {
            Map<String, Object> a = args("addr", address, "port", s.peerPort);
            takePending(s, a);
            try {
                s.connection = call("connect", a).path("sock").asInt();
            } catch (AgentError e) {   // ENOSYS (the agent cannot make the call) is UNIMPLEMENTED already, in call()
                refused[0] = e.errno();
                io.qameta.allure.Allure.step("refused: " + e.getMessage());
            }
        });
        s.lastAction = "connect to " + address;
        return java.util.Optional.ofNullable(refused[0]);
    }

    /** CLOSE of the connection (or of the listener when there is no connection). */
    public void close() {
        Session s = session();
        if (s.connection != null) {
            int sock = s.connection;
            s.step("target closes its connection", () -> call("close", args("sock", sock)));
            s.connection = null;
        } else {
            closeListener();
            return;
        }
        s.lastAction = "close";
    }

    /** CLOSE of the listening socket. */
    public void closeListener() {
        Session s = session();
        require(s.listener, "closeListener", "target.listen()");
        int sock = s.listener;
        s.step("target closes its listener", () -> call("close", args("sock", sock)));
        s.listener = null;
        s.lastAction = "close of the listener";
    }

    /** ABORT: close with SO_LINGER 0, so the stack sends RST. */
    public void abort() {
        Session s = session();
        require(s.connection, "abort", "target.accept() or target.connect()");
        int sock = s.connection;
        s.step("target aborts its connection", () -> call("abort", args("sock", sock)));
        s.connection = null;
        s.lastAction = "abort";
    }

    /** shutdown(SHUT_WR): sends FIN but keeps receiving (half close). */
    public void shutdownWrite() {
        Session s = session();
        require(s.connection, "shutdownWrite", "target.accept() or target.connect()");
        s.step("target shuts down its sending side", () -> call("shutdown", args("sock", s.connection, "how", "wr")));
        s.lastAction = "shutdown(wr)";
    }

    /** Sends {@code text} on the connection. */
    public void send(String text) {
        Session s = session();
        require(s.connection, "send", "target.accept() or target.connect()");
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        s.step("target sends \"" + text + "\" (" + data.length + " octets)",
                () -> call("send", args("sock", s.connection, "data", HexFormat.of().formatHex(data))));
        s.lastAction = "send";
    }

    /**
     * SEND on the listening socket (RFC 9293 3.10.2: in LISTEN, a SEND with a foreign socket turns the
     * connection active, edge E5). When the stack's API refuses, the scenario is UNIMPLEMENTED with its errno.
     */
    public void sendOnListener(String text) {
        Session s = session();
        require(s.listener, "sendOnListener", "target.listen()");
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        s.step("target sends \"" + text + "\" on its listening socket", () -> {
            try {
                call("send", args("sock", s.listener, "data", HexFormat.of().formatHex(data)));
            } catch (AgentError e) {
                throw new Unimplemented("the target's API offers no SEND in LISTEN (RFC 9293 3.10.2, edge E5): send on the "
                        + "listening socket failed with " + e.errno());
            }
        });
        s.lastAction = "send on the listener";
    }

    /** What the application reads from the connection now (waits up to 1 s for something to arrive). */
    public String recv() {
        return recv(65536);
    }

    /** What the application reads from the connection now, at most {@code max} octets (waits up to 1 s for something to arrive). */
    public String recv(int max) {
        Session s = session();
        require(s.connection, "recv", "target.accept() or target.connect()");
        String[] got = new String[1];
        s.step(max == 65536 ? "target reads" : "target reads at most " + max + " octets", () -> {
            JsonNode a = call("recv", args("sock", s.connection, "max", max, "timeoutMs", 1000), Duration.ofSeconds(1));
            got[0] = new String(HexFormat.of().parseHex(a.path("data").asText("")), StandardCharsets.UTF_8);
        });
        s.lastAction = "recv";
        return got[0];
    }

    /**
     * How a read of the connection now ends, for what the application learns of a close (MUST-12): {@code "EOF"} when
     * the read reports end of stream, the errno name when it fails (ECONNRESET for a reset connection), else
     * {@code "data: "} and the text read. Waits up to 1 s for the socket to become readable.
     */
    public String recvOutcome() {
        Session s = session();
        require(s.connection, "recvOutcome", "target.accept() or target.connect()");
        String got = readReport(s, "target reads, to learn how the connection ended",
                () -> call("recv", args("sock", s.connection, "max", 65536, "timeoutMs", 1000), Duration.ofSeconds(1)));
        s.lastAction = "recv";
        return got;
    }

    /**
     * Sends {@code text} as urgent data (send with MSG_OOB, agent protocol 5b): the stack's urgent pointer is to follow
     * its last octet (RFC 9293 3.8.5, MUST-62). An agent without hello's {@code oob} feature makes the scenario
     * UNIMPLEMENTED, since an older agent would send the text as ordinary data.
     */
    public void sendUrgent(String text) {
        Session s = session();
        require(s.connection, "sendUrgent", "target.accept() or target.connect()");
        requireOob(s, "send(..., MSG_OOB)");
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        s.step("target sends \"" + text + "\" as urgent data (MSG_OOB, " + data.length + " octets)", () -> oobCall(s, "send(..., MSG_OOB)",
                "send", args("sock", s.connection, "data", HexFormat.of().formatHex(data), "oob", true)));
        s.lastAction = "send(MSG_OOB)";
    }

    /**
     * recv with MSG_OOB (agent protocol 5b): the urgent octet the stack holds out of band, as {@code "data: "} and the
     * text, or the errno name when the call fails (EINVAL: no urgent octet to take). Waits up to 1 s for one (POLLPRI).
     */
    public String recvUrgent() {
        Session s = session();
        require(s.connection, "recvUrgent", "target.accept() or target.connect()");
        requireOob(s, "recv(..., MSG_OOB)");
        String got = readReport(s, "target reads its urgent data (recv with MSG_OOB)", () -> oobCall(s, "recv(..., MSG_OOB)", "recv",
                args("sock", s.connection, "max", 64, "timeoutMs", 1000, "oob", true)));
        s.lastAction = "recv(MSG_OOB)";
        return got;
    }

    /**
     * A read as a step, reported as the application learns it: {@code "EOF"} for end of stream, {@code "data: "} and the
     * text read, or the errno name of the call's failure.
     */
    private static String readReport(Session s, String step, java.util.function.Supplier<JsonNode> read) {
        String[] got = new String[1];
        s.step(step, () -> {
            try {
                JsonNode a = read.get();
                got[0] = a.path("eof").asBoolean(false) ? "EOF"
                        : "data: " + new String(HexFormat.of().parseHex(a.path("data").asText("")), StandardCharsets.UTF_8);
            } catch (AgentError e) {
                got[0] = e.errno();
            }
            io.qameta.allure.Allure.step("the read reports " + got[0]);
        });
        return got[0];
    }

    /** sockatmark (SIOCATMARK, agent command {@code atmark}): whether the next octet to read is at the urgent mark. */
    public boolean atMark() {
        Session s = session();
        require(s.connection, "atMark", "target.accept() or target.connect()");
        boolean[] at = new boolean[1];
        s.step("target asks whether it is at the urgent mark (sockatmark)", () -> {
            at[0] = oobCall(s, "sockatmark (SIOCATMARK)", "atmark", args("sock", s.connection)).path("atmark").asBoolean();
            io.qameta.allure.Allure.step(at[0] ? "at the mark" : "not at the mark");
        });
        s.lastAction = "sockatmark";
        return at[0];
    }

    /**
     * poll (agent protocol 2) of the connection for {@code events} (comma-separated: in, out, pri, rdhup), waiting up
     * to {@code within}: the events that came, comma-separated, {@code ""} for none.
     */
    public String poll(String events, Duration within) {
        Session s = session();
        require(s.connection, "poll", "target.accept() or target.connect()");
        String[] got = new String[1];
        s.step("target polls for " + events + " (up to " + within.toMillis() + " ms)", () -> {
            got[0] = oobCall(s, "poll(" + events + ")", "poll", args("sock", s.connection, "events", events, "timeoutMs", within.toMillis()))
                    .path("revents").asText("");
            io.qameta.allure.Allure.step(got[0].isEmpty() ? "no event" : "events: " + got[0]);
        });
        s.lastAction = "poll(" + events + ")";
        return got[0];
    }

    private static void requireOob(Session s, String call) {
        for (JsonNode f : s.lab.hello().path("features")) {
            if (f.asText().equals("oob")) {
                return;
            }
        }
        throw new Unimplemented("the target offers no urgent data: " + call + " is not in its agent (hello names no \"oob\" feature) for "
                + s.lab.stack());
    }

    /**
     * A call for urgent data (or poll): ENOSYS from the agent is the stack without it, UNIMPLEMENTED naming the call and the
     * stack; the call's own {@code timeoutMs} is added to the agent's bound.
     */
    private static JsonNode oobCall(Session s, String call, String cmd, Map<String, ?> a) {
        Object wait = a.get("timeoutMs");
        try {
            return call(cmd, a, Duration.ofMillis(wait instanceof Number n ? n.longValue() : 0));
        } catch (Unimplemented e) {
            throw new Unimplemented("the target offers no " + call + " for " + s.lab.stack() + ": " + e.getMessage());
        }
    }

    /**
     * Any agent command by name (targets/AGENT-PROTOCOL.md), for what the verbs above do not wrap yet.
     * Unsupported commands make the scenario UNIMPLEMENTED.
     */
    public JsonNode agent(String cmd, Map<String, ?> arguments) {
        Session s = session();
        JsonNode[] answer = new JsonNode[1];
        s.step("target agent: " + cmd + " " + arguments, () -> answer[0] = call(cmd, arguments));
        s.lastAction = cmd;
        return answer[0];
    }

    /** Every TCP endpoint of the stack, as its agent reports it now. */
    public List<Endpoint> endpoints() {
        return session().lab.agent().states();
    }

    /**
     * The state of this scenario's endpoint, as asked about {@code wanted}. The connection (found by the
     * peer's address and port) while the stack has one. Without one: once a connection was begun, the
     * RFC's TCB either went back to LISTEN (when {@code wanted} is LISTEN, the listener on the scenario's
     * port must be there) or is CLOSED; before that, the listener's state, or CLOSED.
     */
    public TcpState state(TcpState wanted) {
        Session s = session();
        List<Endpoint> all = endpoints();
        Optional<Endpoint> conn = all.stream()
                .filter(e -> e.remotePort() == s.peerPort && s.family.isPeer(e.remoteAddr())).findFirst();
        if (conn.isPresent()) {
            return conn.get().state();
        }
        Optional<TcpState> listener = all.stream().filter(e -> e.localPort() == s.listenPort && e.remotePort() == 0)
                .map(Endpoint::state).findFirst();
        if (s.connectionBegun() && wanted != TcpState.LISTEN) {
            return TcpState.CLOSED;
        }
        return listener.orElse(TcpState.CLOSED);
    }

    /**
     * The state in which the agent shows this scenario's connection, if it shows one: for assertions of states
     * the agent cannot show, where "no endpoint" is all it can say.
     */
    Optional<Endpoint> visibleConnection() {
        Session s = session();
        return endpoints().stream().filter(e -> e.remotePort() == s.peerPort && s.family.isPeer(e.remoteAddr())).findFirst();
    }

    private static void takePending(Session s, Map<String, Object> a) {
        if (s.pendingSocket != null) {
            a.put("sock", s.pendingSocket);
            s.pendingSocket = null;
        }
    }

    private static void require(Integer sock, String what, String first) {
        if (sock == null) {
            throw new IllegalStateException(what + " needs a socket: call " + first + " first");
        }
    }

    private static JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, Duration.ZERO);
    }

    private static JsonNode call(String cmd, Map<String, ?> args, Duration extra) {
        session().closeInferenceWindows();
        try {
            return session().lab.agent().call(cmd, args, extra);
        } catch (AgentError e) {
            if (e.unsupported()) {
                throw new Unimplemented("the target's agent cannot do " + cmd + " " + args + ": " + e.getMessage());
            }
            throw e;
        }
    }

    private static Map<String, Object> args(Object... kv) {
        return tcpct.agent.AgentClient.args(kv);
    }
}
