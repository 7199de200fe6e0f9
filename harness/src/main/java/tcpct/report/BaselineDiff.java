package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --baseline FILE}: this run's verdicts against a stored summary.json, one line per scenario whose
 * verdict changed: {@code establish/passive-open: PASSED -> FAILED (expected SYN-ACK, saw RST)}. Scenarios
 * that only one of the two runs has are not changes (a subset run compares what it ran). The timer values the
 * target's expected.json gates ({@link ExpectedMeasurements}) are compared too, each within its tolerance.
 */
public final class BaselineDiff {

    private BaselineDiff() {
    }

    /**
     * Before a run: {@code storedSummary} must be a summary.json of target {@code target} that shares at least
     * one scenario id with {@code ids}; else a one-line error (exit 2) instead of "0 verdicts changed".
     */
    public static void check(Path storedSummary, String target, List<String> ids) {
        JsonNode stored = read(storedSummary);
        String theirs = stored.path("target").path("name").asText("");
        if (!theirs.equals(target)) {
            throw new IllegalArgumentException("--baseline " + storedSummary + " is a run of target '" + theirs + "', not of '" + target
                    + "': give a summary.json of " + target + " (or run --target " + theirs + ")");
        }
        java.util.Set<String> before = new java.util.HashSet<>();
        stored.path("scenarios").forEach(s -> before.add(s.path("id").asText()));
        if (ids.stream().noneMatch(before::contains)) {
            throw new IllegalArgumentException("--baseline " + storedSummary + " has none of the " + ids.size()
                    + " scenarios this run selects: select scenarios it ran (--scenario, --group) or give another summary.json");
        }
    }

    public static List<String> changes(Path storedSummary, List<ScenarioResult> now) {
        JsonNode stored = read(storedSummary);
        Map<String, String> before = new HashMap<>();
        for (JsonNode s : stored.path("scenarios")) {
            before.put(s.path("id").asText(), s.path("verdict").asText());
        }
        List<String> lines = new ArrayList<>();
        for (ScenarioResult r : now) {
            String was = before.remove(r.id());
            if (was != null && !was.equals(r.verdict().name())) {
                lines.add(r.id() + ": " + was + " -> " + r.verdict() + (r.failure() == null ? "" : " (" + r.failure() + ")"));
            }
        }
        return lines;
    }

    /**
     * The whole {@code --baseline} comparison: the verdicts that changed, then the values {@code gauges} gates
     * that moved out of their tolerance around the baseline's; prints each as a {@code changed: } line and a
     * count, and returns how many changed.
     */
    public static int compare(Path storedSummary, List<ScenarioResult> now, ExpectedMeasurements gauges, java.io.PrintStream out) {
        List<String> verdicts = changes(storedSummary, now);
        List<ExpectedMeasurements.Deviation> values = gauges.changesSince(read(storedSummary), now);
        verdicts.forEach(c -> out.println("changed: " + c));
        values.forEach(d -> out.println("changed: " + d.line()));
        out.println("tcpct: " + verdicts.size() + " verdicts changed and " + values.size() + " measurements changed since " + storedSummary);
        return verdicts.size() + values.size();
    }

    private static JsonNode read(Path storedSummary) {
        JsonNode stored;
        try {
            stored = new ObjectMapper().readTree(storedSummary.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--baseline " + storedSummary + " is not a readable summary.json ("
                    + e.getMessage().lines().findFirst().orElse("") + "): give the summary.json of an earlier run");
        }
        if (!stored.path("scenarios").isArray()) {
            throw new IllegalArgumentException("--baseline " + storedSummary + " has no \"scenarios\" list: give the summary.json of an earlier run");
        }
        return stored;
    }
}
