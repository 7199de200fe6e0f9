package tcpct.scenarios;

import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.wire.Frame;

/**
 * ISN Selection (RFC 9293 3.4.1, Appendix B "ISN Selection"). MUST-8: the ISN generator has a clock-driven part (the
 * RFC's M, "incremented roughly every 4 microseconds"), so successive connections of one 4-tuple get ISNs that move on
 * with the time between them. The peer opens the same 4-tuple three times, each SYN-RECEIVED reset back to LISTEN, with
 * pauses of 500 ms and 3000 ms between. An ISN step is a per-connection part (a constant, maybe 0) plus the clock's
 * rate times the time between the SYN,ACKs (their kernel timestamps); the two steps give the rate, which must be a
 * clock's: at least a tenth of the RFC's 250 per ms.
 */
public class Isn extends Fixtures {

    static final List<Duration> PAUSES = List.of(Duration.ofMillis(500), Duration.ofMillis(3000));
    /**
     * The slowest clock accepted: 25 per ms, a tenth of the RFC's 250 per ms. Measured: Linux and gVisor 15625 per ms (a 64
     * ns tick); slirp 64000 a connection plus 64000 a 500 ms tick of its slow timer, about 128 per ms; a counter bumped per
     * connection (lwIP) and a constant ISN (ns-3) none.
     */
    static final double MIN_RATE_PER_MS = 25;

    @Test(description = "Successive ISNs of one 4-tuple advance with the time between the connections (a clock-driven ISN): three SYNs 250 ms and 1000 ms apart", groups = "isn")
    @Scenario(id = "isn/clock-driven")
    @Rfc9293(section = {"3.4.1"}, requirements = {"MUST-8"}, edges = {"E1", "E4", "E9"})
    public void clockDriven() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        List<Frame> synAcks = new ArrayList<>();
        for (int i = 0; i <= PAUSES.size(); i++) {
            if (i > 0) {
                peer.expectNothing(PAUSES.get(i - 1));    // the pause between the connections; a listener says nothing
                peer.newIncarnation();
            }
            peer.send(syn().seq(0));
            synAcks.add(peer.expect(synAck().seq(0).ack(1))); assertThat(target).isIn(SYN_RECEIVED);
            peer.send(rst().seq(1));                  assertThat(target).isIn(LISTEN);
        }
        long[] step = new long[PAUSES.size()];
        double[] ms = new double[PAUSES.size()];
        for (int i = 0; i < PAUSES.size(); i++) {
            Frame a = synAcks.get(i);
            Frame b = synAcks.get(i + 1);
            step[i] = b.segment().seq().minus(a.segment().seq());
            ms[i] = Timers.ms(a, b);
            measure("isn-step." + (i + 1), step[i]);
            measure("isn-interval-ms." + (i + 1), ms[i]);
            if (step[i] <= 0) {
                throw new ConformanceFailure(String.format("expecting the ISN to advance over the %.0f ms between SYN,ACKs %d and %d "
                        + "(a clock-driven ISN, MUST-8), but it moved by %d", ms[i], i + 1, i + 2, step[i]));
            }
        }
        double rate = (step[1] - step[0]) / (ms[1] - ms[0]);  // the per-connection part cancels out
        measure("isn-clock-per-ms", rate);
        if (rate < MIN_RATE_PER_MS) {
            throw new ConformanceFailure(String.format("expecting the ISN's step to grow with the time between connections, at least %.0f "
                    + "per ms (a clock-driven ISN, MUST-8; the RFC's clock: 250 per ms), but it moved by %d over %.0f ms and by %d over "
                    + "%.0f ms: %.3f per ms", MIN_RATE_PER_MS, step[0], ms[0], step[1], ms[1], rate));
        }
    }
}
