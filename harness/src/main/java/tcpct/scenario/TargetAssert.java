package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.state.TcpState;

/**
 * {@code assertThat(target).isIn(ESTABLISHED)}: asks the target's agent for its endpoints until this
 * scenario's endpoint is in the wanted state, for at most {@link #SETTLE}, since a stack may move a
 * moment after its last segment left. What it saw is recorded as observed only when it matched.
 */
public final class TargetAssert {

    /** Bound on how long a state may lag behind the segment that caused it. */
    public static final Duration SETTLE = Duration.ofSeconds(2);

    private final Target target;

    private TargetAssert(Target target) {
        this.target = target;
    }

    public static TargetAssert assertThat(Target target) {
        return new TargetAssert(target);
    }

    public TargetAssert isIn(TcpState wanted) {
        Session s = Session.current();
        String after = s.lastAction;
        AtomicReference<TcpState> last = new AtomicReference<>();
        s.step("target is in " + wanted, () -> {
            try {
                await("target reaches " + wanted + " after " + after).pollInSameThread().atMost(SETTLE).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5)).until(() -> {
                            last.set(target.state(wanted));
                            return last.get() == wanted;
                        });
            } catch (ConditionTimeoutException e) {
                throw new ConformanceFailure("expected target in " + wanted + " after " + after + ", saw "
                        + (last.get() == null ? "a state outside RFC 9293 (the agent said UNKNOWN)" : last.get()));
            }
        });
        s.noteObserved(wanted);
        return this;
    }
}
