package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;

/**
 * Sending Data (RFC 9293 3.7.4, Appendix B): the Nagle algorithm (SHLD-7) holds a small segment while an earlier one
 * is unacknowledged, and the application can switch it off per connection (MUST-17, TCP_NODELAY). The target sends
 * two small writes; the peer does not acknowledge the first.
 */
public class Sending extends Fixtures {

    /** How long the peer watches for the second write while the first is unacknowledged (under any RTO: Linux's is 200 ms or more). */
    static final Duration WATCH = Duration.ofMillis(150);

    @Test(description = "TCP_NODELAY: a second small write goes on the wire at once, while the first is still unacknowledged", groups = "sending")
    @Scenario(id = "sending/nagle-disabled")
    @Rfc9293(section = {"3.7.4"}, requirements = {"MUST-17"}, edges = {"E2", "E8"})
    public void nagleDisabled() {
        target.option("TCP_NODELAY", 1);
        firstWriteUnacknowledged();
        target.send("second");
        Optional<Segment> second = peer.awaitAnswer(WATCH);
        if (second.isEmpty()) {
            throw new ConformanceFailure("expecting the second write on the wire at once with TCP_NODELAY (MUST-17: the application can "
                    + "disable the Nagle algorithm), but the target held it for " + WATCH.toMillis() + " ms while the first was unacknowledged");
        }
        expectData(6, "second", second.get());
        peer.send(ack().seq(1).ack(12));              assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "The Nagle algorithm: a second small write waits until the first is acknowledged, then goes", groups = "sending")
    @Scenario(id = "sending/nagle")
    @Rfc9293(section = {"3.7.4"}, requirements = {"SHLD-7"}, edges = {"E2", "E8"})
    public void nagle() {
        firstWriteUnacknowledged();
        target.send("second");
        Optional<Segment> early = peer.awaitAnswer(WATCH);
        if (early.isPresent()) {
            shouldViolation("expecting the second small write held while the first is unacknowledged (SHLD-7: the Nagle algorithm), "
                    + "but the target sent " + peer.describe(early.get()));
            expectData(6, "second", early.get());
            peer.send(ack().seq(1).ack(12));          assertThat(target).isIn(ESTABLISHED);
            return;
        }
        peer.send(ack().seq(1).ack(6));
        Optional<Segment> after = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT);
        if (after.isEmpty()) {
            throw new ConformanceFailure("expecting the held write once the first was acknowledged (MUST-60: not buffered indefinitely), "
                    + "but the target sent nothing within " + tcpct.scenario.Peer.EXPECT_TIMEOUT.toMillis() + " ms");
        }
        expectData(6, "second", after.get());
        peer.send(ack().seq(1).ack(12));              assertThat(target).isIn(ESTABLISHED);
    }

    /** Active open, then the target writes "first" (5 octets), which the peer takes and does not acknowledge. */
    private void firstWriteUnacknowledged() {
        establishedActively();
        target.send("first");
        Segment first = peer.awaitAnswer(tcpct.scenario.Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure(
                "expected the 5 octets the target was asked to send, saw nothing within " + tcpct.scenario.Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
        expectData(1, "first", first);
    }

    /** Takes the target's segment {@code seen}, which must be {@code text} at its SEQ {@code seq} (PSH as the target chose). */
    private void expectData(long seq, String text, Segment seen) {
        SegmentTemplate t = ack().seq(seq).ack(1).data(text);
        peer.expect(seen.flags().has(Flag.PSH) ? t.psh() : t);
    }
}
