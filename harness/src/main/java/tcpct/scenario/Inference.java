package tcpct.scenario;

import java.util.List;
import tcpct.report.InferredState;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.state.TcpState;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/**
 * One assertion of a state the agent cannot show, and the wire evidence for it. The evidence is read from
 * the frames of the scenario's connection captured from the assertion until the scenario next acted on the
 * target (or asserted again, or ended): while the state held, the target can only have answered as a TCB
 * in that state does. Rules:
 * <ul>
 *   <li>LISTEN: a SYN of the peer answered by SYN,ACK confirms it (3.10.7.2, "third check for a SYN");
 *       answered by RST, it contradicts it.</li>
 *   <li>CLOSED: a segment of the peer answered by RST confirms it (3.10.7.1); a SYN answered by SYN,ACK
 *       contradicts it.</li>
 *   <li>TIME-WAIT: a FIN of the peer answered by an ACK confirms it (3.10.7.4, "the only thing that can
 *       arrive in this state is a retransmission of the remote FIN. Acknowledge it").</li>
 * </ul>
 * Without such a segment, the state is only consistent with the agent (it showed no endpoint for it).
 */
final class Inference {

    private final TcpState state;
    private final String agentView;
    private final int fromFrame;
    private int toFrame = -1;

    Inference(TcpState state, String agentView, int fromFrame) {
        this.state = state;
        this.agentView = agentView;
        this.fromFrame = fromFrame;
    }

    /** The scenario acted on the target: frames from now on say nothing about this state. */
    void close(int frameCount) {
        if (toFrame < 0) {
            toFrame = frameCount;
        }
    }

    TcpState state() {
        return state;
    }

    /** What the frames of the window say; {@code contradicted} when the target answered as no TCB in the state would. */
    Evidence judge(List<Frame> frames, long startNanos) {
        List<Frame> window = frames.subList(Math.min(fromFrame, frames.size()), toFrame < 0 ? frames.size() : Math.min(toFrame, frames.size()));
        for (int i = 0; i < window.size(); i++) {
            Frame ours = window.get(i);
            if (ours.direction() != Direction.TO_TARGET) {
                continue;
            }
            Frame answer = window.subList(i + 1, window.size()).stream().filter(f -> f.direction() == Direction.FROM_TARGET)
                    .findFirst().orElse(null);
            if (answer == null) {
                continue;
            }
            Segment in = ours.segment();
            Segment out = answer.segment();
            String pair = "the peer's " + in.flags() + " at +" + ms(ours, startNanos) + " ms was answered by " + out.flags()
                    + " at +" + ms(answer, startNanos) + " ms";
            boolean synOnly = in.flags().has(Flag.SYN) && !in.flags().has(Flag.ACK) && !in.flags().has(Flag.RST);
            boolean synAck = out.flags().has(Flag.SYN) && out.flags().has(Flag.ACK);
            boolean rst = out.flags().has(Flag.RST);
            switch (state) {
                case LISTEN -> {
                    if (synOnly && synAck) {
                        return new Evidence(confirmed(pair + ", as only a listening TCB answers a SYN (3.10.7.2)"), false);
                    }
                    if (synOnly && rst) {
                        return new Evidence("contradicted by the wire: " + pair + ", as a CLOSED port does (3.10.7.1)", true);
                    }
                }
                case CLOSED -> {
                    if (!in.flags().has(Flag.RST) && rst) {
                        return new Evidence(confirmed(pair + ", as a CLOSED port does (3.10.7.1)"), false);
                    }
                    if (synOnly && synAck) {
                        return new Evidence("contradicted by the wire: " + pair + ", as only a listening TCB does (3.10.7.2)", true);
                    }
                }
                case TIME_WAIT -> {
                    if (in.flags().has(Flag.FIN) && out.flags().has(Flag.ACK) && !rst && !out.flags().has(Flag.SYN)) {
                        return new Evidence(confirmed(pair + ", as a TCB in TIME-WAIT acknowledges a retransmitted FIN (3.10.7.4)"), false);
                    }
                }
                default -> {
                }
            }
        }
        return new Evidence("not confirmed by the wire (no segment of the peer that only " + state
                + " answers that way); consistent with the agent, which " + agentView, false);
    }

    private String confirmed(String how) {
        return "confirmed by the wire: " + how + "; the agent " + agentView;
    }

    private static long ms(Frame f, long startNanos) {
        return Math.max(0, (f.timestampNanos() - startNanos) / 1_000_000);
    }

    /** The sentence for the report, and whether the wire contradicted the state. */
    record Evidence(String how, boolean contradicted) {

        InferredState as(TcpState state) {
            return new InferredState(state.rfcName(), how);
        }
    }
}
