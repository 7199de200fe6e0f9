package tcpct.segment;

import java.util.Arrays;
import java.util.List;

/**
 * A TCP segment as it travels: ports, absolute sequence and acknowledgement numbers, control bits,
 * window, urgent pointer, options and payload. Immutable; the wire turns it into a frame and back.
 */
public record Segment(int srcPort, int dstPort, SeqNum seq, SeqNum ack, Flags flags, int window,
                      int urgentPointer, List<TcpOption> options, byte[] payload, Malformation malformation) {

    /** A well-formed segment. */
    public Segment(int srcPort, int dstPort, SeqNum seq, SeqNum ack, Flags flags, int window, int urgentPointer,
                   List<TcpOption> options, byte[] payload) {
        this(srcPort, dstPort, seq, ack, flags, window, urgentPointer, options, payload, Malformation.NONE);
    }

    public Segment {
        if (malformation == null) {
            malformation = Malformation.NONE;
        }
        checkPort(srcPort);
        checkPort(dstPort);
        if (window < 0 || window > 0xffff) {
            throw new IllegalArgumentException("window takes 16 bits, got " + window);
        }
        if (urgentPointer < 0 || urgentPointer > 0xffff) {
            throw new IllegalArgumentException("urgent pointer takes 16 bits, got " + urgentPointer);
        }
        options = List.copyOf(options);
        payload = payload.clone();
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("a port takes 16 bits, got " + port);
        }
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** Sequence space the segment occupies: its data, plus one each for SYN and FIN (RFC 9293 3.4). */
    public int seqLength() {
        return payload.length + (flags.has(Flag.SYN) ? 1 : 0) + (flags.has(Flag.FIN) ? 1 : 0);
    }

    /** The value of the MSS option, or -1 when there is none. */
    public int mss() {
        for (TcpOption o : options) {
            if (o.kind() == TcpOption.MSS && o.data().length == 2) {
                byte[] d = o.data();
                return ((d[0] & 0xff) << 8) | (d[1] & 0xff);
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && s.srcPort == srcPort && s.dstPort == dstPort && s.seq.equals(seq)
                && s.ack.equals(ack) && s.flags.equals(flags) && s.window == window
                && s.urgentPointer == urgentPointer && s.options.equals(options) && Arrays.equals(s.payload, payload)
                && s.malformation.equals(malformation);
    }

    @Override
    public int hashCode() {
        return ((seq.hashCode() * 31 + ack.hashCode()) * 31 + flags.hashCode()) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return srcPort + " > " + dstPort + " [" + flags + "] seq " + seq + " ack " + ack + " win " + window
                + (payload.length > 0 ? " len " + payload.length : "") + (options.isEmpty() ? "" : " " + options)
                + (malformation.isNone() ? "" : " <" + malformation + ">");
    }
}
