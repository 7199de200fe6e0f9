package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * Connection Failures (RFC 9293 3.8.3, Appendix B): the application sets R2 for its connection (MUST-21), and the
 * connection is closed once its data has gone unacknowledged that long (MUST-20 (c)). Linux and gVisor take R2 as
 * TCP_USER_TIMEOUT; a stack without it makes the scenario UNIMPLEMENTED (the agent names the call).
 */
public class RetransmissionLimits extends Fixtures {

    /** The R2 the application sets, in ms. */
    static final int USER_TIMEOUT_MS = 3000;
    /** How long after R2 the stack may take to act on it: its next retransmission timer (Linux checks R2 when one fires). */
    static final Duration AFTER_R2 = Duration.ofSeconds(7);

    @Test(description = "The application sets R2 = 3 s (TCP_USER_TIMEOUT): data the peer never acknowledges is retransmitted, and the connection is closed about 3 s after it was first sent, not after the stack's default minutes",
            groups = "rto")
    @Scenario(id = "rto/application-sets-r2")
    @Rfc9293(section = {"3.8.3"}, requirements = {"MUST-20", "MUST-21"}, edges = {"E2", "E8"})
    public void applicationSetsR2() {
        target.option("TCP_USER_TIMEOUT", USER_TIMEOUT_MS);
        establishedActively();
        String text = "never acknowledged";
        target.send(text);
        Optional<Segment> seen = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT);
        if (seen.isEmpty()) {
            throw new ConformanceFailure("expected the " + text.length() + " octets the target was asked to send, saw nothing");
        }
        SegmentTemplate data = ack().seq(1).ack(1).data(text);
        Frame first = peer.expect(seen.get().flags().has(Flag.PSH) ? data.psh() : data);
        double gone = Timers.timeUntilGone(target, ESTABLISHED, first, Duration.ofMillis(USER_TIMEOUT_MS).plus(AFTER_R2),
                "R2 (TCP_USER_TIMEOUT " + USER_TIMEOUT_MS + " ms) to close the connection");
        measure("closed-after", gone);
        if (gone < USER_TIMEOUT_MS * (1 - Timers.RELATIVE_TOLERANCE) - Timers.ABSOLUTE_TOLERANCE_MS) {
            throw new ConformanceFailure(String.format("expecting the connection to last the %d ms of R2 the application set (MUST-21), "
                    + "but it was closed after %.0f ms (tolerance %s)", USER_TIMEOUT_MS, gone, Timers.tolerance()));
        }
        assertThat(target).isIn(CLOSED);
    }
}
