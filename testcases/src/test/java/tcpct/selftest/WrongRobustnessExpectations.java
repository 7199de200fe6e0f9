package tcpct.selftest;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceBase;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/**
 * The robustness corpus's checks turned round, against the real Linux target: each must come out FAILED.
 * The first shows a malformed segment really is malformed on the wire (Linux drops it, so an ACK never
 * comes); the second that the silence check sees an answer when there is one (the same segment, well formed).
 */
public class WrongRobustnessExpectations extends ConformanceBase {

    private void established() {
        target.listen();
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));
        peer.send(ack().seq(1).ack(1));           assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "Expects an ACK for data whose TCP checksum is wrong", groups = "selftest-robustness")
    @Scenario(id = "selftest/expects-ack-for-bad-checksum")
    @Rfc9293(section = "3.1", requirements = "MUST-3")
    public void ackForBadChecksum() {
        established();
        peer.send(ack().seq(1).ack(1).data("hello").psh().badChecksum());
        peer.expect(ack().seq(1).ack(6), Duration.ofMillis(700));
    }

    @Test(description = "Expects silence after well-formed data", groups = "selftest-robustness")
    @Scenario(id = "selftest/expects-silence-for-good-data")
    @Rfc9293(section = "3.1", requirements = "MUST-3")
    public void silenceForGoodData() {
        established();
        peer.send(ack().seq(1).ack(1).data("hello").psh());
        peer.expectNothing(Duration.ofMillis(700));
    }

    @Test(description = "Expects the data of a segment whose Data Offset runs past its end to be acknowledged", groups = "selftest-robustness")
    @Scenario(id = "selftest/expects-ack-for-bad-data-offset")
    @Rfc9293(section = "3.1")
    public void ackForBadDataOffset() {
        established();
        peer.send(ack().seq(1).ack(1).data("0123456789").psh().dataOffset(15));
        peer.expect(ack().seq(1).ack(11), Duration.ofMillis(700));
    }
}
