package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * Send Keep-alive Packets (RFC 9293 3.8.4, Appendix B): off unless the application asks (MUST-24, MUST-25), sent only
 * after the connection was idle for the interval the application set (MUST-26, MUST-27), a probe that goes
 * unanswered is no dead connection (MUST-29), and a probe carries no data (SHLD-12; one garbage octet is MAY-6). A
 * probe is a segment at SND.NXT-1 (relative 0 here: the target sent nothing), which the peer must acknowledge.
 */
public class Keepalive extends Fixtures {

    /** The idle interval the scenarios set (TCP_KEEPIDLE, seconds) and the interval between probes (TCP_KEEPINTVL). */
    static final int IDLE_S = 1;
    /** Accepted idle before the first probe: the 1 s set, from 0.9 s to 3 s (a stack's keep-alive timer may tick every 500 ms). */
    static final double MIN_IDLE_MS = 900;
    static final double MAX_IDLE_MS = 3000;
    /** Bound on the wait for a probe. */
    static final Duration PROBE_WITHIN = Duration.ofSeconds(5);

    @Test(description = "Keep-alives are off by default: an idle connection with TCP_KEEPIDLE 1 s but no SO_KEEPALIVE stays silent for 4 s", groups = "keepalive")
    @Scenario(id = "keepalive/off-by-default")
    @Rfc9293(section = {"3.8.4"}, requirements = {"MUST-25"}, edges = {"E2", "E8"})
    public void offByDefault() {
        target.tryOption("TCP_KEEPIDLE", IDLE_S);
        establishedActively();
        peer.expectNothing(Duration.ofSeconds(4));    assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "SO_KEEPALIVE with TCP_KEEPIDLE 1 s: the idle connection gets a keep-alive after about 1 s, without data; acknowledged, another after the next idle second", groups = "keepalive")
    @Scenario(id = "keepalive/probe-after-idle")
    @Rfc9293(section = {"3.8.4"}, requirements = {"MUST-24", "MUST-26", "MUST-27", "SHLD-12", "MAY-5", "MAY-6"}, edges = {"E2", "E8"})
    public void probeAfterIdle() {
        keepAlive(3);
        Frame established = establishedActively();
        SegmentTemplate probe = firstProbe();
        Frame first = peer.expect(probe, PROBE_WITHIN);
        double idle = Timers.ms(established, first);
        measure("idle-before-probe", idle);
        if (idle < MIN_IDLE_MS || idle > MAX_IDLE_MS) {
            throw new ConformanceFailure(String.format("expecting the first keep-alive after the %d s idle interval the application set "
                    + "(MUST-27; accepted %.0f to %.0f ms), but it came after %.0f ms", IDLE_S, MIN_IDLE_MS, MAX_IDLE_MS, idle));
        }
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        peer.expect(probe, PROBE_WITHIN);             // idle again: the next one
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "Keep-alives every second, TCP_KEEPCNT 3: the peer ignores two probes and answers the third; the connection stays and carries data", groups = "keepalive")
    @Scenario(id = "keepalive/unanswered-probes-tolerated")
    @Rfc9293(section = {"3.8.4"}, requirements = {"MUST-29"}, edges = {"E2", "E8"})
    public void unansweredProbesTolerated() {
        keepAlive(3);
        establishedActively();
        SegmentTemplate probe = firstProbe();
        peer.expect(probe, PROBE_WITHIN);             // ignored
        peer.expect(probe, PROBE_WITHIN);             // ignored
        peer.expect(probe, PROBE_WITHIN);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(1).data("alive").psh());
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("alive");
    }

    /** "MUST default to no less than two hours" (MUST-28), in seconds, as TCP_KEEPIDLE counts it. */
    static final int TWO_HOURS_S = 7200;
    /** How long the peer watches the idle connection with keep-alives on at the default interval. */
    static final Duration DEFAULT_QUIET = Duration.ofSeconds(4);

    /**
     * MUST-28 (3.8.4): the interval "MUST default to no less than two hours". Two hours cannot be waited out in a suite, so
     * the scenario takes the stack's own word for its default (TCP_KEEPIDLE read back from the connection, never set) and
     * checks the wire agrees as far as it can: with keep-alives on, the idle connection stays silent for 4 s (a stack whose
     * default is seconds is caught on the wire whatever it reports). A stack that cannot report its interval is
     * UNIMPLEMENTED, naming the option.
     */
    @Test(description = "MUST-28: keep-alives on (SO_KEEPALIVE) with the interval left at its default: the stack reports an idle interval (TCP_KEEPIDLE) of at least two hours, and the idle connection stays silent for 4 s", groups = "keepalive")
    @Scenario(id = "keepalive/default-interval-two-hours")
    @Rfc9293(section = {"3.8.4"}, requirements = {"MUST-28"}, edges = {"E2", "E8"})
    public void defaultIntervalTwoHours() {
        target.option("SO_KEEPALIVE", 1);
        establishedActively();
        int idle = target.optionValue("TCP_KEEPIDLE");
        measure("default-keepalive-idle-s", idle);
        if (idle < TWO_HOURS_S) {
            throw new ConformanceFailure("expecting the keep-alive interval to default to no less than two hours (MUST-28: TCP_KEEPIDLE "
                    + TWO_HOURS_S + " s or more), but the stack reports " + idle + " s");
        }
        peer.expectNothing(DEFAULT_QUIET);            assertThat(target).isIn(ESTABLISHED);
    }

    /** SO_KEEPALIVE, an idle interval and a probe interval of 1 s, and {@code count} probes before the stack gives up. */
    private void keepAlive(int count) {
        target.option("SO_KEEPALIVE", 1);
        target.option("TCP_KEEPIDLE", IDLE_S);
        target.tryOption("TCP_KEEPINTVL", IDLE_S);
        target.tryOption("TCP_KEEPCNT", count);
    }

    /**
     * Waits for the first keep-alive (without taking it) and returns its template: ACK seq 0 (SND.NXT-1) with no data
     * (SHLD-12), or with one garbage octet (MAY-6; a SHOULD deviation when the stack was not asked for it).
     */
    private SegmentTemplate firstProbe() {
        Optional<Segment> seen = peer.awaitAnswer(PROBE_WITHIN);
        if (seen.isEmpty()) {
            throw new ConformanceFailure("expecting a keep-alive on the idle connection (SO_KEEPALIVE, idle " + IDLE_S + " s: MUST-24, "
                    + "MUST-27), but the target sent nothing within " + PROBE_WITHIN.toSeconds() + " s");
        }
        Segment s = seen.get();
        SegmentTemplate empty = ack().seq(0).ack(1);
        if (peer.matches(empty, s)) {
            return empty;
        }
        if (s.payloadLength() == 1) {
            SegmentTemplate garbage = ack().seq(0).ack(1).data(s.payload());
            if (peer.matches(garbage, s)) {
                shouldViolation("expecting a keep-alive with no data (SHLD-12), but it carries one octet (MAY-6 allows it when configured)");
                return garbage;
            }
        }
        throw new ConformanceFailure("expecting a keep-alive (ACK seq 0 ack 1, no data or one octet) on the idle connection, but was "
                + peer.describe(s));
    }
}
