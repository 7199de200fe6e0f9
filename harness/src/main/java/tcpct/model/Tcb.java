package tcpct.model;

import tcpct.state.TcpState;

/**
 * The connection's variables that RFC 9293 section 3.10.7 consults when a segment arrives (section 3.3.1),
 * in the harness's relative numbers: the target's send side counts from its ISS = 0, its receive side
 * from the peer's ISN = 0. {@code passive} tells a SYN-RECEIVED that came from LISTEN.
 */
public record Tcb(TcpState state, long sndUna, long sndNxt, long rcvNxt, long rcvWnd, boolean passive) {

    /** No connection at all: segment arrival follows 3.10.7.1. */
    public static Tcb closed() {
        return new Tcb(TcpState.CLOSED, 0, 0, 0, 0, false);
    }

    public Tcb withState(TcpState s) {
        return new Tcb(s, sndUna, sndNxt, rcvNxt, rcvWnd, passive);
    }
}
