package tcpct.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state x segment grid of a run as an HTML table (rows: states, columns: arriving segment kinds),
 * each cell's variants coloured by verdict, with the failure sentence on hover. Written when the run
 * had grid scenarios ({@code grid/<row>/<column>/<variant>}).
 */
public final class GridTable {

    public static final String FILE = "grid.html";

    private GridTable() {
    }

    /** Counts of grid cells run, by verdict, for summary.json; empty when the run had none. */
    public static Map<String, Integer> counts(List<ScenarioResult> results) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (ScenarioResult r : results) {
            if (r.id().startsWith("grid/")) {
                out.merge("cells", 1, Integer::sum);
                out.merge(r.verdict().name(), 1, Integer::sum);
            }
        }
        return out;
    }

    static final List<String> ROW_ORDER = List.of("no-socket", "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
            "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT");
    static final List<String> COLUMN_ORDER = List.of("SYN", "SYN-ACK", "SYN-FIN", "ACK", "FIN", "FIN-ACK", "RST", "RST-ACK");

    private static int rank(List<String> order, String name) {
        int i = order.indexOf(name);
        return i < 0 ? order.size() : i;
    }

    public static boolean write(List<ScenarioResult> results, Path file) throws IOException {
        return write(results, ExpectedVerdicts.none(), file);
    }

    /** The same, with each known deviation (a verdict {@code expected} lists) as a chip of its own kind, its reason on hover. */
    public static boolean write(List<ScenarioResult> results, ExpectedVerdicts expected, Path file) throws IOException {
        Map<String, Map<String, List<ScenarioResult>>> grid = new java.util.TreeMap<>(
                java.util.Comparator.comparing((String r) -> rank(ROW_ORDER, r)).thenComparing(r -> r));
        List<String> columns = new ArrayList<>();
        List<ScenarioResult> sorted = new ArrayList<>(results);
        sorted.sort(java.util.Comparator.comparing(ScenarioResult::id));
        for (ScenarioResult r : sorted) {
            String[] p = r.id().split("/");
            if (p.length != 4 || !p[0].equals("grid")) {
                continue;
            }
            grid.computeIfAbsent(p[1], k -> new LinkedHashMap<>()).computeIfAbsent(p[2], k -> new ArrayList<>()).add(r);
            if (!columns.contains(p[2])) {
                columns.add(p[2]);
            }
        }
        if (grid.isEmpty()) {
            return false;
        }
        columns.sort(java.util.Comparator.comparing((String c) -> rank(COLUMN_ORDER, c)).thenComparing(c -> c));
        StringBuilder h = new StringBuilder("""
                <!doctype html><meta charset="utf-8"><title>tcpct: state x segment grid</title>
                <style>body{font:13px sans-serif} table{border-collapse:collapse} td,th{border:1px solid #bbb;padding:3px;vertical-align:top}
                span{display:inline-block;margin:1px;padding:1px 3px;border-radius:3px;font-size:11px}
                .PASSED{background:#97cc64}.FAILED{background:#fd5a3e;color:#fff}.NON_STRICT{background:#ffd050}
                .UNIMPLEMENTED{background:#aaa}.ERROR{background:#d35ebe;color:#fff}.SKIPPED{background:#ddd}
                .KNOWN{background:#b8c7e8;outline:1px dashed #4a6fd8}</style>
                <h1>State x segment grid</h1><p>RFC 9293 section 3.10.7, the reference model as oracle. Each chip is one cell
                variant (SEQ, and ACK where the segment has one); hover for what was expected and seen.
                <span class=PASSED>PASSED</span><span class=NON_STRICT>NON_STRICT</span><span class=FAILED>FAILED</span>
                <span class=ERROR>ERROR</span><span class=KNOWN>known deviation</span> (the verdict the target's expected.json lists,
                with its reason on hover)</p><table><tr><th>state \\ arriving</th>""");
        columns.forEach(c -> h.append("<th>").append(c).append("</th>"));
        h.append("</tr>");
        grid.forEach((row, cells) -> {
            h.append("<tr><th>").append(row).append("</th>");
            for (String c : columns) {
                h.append("<td>");
                for (ScenarioResult r : cells.getOrDefault(c, List.of())) {
                    String variant = r.id().substring(r.id().lastIndexOf('/') + 1);
                    ExpectedVerdicts.Expectation e = expected.of(r.id());
                    boolean known = e.knownDeviation(r.verdict());
                    String tip = (known ? "known deviation (" + r.verdict() + ", as expected.json says: " + e.reason() + "): " : r.verdict() + ": ")
                            + (r.failure() == null ? "" : r.failure());
                    h.append("<span class=").append(known ? "KNOWN" : r.verdict()).append(" title=\"").append(Markup.escape(tip)).append("\">")
                            .append(Markup.escape(variant)).append("</span>");
                }
                h.append("</td>");
            }
            h.append("</tr>");
        });
        h.append("</table>");
        Files.writeString(file, h);
        return true;
    }

}
