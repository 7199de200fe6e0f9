package tcpct.report;

import java.util.List;
import java.util.Map;
import tcpct.scenario.Verdict;

/**
 * One scenario's line in summary.json (contracts.md), before its expected verdict is looked up. Beyond the
 * contract's fields: {@code measurements} (timers the scenario measured, in ms, from kernel timestamps) and
 * {@code protocolWaitMs} (time it spent waiting on the protocol: the target's answers, its timers, the
 * scenario's own quiet periods and reply windows, state windows that ran out), {@code inferredStates}
 * (states the agent cannot show, inferred from the wire,
 * with how), {@code leftovers} (its endpoints still on the target after the reset between scenarios, as
 * {@code states} listed them) and {@code wallMs} (all the time the scenario took on its worker once it had a
 * target: {@code durationMs} plus the reset, the leftover check and its report's attachments).
 */
public record ScenarioResult(String id, String title, Verdict verdict, List<String> states, List<String> edges,
                             List<String> declaredEdges, List<String> rfc, String probe, long durationMs,
                             String pcap, String failure, Map<String, Double> measurements, long protocolWaitMs,
                             List<InferredState> inferredStates, List<String> leftovers, long wallMs) {

    public ScenarioResult {
        leftovers = List.copyOf(leftovers);
    }

    /** A result without leftovers, its wall time its duration (a scenario that did not run, or a test's). */
    public ScenarioResult(String id, String title, Verdict verdict, List<String> states, List<String> edges,
                          List<String> declaredEdges, List<String> rfc, String probe, long durationMs,
                          String pcap, String failure, Map<String, Double> measurements, long protocolWaitMs,
                          List<InferredState> inferredStates) {
        this(id, title, verdict, states, edges, declaredEdges, rfc, probe, durationMs, pcap, failure, measurements, protocolWaitMs,
                inferredStates, List.of(), durationMs);
    }
}
