package tcpct.state;

import static tcpct.state.TcpState.*;

import java.util.Optional;

/** The edges of the state diagram with their stable ids (shared/spec/state-diagram.md). */
public enum Edge {
    E1(CLOSED, LISTEN, "passive OPEN"),
    E2(CLOSED, SYN_SENT, "active OPEN / snd SYN"),
    E3(LISTEN, CLOSED, "CLOSE"),
    E4(LISTEN, SYN_RECEIVED, "rcv SYN / snd SYN,ACK"),
    E5(LISTEN, SYN_SENT, "SEND / snd SYN"),
    E6(SYN_SENT, CLOSED, "CLOSE"),
    E7(SYN_SENT, SYN_RECEIVED, "rcv SYN / snd SYN,ACK"),
    E8(SYN_SENT, ESTABLISHED, "rcv SYN,ACK / snd ACK"),
    E9(SYN_RECEIVED, LISTEN, "rcv RST (from passive OPEN)"),
    E10(SYN_RECEIVED, ESTABLISHED, "rcv ACK of SYN"),
    E11(SYN_RECEIVED, FIN_WAIT_1, "CLOSE / snd FIN"),
    E12(ESTABLISHED, FIN_WAIT_1, "CLOSE / snd FIN"),
    E13(ESTABLISHED, CLOSE_WAIT, "rcv FIN / snd ACK"),
    E14(FIN_WAIT_1, FIN_WAIT_2, "rcv ACK of FIN"),
    E15(FIN_WAIT_1, CLOSING, "rcv FIN / snd ACK"),
    E16(FIN_WAIT_2, TIME_WAIT, "rcv FIN / snd ACK"),
    E17(CLOSING, TIME_WAIT, "rcv ACK of FIN"),
    E18(TIME_WAIT, CLOSED, "timeout = 2MSL"),
    E19(CLOSE_WAIT, LAST_ACK, "CLOSE / snd FIN"),
    E20(LAST_ACK, CLOSED, "rcv ACK of FIN"),
    E21(FIN_WAIT_1, TIME_WAIT, "rcv FIN that ACKs our FIN");

    public final TcpState from;
    public final TcpState to;
    public final String event;

    Edge(TcpState from, TcpState to, String event) {
        this.from = from;
        this.to = to;
        this.event = event;
    }

    /** The edge from {@code a} to {@code b}, when the diagram has exactly that one among {@code candidates}. */
    public static Optional<Edge> between(TcpState a, TcpState b, Iterable<Edge> candidates) {
        for (Edge e : candidates) {
            if (e.from == a && e.to == b) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
