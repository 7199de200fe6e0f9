package tcpct.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcpct.bench.MachineFacts;
import tcpct.bench.VerdictHistory;

/**
 * {@code ./tcpct soak}: the same suite N times in a row against one target, each run a full
 * {@code ./tcpct run} into {@code OUT/run-NN/}; then, per scenario, its verdict in every run, and for each
 * scenario whose verdict was not always the same, the runs and their failure sentences. soak.json is
 * rewritten after every run, so an interrupted soak keeps what it learned. Exit 0 when no verdict
 * differed, 1 when one did, 2 when the soak could not be made.
 */
public final class Soak {

    /** The suite the state diagram stands on: every edge and timer scenario. */
    public static final String DIAGRAM_GROUPS = "establish,close,data,timers";
    static final int DEFAULT_TIMES = 20;
    /** {@code --group all}: the whole default suite, grid included. */
    static final String WHOLE_SUITE = "all";
    static final List<String> OPTIONS = Help.of("soak").optionNames();

    private Soak() {
    }

    static int run(String[] args, Path home, ScenarioCatalog catalog) throws IOException {
        CommandOptions o = CommandOptions.parse(args, "soak", OPTIONS);
        String target = o.singleTarget();
        int times = o.number("--times", DEFAULT_TIMES, 2, 1000);
        int workers = o.number("--workers", Main.DEFAULT_WORKERS, 1, Main.MAX_WORKERS);
        String glob = o.text("--scenario", null);
        String group = o.text("--group", glob == null ? DIAGRAM_GROUPS : null);
        if (WHOLE_SUITE.equals(group)) {
            group = null; // the default suite, grid included, as ./tcpct run runs it
        }
        int load = o.number("--load", 0, 0, 64);
        catalog.select(glob, group); // an empty selection fails now, in one line
        tcpct.target.TargetSpec.load(home.resolve("targets"), target); // so does an unknown target
        Path out = o.text("--out", null) != null ? Path.of(o.text("--out", null)).toAbsolutePath()
                : home.resolve("reports/soak").resolve(java.time.LocalDateTime.now()
                        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);
        MachineFacts machine = MachineFacts.now();
        try (CpuLoad cpuLoad = CpuLoad.start(load)) {
            return soak(target, times, workers, glob, group, load, out, home, catalog, machine);
        }
    }

