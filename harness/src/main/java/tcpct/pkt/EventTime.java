package tcpct.pkt;

/**
 * When an event happens, in seconds: {@code 0.1} (from the script's start), {@code +0.1} (after the
 * previous event), {@code *} (any time), a range {@code 0.1~0.2} or {@code +0.1~+0.2}; {@link Kind#NONE}
 * for a shell command outside the timed events.
 */
public record EventTime(Kind kind, double start, double end) {

    public enum Kind { ABSOLUTE, RELATIVE, ANY, NONE }

    public static EventTime at(double seconds) {
        return new EventTime(Kind.ABSOLUTE, seconds, seconds);
    }

    public static EventTime after(double seconds) {
        return new EventTime(Kind.RELATIVE, seconds, seconds);
    }

    public static final EventTime ANY = new EventTime(Kind.ANY, 0, 0);
    public static final EventTime NONE = new EventTime(Kind.NONE, 0, 0);

    public boolean isRange() {
        return end != start;
    }

    @Override
    public String toString() {
        String p = kind == Kind.RELATIVE ? "+" : "";
        return switch (kind) {
            case ANY -> "*";
            case NONE -> "";
            default -> isRange() ? p + start + "~" + p + end : p + start;
        };
    }
}
