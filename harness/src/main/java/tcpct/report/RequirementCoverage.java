package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcpct.scenario.Verdict;

/**
 * summary.json's {@code coverage.requirementVerdicts}: per requirement id that a scenario of the run cites, its
 * class in the catalogue ({@link Requirements}), every citing scenario with its verdict, and the requirement's
 * verdict over them: FAILED if one scenario FAILED, else NON_STRICT if one was, else PASSED if one PASSED, else
 * what the scenarios had (ERROR, UNIMPLEMENTED, SKIPPED: no word on the stack). {@code coverage.requirements}
 * (the count of PASSED scenarios per id, contracts.md) stays as it was. One computation, from the results of a
 * run or from the scenarios of summary.json files (so that merged runs get it the same way).
 */
public final class RequirementCoverage {

    private RequirementCoverage() {
    }

    /** A scenario's citations: its id, verdict and {@code rfc} tags (sections and requirement ids). */
    public record Cited(String scenario, String verdict, List<String> rfc) {

        public static Cited of(ScenarioResult r) {
            return new Cited(r.id(), r.verdict().name(), r.rfc());
        }

        /** One element of summary.json's {@code scenarios}. */
        public static Cited of(JsonNode scenario) {
            List<String> rfc = new ArrayList<>();
            scenario.path("rfc").forEach(t -> rfc.add(t.asText()));
            return new Cited(scenario.path("id").asText(), scenario.path("verdict").asText(), rfc);
        }
    }

    /** One requirement's line: its class, the citing scenarios' verdicts (by scenario id), and its own verdict. */
    public record Entry(String kind, Map<String, String> scenarios, String verdict) {

        /** The stack was judged on it: PASSED, FAILED or NON_STRICT (not ERROR, UNIMPLEMENTED, SKIPPED). */
        public boolean judged() {
            return List.of("PASSED", "FAILED", "NON_STRICT").contains(verdict);
        }
    }

    /** Orders MUST-2 before MUST-10, MUST before SHLD before MAY before REC. */
    public static final Comparator<String> ID_ORDER = Comparator.comparing((String id) -> List.of("MUST", "SHLD", "MAY", "REC")
            .indexOf(id.substring(0, id.indexOf('-')))).thenComparing(id -> Integer.parseInt(id.substring(id.indexOf('-') + 1)));

    public static Map<String, Entry> compute(Iterable<Cited> scenarios) {
        Map<String, Map<String, String>> by = new TreeMap<>(ID_ORDER);
        for (Cited c : scenarios) {
            for (String tag : c.rfc()) {
                if (tag.matches(Requirements.ID_PATTERN)) {
                    by.computeIfAbsent(tag, k -> new TreeMap<>()).put(c.scenario(), c.verdict());
                }
            }
        }
        Requirements catalogue = Requirements.catalogue();
        Map<String, Entry> out = new LinkedHashMap<>();
        by.forEach((id, sc) -> out.put(id, new Entry(catalogue.kindOf(id), sc, overall(sc.values()))));
        return out;
    }

    public static Map<String, Entry> ofResults(List<ScenarioResult> results) {
        return compute(results.stream().map(Cited::of).toList());
    }

    /** From a summary.json's {@code scenarios} array. */
    public static Map<String, Entry> ofSummaryScenarios(JsonNode scenarios) {
        List<Cited> all = new ArrayList<>();
        scenarios.forEach(s -> all.add(Cited.of(s)));
        return compute(all);
    }

    static String overall(java.util.Collection<String> verdicts) {
        for (Verdict v : List.of(Verdict.FAILED, Verdict.NON_STRICT, Verdict.PASSED, Verdict.ERROR, Verdict.UNIMPLEMENTED, Verdict.SKIPPED)) {
            if (verdicts.contains(v.name())) {
                return v.name();
            }
        }
        return verdicts.iterator().next();
    }

    public static ObjectNode toJson(Map<String, Entry> coverage) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        coverage.forEach((id, e) -> {
            ObjectNode n = root.putObject(id);
            n.put("class", e.kind()).put("verdict", e.verdict());
            ObjectNode sc = n.putObject("scenarios");
            e.scenarios().forEach(sc::put);
        });
        return root;
    }

    /** The other way: summary.json's {@code coverage.requirementVerdicts} back into entries (empty when the run predates it). */
    public static Map<String, Entry> fromJson(JsonNode requirementVerdicts) {
        Map<String, Entry> out = new LinkedHashMap<>();
        requirementVerdicts.fields().forEachRemaining(f -> {
            Map<String, String> sc = new TreeMap<>();
            f.getValue().path("scenarios").fields().forEachRemaining(s -> sc.put(s.getKey(), s.getValue().asText()));
            out.put(f.getKey(), new Entry(f.getValue().path("class").asText(), sc, f.getValue().path("verdict").asText()));
        });
        return out;
    }
}
