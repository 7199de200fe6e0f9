package tcpct.pkt;

import java.util.ArrayList;
import java.util.List;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqSpace;
import tcpct.segment.TcpOption;

/**
 * An outbound script packet against the segment the target sent, field by field, sorted: what RFC 9293
 * leaves to the implementation (the window, the options a segment carries, their MSS, window scale and
 * timestamp values) is {@code lenient} (NON_STRICT); flags, SEQ, ACK and length are {@code strict}
 * (FAILED). Each difference reads {@code field: expecting X, but was Y}. {@code actualText} is the segment
 * as packetdrill writes it, in the script's relative numbers.
 */
record PktMatch(List<String> strict, List<String> lenient, String actualText, Long tsOffset) {

    static PktMatch compare(Action.Packet p, Segment s, SeqSpace space, PktSettings settings) {
        List<String> strict = new ArrayList<>();
        List<String> lenient = new ArrayList<>();
        Flags want = flagsOf(p.flags());
        if (want.without(Flag.PSH).equals(s.flags().without(Flag.PSH)) && !want.equals(s.flags())) {
            // PSH is the sender's choice on any data segment (RFC 9293 3.9.1, MAY-16)
            lenient.add("flags: expecting " + want + ", but was " + s.flags() + " (PSH is the sender's choice)");
        } else if (!want.equals(s.flags())) {
            strict.add("flags: expecting " + want + ", but was " + s.flags());
        }
        long seq = space.knowsTargetIsn() ? space.targetRelative(s.seq()) : s.seq().unsigned();
        if (seq != p.seq()) {
            strict.add("seq: expecting " + p.seq() + ", but was " + seq);
        }
        if (s.payloadLength() != p.length()) {
            strict.add("length: expecting " + p.length() + ", but was " + s.payloadLength());
        }
        if (p.ack() != null && want.has(Flag.ACK) && s.flags().has(Flag.ACK)) {
            long ack = space.peerRelative(s.ack());
            if (ack != p.ack()) {
                strict.add("ack: expecting " + p.ack() + ", but was " + ack);
            }
        }
        if (p.window() != null && p.window() != s.window()) {
            lenient.add("win: expecting " + p.window() + ", but was " + s.window());
        }
        if (p.urgent() != null && p.urgent() != s.urgentPointer()) {
            strict.add("urg: expecting " + p.urgent() + ", but was " + s.urgentPointer());
        }
        String actualOpts = optionsText(s.options(), space);
        Long tsOffset = null;
        if (!p.anyOptions()) {
            String wantOpts = p.options() == null ? "" : String.join(",", p.options().stream().map(TcpOpt::text).toList());
            String wantShape = p.options() == null ? "" : String.join(",", p.options().stream().map(PktMatch::shape).toList());
            String actualShape = String.join(",", s.options().stream().map(o -> shape(o, space)).toList());
            if (!wantShape.equals(actualShape)) {
                lenient.add("options: expecting <" + wantOpts + ">, but was <" + actualOpts + ">");
            }
        }
        if (p.options() != null) {
            for (TcpOpt o : p.options()) {
                if (o instanceof TcpOpt.Timestamp ts) {
                    for (TcpOption a : s.options()) {
                        if (a.kind() == TcpOption.TIMESTAMPS && a.data().length == 8) {
                            long val = java.nio.ByteBuffer.wrap(a.data()).getInt() & 0xffffffffL;
                            tsOffset = (val - ts.val()) & 0xffffffffL;
                        }
                    }
                }
            }
        }
        // shown as the script line is written: the window when the line gives one, the options when it lists them
        String actual = text(s, space, p.window() != null) + (p.options() == null || p.anyOptions() ? "" : " <" + actualOpts + ">");
        return new PktMatch(List.copyOf(strict), List.copyOf(lenient), actual, tsOffset);
    }

    static Flags flagsOf(String letters) {
        List<Flag> f = new ArrayList<>();
        for (char c : letters.toCharArray()) {
            Flag x = PktInterpreter.flag(c);
            if (x != null) {
                f.add(x);
            }
        }
        return Flags.of(f.toArray(Flag[]::new));
    }

    /** A segment from the target as packetdrill writes it: {@code R. 1:1(0) ack 1 win 0}. */
    static String text(Segment s, SeqSpace space, boolean withWindow) {
        StringBuilder letters = new StringBuilder();
        for (char c : "SFRPUEW".toCharArray()) {
            if (s.flags().has(PktInterpreter.flag(c))) {
                letters.append(c);
            }
        }
        if (s.flags().has(Flag.ACK)) {
            letters.append('.');
        }
        long seq = space.knowsTargetIsn() ? space.targetRelative(s.seq()) : s.seq().unsigned();
        StringBuilder b = new StringBuilder(letters.isEmpty() ? "-" : letters.toString());
        b.append(' ').append(seq).append(':').append(seq + s.payloadLength()).append('(').append(s.payloadLength()).append(')');
        if (s.flags().has(Flag.ACK)) {
            b.append(" ack ").append(space.peerRelative(s.ack()));
        }
        if (withWindow) {
            b.append(" win ").append(s.window());
        }
        return b.toString();
    }

    /** What is compared of an option: its kind, and the value of mss, wscale and sack (timestamps are the stack's clock). */
    private static String shape(TcpOpt o) {
        return o instanceof TcpOpt.Timestamp ? "TS" : o.text();
    }

    private static String shape(TcpOption o, SeqSpace space) {
        return o.kind() == TcpOption.TIMESTAMPS ? "TS" : optionText(o, space);
    }

    static String optionsText(List<TcpOption> opts, SeqSpace space) {
        return String.join(",", opts.stream().map(o -> optionText(o, space)).toList());
    }

    private static String optionText(TcpOption o, SeqSpace space) {
        byte[] d = o.data();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d);
        return switch (o.kind()) {
            case TcpOption.TIMESTAMPS -> d.length == 8 ? "TS val " + (b.getInt() & 0xffffffffL) + " ecr " + (b.getInt() & 0xffffffffL) : "TS?";
            case 5 -> {
                StringBuilder s = new StringBuilder("sack");
                while (b.remaining() >= 8) {
                    s.append(' ').append(space.peerRelative(new tcpct.segment.SeqNum(b.getInt()))).append(':')
                            .append(space.peerRelative(new tcpct.segment.SeqNum(b.getInt())));
                }
                yield s.toString();
            }
            case TcpOption.FAST_OPEN -> d.length == 0 ? "FO" : "FO " + java.util.HexFormat.of().formatHex(d);
            case TcpOption.EXPERIMENTAL -> d.length >= 2 && (d[0] & 0xff) == 0xf9 && (d[1] & 0xff) == 0x89
                    ? (d.length == 2 ? "FOEXP" : "FOEXP " + java.util.HexFormat.of().formatHex(d, 2, d.length)) : o.toString();
            default -> o.toString();
        };
    }
}
