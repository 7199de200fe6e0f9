package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./tcpct run --target all}: scenario x target, the verdicts side by side, read from each target's
 * summary.json; matrix.json for machines and matrix.html for people, the scenarios where the stacks
 * disagree first.
 */
public final class Matrix {

    public static final String JSON = "matrix.json";
    public static final String HTML = "matrix.html";

    private Matrix() {
    }

    /** Writes both files from {@code outDir/<target>/summary.json}; returns how many scenarios the targets disagree on. */
    public static int write(Path outDir, List<String> targets) throws IOException {
        ObjectMapper om = new ObjectMapper();
        Map<String, Map<String, String>> byScenario = new TreeMap<>();
        Map<String, String> knownWhy = new java.util.HashMap<>(); // "target scenario" -> the expected.json reason of a known deviation
        Map<String, String> stacks = new LinkedHashMap<>();
        for (String t : targets) {
            Path summary = outDir.resolve(t).resolve("summary.json");
            if (!Files.exists(summary)) {
                stacks.put(t, "(no summary: the run could not be made)");
                continue;
            }
            JsonNode s = om.readTree(summary.toFile());
            stacks.put(t, s.at("/target/stack").asText());
            for (JsonNode sc : s.path("scenarios")) {
                byScenario.computeIfAbsent(sc.path("id").asText(), k -> new LinkedHashMap<>()).put(t, sc.path("verdict").asText());
                if (sc.path("knownDeviation").asBoolean(false)) {
                    knownWhy.put(t + " " + sc.path("id").asText(), sc.path("expectedReason").asText(""));
                }
            }
        }
        List<String> disagree = new ArrayList<>();
        List<String> agree = new ArrayList<>();
        byScenario.forEach((id, v) -> (v.values().stream().distinct().count() > 1 || v.size() < targets.size() ? disagree : agree).add(id));
        ObjectNode root = om.createObjectNode();
        ObjectNode ts = root.putObject("targets");
        stacks.forEach(ts::put);
        root.put("disagreements", disagree.size());
        var rows = root.putArray("scenarios");
        for (String id : concat(disagree, agree)) {
            ObjectNode row = rows.addObject();
            row.put("id", id);
            row.put("agree", !disagree.contains(id));
            ObjectNode v = row.putObject("verdicts");
            targets.forEach(t -> v.put(t, byScenario.get(id).getOrDefault(t, "NOT_RUN")));
        }
        ObjectNode reqs = root.putObject("requirements"); // per cited requirement id: its verdict on each target
        Map<String, Map<String, RequirementCoverage.Entry>> byTarget = RequirementsPage.byTarget(outDir, targets);
        for (Requirement r : Requirements.catalogue().all()) {
            if (byTarget.values().stream().anyMatch(c -> c.containsKey(r.id()))) {
                ObjectNode row = reqs.putObject(r.id()).put("class", r.kind().label);
                targets.forEach(t -> row.put(t, byTarget.get(t).containsKey(r.id()) ? byTarget.get(t).get(r.id()).verdict() : "NO_SCENARIO"));
            }
        }
        om.enable(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve(JSON).toFile(), root);
        StringBuilder h = new StringBuilder("""
                <!doctype html><meta charset="utf-8"><title>tcpct: stacks side by side</title>
                <style>body{font:13px sans-serif} table{border-collapse:collapse} td,th{border:1px solid #bbb;padding:2px 6px}
                .PASSED{background:#97cc64}.FAILED{background:#fd5a3e;color:#fff}.NON_STRICT{background:#ffd050}
                .UNIMPLEMENTED{background:#aaa}.ERROR{background:#d35ebe;color:#fff}.NOT_RUN{background:#eee}
                .KNOWN{background:#b8c7e8;outline:1px dashed #4a6fd8}</style>
                <h1>Scenario x target</h1><p><span class=KNOWN>FAILED (known)</span>: a known deviation, the verdict that target's
                expected.json lists (its reason on hover).</p>""");
        h.append("<p>").append(disagree.size()).append(" of ").append(byScenario.size())
                .append(" scenarios get different verdicts on different stacks; they come first.</p><table><tr><th>scenario</th>");
        stacks.forEach((t, stack) -> h.append("<th title=\"").append(stack.replace("\"", "&quot;")).append("\">").append(t).append("</th>"));
        h.append("</tr>");
        for (String id : concat(disagree, agree)) {
            h.append("<tr><td>").append(id).append(disagree.contains(id) ? " &#9888;" : "").append("</td>");
            for (String t : targets) {
                String v = byScenario.get(id).getOrDefault(t, "NOT_RUN");
                String why = knownWhy.get(t + " " + id);
                h.append("<td class=").append(why != null ? "KNOWN" : v).append(why != null ? " title=\"" + Markup.escape("known deviation: " + why) + "\"" : "")
                        .append("><a href=\"").append(t).append("/report/index.html\">").append(v).append(why != null ? " (known)" : "")
                        .append("</a></td>");
            }
            h.append("</tr>");
        }
        Files.writeString(outDir.resolve(HTML), h.append("</table><p>The RFC 9293 requirements per target: <a href=\"")
                .append(RequirementsPage.FILE).append("\">").append(RequirementsPage.FILE).append("</a></p>"));
        RequirementsPage.writeMatrix(outDir, targets);
        return disagree.size();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
