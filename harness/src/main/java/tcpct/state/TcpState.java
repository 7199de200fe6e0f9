package tcpct.state;

import java.util.Arrays;

/** The eleven states of RFC 9293 (Figure 5), spelled as the RFC spells them. */
public enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT;

    /** {@code SYN-RECEIVED}, the name in reports, summary.json and the agent protocol. */
    public String rfcName() {
        return name().replace('_', '-');
    }

    public static TcpState fromRfcName(String name) {
        return Arrays.stream(values()).filter(s -> s.rfcName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an RFC 9293 state name: " + name
                        + " (expected one of " + Arrays.toString(Arrays.stream(values()).map(TcpState::rfcName).toArray()) + ")"));
    }

    @Override
    public String toString() {
        return rfcName();
    }
}
