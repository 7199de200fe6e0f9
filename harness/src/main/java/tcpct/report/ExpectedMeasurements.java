package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timer values a target is expected to measure, the {@code measurements} object of its expected.json (a
 * compatible extension: a file without it gates on verdicts only), each with its tolerance:
 * <pre>{"measurements": {"timers/syn-sent-r2": {"syn-give-up": {"ms": 133509, "relative": 0.10, "absoluteMs": 20}}}}</pre>
 * A value holds when it is within {@code ms * relative + absoluteMs} of {@code ms}; an optional {@code reason}
 * says why a tolerance is wider than the default. A run whose value moved out of its tolerance exits 1 even when
 * the verdict did not change (a SYN give-up of 135 s that became 7 s). With {@code --baseline}, the same values,
 * with the same tolerances, are compared with the baseline run's instead; values expected.json does not list are
 * not gated.
 */
public final class ExpectedMeasurements {

    public static final String KEY = "measurements";

    /** One gated value: its expected ms and tolerance ({@code ms * relative + absoluteMs} either way). */
    public record Bound(double ms, double relative, double absoluteMs, String reason) {

        public double low() {
            return ms - slack();
        }

        public double high() {
            return ms + slack();
        }

        private double slack() {
            return Math.abs(ms) * relative + absoluteMs;
        }

        public boolean holds(double value) {
            return value >= low() && value <= high();
        }

        /** The same tolerance around another value (a baseline run's). */
        public Bound around(double value) {
            return new Bound(value, relative, absoluteMs, reason);
        }

        public String tolerance() {
            return String.format("±%s%% + %s ms", number(relative * 100), number(absoluteMs));
        }
    }

    /**
     * A value out of its tolerance: {@code measured} null when the scenario ran without measuring it;
     * {@code against} says what it was compared with ("expected" for expected.json, "baseline" for --baseline).
     */
    public record Deviation(String scenario, String measurement, Double measured, Bound bound, String against) {

        /** {@code timers/syn-sent-r2: syn-give-up 7000 ms, expected 133509 ms ±10% + 20 ms (120138..146880)}. */
        public String line() {
            return scenario + ": " + measurement + " " + (measured == null ? "not measured" : number(measured) + " ms") + ", " + against + " "
                    + number(bound.ms()) + " ms " + bound.tolerance() + " (" + number(bound.low()) + ".." + number(bound.high()) + ")";
        }
    }

    private final Map<String, Map<String, Bound>> byScenario;

    private ExpectedMeasurements(Map<String, Map<String, Bound>> byScenario) {
        this.byScenario = byScenario;
    }

    public static ExpectedMeasurements none() {
        return new ExpectedMeasurements(Map.of());
    }

