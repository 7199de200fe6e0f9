package tcpct.scenarios;

import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.LISTEN;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;
import tcpct.agent.AgentError;
import tcpct.scenario.AgentAccess;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Scenario;

/**
 * The agent protocol itself (targets/AGENT-PROTOCOL.md), checked against the target's agent: what
 * anyone bringing their own stack must get right before the TCP verdicts mean anything. A wrong answer
 * is FAILED with what was expected and what came back.
 */
public class AgentProtocol extends Fixtures {

    /** What every agent must implement; setsockopt, getsockopt and socket are optional (AGENT-PROTOCOL.md, 10). */
    static final List<String> REQUIRED = List.of("hello", "listen", "accept", "connect", "send", "recv", "shutdown", "close",
            "abort", "states", "reset");

    @Test(description = "hello names the agent, protocol 1 or 2, the stack, and every command the protocol requires", groups = "agent")
    @Scenario(id = "agent/hello")
    public void hello() {
        JsonNode h = target.agent("hello", Map.of());
        int protocol = h.path("protocol").asInt();
        require(protocol == 1 || protocol == 2, "protocol 1 or 2 (2 adds bind and poll)", h.path("protocol").toString());
        require(!h.path("agent").asText().isBlank(), "an agent name", h.path("agent").toString());
        require(!h.path("stack").asText().isBlank(), "a stack description", h.path("stack").toString());
        List<String> commands = new java.util.ArrayList<>();
        h.path("commands").forEach(c -> commands.add(c.asText()));
        List<String> missing = REQUIRED.stream().filter(c -> !commands.contains(c)).toList();
        require(missing.isEmpty(), "commands " + REQUIRED, "no " + missing);
    }

    @Test(description = "listen gives a socket whose endpoint states reports as LISTEN; close removes it", groups = "agent")
    @Scenario(id = "agent/listen-states-close")
    public void listenStatesClose() {
        assertThat(target).isIn(CLOSED);
        int port = target.listen();                   assertThat(target).isIn(LISTEN);
        if (AgentAccess.hiddenStates().contains(LISTEN)) {
            // hello says the agent cannot show LISTEN: then it must not report the listener in any state either
            boolean listed = target.endpoints().stream().anyMatch(e -> e.localPort() == port && e.remotePort() == 0);
            require(!listed, "no endpoint on port " + port + " (hello lists LISTEN in hiddenStates)", target.endpoints().toString());
        } else {
            boolean listed = target.endpoints().stream().anyMatch(e -> e.localPort() == port && e.state() == LISTEN);
            require(listed, "an endpoint on port " + port + " in LISTEN", target.endpoints().toString());
        }
        target.closeListener();                       assertThat(target).isIn(CLOSED);
    }

    @Test(description = "errors come back as errors with the errno name: unknown command ENOSYS, unknown socket EBADF, "
            + "nothing to accept EAGAIN", groups = "agent")
    @Scenario(id = "agent/errors")
    public void errors() {
        expectErrno("frobnicate", Map.of(), "ENOSYS");
        expectErrno("close", Map.of("sock", 987654), "EBADF");
        target.listen();
        JsonNode again = null;
        try {
            again = AgentAccess.raw("accept", Map.of("sock", AgentAccess.listenerOfThisScenario(), "timeoutMs", 100));
        } catch (AgentError e) {
            require(e.errno().equals("EAGAIN"), "EAGAIN from accept with nothing pending", e.errno());
        }
        require(again == null, "an error from accept with nothing pending", String.valueOf(again));
    }

    private static void expectErrno(String cmd, Map<String, ?> args, String errno) {
        try {
            JsonNode ok = AgentAccess.raw(cmd, args);
            throw new ConformanceFailure("expected " + cmd + " " + args + " to fail with " + errno + ", but it answered " + ok);
        } catch (AgentError e) {
            require(e.errno().equals(errno), cmd + " " + args + " failing with " + errno, e.errno() + " (" + e.getMessage() + ")");
        }
    }

    private static void require(boolean ok, String expected, String seen) {
        if (!ok) {
            throw new ConformanceFailure("expected " + expected + ", saw " + seen);
        }
    }
}
