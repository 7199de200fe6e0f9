package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's log of a scenario made readable: the agents write {@code MS < REQUEST} and {@code MS > ANSWER}
 * (monotonic ms, one JSON line each); this puts each request and its answer on one line, matched by id,
 * with the time from the scenario's first request:
 * <pre>
 *   +10 ms  connect addr=192.0.2.1 port=20001      ok sock=3 local=192.0.2.2:50387 inProgress=true
 *   +22 ms  states                                 ok 192.0.2.2:50387 192.0.2.1:20001 SYN-SENT
 * </pre>
 * Lines of another shape (the agent's own messages) stay as they are.
 */
public final class AgentLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentLog() {
    }

    public static String pretty(String raw) {
        List<String[]> rows = new ArrayList<>(); // {time, request, answer} or {line}
        Map<String, String[]> open = new LinkedHashMap<>();
        long t0 = -1;
        for (String line : raw.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] p = line.split(" ", 3);
            JsonNode j = p.length == 3 && p[0].matches("\\d+") && (p[1].equals("<") || p[1].equals(">")) ? parse(p[2]) : null;
            if (j == null) {
                rows.add(new String[] {line});
                continue;
            }
            long ms = Long.parseLong(p[0]);
            t0 = t0 < 0 ? ms : t0;
            String id = j.path("id").asText("");
            if (p[1].equals("<")) {
                String[] row = {"+" + (ms - t0) + " ms", request(j), null};
                rows.add(row);
                open.put(id, row);
            } else {
                String[] row = open.remove(id);
                if (row == null) {
                    rows.add(new String[] {"+" + (ms - t0) + " ms", "(answer to request " + id + ")", answer(j)});
                } else {
                    long took = ms - t0 - Long.parseLong(row[0].replaceAll("\\D", ""));
                    row[2] = answer(j) + (took > 0 ? "  (" + took + " ms)" : "");
                }
            }
        }
        int width = rows.stream().filter(r -> r.length == 3).mapToInt(r -> r[1].length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            if (r.length == 1) {
                b.append(r[0]).append('\n');
            } else {
                b.append(String.format("%9s  %-" + Math.min(width, 60) + "s  %s%n", r[0], r[1], r[2] == null ? "(no answer)" : r[2]));
            }
        }
        return b.toString();
    }

    private static JsonNode parse(String s) {
        try {
            JsonNode j = JSON.readTree(s);
            return j != null && j.isObject() ? j : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** {@code connect addr=192.0.2.1 port=20001}: the command, then its other fields. */
    static String request(JsonNode j) {
        StringBuilder b = new StringBuilder(j.path("cmd").asText("?"));
        fields(j, b, List.of("id", "cmd"));
        return b.toString();
    }

    /** {@code ok sock=3}, {@code ERROR EBADF: no such socket}, or the endpoints of a states answer, one after the other. */
    static String answer(JsonNode j) {
        StringBuilder b = new StringBuilder(j.path("ok").asBoolean(false) ? "ok" : "ERROR");
        if (j.has("error")) {
            b.append(' ').append(text(j.get("error")));
        }
        if (j.path("endpoints").isArray()) {
            if (j.path("endpoints").isEmpty()) {
                b.append(" no endpoints");
            }
            for (JsonNode e : j.path("endpoints")) {
                b.append(" [").append(e.path("local").asText()).append(' ').append(e.path("remote").asText()).append(' ')
                        .append(e.path("state").asText()).append(']');
            }
        }
        fields(j, b, List.of("id", "ok", "error", "endpoints"));
        return b.toString();
    }

    private static void fields(JsonNode j, StringBuilder b, List<String> skip) {
        Iterator<Map.Entry<String, JsonNode>> it = j.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!skip.contains(f.getKey())) {
                b.append(' ').append(f.getKey()).append('=').append(text(f.getValue()));
            }
        }
    }

    private static String text(JsonNode v) {
        return v.isValueNode() ? v.asText() : v.toString();
    }
}
