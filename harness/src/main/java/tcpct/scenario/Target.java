package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tcpct.agent.AgentError;
import tcpct.agent.Endpoint;
import tcpct.state.TcpState;
import tcpct.target.VethPair;

/**
 * The stack under test, as a scenario drives it: socket calls carried out by the target's agent, and the
 * state of this scenario's endpoint as the agent reports it. Each call is an Allure step. A call the
 * agent does not support makes the scenario UNIMPLEMENTED for this target.
 */
public final class Target {

    private final Session session;
    private Integer listener;
    private Integer connection;

    Target(Session session) {
        this.session = session;
    }

    /** Passive OPEN on a fresh port; returns the port. */
    public int listen() {
        int port = session.listenPort;
        session.step("target listens on port " + port, () -> {
            listener = call("listen", args("port", port, "backlog", 8)).path("sock").asInt();
            session.targetPort = port;
        });
        session.lastAction = "listen";
        return port;
    }

    /** Takes the established connection off the listener's queue, so that it can be closed later. */
    public void accept() {
        requireListener("accept");
        session.step("target accepts", () -> connection = call("accept", args("sock", listener, "timeoutMs", 1000),
                Duration.ofSeconds(1)).path("sock").asInt());
        session.lastAction = "accept";
    }

    /** Active OPEN towards the peer; returns at once (the peer then answers the SYN). */
    public void connect() {
        session.step("target connects to the peer's port " + session.peerPort, () ->
                connection = call("connect", args("addr", VethPair.PEER_IP, "port", session.peerPort)).path("sock").asInt());
        session.lastAction = "connect";
    }

    /** CLOSE of the connection (or of the listener when there is no connection). */
    public void close() {
        Integer sock = connection != null ? connection : listener;
        if (sock == null) {
            throw new IllegalStateException("close before listen or connect");
        }
        String what = sock.equals(connection) ? "connection" : "listener";
        session.step("target closes its " + what, () -> call("close", args("sock", sock)));
        if (sock.equals(connection)) {
            connection = null;
        } else {
            listener = null;
        }
        session.lastAction = "close";
    }

    /** Sends {@code text} on the connection. */
    public void send(String text) {
        requireConnection("send");
        byte[] data = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        session.step("target sends " + data.length + " octets", () -> call("send", args("sock", connection, "data", HexFormat.of().formatHex(data))));
        session.lastAction = "send";
    }

    /**
     * Any agent command by name (targets/AGENT-PROTOCOL.md), for what the verbs above do not wrap yet,
     * e.g. {@code setsockopt}. Unsupported commands make the scenario UNIMPLEMENTED.
     */
    public JsonNode agent(String cmd, Map<String, ?> arguments) {
        JsonNode[] answer = new JsonNode[1];
        session.step("target agent: " + cmd + " " + arguments, () -> answer[0] = call(cmd, arguments));
        session.lastAction = cmd;
        return answer[0];
    }

    /** Every TCP endpoint of the stack, as its agent reports it now. */
    public List<Endpoint> endpoints() {
        return session.lab.agent().states();
    }

    /**
     * The state of this scenario's endpoint: the connection when one exists (identified by the peer's
     * port), otherwise the listener; CLOSED when the stack has neither.
     */
    public TcpState state(TcpState wanted) {
        List<Endpoint> all = endpoints();
        Optional<Endpoint> conn = all.stream().filter(e -> e.remotePort() == session.peerPort
                && e.remoteAddr().equals(VethPair.PEER_IP)).findFirst();
        Optional<Endpoint> listening = all.stream().filter(e -> e.localPort() == session.listenPort && e.remotePort() == 0).findFirst();
        if (wanted == TcpState.LISTEN) {
            return listening.map(Endpoint::state).orElse(conn.map(Endpoint::state).orElse(TcpState.CLOSED));
        }
        return conn.map(Endpoint::state).orElse(session.targetPort == null || !session.space.knowsTargetIsn()
                ? listening.map(Endpoint::state).orElse(TcpState.CLOSED) : TcpState.CLOSED);
    }

    Session session() {
        return session;
    }

    private void requireListener(String what) {
        if (listener == null) {
            throw new IllegalStateException(what + " without a listener: call target.listen() first");
        }
    }

    private void requireConnection(String what) {
        if (connection == null) {
            throw new IllegalStateException(what + " without a connection: call target.accept() or target.connect() first");
        }
    }

    private JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, Duration.ZERO);
    }

    private JsonNode call(String cmd, Map<String, ?> args, Duration extra) {
        try {
            return session.lab.agent().call(cmd, args, extra);
        } catch (AgentError e) {
            if (e.unsupported()) {
                throw new Unimplemented("the target's agent does not offer " + cmd + " (ENOSYS)");
            }
            throw e;
        }
    }

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
