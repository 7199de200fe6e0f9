package tcpct.segment;

import static tcpct.segment.Flag.ACK;
import static tcpct.segment.Flag.FIN;
import static tcpct.segment.Flag.RST;
import static tcpct.segment.Flag.SYN;

/** The templates scenarios start from; import statically: {@code peer.send(syn().seq(0))}. */
public final class Segments {

    private Segments() {
    }

    public static SegmentTemplate syn() {
        return SegmentTemplate.of(SYN);
    }

    public static SegmentTemplate synAck() {
        return SegmentTemplate.of(SYN, ACK);
    }

    public static SegmentTemplate ack() {
        return SegmentTemplate.of(ACK);
    }

    public static SegmentTemplate fin() {
        return SegmentTemplate.of(FIN);
    }

    public static SegmentTemplate finAck() {
        return SegmentTemplate.of(FIN, ACK);
    }

    public static SegmentTemplate rst() {
        return SegmentTemplate.of(RST);
    }

    public static SegmentTemplate rstAck() {
        return SegmentTemplate.of(RST, ACK);
    }
}
