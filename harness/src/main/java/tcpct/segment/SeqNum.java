package tcpct.segment;

/**
 * A TCP sequence or acknowledgement number: 32 bits that wrap around (RFC 9293 section 3.4).
 * Comparisons follow the RFC's modular arithmetic: {@code a.lt(b)} when b lies less than 2^31 ahead of a.
 */
public record SeqNum(int raw) implements Comparable<SeqNum> {

    public static SeqNum of(long value) {
        return new SeqNum((int) value);
    }

    /** The unsigned value, 0 .. 2^32-1, as it appears on the wire. */
    public long unsigned() {
        return Integer.toUnsignedLong(raw);
    }

    public SeqNum plus(long n) {
        return new SeqNum((int) (raw + n));
    }

    /** How far {@code this} lies ahead of {@code other}, in the range -2^31 .. 2^31-1. */
    public long minus(SeqNum other) {
        return (long) (raw - other.raw);
    }

    public boolean lt(SeqNum other) {
        return minus(other) < 0;
    }

    public boolean le(SeqNum other) {
        return minus(other) <= 0;
    }

    public boolean gt(SeqNum other) {
        return minus(other) > 0;
    }

    public boolean ge(SeqNum other) {
        return minus(other) >= 0;
    }

    /** {@code lo <= this < hi} in sequence space, the RFC's test for "inside the window". */
    public boolean within(SeqNum lo, SeqNum hi) {
        return ge(lo) && lt(hi);
    }

    @Override
    public int compareTo(SeqNum other) {
        return Long.signum(minus(other));
    }

    @Override
    public String toString() {
        return Long.toString(unsigned());
    }
}
