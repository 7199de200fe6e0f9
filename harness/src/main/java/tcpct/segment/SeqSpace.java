package tcpct.segment;

/**
 * The two initial sequence numbers of a connection, so scenarios can speak in relative numbers the way
 * packetdrill and Wireshark do: the peer's (ours, chosen by the harness) and the target's (learned from
 * the first SYN it sends). Relative 0 is the ISN itself; relative 1 is the first data octet.
 */
public record SeqSpace(SeqNum peerIsn, SeqNum targetIsn) {

    public static SeqSpace withPeerIsn(SeqNum peerIsn) {
        return new SeqSpace(peerIsn, null);
    }

    public boolean knowsTargetIsn() {
        return targetIsn != null;
    }

    public SeqSpace learnTargetIsn(SeqNum isn) {
        return new SeqSpace(peerIsn, isn);
    }

    /** Absolute number of a peer-relative sequence number (our SEQ, or the target's ACK of our data). */
    public SeqNum peerAbsolute(long relative) {
        return peerIsn.plus(relative);
    }

    /** Absolute number of a target-relative sequence number (the target's SEQ, or our ACK of its data). */
    public SeqNum targetAbsolute(long relative) {
        if (targetIsn == null) {
            throw new IllegalStateException("the target's ISN is not known yet: a relative ACK needs a SYN from the target first");
        }
        return targetIsn.plus(relative);
    }

    public long peerRelative(SeqNum absolute) {
        return Integer.toUnsignedLong((int) absolute.minus(peerIsn));
    }

    public long targetRelative(SeqNum absolute) {
        return targetIsn == null ? absolute.unsigned() : Integer.toUnsignedLong((int) absolute.minus(targetIsn));
    }
}
