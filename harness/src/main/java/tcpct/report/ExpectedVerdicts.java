package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import tcpct.scenario.Verdict;

/**
 * A target's baseline, {@code targets/<name>/expected.json}: the verdict each scenario is expected to get
 * on this stack, PASSED unless listed. Every listed deviation carries a one-line reason:
 * <pre>{"scenarios": {"close/rst-in-time-wait": {"verdict": "FAILED", "reason": "Linux ends TIME-WAIT on RST (RFC 1337)"}}}</pre>
 */
public final class ExpectedVerdicts {

    public static final String FILE = "expected.json";

    public record Expectation(Verdict verdict, String reason) {
    }

    private final Map<String, Expectation> byId;

    private ExpectedVerdicts(Map<String, Expectation> byId) {
        this.byId = byId;
    }

    public static ExpectedVerdicts none() {
        return new ExpectedVerdicts(Map.of());
    }

    /** Reads {@code file}; a missing file means every scenario is expected to pass. */
    public static ExpectedVerdicts load(Path file) {
        if (!Files.exists(file)) {
            return none();
        }
        Map<String, Expectation> m = new LinkedHashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            Iterator<Map.Entry<String, JsonNode>> it = root.path("scenarios").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String v = e.getValue().path("verdict").asText("");
                String reason = e.getValue().path("reason").asText("");
                Verdict verdict;
                try {
                    verdict = Verdict.valueOf(v);
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException(file + ": scenario " + e.getKey() + " has verdict '" + v
                            + "', which is none of PASSED, FAILED, NON_STRICT, UNIMPLEMENTED, ERROR, SKIPPED: fix the file");
                }
                if (verdict != Verdict.PASSED && reason.isBlank()) {
                    throw new IllegalArgumentException(file + ": scenario " + e.getKey() + " expects " + verdict
                            + " without a \"reason\": add one line saying why");
                }
                m.put(e.getKey(), new Expectation(verdict, reason));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + "): fix the file", e);
        }
        return new ExpectedVerdicts(m);
    }

    public Expectation of(String scenarioId) {
        return byId.getOrDefault(scenarioId, new Expectation(Verdict.PASSED, ""));
    }
}
