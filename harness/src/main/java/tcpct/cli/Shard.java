package tcpct.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code --shard I/N}: shard {@code index} (1-based) of {@code of}, one part of a run's selection, so that N
 * machines of a CI matrix share a suite and {@code ./tcpct merge} joins their folders. Every shard computes the
 * same split from the same inputs (the selected ids, which of them are slow, and the recorded durations), so the
 * N shards are disjoint and together exactly the selection.
 *
 * <p>With recorded durations ({@code --durations SUMMARY}): longest first, each scenario goes to the shard with
 * the least time so far (ties: the lower shard), ids breaking ties between equal durations; a scenario the
 * summary lacks counts as the median of those it has. Without: the slow group is dealt round-robin in id order
 * first, then the rest continue the deal, so the long timer scenarios spread over the shards.
 */
public record Shard(int index, int of) {

    /** Bound on N: more shards than this would leave most of them a handful of scenarios. */
    public static final int MAX_SHARDS = 256;

    public Shard {
        if (of < 1 || index < 1 || index > of) {
            throw new UsageException("--shard " + index + "/" + of + " is out of range: give I/N with 1 <= I <= N, e.g. --shard 1/4");
        }
    }

    /** Parses {@code I/N}; anything else is a one-line {@link UsageException} (exit 2). */
    public static Shard parse(String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,4})/(\\d{1,4})").matcher(v);
        if (!m.matches()) {
            throw new UsageException("--shard takes I/N (shard I of N, 1-based), e.g. --shard 1/4, got '" + v + "'");
        }
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1 || n > MAX_SHARDS || i < 1 || i > n) {
            throw new UsageException("--shard " + v + " is out of range: give I/N with 1 <= I <= N <= " + MAX_SHARDS + ", e.g. --shard 1/4");
        }
        return new Shard(i, n);
    }

    /**
     * The ids of {@code ids} that fall to this shard, in their given order. {@code slow}: whether an id is in the
     * slow group (used only without durations); {@code durationsMs}: recorded durations by id (empty: none).
     */
    public List<String> pick(List<String> ids, Predicate<String> slow, Map<String, Long> durationsMs) {
        Map<String, Integer> owner = assign(ids, slow, durationsMs, of);
        return ids.stream().filter(id -> owner.get(id) == index).toList();
    }

    /** Which shard (1-based) each id falls to. */
    static Map<String, Integer> assign(List<String> ids, Predicate<String> slow, Map<String, Long> durationsMs, int shards) {
        List<String> sorted = ids.stream().distinct().sorted().toList();
        Map<String, Integer> owner = new HashMap<>();
        boolean recorded = sorted.stream().anyMatch(durationsMs::containsKey);
        if (!recorded) {
            int next = 0;
            for (boolean slowPass : new boolean[] {true, false}) {
                for (String id : sorted) {
                    if (slow.test(id) == slowPass) {
                        owner.put(id, next % shards + 1);
                        next++;
                    }
                }
            }
            return owner;
        }
        long median = median(sorted.stream().filter(durationsMs::containsKey).map(durationsMs::get).toList());
        Map<String, Long> weight = new LinkedHashMap<>();
        sorted.forEach(id -> weight.put(id, durationsMs.getOrDefault(id, median)));
        List<String> longestFirst = new ArrayList<>(sorted);
        longestFirst.sort(Comparator.comparing((String id) -> -weight.get(id)).thenComparing(id -> id));
        long[] load = new long[shards];
        for (String id : longestFirst) {
            int least = 0;
            for (int s = 1; s < shards; s++) {
                if (load[s] < load[least]) {
                    least = s;
                }
            }
            load[least] += weight.get(id);
            owner.put(id, least + 1);
        }
        return owner;
    }

    private static long median(List<Long> values) {
        List<Long> v = values.stream().sorted().toList();
        return v.isEmpty() ? 1 : v.get(v.size() / 2);
    }

    /**
     * The durations a summary.json recorded, by scenario id: each scenario's {@code wallMs} (its whole time on its
     * worker), or its {@code durationMs} in a summary older than that field. {@code source} may be the file, or a
     * run's or a merge's folder: its {@code summary.json}, else {@code <target>/summary.json}.
     */
    public static Map<String, Long> durations(Path source, String target) {
        Path file = Files.isDirectory(source) ? source.resolve("summary.json") : source;
        if (Files.isDirectory(source) && !Files.isRegularFile(file)) {
            file = source.resolve(target).resolve("summary.json");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--durations " + source + " has no summary.json (nor " + target
                    + "/summary.json): give the summary.json of an earlier run or merge");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UsageException("--durations " + file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "): give the summary.json of an earlier run or merge");
        }
        if (root == null || !root.path("scenarios").isArray()) {
            throw new UsageException("--durations " + file + " has no \"scenarios\" list: give the summary.json of an earlier run or merge");
        }
        Map<String, Long> out = new HashMap<>();
        for (JsonNode s : root.path("scenarios")) {
            JsonNode ms = s.has("wallMs") ? s.path("wallMs") : s.path("durationMs");
            if (s.path("id").isTextual() && ms.canConvertToLong()) {
                out.put(s.path("id").asText(), Math.max(0, ms.asLong()));
            }
        }
        return out;
    }

    /**
     * This shard's part of a run's {@code selected} scenarios, in their order; {@code durations} (or null) is
     * the {@code --durations} source. Says on stderr how many of how many it takes and how it split them.
     */
    List<ScenarioCatalog.Entry> of(List<ScenarioCatalog.Entry> selected, Path durations, String target) {
        Set<String> slow = new java.util.HashSet<>();
        selected.stream().filter(e -> e.groups().contains(Runner.SLOW_GROUP)).forEach(e -> slow.add(e.id()));
        Map<String, Long> recorded = durations == null ? Map.of() : durations(durations, target);
        Set<String> mine = Set.copyOf(pick(selected.stream().map(ScenarioCatalog.Entry::id).toList(), slow::contains, recorded));
        List<ScenarioCatalog.Entry> out = selected.stream().filter(e -> mine.contains(e.id())).toList();
        System.err.println("tcpct: shard " + this + ": " + out.size() + " of the " + selected.size() + " selected scenarios, "
                + balancedBy(durations, recorded, selected));
        return out;
    }

    private static String balancedBy(Path durations, Map<String, Long> recorded, List<ScenarioCatalog.Entry> selected) {
        if (durations == null) {
            return "dealt round-robin by id (the slow group first): no --durations given";
        }
        long known = selected.stream().filter(e -> recorded.containsKey(e.id())).count();
        return known == 0 ? "dealt round-robin by id (the slow group first): " + durations + " records none of them"
                : "balanced by the durations in " + durations + " (" + known + " of them recorded there)";
    }

    /**
     * The additive {@code shard} object of a shard's summary.json: {@code index}, {@code of}, {@code selected}
     * (how many scenarios the whole selection has, for merge to check the shards add up to it) and
     * {@code durations} (the --durations source, or null).
     */
    void record(com.fasterxml.jackson.databind.node.ObjectNode summary, int selected, Path durations) {
        summary.putObject("shard").put("index", index).put("of", of).put("selected", selected)
                .put("durations", durations == null ? null : durations.toString());
    }

    @Override
    public String toString() {
        return index + "/" + of;
    }
}
