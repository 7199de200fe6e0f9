package tcpct.agent;

/**
 * A soft error the stack reported to the application (RFC 9293 3.9.1.8, MUST-47), as the agent read it: {@code via}
 * says how, {@code SO_ERROR} (the socket's pending error, only {@code errno} set) or {@code MSG_ERRQUEUE} (an entry of
 * the socket's error queue, agent protocol section 5d: {@code origin} "icmp", "icmp6", "local", ..., the ICMP
 * {@code type} and {@code code}, and the {@code offender}'s address or null). Type and code are -1 when not told.
 */
public record ErrorReport(String via, String origin, int type, int code, String errno, String offender) {

    public static ErrorReport pending(String errno) {
        return new ErrorReport("SO_ERROR", null, -1, -1, errno, null);
    }

    /** Whether it came from an ICMP or ICMPv6 message of this type and code. */
    public boolean isIcmp(int icmpType, int icmpCode) {
        return ("icmp".equals(origin) || "icmp6".equals(origin)) && type == icmpType && code == icmpCode;
    }

    @Override
    public String toString() {
        return "SO_ERROR".equals(via) ? "SO_ERROR " + errno
                : "error queue entry " + origin + " " + type + "/" + code + " " + errno + (offender == null ? "" : " from " + offender);
    }
}
