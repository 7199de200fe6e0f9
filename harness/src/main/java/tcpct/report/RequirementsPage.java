package tcpct.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * requirements.html: every requirement of RFC 9293 Appendix B (the catalogue), its class, the sentence with a link
 * to its section on rfc-editor.org, and the verdict of each scenario of the run that cites it; for a run over
 * several targets, the same table with one verdict column per target (beside matrix.html).
 */
public final class RequirementsPage {

    public static final String FILE = "requirements.html";

    private RequirementsPage() {
    }

    private static final String STYLE = """
            <!doctype html><meta charset="utf-8"><title>tcpct: RFC 9293 requirements</title>
            <style>body{font:13px sans-serif} table{border-collapse:collapse} td,th{border:1px solid #bbb;padding:3px;vertical-align:top}
            span{display:inline-block;margin:1px;padding:1px 3px;border-radius:3px;font-size:11px}
            .PASSED{background:#97cc64}.FAILED{background:#fd5a3e;color:#fff}.NON_STRICT{background:#ffd050}
            .UNIMPLEMENTED{background:#aaa}.ERROR{background:#d35ebe;color:#fff}.SKIPPED{background:#ddd}.none{color:#888}
            td.s{max-width:42em}</style>
            """;

    /** One run's page. */
    public static void write(Map<String, RequirementCoverage.Entry> coverage, String target, Path file) throws IOException {
        StringBuilder h = new StringBuilder(STYLE).append("<h1>RFC 9293 requirements: ").append(Markup.escape(target)).append("</h1>");
        h.append(counts(Map.of(target, coverage)));
        h.append("<table><tr><th>id</th><th>class</th><th>section</th><th>requirement</th><th>verdict</th><th>scenarios</th></tr>");
        for (Requirement r : Requirements.catalogue().all()) {
            RequirementCoverage.Entry e = coverage.get(r.id());
            h.append(head(r)).append("<td>").append(chip(e)).append("</td><td>");
            if (e != null) {
                e.scenarios().forEach((sc, v) -> h.append("<span class=").append(v).append(" title=\"").append(v).append("\">")
                        .append(Markup.escape(sc)).append("</span>"));
            }
            h.append("</td></tr>");
        }
        Files.writeString(file, h.append("</table>"));
    }

    /** The several targets' page, from {@code outDir/<target>/summary.json}; beside matrix.html. */
    public static void writeMatrix(Path outDir, List<String> targets) throws IOException {
        Map<String, Map<String, RequirementCoverage.Entry>> byTarget = byTarget(outDir, targets);
        StringBuilder h = new StringBuilder(STYLE).append("<h1>RFC 9293 requirements x target</h1>").append(counts(byTarget));
        h.append("<p>Each cell: the requirement's verdict on that target (FAILED if a citing scenario FAILED, else NON_STRICT, else PASSED);"
                + " hover for the scenarios. Each target's name links to its own requirements page.</p>");
        h.append("<table><tr><th>id</th><th>class</th><th>section</th><th>requirement</th>");
        targets.forEach(t -> h.append("<th><a href=\"").append(t).append('/').append(FILE).append("\">").append(Markup.escape(t)).append("</a></th>"));
        h.append("</tr>");
        for (Requirement r : Requirements.catalogue().all()) {
            h.append(head(r));
            for (String t : targets) {
                h.append("<td>").append(chip(byTarget.get(t).get(r.id()))).append("</td>");
            }
            h.append("</tr>");
        }
        Files.writeString(outDir.resolve(FILE), h.append("</table>"));
    }

    /** Each target's requirement verdicts, recomputed from its summary.json's scenarios (none when it has no summary). */
    static Map<String, Map<String, RequirementCoverage.Entry>> byTarget(Path outDir, List<String> targets) throws IOException {
        Map<String, Map<String, RequirementCoverage.Entry>> byTarget = new LinkedHashMap<>();
        ObjectMapper om = new ObjectMapper();
        for (String t : targets) {
            Path summary = outDir.resolve(t).resolve("summary.json");
            byTarget.put(t, Files.exists(summary) ? RequirementCoverage.ofSummaryScenarios(om.readTree(summary.toFile()).path("scenarios")) : Map.of());
        }
        return byTarget;
    }

    private static String head(Requirement r) {
        return "<tr id=\"" + r.id() + "\"><td>" + r.id() + "<br><small>" + Markup.escape(r.column()) + "</small></td><td>" + r.kind().label
                + "</td><td><a href=\"" + r.link() + "\">" + String.join(", ", r.sections()) + "</a></td><td class=s>"
                + Markup.escape(r.sentence()) + (r.note().isEmpty() ? "" : "<br><small>" + Markup.escape(r.note()) + "</small>") + "</td>";
    }

    private static String chip(RequirementCoverage.Entry e) {
        if (e == null) {
            return "<span class=none>no scenario</span>";
        }
        String tip = String.join("\n", e.scenarios().entrySet().stream().map(x -> x.getKey() + ": " + x.getValue()).toList());
        return "<span class=" + e.verdict() + " title=\"" + Markup.escape(tip) + "\">" + e.verdict() + "</span>";
    }

    /** Per level and class: how many ids, how many with a verdict on each target. */
    private static String counts(Map<String, Map<String, RequirementCoverage.Entry>> byTarget) {
        StringBuilder h = new StringBuilder("<table><tr><th>level</th><th>class</th><th>ids</th>");
        byTarget.keySet().forEach(t -> h.append("<th>").append(Markup.escape(t)).append(": with a verdict / PASSED</th>"));
        h.append("</tr>");
        for (String level : List.of("MUST", "SHLD", "MAY", "REC")) {
            for (Requirement.Kind k : Requirement.Kind.values()) {
                List<Requirement> ids = Requirements.catalogue().all().stream().filter(r -> r.level().equals(level) && r.kind() == k).toList();
                if (ids.isEmpty()) {
                    continue;
                }
                h.append("<tr><td>").append(level).append("</td><td>").append(k.label).append("</td><td>").append(ids.size()).append("</td>");
                byTarget.values().forEach(cov -> {
                    long with = ids.stream().filter(r -> cov.containsKey(r.id()) && cov.get(r.id()).judged()).count();
                    long passed = ids.stream().filter(r -> cov.containsKey(r.id()) && cov.get(r.id()).verdict().equals("PASSED")).count();
                    h.append("<td>").append(with).append(" / ").append(passed).append("</td>");
                });
                h.append("</tr>");
            }
        }
        return h.append("</table><p></p>").toString();
    }
}
