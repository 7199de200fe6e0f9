package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Direct access to the running scenario's agent, for the agent-protocol checks: the answer as it
 * comes, errors (ENOSYS included) as {@link tcpct.agent.AgentError}, not turned into verdicts.
 */
public final class AgentAccess {

    private AgentAccess() {
    }

    public static JsonNode raw(String cmd, Map<String, ?> args) {
        Session s = Session.current();
        JsonNode[] answer = new JsonNode[1];
        s.step("agent: " + cmd + " " + args, () -> answer[0] = s.lab.agent().call(cmd, args));
        return answer[0];
    }

    /**
     * Whether the agent answers a {@code hello} within {@code bound}: after a call that ran out of its bound, tells an
     * agent that is slow (a loaded machine) from one that is gone or hung with its stack.
     */
    public static boolean answersWithin(java.time.Duration bound) {
        Session s = Session.current();
        boolean[] answered = new boolean[1];
        s.step("agent: hello, to see whether it still answers within " + bound.toMillis() + " ms", () -> {
            try {
                s.lab.agent().call("hello", Map.of(), bound.minus(tcpct.agent.AgentClient.CALL_TIMEOUT));
                answered[0] = true;
            } catch (RuntimeException e) {
                io.qameta.allure.Allure.step("it does not: " + e.getMessage());
            }
        });
        return answered[0];
    }

    /** The agent's socket id of this scenario's listener. */
    public static int listenerOfThisScenario() {
        Integer l = Session.current().listener;
        if (l == null) {
            throw new IllegalStateException("no listener: call target.listen() first");
        }
        return l;
    }

    /** The states the agent says it cannot show (hello's hiddenStates). */
    public static java.util.Set<tcpct.state.TcpState> hiddenStates() {
        return Session.current().lab.hiddenStates();
    }
}
