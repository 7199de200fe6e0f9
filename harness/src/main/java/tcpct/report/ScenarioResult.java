package tcpct.report;

import java.util.List;
import tcpct.scenario.Verdict;

/** One scenario's line in summary.json (contracts.md), before its expected verdict is looked up. */
public record ScenarioResult(String id, String title, Verdict verdict, List<String> states, List<String> edges,
                             List<String> declaredEdges, List<String> rfc, String probe, long durationMs,
                             String pcap, String failure) {
}
