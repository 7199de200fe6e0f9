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
 * that only one of the two runs has are not changes (a subset run compares what it ran).
 */
public final class BaselineDiff {

    private BaselineDiff() {
    }

    public static List<String> changes(Path storedSummary, List<ScenarioResult> now) {
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
}
