package tcpct.wire;

/** Which way a frame went on the test wire. */
public enum Direction {
    /** Sent by the harness, playing the remote TCP. */
    TO_TARGET,
    /** Sent by the stack under test. */
    FROM_TARGET;

    public String arrow() {
        return this == TO_TARGET ? "peer > target" : "target > peer";
    }
}
