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
 *
 * <p>A template for sending may also carry a {@link Malformation} ({@code .badChecksum()}, {@code .dataOffset(15)},
 * {@code .rawOptions(...)}, {@code .reservedBits(...)}) that the wire applies when it encodes the segment;
 * expecting ignores it.
 */
public final class SegmentTemplate {

    /** Window the harness advertises unless a scenario says otherwise. */
    public static final int DEFAULT_WINDOW = 64240;
    /** MSS the harness offers on its SYNs over IPv4 unless a scenario says otherwise ({@code IpFamily.synMss} per IP version). */
    public static final int DEFAULT_MSS = 1460;

    private final Flags flags;
    private final Long seq;
    private final Long ack;
    private final Integer window;
    private final byte[] payload;
    private final Integer mss;
    private final List<TcpOption> options;
    private final boolean ackOptional;
    private final int urgentPointer;
    private final Malformation malformation;

    private SegmentTemplate(Flags flags, Long seq, Long ack, Integer window, byte[] payload, Integer mss,
                            List<TcpOption> options) {
        this(flags, seq, ack, window, payload, mss, options, false, 0, Malformation.NONE);
    }

    private SegmentTemplate(Flags flags, Long seq, Long ack, Integer window, byte[] payload, Integer mss,
                            List<TcpOption> options, boolean ackOptional, int urgentPointer, Malformation malformation) {
        this.ackOptional = ackOptional;
        this.flags = flags;
        this.seq = seq;
        this.ack = ack;
        this.window = window;
        this.payload = payload;
        this.mss = mss;
        this.options = options;
        this.urgentPointer = urgentPointer;
        this.malformation = malformation;
    }

    public static SegmentTemplate of(Flag... flags) {
        return new SegmentTemplate(Flags.of(flags), null, null, null, new byte[0], null, null);
    }

    public SegmentTemplate seq(long relative) {
        return new SegmentTemplate(flags, relative, ack, window, payload, mss, options, ackOptional, urgentPointer, malformation);
    }

    public SegmentTemplate ack(long relative) {
        if (!flags.has(Flag.ACK)) {
            throw new IllegalArgumentException("an ACK number on a segment without the ACK bit: use " + "a template with ACK");
        }
        return new SegmentTemplate(flags, seq, relative, window, payload, mss, options, ackOptional, urgentPointer, malformation);
    }

    public SegmentTemplate win(int window) {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, ackOptional, urgentPointer, malformation);
    }

    public SegmentTemplate data(byte[] data) {
        return new SegmentTemplate(flags, seq, ack, window, data.clone(), mss, options, ackOptional, urgentPointer, malformation);
    }

    public SegmentTemplate data(String text) {
        return data(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets PSH as well; a sender may set it on any data segment (RFC 9293 3.9.1, MAY-16). */
    public SegmentTemplate psh() {
        return new SegmentTemplate(flags.with(Flag.PSH), seq, ack, window, payload, mss, options, ackOptional, urgentPointer, malformation);
    }

    /** For expecting: the segment may also carry the ACK bit (with any ACK number), e.g. a RST from ABORT. */
    public SegmentTemplate orWithAck() {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, true, urgentPointer, malformation);
    }

    public SegmentTemplate mss(int value) {
        return new SegmentTemplate(flags, seq, ack, window, payload, value, options, ackOptional, urgentPointer, malformation);
    }

    /** The exact option list to send (replaces the default MSS on a SYN). */
    public SegmentTemplate options(List<TcpOption> exact) {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, List.copyOf(exact), ackOptional, urgentPointer, malformation);
    }

    /** The urgent pointer field (RFC 9293 3.1), an offset from SEQ; meaningful with URG, sent as given either way. */
    public SegmentTemplate urgentPointer(int offset) {
        if (offset < 0 || offset > 0xffff) {
            throw new IllegalArgumentException("urgent pointer takes 16 bits, got " + offset);
        }
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, ackOptional, offset, malformation);
    }

    /**
     * URG with the urgent pointer {@code offset} from SEQ (RFC 9293 3.8.5): sent as such, and, for expecting, the
     * target's segment must carry URG and exactly this pointer.
     */
    public SegmentTemplate urg(int offset) {
        return new SegmentTemplate(flags.with(Flag.URG), seq, ack, window, payload, mss, options, ackOptional, offset, malformation)
                .urgentPointer(offset);
    }

    /** For sending: the TCP checksum is made wrong (RFC 9293 3.1, MUST-3: the receiver must check it). */
    public SegmentTemplate badChecksum() {
        return malformed(malformation.withBadTcpChecksum());
    }

    /** For sending: the IPv4 header checksum is made wrong (RFC 791; RFC 1122 3.2.1.2: silently discarded). */
    public SegmentTemplate badIpChecksum() {
        return malformed(malformation.withBadIpChecksum());
    }

    /** For sending: the Data Offset field says {@code words} 32-bit words, whatever the header's real length. */
    public SegmentTemplate dataOffset(int words) {
        return malformed(malformation.withDataOffset(words));
    }

    /** For sending: exactly these octets as the options area (zero padded to a word), illegal lengths included. */
    public SegmentTemplate rawOptions(int... octets) {
        return malformed(malformation.withRawOptions(octetsOf(octets)));
    }

    /** For sending over IPv4: these octets as IP options after the fixed IP header (zero padded to a word, the IHL grown). */
    public SegmentTemplate ipOptions(int... octets) {
        return malformed(malformation.withIpOptions(octetsOf(octets)));
    }

    private static byte[] octetsOf(int... octets) {
        byte[] b = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            if (octets[i] < 0 || octets[i] > 0xff) {
                throw new IllegalArgumentException("an option octet takes 8 bits, got " + octets[i]);
            }
            b[i] = (byte) octets[i];
        }
        return b;
    }

    /** For sending: the 4 reserved bits of the header set to {@code bits} (RFC 9293 3.1: must be ignored). */
    public SegmentTemplate reservedBits(int bits) {
        return malformed(malformation.withReservedBits(bits));
    }

    private SegmentTemplate malformed(Malformation m) {
        return new SegmentTemplate(flags, seq, ack, window, payload, mss, options, ackOptional, urgentPointer, m);
    }

    public Malformation malformation() {
        return malformation;
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
        return toSegment(srcPort, dstPort, space, nextSeq, rcvNxt, DEFAULT_MSS);
    }

    /** The same, with {@code synMss} as the MSS of a SYN whose template names none (the IP version's: 1460 or 1440). */
    public Segment toSegment(int srcPort, int dstPort, SeqSpace space, long nextSeq, long rcvNxt, int synMss) {
        SeqNum s = space.peerAbsolute(seq != null ? seq : nextSeq);
        SeqNum a = flags.has(Flag.ACK) ? space.targetAbsolute(ack != null ? ack : rcvNxt) : new SeqNum(0);
        List<TcpOption> opts = options != null ? options
                : mss != null ? List.of(TcpOption.mss(mss))
                : flags.has(Flag.SYN) ? List.of(TcpOption.mss(synMss)) : List.of();
        return new Segment(srcPort, dstPort, s, a, flags, window != null ? window : DEFAULT_WINDOW, urgentPointer, opts, payload,
                malformation);
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
        if (flags.has(Flag.URG) && actual.urgentPointer() != urgentPointer) {
            out.add(new FieldMismatch("urp", Integer.toString(urgentPointer), Integer.toString(actual.urgentPointer())));
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
        if (urgentPointer != 0) {
            b.append(" urp ").append(urgentPointer);
        }
        if (!malformation.isNone()) {
            b.append(" <").append(malformation).append('>');
        }
        return b.toString();
    }
}
