package tcpct.segment;

import java.util.ArrayList;
import java.util.List;

/** An immutable set of control bits, printed the way people say them: {@code SYN,ACK}. */
public record Flags(int bits) {

    public Flags {
        if ((bits & ~0xff) != 0) {
            throw new IllegalArgumentException("flags take 8 bits, got 0x" + Integer.toHexString(bits));
        }
    }

    public static Flags of(Flag... flags) {
        int b = 0;
        for (Flag f : flags) {
            b |= f.bit;
        }
        return new Flags(b);
    }

    public boolean has(Flag f) {
        return (bits & f.bit) != 0;
    }

    public Flags with(Flag f) {
        return new Flags(bits | f.bit);
    }

    public Flags without(Flag f) {
        return new Flags(bits & ~f.bit);
    }

    @Override
    public String toString() {
        // Conventional order: SYN, FIN, RST, PSH, URG, ACK, then ECN bits
        List<String> names = new ArrayList<>();
        for (Flag f : new Flag[] {Flag.SYN, Flag.FIN, Flag.RST, Flag.PSH, Flag.URG, Flag.ACK, Flag.ECE, Flag.CWR}) {
            if (has(f)) {
                names.add(f.name());
            }
        }
        return names.isEmpty() ? "none" : String.join(",", names);
    }
}
