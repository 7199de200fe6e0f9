package tcpct.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcpct.scenario.Verdict;

/**
 * A run's folder read back for {@code ./tcpct merge}: its summary.json and the scenario results in it, as the
 * run had recorded them. Bad input (no summary, not JSON, a field of the wrong kind) is an
 * {@link IllegalArgumentException} whose one line names the folder and the fix.
 */
public record SummaryInput(Path folder, JsonNode json, List<ScenarioResult> results) {

    public static final String FILE = "summary.json";

    public String target() {
        return json.at("/target/name").asText();
    }

    public String stack() {
        return json.at("/target/stack").asText();
    }

    /** The image tag, or null when the run did not record one. */
    public String image() {
        return json.at("/target/image").isTextual() ? json.at("/target/image").asText() : null;
    }

    /** When the run started; a summary without a readable {@code startedAt} is a one-line error. */
    public java.time.Instant startedAt() {
        try {
            return java.time.Instant.parse(json.path("startedAt").asText(""));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(folder.resolve(FILE) + " has no readable \"startedAt\" ('" + json.path("startedAt").asText("")
                    + "'): give the summary.json of a finished run");
        }
    }

    public int schemaVersion() {
        return json.path("schemaVersion").asInt(-1);
    }

    /** The run's {@code shard} object ({@code index}, {@code of}, {@code selected}), or a missing node for a whole run. */
    public JsonNode shard() {
        return json.path("shard");
    }

    /**
     * The runs in {@code dir}: its own summary.json, or, for a folder of {@code --target all} or of a merge of
     * several targets, the summary.json of each of its sub-folders; none is a one-line error.
     */
    public static List<SummaryInput> in(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder: give the --out folder of a run (or of a merge)");
        }
        if (Files.isRegularFile(dir.resolve(FILE))) {
            return List.of(read(dir));
        }
        List<SummaryInput> out = new ArrayList<>();
        try (var subs = Files.list(dir)) {
            for (Path sub : subs.filter(p -> Files.isRegularFile(p.resolve(FILE))).sorted().toList()) {
                out.add(read(sub));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no " + FILE + " (nor any sub-folder with one): the run that made it did not "
                    + "finish; give the --out folder of a finished run");
        }
        return out;
    }

    public static SummaryInput read(Path dir) {
        return readFile(dir.resolve(FILE));
    }

    /** A summary file of any name (a baseline kept aside, say); its folder is the one it is in. */
    public static SummaryInput readFile(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON" + tcpct.target.JsonProblem.where(e) + ": give the summary.json "
                    + "of a finished run");
        }
        if (root == null || !root.isObject() || !root.path("scenarios").isArray() || !root.at("/target/name").isTextual()) {
            throw new IllegalArgumentException(file + " has no target name or no \"scenarios\" list: give the summary.json of a finished run");
        }
        List<ScenarioResult> results = new ArrayList<>();
        for (JsonNode s : root.path("scenarios")) {
            results.add(result(file, s));
        }
        return new SummaryInput(dir, root, results);
    }

    private static ScenarioResult result(Path file, JsonNode s) {
        String id = s.path("id").asText("");
        Verdict verdict;
        try {
            verdict = Verdict.valueOf(s.path("verdict").asText(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": scenario '" + id + "' has verdict '" + s.path("verdict").asText("")
                    + "', which is none of PASSED, FAILED, NON_STRICT, UNIMPLEMENTED, ERROR, SKIPPED: give the summary.json of a tcpct run");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException(file + ": a scenario has no id: give the summary.json of a tcpct run");
        }
        Map<String, Double> measurements = new LinkedHashMap<>();
        s.path("measurements").fields().forEachRemaining(e -> measurements.put(e.getKey(), e.getValue().asDouble()));
        List<InferredState> inferred = new ArrayList<>();
        s.path("inferredStates").forEach(i -> inferred.add(new InferredState(i.path("state").asText(), i.path("how").asText())));
        long durationMs = s.path("durationMs").asLong();
        return new ScenarioResult(id, s.path("title").asText(""), verdict, texts(s.path("states")), texts(s.path("edges")),
                texts(s.path("declaredEdges")), texts(s.path("rfc")), s.path("probe").asText(null), durationMs,
                s.path("pcap").asText(null), s.path("failure").isNull() ? null : s.path("failure").asText(null), measurements,
                s.path("protocolWaitMs").asLong(), inferred, texts(s.path("leftovers")), s.path("wallMs").asLong(durationMs));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
