package tcpct.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tcpct.report.ExpectedMeasurements;
import tcpct.report.ExpectedVerdicts;
import tcpct.report.ScenarioResult;
import tcpct.report.Summary;
import tcpct.report.SummaryInput;
import tcpct.target.TargetSpec;

/**
 * {@code ./tcpct merge DIR... --out DIR [--baseline SUMMARY|DIR]}: joins the folders of shards ({@code run --shard})
 * and of runs of other targets or other parts of the suite into one result, as if one run had made it:
 * summary.json (totals, regressions, coverage and measurement gates recomputed against the targets' expected.json
 * here), junit.xml, the Allure report (the runs' allure-results joined and generated once, with the target's
 * history), grid.html, state-diagram.svg and the pcaps. Several targets: each into {@code OUT/<target>/}, then
 * matrix.json and matrix.html, as {@code run --target all} writes them.
 *
 * <p>Refused, exit 2, in one line, before anything is written: a folder without summary.json, summaries of
 * different schema versions, a scenario of the same target in two folders, two images of the same target, a shard
 * missing from a set (or given twice), a target unknown here. Exit status as {@code run}'s: 0 every verdict and
 * gated value as expected (with {@code --baseline}: as in that summary), 1 one differs.
 */
public final class Merge {

    static final List<String> OPTIONS = List.of("--out", "--baseline", "--history");

    private Merge() {
    }

