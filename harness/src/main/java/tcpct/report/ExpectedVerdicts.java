package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcpct.scenario.Verdict;

/**
 * A target's baseline, {@code targets/<name>/expected.json}: the verdict each scenario is expected to get
 * on this stack, PASSED unless listed. Every listed deviation carries a one-line reason:
 * <pre>{"scenarios": {"close/rst-in-time-wait": {"verdict": "FAILED", "reason": "Linux ends TIME-WAIT on RST (RFC 1337)"}}}</pre>
 */
public final class ExpectedVerdicts {

    public static final String FILE = "expected.json";

    /**
     * The verdict a scenario is expected to get, and why. {@code alsoAccepted}: other verdicts that are just as
     * expected, for a deviation that shows or not with timing outside the harness's control (gVisor's FIN
     * retransmission racing the grid's state read); the reason must say so.
     */
    public record Expectation(Verdict verdict, String reason, java.util.Set<Verdict> alsoAccepted) {

        public Expectation {
            alsoAccepted = java.util.Set.copyOf(alsoAccepted);
        }

        public Expectation(Verdict verdict, String reason) {
            this(verdict, reason, java.util.Set.of());
        }

        /** Whether {@code v} is what the baseline expects: its verdict or one it also accepts. */
        public boolean accepts(Verdict v) {
            return v == verdict || alsoAccepted.contains(v);
        }

        /** Whether {@code v} is a known deviation: a verdict other than PASSED that the baseline expects (not a regression). */
        public boolean knownDeviation(Verdict v) {
            return v != Verdict.PASSED && accepts(v);
        }

        /** The expected verdict to report beside {@code v}: {@code v} itself when accepted. */
        public Verdict expectedFor(Verdict v) {
            return accepts(v) ? v : verdict;
        }
    }

    private final Map<String, Expectation> byId;
    /** Why the target has no IPv6 (its target.json's noIpv6), or null. */
    private final String noIpv6;

    private ExpectedVerdicts(Map<String, Expectation> byId) {
        this(byId, null);
    }

    private ExpectedVerdicts(Map<String, Expectation> byId, String noIpv6) {
        this.byId = byId;
        this.noIpv6 = noIpv6;
    }

    /**
     * The baseline of {@code spec}'s target: its expected.json, and, when its target.json says {@code noIpv6}, every
     * scenario's IPv6 run ({@code @ipv6}) expected UNIMPLEMENTED for that reason unless expected.json names it.
     */
    public static ExpectedVerdicts forTarget(tcpct.target.TargetSpec spec) {
        ExpectedVerdicts file = load(spec.folder().resolve(FILE));
        return spec.noIpv6() == null ? file : new ExpectedVerdicts(file.byId, spec.noIpv6());
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
            if (root == null || !root.isObject() || !root.path("scenarios").isObject()) {
                throw new IllegalArgumentException(file + " has no \"scenarios\" object: write {\"scenarios\": {\"SCENARIO-ID\": "
                        + "{\"verdict\": \"FAILED\", \"reason\": \"why\"}}} (or --update-baseline writes it)");
            }
            Iterator<Map.Entry<String, JsonNode>> it = root.path("scenarios").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject()) {
                    throw new IllegalArgumentException(file + ": scenario " + e.getKey() + " maps to " + e.getValue()
                            + ": give {\"verdict\": \"FAILED\", \"reason\": \"why\"}");
                }
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
                java.util.Set<Verdict> also = java.util.EnumSet.noneOf(Verdict.class);
                for (JsonNode a : e.getValue().path("alsoAccepted")) {
                    try {
                        also.add(Verdict.valueOf(a.asText()));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException(file + ": scenario " + e.getKey() + " also accepts '" + a.asText()
                                + "', which is none of PASSED, FAILED, NON_STRICT, UNIMPLEMENTED, ERROR, SKIPPED: fix the file");
                    }
                }
                if (!also.isEmpty() && reason.isBlank()) {
                    throw new IllegalArgumentException(file + ": scenario " + e.getKey() + " accepts more than one verdict without a "
                            + "\"reason\": say why its verdict depends on timing");
                }
                m.put(e.getKey(), new Expectation(verdict, reason, also));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON" + tcpct.target.JsonProblem.where(e) + " ("
                    + tcpct.target.JsonProblem.what(e) + "): fix the file", e);
        }
        return new ExpectedVerdicts(m);
    }

    /** The scenario ids the baseline names. */
    public java.util.Set<String> ids() {
        return byId.keySet();
    }

    /**
     * {@code --update-baseline}: the expected verdicts this run would need, for review before committing.
     * Deviations already listed keep their reason when their verdict stayed; new or changed ones get
     * "REVIEW: " and what was observed, to be replaced by the reason. PASSED scenarios are dropped.
     */
    public String proposeFrom(List<ScenarioResult> results) {
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = om.createObjectNode();
        root.put("about", "Verdicts this target is expected to get where they are not PASSED, each with a one-line reason. "
                + "Written by ./tcpct run --update-baseline: replace every REVIEW: with the reason, then commit.");
        com.fasterxml.jackson.databind.node.ObjectNode sc = root.putObject("scenarios");
        Map<String, Expectation> merged = new java.util.TreeMap<>(byId);
        for (ScenarioResult r : results) {
            Expectation old = byId.get(r.id());
            if (old != null && old.accepts(r.verdict())) {
                continue; // as expected (a timing-dependent entry included): the entry stays as it is
            }
            if (r.verdict() == Verdict.PASSED) {
                merged.remove(r.id());
                continue;
            }
            merged.put(r.id(), new Expectation(r.verdict(), "REVIEW: observed " + r.verdict() + (r.failure() == null ? "" : ": " + r.failure())));
        }
        merged.forEach((id, e) -> {
            com.fasterxml.jackson.databind.node.ObjectNode o = sc.putObject(id).put("verdict", e.verdict().name()).put("reason", e.reason());
            if (!e.alsoAccepted().isEmpty()) {
                e.alsoAccepted().stream().sorted().forEach(v -> o.withArray("alsoAccepted").add(v.name()));
            }
        });
        try {
            return om.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Expectation of(String scenarioId) {
        // a scenario's IPv6 run (its id suffixed @ipv6) is expected to do as its IPv4 run unless the baseline says otherwise
        if (noIpv6 != null && tcpct.wire.IpFamily.ofId(scenarioId) == tcpct.wire.IpFamily.IPV6 && !byId.containsKey(scenarioId)) {
            return new Expectation(Verdict.UNIMPLEMENTED, "no IPv6: " + noIpv6);
        }
        Expectation base = byId.getOrDefault(tcpct.wire.IpFamily.baseId(scenarioId), new Expectation(Verdict.PASSED, ""));
        return byId.getOrDefault(scenarioId, base);
    }
}
