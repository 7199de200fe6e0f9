package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.agent.Endpoint;
import tcpct.state.TcpState;

/**
 * {@code assertThat(target).isIn(ESTABLISHED)}: asks the target's agent for its endpoints until this
 * scenario's endpoint is in the wanted state, for at most {@link #SETTLE}, since a stack may move a
 * moment after its last segment left. What it saw is recorded as observed only when it matched.
 *
 * <p>A state the agent says it cannot show (hello's {@code hiddenStates}) is not observed but inferred: the
 * assertion then waits until the agent shows no endpoint for the connection (any state it does show
 * contradicts the wanted one), and the wire decides the rest ({@link Inference}); summary.json lists it under
 * {@code inferredStates}, never under {@code states}. With LISTEN hidden, a CLOSED before any connection
 * began looks the same to the agent as LISTEN, so it is inferred too.
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
        s.closeInferenceWindows();
        if (hiddenFromAgent(s, wanted)) {
            return inferred(s, wanted);
        }
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
                s.stateWindowRanOut(SETTLE);
                throw new ConformanceFailure("expected target in " + wanted + " after " + after + ", saw "
                        + (last.get() == null ? "a state outside RFC 9293 (the agent said UNKNOWN)" : last.get()));
            }
        });
        s.noteObserved(wanted);
        return this;
    }

    static boolean hiddenFromAgent(Session s, TcpState wanted) {
        Set<TcpState> hidden = s.lab.hiddenStates();
        return hidden.contains(wanted)
                || (wanted == TcpState.CLOSED && hidden.contains(TcpState.LISTEN) && s.listened && !s.connectionBegun());
    }

    private TargetAssert inferred(Session s, TcpState wanted) {
        String after = s.lastAction;
        String why = s.lab.hiddenStates().contains(wanted) ? "its agent cannot show " + wanted
                : "its agent cannot show LISTEN, so cannot tell it from CLOSED";
        s.step("target is in " + wanted + " (inferred, not observed: " + why + ")", () -> {
            Optional<Endpoint> seen = awaitNoVisibleEndpoint(target, SETTLE, after);
            if (seen.isPresent()) {
                throw new ConformanceFailure("expected target in " + wanted + " after " + after + " (which " + why
                        + ": expected no endpoint for the connection), saw "
                        + (seen.get().state() == null ? "a state outside RFC 9293 (the agent said UNKNOWN)" : seen.get().state()));
            }
        });
        s.inferences.add(new Inference(wanted, "showed no endpoint for the connection after " + after, s.frameCount()));
        return this;
    }

    /** Waits up to {@code bound} until the agent shows no endpoint for the connection; the one it still shows, if any. */
    static Optional<Endpoint> awaitNoVisibleEndpoint(Target target, Duration bound, String after) {
        AtomicReference<Optional<Endpoint>> last = new AtomicReference<>(Optional.empty());
        try {
            await("agent shows no endpoint for the connection after " + after).pollInSameThread().atMost(bound)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(() -> {
                        last.set(target.visibleConnection());
                        return last.get().isEmpty();
                    });
            return Optional.empty();
        } catch (ConditionTimeoutException e) {
            Session.current().stateWindowRanOut(bound);
            return last.get();
        }
    }
}