    static int run(String[] args, Path home) throws IOException {
        List<Path> dirs = new ArrayList<>();
        Path out = null;
        Path baseline = null;
        Path history = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                dirs.add(Path.of(a).toAbsolutePath().normalize());
                continue;
            }
            if (!OPTIONS.contains(a)) {
                throw new UsageException("unknown option '" + a + "' for merge: options are --out, --baseline, --history (./tcpct merge --help)");
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new UsageException(a + " needs a value (./tcpct --help)");
            }
            Path v = Path.of(args[++i]).toAbsolutePath().normalize();
            switch (a) {
                case "--out" -> out = v;
                case "--history" -> history = v;
                default -> baseline = v;
            }
        }
        if (dirs.isEmpty() || out == null) {
            throw new UsageException("merge needs the folders to join and --out: ./tcpct merge DIR... --out DIR (./tcpct --help)");
        }
        return merge(dirs, out, baseline, history, home);
    }

    static int merge(List<Path> dirs, Path out, Path baseline, Path home) throws IOException {
        return merge(dirs, out, baseline, null, home);
    }

    /** {@code history}: the folder whose {@code <target>/} keeps the report's trend (null: each merged folder's own {@code history/}). */
    static int merge(List<Path> dirs, Path out, Path baseline, Path history, Path home) throws IOException {
        for (Path d : dirs) {
            if (out.startsWith(d) || d.startsWith(out)) {
                throw new UsageException("--out " + out + " and the input " + d + " overlap: give a new folder for the merge");
            }
        }
        if (Files.isDirectory(out)) {
            try (var entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new UsageException("--out " + out + " is not empty: give a new folder (a merge never overwrites a result)");
                }
            }
        }
        Map<String, List<SummaryInput>> byTarget = new LinkedHashMap<>();
        int schema = -1;
        Path schemaFrom = null;
        for (Path d : dirs) {
            for (SummaryInput in : SummaryInput.in(d)) {
                if (schemaFrom != null && in.schemaVersion() != schema) {
                    throw new UsageException("different summary schemas: " + schemaFrom + " has schemaVersion " + schema + ", " + in.folder()
                            + " has " + in.schemaVersion() + ": merge the outputs of one tcpct version");
                }
                schema = in.schemaVersion();
                schemaFrom = in.folder();
                byTarget.computeIfAbsent(in.target(), k -> new ArrayList<>()).add(in);
            }
        }
        Map<String, Path> baselines = baseline == null ? Map.of() : baselines(baseline);
        for (Map.Entry<String, List<SummaryInput>> t : byTarget.entrySet()) {
            check(t.getKey(), t.getValue());
            t.getValue().forEach(SummaryInput::startedAt); // an unreadable start fails now
            Path folder = TargetSpec.dir(home).resolve(t.getKey());
            if (!Files.isDirectory(folder)) {
                throw new UsageException("target '" + t.getKey() + "' of " + t.getValue().get(0).folder() + " is not in " + TargetSpec.dir(home)
                        + ": merge in a clone of the commit that made the runs (its expected.json judges them)");
            }
            ExpectedVerdicts.load(folder.resolve(ExpectedVerdicts.FILE)); // a bad file fails now, not half-way through the writing
            ExpectedMeasurements.load(folder.resolve(ExpectedVerdicts.FILE));
        }
        Files.createDirectories(out);
        List<String> targets = List.copyOf(byTarget.keySet());
        int worst = Runner.OK;
        for (String t : targets) {
            Path dir = targets.size() == 1 ? out : out.resolve(t);
            if (targets.size() > 1) {
                System.err.println("tcpct: ===== target " + t + " =====");
            }
            Path against = baselines.get(t);
            if (baseline != null && against == null) {
                System.out.println("tcpct: " + baseline + " has no summary of target " + t + ": its verdicts are judged by its expected.json");
            }
            worst = Math.max(worst, write(home, t, byTarget.get(t), dir, against, history));
        }
        if (targets.size() > 1) {
            int disagreements = tcpct.report.Matrix.write(out, targets);
            System.out.println("tcpct: matrix of " + targets.size() + " targets, " + disagreements + " scenarios where they disagree: "
                    + out.resolve(tcpct.report.Matrix.HTML));
        }
        return worst;
    }

    /** The summaries {@code --baseline} names, by target: a summary.json, or a folder of a run or a merge. */
    private static Map<String, Path> baselines(Path baseline) {
        Map<String, Path> out = new HashMap<>();
        if (Files.isRegularFile(baseline)) {
            out.put(SummaryInput.readFile(baseline).target(), baseline);
        } else if (Files.isDirectory(baseline)) {
            SummaryInput.in(baseline).forEach(s -> out.put(s.target(), s.folder().resolve(SummaryInput.FILE)));
        } else {
            throw new UsageException("--baseline " + baseline + " does not exist: give the summary.json, or the folder, of an earlier run or merge");
        }
        return out;
    }

    /** The refusals that concern one target's inputs: overlapping ids, two images, incomplete or repeated shards. */
    static void check(String target, List<SummaryInput> inputs) {
        Map<String, Path> seen = new HashMap<>();
        for (SummaryInput in : inputs) {
            for (ScenarioResult r : in.results()) {
                Path twin = seen.put(r.id(), in.folder());
                if (twin != null) {
                    throw new UsageException("scenario " + r.id() + " of target " + target + " is in both " + twin + " and " + in.folder()
                            + ": give each run or shard once");
                }
            }
            SummaryInput first = inputs.get(0);
            if (first.image() != null && in.image() != null && !first.image().equals(in.image())) {
                throw new UsageException("target " + target + " ran as " + first.image() + " in " + first.folder() + " but as " + in.image()
                        + " in " + in.folder() + ": merge runs of the same target folder (one commit)");
            }
        }
        Map<String, Map<Integer, SummaryInput>> sets = new TreeMap<>();
        for (SummaryInput in : inputs) {
            JsonNode s = in.shard();
            if (s.isMissingNode()) {
                continue;
            }
            Map<Integer, SummaryInput> set = sets.computeIfAbsent(s.path("of").asInt() + " of " + s.path("selected").asInt(), k -> new TreeMap<>());
            SummaryInput twin = set.put(s.path("index").asInt(), in);
            if (twin != null) {
                throw new UsageException("shard " + s.path("index").asInt() + "/" + s.path("of").asInt() + " of target " + target + " is given twice: "
                        + twin.folder() + " and " + in.folder() + ": give each shard once");
            }
        }
        sets.forEach((key, set) -> {
            JsonNode any = set.values().iterator().next().shard();
            int of = any.path("of").asInt();
            List<Integer> missing = new ArrayList<>();
            for (int i = 1; i <= of; i++) {
                if (!set.containsKey(i)) {
                    missing.add(i);
                }
            }
            if (!missing.isEmpty()) {
                throw new UsageException("target " + target + " has shards " + set.keySet() + " of " + of + ": shard " + missing.get(0) + "/" + of
                        + " is missing (its job failed, or its folder was not given): give every shard's folder");
            }
            int ran = set.values().stream().mapToInt(s -> s.results().size()).sum();
            int selected = any.path("selected").asInt();
            if (ran != selected) {
                throw new UsageException("the " + of + " shards of target " + target + " ran " + ran + " scenarios, but their selection has "
                        + selected + ": a shard did not finish; run it again");
            }
        });
    }

    /** One target's merged folder; returns its exit status. */
    private static int write(Path home, String target, List<SummaryInput> inputs, Path out, Path baseline, Path history) throws IOException {
        Path folder = TargetSpec.dir(home).resolve(target);
        ExpectedVerdicts expected = Files.isRegularFile(folder.resolve("target.json")) // as the run judged: a target's @ipv6 rules too
                ? ExpectedVerdicts.forTarget(TargetSpec.load(TargetSpec.dir(home), target)) : ExpectedVerdicts.load(folder.resolve(ExpectedVerdicts.FILE));
        ExpectedMeasurements gauges = ExpectedMeasurements.load(folder.resolve(ExpectedVerdicts.FILE));
        List<ScenarioResult> results = new ArrayList<>();
        inputs.forEach(in -> results.addAll(in.results()));
        results.sort(Comparator.comparing(ScenarioResult::id));
        Instant started = inputs.stream().map(SummaryInput::startedAt).min(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        long wall = inputs.stream().mapToLong(in -> in.json().path("durationMs").asLong()).max().orElse(0);
        SummaryInput first = inputs.get(0);
        Files.createDirectories(out);
        Summary.Outcome outcome = Summary.build(target, first.stack(), first.image(), started, wall, results, expected);
        List<ExpectedMeasurements.Deviation> moved = gauges.check(results);
        ExpectedMeasurements.record(outcome.json(), moved);
        ObjectNode merged = outcome.json().putObject("merged");
        merged.put("machineMs", inputs.stream().mapToLong(in -> in.json().path("durationMs").asLong()).sum());
        ArrayNode from = merged.putArray("inputs");
        for (SummaryInput in : inputs) {
            ObjectNode o = from.addObject().put("folder", in.folder().toString()).put("startedAt", in.json().path("startedAt").asText())
                    .put("durationMs", in.json().path("durationMs").asLong()).put("scenarios", in.results().size());
            if (!in.shard().isMissingNode()) {
                o.set("shard", in.shard());
            }
        }
        Summary.write(outcome, out.resolve(SummaryInput.FILE));
        int pcaps = 0;
        for (SummaryInput in : inputs) {
            pcaps += copyFiles(in.folder().resolve("pcap"), out.resolve("pcap"));
        }
        Path results0 = out.resolve("allure-results");
        for (SummaryInput in : inputs) {
            copyFiles(in.folder().resolve("allure-results"), results0);
        }
        Path env = results0.resolve("environment.properties");
        if (Files.exists(env)) {
            Files.writeString(env, Files.readString(env).replaceAll("(?m)^workers = .*\\n", "") + "merged = " + inputs.size() + " runs: "
                    + String.join(", ", inputs.stream().map(in -> in.shard().isMissingNode() ? in.folder().getFileName().toString()
                    : "shard " + in.shard().path("index").asInt() + "/" + in.shard().path("of").asInt()).toList()) + "\n");
        }
        String reportProblem = RunReports.write(home, target, results, expected, wall, out, history == null ? out.resolve("history")
                : history.resolve(target)).reportProblem();
        if (reportProblem != null) {
            System.err.println("tcpct: no HTML report: " + reportProblem);
        }
        System.out.printf("tcpct: merged %d runs of %s: %d scenarios (%d pcaps): %s; %d differ from %s's expected verdicts%n", inputs.size(),
                target, results.size(), pcaps, outcome.totals(), outcome.regressions(), target);
        System.out.println("tcpct: summary " + out.resolve(SummaryInput.FILE) + ", report " + out.resolve("report/index.html"));
        return Runner.judge(baseline, results, outcome, gauges, moved);
    }

    /** Copies the regular files of {@code from} (not its sub-folders: a run's Allure history stays behind) into {@code to}. */
    private static int copyFiles(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return 0;
        }
        Files.createDirectories(to);
        int n = 0;
        try (var files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                n++;
            }
        }
        return n;
    }
}