    private static int soak(String target, int times, int workers, String glob, String group, int load, Path out, Path home,
                            ScenarioCatalog catalog, MachineFacts machine) throws IOException {
        Instant started = Instant.now();
        VerdictHistory history = new VerdictHistory();
        ArrayNode runs = new ObjectMapper().createArrayNode();
        System.err.printf("tcpct: soak: %d runs of %s against %s on %d workers%s, into %s%n", times,
                glob != null ? "--scenario '" + glob + "'" : group == null ? "the whole default suite" : "--group " + group, target, workers,
                load > 0 ? ", beside stress-ng --cpu " + load : "", out);
        for (int n = 1; n <= times; n++) {
            Path runOut = out.resolve(String.format("run-%02d", n));
            long t0 = System.nanoTime();
            int exit;
            String error = null;
            try {
                exit = Runner.run(new RunOptions(target, glob, group, runOut, home, workers, null, false, null, out.resolve("history")), catalog); // one trend across the soak
            } catch (UsageException e) {
                throw e; // bad input is the same in every run: stop at once
            } catch (RuntimeException e) {
                exit = Runner.CANNOT_RUN;
                error = e.getMessage();
                System.err.println("tcpct: soak run " + n + " could not be made: " + error);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Map<String, VerdictHistory.Outcome> verdicts = readVerdicts(runOut.resolve("summary.json"));
            history.add(verdicts);
            ObjectNode r = runs.addObject();
            r.put("run", n).put("out", out.relativize(runOut).toString()).put("exit", exit).put("wallMs", ms)
                    .put("scenarios", verdicts.size());
            MachineFacts.loadAverage().forEach(r.putArray("loadAverageAtEnd")::add);
            if (error != null) {
                r.put("error", error);
            }
            System.err.printf("tcpct: soak run %d/%d: exit %d, %d scenarios, %d ms, load %s, %d scenarios differ so far%n", n, times,
                    exit, verdicts.size(), ms, MachineFacts.loadAverage(), history.differing().size());
            write(out.resolve("soak.json"), target, group, glob, workers, times, load, machine, started, runs, history);
        }
        List<VerdictHistory.Row> rows = history.rows();
        for (VerdictHistory.Row row : rows) {
            System.out.println(line(row));
        }
        List<VerdictHistory.Row> differing = history.differing();
        for (VerdictHistory.Row row : differing) {
            System.out.println("differs: " + row.id() + ": " + row.runsByVerdict());
            for (int i = 0; i < row.outcomes().size(); i++) {
                VerdictHistory.Outcome oc = row.outcomes().get(i);
                if (oc.failure() != null) {
                    System.out.printf("  run %d %s: %s%n", i + 1, oc.verdict(), oc.failure());
                }
            }
        }
        System.out.printf("tcpct: soak of %d runs against %s%s: %d verdicts compared, %d of %d scenarios had a verdict that differed"
                + " between runs (goal 0); %s%n", times, target, load > 0 ? " beside stress-ng --cpu " + load : "",
                rows.stream().mapToInt(r -> r.outcomes().size()).sum(), differing.size(), rows.size(), out.resolve("soak.json"));
        if (rows.isEmpty()) {
            System.err.println("tcpct: no run of the soak produced a summary: see the runs' messages above");
            return Runner.CANNOT_RUN;
        }
        return differing.isEmpty() ? Runner.OK : Runner.REGRESSION;
    }

    /** {@code PASSED x20            close/active-close} or, when it differed, the whole sequence. */
    static String line(VerdictHistory.Row row) {
        List<String> v = row.verdicts();
        String what = row.differs() ? "DIFFERS " + String.join(" ", v) : v.get(0) + " x" + v.size();
        return String.format("%-40s %s", row.id(), what);
    }

    /** Each scenario's verdict and failure in one run's summary.json (none when the run wrote none). */
    static Map<String, VerdictHistory.Outcome> readVerdicts(Path summary) throws IOException {
        Map<String, VerdictHistory.Outcome> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(summary)) {
            return out;
        }
        for (JsonNode s : new ObjectMapper().readTree(summary.toFile()).path("scenarios")) {
            out.put(s.path("id").asText(), new VerdictHistory.Outcome(s.path("verdict").asText(),
                    s.path("failure").isNull() ? null : s.path("failure").asText()));
        }
        return out;
    }

    private static void write(Path file, String target, String group, String glob, int workers, int times, int load, MachineFacts machine,
                              Instant started, ArrayNode runs, VerdictHistory history) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("target", target).put("group", group == null && glob == null ? WHOLE_SUITE : group).put("scenario", glob)
                .put("workers", workers).put("times", times).put("cpuLoadWorkers", load)
                .put("runsDone", history.runs()).put("startedAt", started.toString()).put("endedAt", Instant.now().toString());
        ObjectNode m = root.putObject("machine");
        m.put("cpus", machine.cpus()).put("kernel", machine.kernel()).put("cpuModel", machine.cpuModel());
        machine.loadAverageAtStart().forEach(m.putArray("loadAverageAtStart")::add);
        MachineFacts.loadAverage().forEach(m.putArray("loadAverageNow")::add);
        root.set("runs", runs);
        List<VerdictHistory.Row> differing = history.differing();
        root.put("differing", differing.size());
        ArrayNode scenarios = root.putArray("scenarios");
        for (VerdictHistory.Row row : history.rows()) {
            ObjectNode s = scenarios.addObject();
            s.put("id", row.id()).put("differs", row.differs());
            row.verdicts().forEach(s.putArray("verdicts")::add);
        }
        ArrayNode diffs = root.putArray("differences");
        for (VerdictHistory.Row row : differing) {
            ObjectNode d = diffs.addObject();
            d.put("id", row.id());
            ObjectNode by = d.putObject("runsByVerdict");
            row.runsByVerdict().forEach((v, rs) -> rs.forEach(by.withArray(v)::add));
            ArrayNode f = d.putArray("failures");
            for (int i = 0; i < row.outcomes().size(); i++) {
                VerdictHistory.Outcome oc = row.outcomes().get(i);
                if (oc.failure() != null) {
                    f.addObject().put("run", i + 1).put("verdict", oc.verdict()).put("failure", oc.failure());
                }
            }
        }
        om.enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }
}
