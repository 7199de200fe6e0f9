package tcpct.report;

/**
 * A state a scenario asserted that the target's agent cannot show (its hello's {@code hiddenStates}), and how
 * the harness stood in for the probe: what the wire showed while the state was supposed to hold, in one
 * sentence ("confirmed by the wire: the peer's SYN was answered by SYN,ACK ..."). In summary.json's
 * {@code inferredStates}; such a state is never listed among the observed {@code states}.
 */
public record InferredState(String state, String how) {
}
