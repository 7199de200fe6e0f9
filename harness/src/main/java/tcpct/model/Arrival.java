package tcpct.model;

import tcpct.segment.Flag;
import tcpct.segment.Flags;

/** An arriving segment as the model sees it: control bits, relative SEQ and ACK, and text length. */
public record Arrival(Flags flags, long seq, long ack, int len) {

    public boolean has(Flag f) {
        return flags.has(f);
    }

    /** SEG.LEN: text, plus one each for SYN and FIN. */
    public long segLen() {
        return len + (has(Flag.SYN) ? 1 : 0) + (has(Flag.FIN) ? 1 : 0);
    }
}
