package tcpct.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcpct.scenario.Verdict;

/**
 * Writes summary.json as contracts.md and summary.schema.json define it, extended (compatibly) with
 * {@code protocolWaitMs}: the sum of the scenarios' waits on protocol timers, so that
 * {@code durationMs} minus the waits shows the harness's own overhead; and known deviations: per scenario
 * {@code expectedReason} (the reason of the target's expected.json when it expects other than PASSED) and
 * {@code knownDeviation} (true when the verdict is that expected deviation), and their count
 * {@code knownDeviations} at the top;
 * and {@code coverage.requirementVerdicts} ({@link RequirementCoverage}): per cited requirement id its class,
 * its scenarios' verdicts and its own.
 */
public final class Summary {

    private Summary() {
    }

    /** What a finished run amounts to: the file's content, and how many verdicts differ from the baseline. */
    public record Outcome(ObjectNode json, int regressions, Map<Verdict, Integer> totals) {
    }

    public static Outcome build(String targetName, String stack, String image, Instant startedAt, long durationMs,
                                List<ScenarioResult> results, ExpectedVerdicts expected) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("schemaVersion", 1);
        ObjectNode target = root.putObject("target");
        target.put("name", targetName).put("stack", stack);
        if (image != null) {
            target.put("image", image);
        }
        root.put("startedAt", startedAt.toString());
        root.put("durationMs", durationMs);
        Map<Verdict, Integer> totals = new TreeMap<>();
        int regressions = 0;
        int known = 0;
        long protocolWaits = 0;
        ArrayNode scenarios = om.createArrayNode();
        Map<String, Integer> states = new TreeMap<>();
        Map<String, Integer> edges = new TreeMap<>();
        Map<String, Integer> requirements = new TreeMap<>();
        for (ScenarioResult r : results) {
            ExpectedVerdicts.Expectation expectation = expected.of(r.id());
            Verdict exp = expectation.expectedFor(r.verdict());
            totals.merge(r.verdict(), 1, Integer::sum);
            if (exp != r.verdict()) {
                regressions++;
            }
            ObjectNode s = scenarios.addObject();
            s.put("id", r.id()).put("title", r.title()).put("verdict", r.verdict().name()).put("expectedVerdict", exp.name());
            if (!expectation.reason().isBlank()) {
                s.put("expectedReason", expectation.reason());
            }
            if (expectation.knownDeviation(r.verdict())) {
                s.put("knownDeviation", true);
                known++;
            }
            if (!expectation.alsoAccepted().isEmpty()) {
                ArrayNode accepted = s.putArray("acceptedVerdicts");
                accepted.add(expectation.verdict().name());
                expectation.alsoAccepted().stream().sorted().forEach(v -> accepted.add(v.name()));
            }
            r.states().forEach(s.putArray("states")::add);
            r.edges().forEach(s.putArray("edges")::add);
            r.declaredEdges().forEach(s.putArray("declaredEdges")::add);
            r.rfc().forEach(s.putArray("rfc")::add);
            s.put("probe", r.probe()).put("durationMs", r.durationMs()).put("pcap", r.pcap()).put("failure", r.failure());
            ObjectNode m = s.putObject("measurements");
            r.measurements().forEach((k, v) -> m.put(k, Math.round(v * 1000) / 1000.0));
            s.put("protocolWaitMs", r.protocolWaitMs());
            if (!r.inferredStates().isEmpty()) {
                ArrayNode inf = s.putArray("inferredStates");
                r.inferredStates().forEach(i -> inf.addObject().put("state", i.state()).put("how", i.how()));
            }
            s.put("wallMs", r.wallMs());
            r.leftovers().forEach(s.putArray("leftovers")::add);
            protocolWaits += r.protocolWaitMs();
            if (r.verdict() == Verdict.PASSED) {
                r.states().forEach(x -> states.merge(x, 1, Integer::sum));
                r.edges().forEach(x -> edges.merge(x, 1, Integer::sum));
                r.rfc().stream().filter(x -> x.matches("(MUST|SHLD|MAY|REC)-\\d+")).forEach(x -> requirements.merge(x, 1, Integer::sum));
            }
        }
        ObjectNode t = root.putObject("totals");
        for (Verdict v : Verdict.values()) {
            t.put(v.name(), totals.getOrDefault(v, 0));
        }
        root.put("regressions", regressions);
        root.put("knownDeviations", known);
        root.put("protocolWaitMs", protocolWaits);
        root.set("scenarios", scenarios);
        ObjectNode cov = root.putObject("coverage");
        states.forEach(cov.putObject("states")::put);
        edges.forEach(cov.putObject("edges")::put);
        requirements.forEach(cov.putObject("requirements")::put);
        cov.set("requirementVerdicts", RequirementCoverage.toJson(RequirementCoverage.ofResults(results)));
        Map<String, Integer> grid = GridTable.counts(results);
        if (!grid.isEmpty()) {
            grid.forEach(cov.putObject("grid")::put);
        }
        return new Outcome(root, regressions, totals);
    }

    public static void write(Outcome o, Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), o.json());
    }
}