    /** Reads the {@code measurements} of {@code file}; a missing file, or one without them, gates nothing. */
    public static ExpectedMeasurements load(Path file) {
        if (!Files.exists(file)) {
            return none();
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON" + tcpct.target.JsonProblem.where(e) + " ("
                    + tcpct.target.JsonProblem.what(e) + "): fix the file", e);
        }
        JsonNode all = root == null ? null : root.get(KEY);
        if (all == null) {
            return none();
        }
        String shape = ": give {\"" + KEY + "\": {\"SCENARIO-ID\": {\"NAME\": {\"ms\": 1000, \"relative\": 0.1, \"absoluteMs\": 20}}}}";
        if (!all.isObject()) {
            throw new IllegalArgumentException(file + ": \"" + KEY + "\" is not an object" + shape);
        }
        Map<String, Map<String, Bound>> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> sc = it.next();
            if (!sc.getValue().isObject()) {
                throw new IllegalArgumentException(file + ": " + KEY + " of " + sc.getKey() + " is not an object" + shape);
            }
            Map<String, Bound> values = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> vs = sc.getValue().fields(); vs.hasNext(); ) {
                Map.Entry<String, JsonNode> v = vs.next();
                JsonNode b = v.getValue();
                String where = file + ": " + KEY + " of " + sc.getKey() + ", " + v.getKey();
                if (!b.isObject() || !b.path("ms").isNumber()) {
                    throw new IllegalArgumentException(where + " has no number \"ms\"" + shape);
                }
                for (String k : List.of("relative", "absoluteMs")) {
                    if (!b.path(k).isNumber() || b.path(k).asDouble() < 0) {
                        throw new IllegalArgumentException(where + " has no \"" + k + "\" of 0 or more: give its tolerance (ms * relative + absoluteMs)");
                    }
                }
                values.put(v.getKey(), new Bound(b.path("ms").asDouble(), b.path("relative").asDouble(), b.path("absoluteMs").asDouble(),
                        b.path("reason").asText(null)));
            }
            m.put(sc.getKey(), values);
        }
        return new ExpectedMeasurements(m);
    }

    /** The scenario ids that have gated values. */
    public java.util.Set<String> ids() {
        return byScenario.keySet();
    }

    /** Every gated value of the scenarios in {@code results} that is out of its tolerance, or was not measured. */
    public List<Deviation> check(List<ScenarioResult> results) {
        List<Deviation> out = new ArrayList<>();
        for (ScenarioResult r : results) {
            byScenario.getOrDefault(r.id(), Map.of()).forEach((name, bound) -> {
                Double v = r.measurements().get(name);
                if (v == null || !bound.holds(v)) {
                    out.add(new Deviation(r.id(), name, v, bound, "expected"));
                }
            });
        }
        return out;
    }

    /**
     * {@code --baseline}: every gated value of {@code results} that moved out of its tolerance around the value
     * that {@code storedSummary} measured (a value the baseline did not measure is not compared).
     */
    public List<Deviation> changesSince(JsonNode storedSummary, List<ScenarioResult> results) {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        for (JsonNode s : storedSummary.path("scenarios")) {
            before.put(s.path("id").asText(), s.path(KEY));
        }
        List<Deviation> out = new ArrayList<>();
        for (ScenarioResult r : results) {
            JsonNode was = before.get(r.id());
            if (was == null) {
                continue;
            }
            byScenario.getOrDefault(r.id(), Map.of()).forEach((name, bound) -> {
                if (!was.path(name).isNumber()) {
                    return;
                }
                Bound then = bound.around(was.path(name).asDouble());
                Double v = r.measurements().get(name);
                if (v == null || !then.holds(v)) {
                    out.add(new Deviation(r.id(), name, v, then, "baseline"));
                }
            });
        }
        return out;
    }

    /** Adds {@code measurementDeviations} to a summary: one object per value out of its tolerance (an empty list: none). */
    public static void record(ObjectNode summary, List<Deviation> deviations) {
        ArrayNode a = summary.putArray("measurementDeviations");
        for (Deviation d : deviations) {
            ObjectNode o = a.addObject().put("id", d.scenario()).put("measurement", d.measurement());
            if (d.measured() == null) {
                o.putNull("ms");
            } else {
                o.put("ms", Math.round(d.measured() * 1000) / 1000.0);
            }
            o.put(d.against() + "Ms", d.bound().ms()).put("low", d.bound().low()).put("high", d.bound().high()).put("line", d.line());
        }
    }

    /**
     * {@code --update-baseline}: {@code proposedExpectedJson} (the verdicts ExpectedVerdicts proposes) with the
     * {@code measurements} this run would need. A value within its tolerance keeps its entry; one out of it gets
     * the new value, its tolerance and a "REVIEW:" reason saying what it was; a new one gets the default tolerance
     * ({@code relative}, {@code absoluteMs}); a value that a scenario of this run no longer measures is dropped.
     * Scenarios this run did not run keep their entries.
     */
    public String proposeInto(String proposedExpectedJson, List<ScenarioResult> results, double relative, double absoluteMs) {
        ObjectMapper om = new ObjectMapper();
        Map<String, Map<String, Bound>> next = new TreeMap<>(byScenario);
        for (ScenarioResult r : results) {
            Map<String, Bound> old = byScenario.getOrDefault(r.id(), Map.of());
            Map<String, Bound> now = new TreeMap<>();
            r.measurements().forEach((name, v) -> {
                Bound b = old.get(name);
                double rounded = Math.round(v * 10) / 10.0;
                now.put(name, b == null ? new Bound(rounded, relative, absoluteMs, null)
                        : b.holds(v) ? b : new Bound(rounded, b.relative(), b.absoluteMs(), "REVIEW: was " + number(b.ms()) + " ms"
                        + (b.reason() == null || b.reason().startsWith("REVIEW:") ? "" : "; " + b.reason())));
            });
            if (now.isEmpty()) {
                next.remove(r.id());
            } else {
                next.put(r.id(), now);
            }
        }
        try {
            ObjectNode root = (ObjectNode) om.readTree(proposedExpectedJson);
            ObjectNode m = root.putObject(KEY);
            next.forEach((id, values) -> {
                ObjectNode sc = m.putObject(id);
                values.forEach((name, b) -> {
                    ObjectNode o = sc.putObject(name).put("ms", b.ms()).put("relative", b.relative()).put("absoluteMs", b.absoluteMs());
                    if (b.reason() != null) {
                        o.put("reason", b.reason());
                    }
                });
            });
            return om.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("the proposed expected.json is not JSON: " + e.getMessage(), e);
        }
    }

    /** 133509.3 as "133509", 0.1 as "0.1": whole numbers without a fraction. */
    static String number(double v) {
        return Math.abs(v - Math.rint(v)) < 0.05 ? String.format("%.0f", v) : String.format("%.1f", v);
    }
}
