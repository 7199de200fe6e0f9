package tcpct.target;

/**
 * How long each step of starting a target took, in ns: creating the container, starting it (and asking
 * the engine for its pid), wiring its veth pair (and a fault, if any), and its agent opening the control
 * socket. {@code ./tcpct bench} reports them.
 */
public record StartTimes(long createNanos, long startNanos, long wireNanos, long agentSocketNanos) {

    public long totalNanos() {
        return createNanos + startNanos + wireNanos + agentSocketNanos;
    }
}
