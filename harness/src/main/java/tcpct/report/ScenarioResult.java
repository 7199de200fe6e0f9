package tcpct.report;

import java.util.List;
import java.util.Map;
import tcpct.scenario.Verdict;

/**
 * One scenario's line in summary.json (contracts.md), before its expected verdict is looked up. Beyond the
 * contract's fields: {@code measurements} (timers the scenario measured, in ms, from kernel timestamps) and
 * {@code protocolWaitMs} (time it spent waiting on the protocol's own timers), {@code inferredStates} (states the
 * agent cannot show, inferred from the wire, with how).
 */
public record ScenarioResult(String id, String title, Verdict verdict, List<String> states, List<String> edges,
                             List<String> declaredEdges, List<String> rfc, String probe, long durationMs,
                             String pcap, String failure, Map<String, Double> measurements, long protocolWaitMs,
                             List<InferredState> inferredStates) {
}
