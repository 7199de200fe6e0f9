package tcpct.target;

/** Docker labels and name prefixes that mark what the harness created, so it can find and remove it. */
public final class Labels {
    /** On every container and image the harness creates. */
    public static final String OWNER = "dev.tcpct";
    /** The process id of the harness run that created a container. */
    public static final String RUN = "dev.tcpct.run";
    /** Host-side veth ends: {@code tcpct} and eight hex digits, within the 15-character limit. */
    public static final String VETH_PREFIX = "tcpct";

    private Labels() {
    }
}
