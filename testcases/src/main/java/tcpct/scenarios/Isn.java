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
 * RFC's M, a 4 microsecond timer), so successive connections of one 4-tuple get ISNs that move on with the time between
 * them. The peer opens the same 4-tuple three times, each SYN-RECEIVED reset back to LISTEN, with pauses of 250 ms and
 * 1000 ms between; from the SYN,ACKs' kernel timestamps the ISN's rate over each pause must be a clock's (at least a tenth of
 * the RFC's 250 per ms) and the same over both pauses.
 */
public class Isn extends Fixtures {

    static final List<Duration> PAUSES = List.of(Duration.ofMillis(250), Duration.ofMillis(1000));
    /**
     * How far the two rates may differ, either way: a factor of 3. A coarse clock stays within it (slirp's ISN: 64000 a
     * connection plus 64000 every 500 ms tick, measured 164 and 113 per ms); a counter bumped per connection does not
     * (its rate over the 4 times longer pause is 4 times lower), nor, but by chance, does a random ISN.
     */
    static final double RATE_FACTOR = 3.0;
    /**
     * The slowest clock accepted: 25 per ms, a tenth of the RFC's ("incremented roughly every 4 microseconds", 250 per ms).
     * Measured: Linux and gVisor 15625 per ms (a 64 ns tick), slirp 113 to 164; a counter bumped per connection (lwIP) moves
     * a few units over the whole second.
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
        double[] rate = new double[PAUSES.size()];
        for (int i = 0; i < PAUSES.size(); i++) {
            Frame a = synAcks.get(i);
            Frame b = synAcks.get(i + 1);
            long step = b.segment().seq().minus(a.segment().seq());
            double ms = Timers.ms(a, b);
            rate[i] = step / ms;                      // ISN units per millisecond (the RFC's clock: 250)
            measure("isn-step." + (i + 1), step);
            measure("isn-rate-per-ms." + (i + 1), rate[i]);
            if (rate[i] < MIN_RATE_PER_MS) {
                throw new ConformanceFailure(String.format("expecting the ISN to advance with the %.0f ms between SYN,ACKs %d and %d, "
                        + "at least %.0f per ms (a clock-driven ISN, MUST-8; the RFC's clock: 250 per ms), but it moved by %d", ms, i + 1,
                        i + 2, MIN_RATE_PER_MS, step));
            }
        }
        double ratio = rate[1] / rate[0];
        if (ratio > RATE_FACTOR || ratio < 1 / RATE_FACTOR) {
            throw new ConformanceFailure(String.format("expecting the ISN to advance at one clock's rate over both pauses (MUST-8; "
                    + "tolerance a factor of %.0f), but was %.1f per ms over the first and %.1f per ms over the second", RATE_FACTOR,
                    rate[0], rate[1]));
        }
    }
}
