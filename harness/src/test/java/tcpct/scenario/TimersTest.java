package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;

/** The backoff check on a stack whose timers tick (slirp, lwIP: 500 ms): the tick's phase blurs only the first interval. */
public class TimersTest {

    @Test
    public void aFirstIntervalShortenedByTheTicksPhaseStillDoubles() {
        // slirp: an RTO of 3 ticks shows as 1.06-1.42 s, the next (6 ticks, armed on a tick) as 3.00-3.26 s
        assertThat(Timers.afterPhaseShortenedFirst(3000, 1060, 500)).isTrue();
        assertThat(Timers.afterPhaseShortenedFirst(3260, 1420, 500)).isTrue();
    }

    @Test
    public void noBackoffIsStillCaughtWhenTheRtoSpansSeveralTicks() {
        // lwIP's SYN: every 3 s (6 ticks), shown as 2.6 s then 3.0 s: not twice
        assertThat(Timers.afterPhaseShortenedFirst(3000, 2600, 500)).isFalse();
        // and a second interval far beyond twice the first plus a tick
        assertThat(Timers.afterPhaseShortenedFirst(6000, 1060, 500)).isFalse();
    }
}
