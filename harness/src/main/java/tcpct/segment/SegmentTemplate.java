package tcpct.segment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A segment as a scenario writes it: control bits, and only the fields the scenario cares about, with
 * relative sequence numbers. Immutable; every setter returns a new template.
 *
 * <p>To send, {@link #toSegment} fills in what is left out (our next SEQ, our RCV.NXT as ACK, a window,
 * an MSS option on a SYN). To expect, {@link #compare} checks the bits exactly, SEQ and ACK when given,
 * the payload (none unless given), and window and MSS only when given.
 */
public final class SegmentTemplate {

    /** Window the harness advertises unless a scenario says otherwise. */
    public static final int DEFAULT_WINDOW = 64240;
    /** MSS the harness offers on its SYNs unless a scenario says otherwise. */
    public static final int DEFAULT_MSS = 1460;

    private final Flags flags;
    private final Long seq;
    private final Long ack;
    private final Integer window;
    private final byte[] payload;
    private final Integer mss;
    private final List<TcpOption> options;
    private final boolean ackOptional;

    private SegmentTemplate(Flags flags, Long seq, Long ack, Integer window, byte[] payload, Integer mss,
                            List<TcpOption> options) {
        this(flags, seq, ack, window, payload, mss, options, false);
    }

    private SegmentTemplate(Flags flags, Long seq, Long ack, Integer window, byte[] payload, Integer mss,
                            List<TcpOption> options, boolean ackOptional) {
        this.ackOptional = ackOptional;
        this.flags = flags;
        this.seq = seq;
        this.ack = ack;
        this.window = window;
        this.payload = payload;
        this.mss = mss;
        this.options = options;
    }

    public static SegmentTemplate of(Flag... flags) {
        return new SegmentTemplate(Flags.of(flags), null, null, null, new byte[0], null, null);
    }

    public SegmentTemplate seq(long relative) {
        return new SegmentTemplate(flags, relative, ack, window, payload, mss, options, ackOptional);
    }

    public SegmentTemplate ack(long relative) {
        if (!flags.has(Flag.ACK)) {
            throw new IllegalArgumentException("an ACK number on a segment without the ACK bit: use " + "a template with ACK");
        }
        return new SegmentTemplate(flags, seq, relative, window, payload, mss, options, ackOptional);
    }

    public SegmentTemplate win(int window) {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, ackOptional);
    }

    public SegmentTemplate data(byte[] data) {
        return new SegmentTemplate(flags, seq, ack, window, data.clone(), mss, options, ackOptional);
    }

    public SegmentTemplate data(String text) {
        return data(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets PSH as well; a sender may set it on any data segment (RFC 9293 3.9.1, MAY-16). */
    public SegmentTemplate psh() {
        return new SegmentTemplate(flags.with(Flag.PSH), seq, ack, window, payload, mss, options, ackOptional);
    }

    /** For expecting: the segment may also carry the ACK bit (with any ACK number), e.g. a RST from ABORT. */
    public SegmentTemplate orWithAck() {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, true);
    }

    public SegmentTemplate mss(int value) {
        return new SegmentTemplate(flags, seq, ack, window, payload, value, options, ackOptional);
    }

    /** The exact option list to send (replaces the default MSS on a SYN). */
    public SegmentTemplate options(List<TcpOption> exact) {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, List.copyOf(exact), ackOptional);
    }

    public Flags flags() {
        return flags;
    }

    public byte[] payload() {
        return payload.clone();
    }

    /** Sequence space this template's segment occupies. */
    public int seqLength() {
        return payload.length + (flags.has(Flag.SYN) ? 1 : 0) + (flags.has(Flag.FIN) ? 1 : 0);
    }

    /**
     * The segment to send. {@code nextSeq} and {@code rcvNxt} are the peer's own SND.NXT and RCV.NXT,
     * relative, used where the template leaves SEQ or ACK out.
     */
    public Segment toSegment(int srcPort, int dstPort, SeqSpace space, long nextSeq, long rcvNxt) {
        SeqNum s = space.peerAbsolute(seq != null ? seq : nextSeq);
        SeqNum a = flags.has(Flag.ACK) ? space.targetAbsolute(ack != null ? ack : rcvNxt) : new SeqNum(0);
        List<TcpOption> opts = options != null ? options
                : mss != null ? List.of(TcpOption.mss(mss))
                : flags.has(Flag.SYN) ? List.of(TcpOption.mss(DEFAULT_MSS)) : List.of();
        return new Segment(srcPort, dstPort, s, a, flags, window != null ? window : DEFAULT_WINDOW, 0, opts, payload);
    }

    /** Every field of {@code actual} (a segment from the target) that differs from this template. */
    public List<FieldMismatch> compare(Segment actual, SeqSpace space) {
        List<FieldMismatch> out = new ArrayList<>();
        Flags seen = ackOptional ? actual.flags().without(Flag.ACK) : actual.flags();
        if (!seen.equals(flags)) {
            out.add(new FieldMismatch("flags", flags.toString(), actual.flags().toString()));
        }
        if (seq != null && space.knowsTargetIsn()) {
            long rel = space.targetRelative(actual.seq());
            if (rel != seq) {
                out.add(new FieldMismatch("seq", Long.toString(seq), Long.toString(rel)));
            }
        }
        if (ack != null) {
            if (!actual.flags().has(Flag.ACK)) {
                out.add(new FieldMismatch("ack", Long.toString(ack), "no ACK bit"));
            } else {
                long rel = space.peerRelative(actual.ack());
                if (rel != ack) {
                    out.add(new FieldMismatch("ack", Long.toString(ack), Long.toString(rel)));
                }
            }
        }
        if (window != null && actual.window() != window) {
            out.add(new FieldMismatch("win", window.toString(), Integer.toString(actual.window())));
        }
        if (!java.util.Arrays.equals(actual.payload(), payload)) {
            out.add(new FieldMismatch("data", describe(payload), describe(actual.payload())));
        }
        if (mss != null && actual.mss() != mss) {
            out.add(new FieldMismatch("mss", mss.toString(), actual.mss() < 0 ? "no MSS option" : Integer.toString(actual.mss())));
        }
        return out;
    }

    private static String describe(byte[] data) {
        if (data.length == 0) {
            return "no data";
        }
        String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 16));
        return data.length + " octets (" + hex + (data.length > 16 ? "..." : "") + ")";
    }

    /** The template as a scenario author would read it: {@code SYN,ACK seq 0 ack 1}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(flags.toString());
        if (seq != null) {
            b.append(" seq ").append(seq);
        }
        if (ack != null) {
            b.append(" ack ").append(ack);
        }
        if (window != null) {
            b.append(" win ").append(window);
        }
        if (payload.length > 0) {
            b.append(" len ").append(payload.length);
        }
        if (ackOptional) {
            b.append(" (ACK bit optional)");
        }
        if (mss != null) {
            b.append(" <mss ").append(mss).append('>');
        }
        return b.toString();
    }
}
