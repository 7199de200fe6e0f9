package tcpct.model;

import tcpct.segment.Flags;

/**
 * A segment the model requires the target to send, in relative numbers: SEQ counts from the target's ISS,
 * ACK from the peer's ISN. {@code ack} is meaningful only with the ACK bit.
 */
public record Reply(Flags flags, long seq, long ack) {

    @Override
    public String toString() {
        return flags + " seq " + seq + (flags.has(tcpct.segment.Flag.ACK) ? " ack " + ack : "");
    }
}
