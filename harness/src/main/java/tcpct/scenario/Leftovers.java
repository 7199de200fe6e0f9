package tcpct.scenario;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import tcpct.agent.Endpoint;
import tcpct.state.TcpState;

/**
 * The endpoints of one scenario that are still on the target after the harness's {@code reset}, as its
 * {@code states} lists them. {@code held} are in states that only an open socket keeps (LISTEN, ESTABLISHED,
 * CLOSE-WAIT): {@code reset} aborts every socket the agent owns, so one of these left means the reset did
 * not work, and the scenario's result says so (ERROR). {@code timerHeld} are endpoints the stack keeps on its
 * own until a timer ends them (TIME-WAIT, FIN-WAIT-2, LAST-ACK, a listener's SYN-RECEIVED request, and
 * SYN-SENT: a stack may go on retransmitting its SYN after the application closed, as slirp does until its
 * 75 s connection-establishment timer, which its close-in-syn-sent verdict reports): the agent cannot remove
 * them, the next scenario's fresh ports never meet them, and summary.json lists them ({@code leftovers}).
 */
public record Leftovers(List<Endpoint> held, List<Endpoint> timerHeld) {

    /** States an endpoint is in only while an application holds its socket open. */
    static final Set<TcpState> HELD_BY_A_SOCKET = Set.of(TcpState.LISTEN, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);

    public Leftovers {
        held = List.copyOf(held);
        timerHeld = List.copyOf(timerHeld);
    }

    /**
     * The endpoints among {@code all} that belong to a scenario: a local port in {@code targetPorts} (its
     * listener's, or the one the target chose when it connected) or a remote port equal to {@code peerPort}.
     */
    public static Leftovers of(List<Endpoint> all, Collection<Integer> targetPorts, int peerPort) {
        List<Endpoint> ours = all.stream().filter(e -> targetPorts.contains(e.localPort()) || e.remotePort() == peerPort).toList();
        return new Leftovers(ours.stream().filter(Leftovers::heldBySocket).toList(), ours.stream().filter(e -> !heldBySocket(e)).toList());
    }

    /** An endpoint in a state outside RFC 9293 (null) is reported, but not taken for a socket the reset missed. */
    private static boolean heldBySocket(Endpoint e) {
        return e.state() != null && HELD_BY_A_SOCKET.contains(e.state());
    }

    public boolean none() {
        return held.isEmpty() && timerHeld.isEmpty();
    }

    /** Every leftover as {@code "192.0.2.2:5003 <-> 192.0.2.1:20003 TIME-WAIT"}, held ones first. */
    public List<String> describe() {
        return java.util.stream.Stream.concat(held.stream(), timerHeld.stream()).map(Leftovers::text).toList();
    }

    static String text(Endpoint e) {
        return e.localAddr() + ":" + e.localPort() + " <-> " + e.remoteAddr() + ":" + e.remotePort() + " "
                + (e.state() == null ? "UNKNOWN" : e.state().rfcName());
    }
}
