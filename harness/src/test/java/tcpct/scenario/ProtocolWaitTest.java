package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;

public class ProtocolWaitTest {

    private static final long START = 1_700_000_000_000_000_000L;

    @Test
    public void theProtocolsShareEndsAtTheFramesKernelTimestamp() {
        // waited 5 ms in all; the target sent its answer 3 ms after the wait began
        assertThat(ProtocolWait.ofExpect(START, 5_000_000, START + 3_000_000)).isEqualTo(3_000_000);
    }

    @Test
    public void aFrameQueuedBeforeTheWaitCountsNothing() {
        assertThat(ProtocolWait.ofExpect(START, 1_000_000, START - 7)).isZero();
    }

    @Test
    public void neverMoreThanTheWaitItself() {
        assertThat(ProtocolWait.ofExpect(START, 2_000_000, START + 9_000_000)).isEqualTo(2_000_000);
    }

    @Test
    public void aWaitThatNoFrameEndedCountsWhole() {
        assertThat(ProtocolWait.ofExpect(START, 3_000_000_000L, -1)).isEqualTo(3_000_000_000L);
    }
}
