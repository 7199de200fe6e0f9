package tcpct.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcpct.bench.Distribution;
import tcpct.bench.MachineFacts;
import tcpct.bench.RoundTrips;
import tcpct.scenario.Lab;
import tcpct.target.Engine;
import tcpct.target.Reaper;
import tcpct.target.StartTimes;
import tcpct.target.TargetImage;
import tcpct.target.TargetInstance;
import tcpct.target.TargetSpec;

/**
 * {@code ./tcpct bench}: measures the harness, end to end, on this machine, now. (a) Each scenario's
 * harness overhead: its wall time on its worker minus its waits on the protocol (summary.json's
 * {@code wallMs - protocolWaitMs}); (b) starting a target: create, start, veth wiring, agent socket, then
 * pcap + agent hello; (c) the segment round trip, inject to captured reply, from pcap kernel timestamps;
 * (d) the diagram suite's wall time on one worker and on the default workers, and its ratio to the suite's
 * longest scenario. Writes bench.json and prints a table. A measurement, not a test: it judges nothing
 * (exit 0), unless it could not be made (exit 2).
 */
final class Bench {

    static final List<String> OPTIONS = Help.of("bench").optionNames();
    static final int DEFAULT_STARTS = 10;
    static final int DEFAULT_SAMPLES = 50;
    /** The worst scenarios named per run. */
    static final int WORST = 5;

    private Bench() {
    }

    static int run(String[] args, Path home, ScenarioCatalog catalog) throws IOException {
        CommandOptions o = CommandOptions.parse(args, "bench", OPTIONS);
        String target = o.singleTarget();
        int starts = o.number("--starts", DEFAULT_STARTS, 1, 100);
        int samples = o.number("--samples", DEFAULT_SAMPLES, 1, 1000);
        int workers = o.number("--workers", Main.DEFAULT_WORKERS, 1, Main.MAX_WORKERS);
        String glob = o.text("--scenario", null);
        String group = o.text("--group", null);
        catalog.select(glob, group); // an empty selection fails now, in one line
        catalog.select(null, Soak.DIAGRAM_GROUPS);
        Runner.requireRoot();
        TargetSpec spec = TargetSpec.load(home.resolve("targets"), target);
        Path out = o.text("--out", null) != null ? Path.of(o.text("--out", null)).toAbsolutePath()
                : home.resolve("reports/bench").resolve(java.time.LocalDateTime.now()
                        .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(out);

        MachineFacts machine = MachineFacts.now();
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("target", target).put("startedAt", Instant.now().toString());
        ObjectNode m = root.putObject("machine");
        m.put("cpus", machine.cpus()).put("kernel", machine.kernel()).put("cpuModel", machine.cpuModel());
        machine.loadAverageAtStart().forEach(m.putArray("loadAverageAtStart")::add);
        List<String[]> table = new ArrayList<>();

        // (b) and (c): targets started by hand, outside any run
        DockerClient docker = Engine.connect();
        Reaper.reap(docker);
        Path work = Files.createTempDirectory(Reaper.WORK_DIR_PREFIX + ProcessHandle.current().pid() + "-bench-");
        try {
            System.err.println("tcpct: bench: preparing target " + target + " ...");
            String image = TargetImage.ensure(docker, spec, work);
            System.err.println("tcpct: bench: starting " + starts + " targets, one after the other ...");
            Lab lab = startTargets(docker, spec, image, work, out.resolve("starts"), starts, root.putObject("containerStart"), table);
            try {
                System.err.println("tcpct: bench: " + samples + " round trips ...");
                RoundTrips rt = RoundTrips.measure(lab, samples);
                ObjectNode r = root.putObject("roundTrip");
                r.put("what", "inject to captured reply, pcap kernel timestamps of both frames on the host's veth end, one fresh connection per sample");
                put(r, "synToSynAckMs", rt.synToSynAck());
                put(r, "dataToAckMs", rt.dataToAck());
                table.add(row("round trip SYN -> SYN,ACK (LISTEN)", Distribution.of(rt.synToSynAck())));
                table.add(row("round trip data -> ACK (ESTABLISHED)", Distribution.of(rt.dataToAck())));
                ObjectNode a = root.putObject("agentCall");
                a.put("what", "one agent 'states' call (request written to the reply parsed), JVM clock, one per sample");
                put(a, "statesMs", rt.agentStatesCall());
                table.add(row("agent 'states' call (JVM clock)", Distribution.of(rt.agentStatesCall())));
            } finally {
                lab.close();
            }
        } finally {
            Runner.deleteQuietly(work);
        }

        // (a) and (d): real runs, each into its own folder; their per-scenario lines go to runs.log
        ObjectNode runs = root.putObject("runs");
        ObjectNode suite = suiteRun(home, catalog, target, glob, group, workers, out.resolve("suite"), runs, "suite");
        ObjectNode serial = suiteRun(home, catalog, target, null, Soak.DIAGRAM_GROUPS, 1, out.resolve("diagram-serial"), runs, "diagramSerial");
        ObjectNode parallel = suiteRun(home, catalog, target, null, Soak.DIAGRAM_GROUPS, workers, out.resolve("diagram-parallel"), runs,
                "diagramParallel");
        for (var e : List.of(Map.entry("suite", suite), Map.entry("diagram serial", serial), Map.entry("diagram parallel", parallel))) {
            JsonNode d = e.getValue().path("overheadMs");
            if (d.has("median")) {
                table.add(new String[] {"overhead per scenario, " + e.getKey() + " (" + e.getValue().path("workers").asInt() + " workers)",
                        fmt(d.path("median").asDouble()), fmt(d.path("p95").asDouble()), fmt(d.path("max").asDouble()), d.path("count").asText()});
            }
        }
        ObjectNode ratio = root.putObject("diagramSuite");
        // the suite itself: first scenario's start to last one's end (durationMs also holds image and first container)
        long serialMs = serial.path("scenarioSpanMs").asLong(serial.path("durationMs").asLong());
        long parallelMs = parallel.path("scenarioSpanMs").asLong(parallel.path("durationMs").asLong());
        long longest = parallel.path("longestScenarioMs").asLong();
        ratio.put("what", "scenario span: first scenario's start to last one's end; runDurationMs: summary.json's durationMs "
                        + "(adds the image check/build and the first container's start)")
                .put("serialMs", serialMs).put("parallelMs", parallelMs).put("parallelWorkers", workers)
                .put("serialRunDurationMs", serial.path("durationMs").asLong()).put("parallelRunDurationMs", parallel.path("durationMs").asLong())
                .put("longestScenario", parallel.path("longestScenario").asText()).put("longestScenarioMs", longest)
                .put("parallelToLongest", longest > 0 ? Math.round(1000.0 * parallelMs / longest) / 1000.0 : 0)
                .put("serialToParallel", parallelMs > 0 ? Math.round(1000.0 * serialMs / parallelMs) / 1000.0 : 0);
        MachineFacts.loadAverage().forEach(m.putArray("loadAverageAtEnd")::add);
        root.put("endedAt", Instant.now().toString());
        om.enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("bench.json").toFile(), root);

        System.out.printf("tcpct bench against %s on %d cpus (%s), kernel %s, load %s at start, %s at end%n", target, machine.cpus(),
                machine.cpuModel(), machine.kernel(), machine.loadAverageAtStart(), MachineFacts.loadAverage());
        System.out.printf("%-52s %9s %9s %9s %5s%n", "measure (ms)", "median", "p95", "max", "n");
        for (String[] r : table) {
            System.out.printf("%-52s %9s %9s %9s %5s%n", (Object[]) r);
        }
        for (var e : List.of(Map.entry("suite", suite), Map.entry("diagram serial", serial), Map.entry("diagram parallel", parallel))) {
            List<String> worst = new ArrayList<>();
            e.getValue().path("worstOverhead").forEach(w -> worst.add(w.path("id").asText() + " " + w.path("overheadMs").asLong()));
            System.out.println("worst overhead, " + e.getKey() + ": " + String.join(", ", worst));
        }
        System.out.printf("diagram suite (first scenario start to last end): %d ms on 1 worker, %d ms on %d workers; longest scenario %s %d ms;"
                + " parallel/longest %.2f (target <= 1.5); whole runs incl. image and first container: %d ms and %d ms%n",
                serialMs, parallelMs, workers, ratio.path("longestScenario").asText(), longest, ratio.path("parallelToLongest").asDouble(),
                serial.path("durationMs").asLong(), parallel.path("durationMs").asLong());
        System.out.println("tcpct: bench " + out.resolve("bench.json"));
        boolean allRan = List.of(suite, serial, parallel).stream().allMatch(r -> r.path("exit").asInt() != Runner.CANNOT_RUN);
        return allRan ? Runner.OK : Runner.CANNOT_RUN;
    }

    /** Starts {@code n} targets one after the other, timing each step; closes all but the last, which it returns. */
    private static Lab startTargets(DockerClient docker, TargetSpec spec, String image, Path work, Path outDir, int n, ObjectNode into,
                                    List<String[]> table) {
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        for (String k : List.of("createMs", "startMs", "vethWiringMs", "agentSocketMs", "pcapAndAgentHelloMs", "totalMs", "removeMs")) {
            steps.put(k, new ArrayList<>());
        }
        long pid = ProcessHandle.current().pid();
        Lab kept = null;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            TargetInstance instance = TargetInstance.start(docker, spec, image, work.resolve("control-bench-" + i),
                    String.format("%06x%02x", pid & 0xffffff, 0x80 + i));
            long started = System.nanoTime();
            Lab lab = Lab.open(instance, outDir);
            long open = System.nanoTime();
            StartTimes st = instance.startTimes();
            steps.get("createMs").add(st.createNanos() / 1e6);
            steps.get("startMs").add(st.startNanos() / 1e6);
            steps.get("vethWiringMs").add(st.wireNanos() / 1e6);
            steps.get("agentSocketMs").add(st.agentSocketNanos() / 1e6);
            steps.get("pcapAndAgentHelloMs").add((open - started) / 1e6);
            steps.get("totalMs").add((open - t0) / 1e6);
            if (i == n - 1) {
                kept = lab;
            } else {
                long c = System.nanoTime();
                lab.close();
                steps.get("removeMs").add((System.nanoTime() - c) / 1e6);
            }
        }
        into.put("what", "image present; create, start (+ inspect for the pid), veth pair wired into the netns, agent's control socket "
                + "appears, then pcap opened and agent connected + hello; remove = bye + container removal + veth gone");
        steps.forEach((k, v) -> {
            if (!v.isEmpty()) {
                put(into, k, v);
                table.add(row("container " + k.replace("Ms", ""), Distribution.of(v)));
            }
        });
        return kept;
    }

    /** One real run of the suite; its numbers, as bench.json records them. */
    private static ObjectNode suiteRun(Path home, ScenarioCatalog catalog, String target, String glob, String group, int workers, Path out,
                                       ObjectNode runs, String name) throws IOException {
        System.err.printf("tcpct: bench: run '%s': %s on %d workers ...%n", name, glob != null ? "--scenario " + glob
                : group != null ? "--group " + group : "the default suite", workers);
        Files.createDirectories(out);
        PrintStream stdout = System.out;
        long t0 = System.nanoTime();
        int exit;
        try (PrintStream log = new PrintStream(Files.newOutputStream(out.resolve("run.log")), true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(log);
            exit = Runner.run(new RunOptions(target, glob, group, out, home, workers, null, false, null, null), catalog);
        } finally {
            System.setOut(stdout);
        }
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        ObjectNode r = runs.putObject(name);
        r.put("group", group).put("scenario", glob).put("workers", workers).put("exit", exit).put("out", out.toString())
                .put("commandWallMs", wallMs);
        MachineFacts.loadAverage().forEach(r.putArray("loadAverageAtEnd")::add);
        Path summaryFile = out.resolve("summary.json");
        if (!Files.isRegularFile(summaryFile)) {
            return r;
        }
        JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
        r.put("durationMs", summary.path("durationMs").asLong());
        List<Double> overhead = new ArrayList<>();
        List<ObjectNode> per = new ArrayList<>();
        String longest = null;
        long longestMs = -1;
        for (JsonNode s : summary.path("scenarios")) {
            long wall = s.path("wallMs").asLong(s.path("durationMs").asLong());
            long over = wall - s.path("protocolWaitMs").asLong();
            overhead.add((double) over);
            ObjectNode p = new ObjectMapper().createObjectNode();
            p.put("id", s.path("id").asText()).put("wallMs", wall).put("protocolWaitMs", s.path("protocolWaitMs").asLong()).put("overheadMs", over);
            per.add(p);
            if (s.path("durationMs").asLong() > longestMs) {
                longestMs = s.path("durationMs").asLong();
                longest = s.path("id").asText();
            }
        }
        r.put("scenarios", per.size()).put("longestScenario", longest).put("longestScenarioMs", longestMs);
        long span = scenarioSpanMs(out.resolve("allure-results"));
        if (span >= 0) {
            r.put("scenarioSpanMs", span).put("preparationMs", summary.path("durationMs").asLong() - span);
        }
        if (!overhead.isEmpty()) {
            put(r, "overheadMs", overhead);
        }
        per.sort(Comparator.comparingLong((ObjectNode p) -> p.path("overheadMs").asLong()).reversed());
        ArrayNode worst = r.putArray("worstOverhead");
        per.stream().limit(WORST).forEach(worst::add);
        return r;
    }

    /**
     * From the first scenario's start to the last one's end, from the start and stop times the run's
     * Allure results record for each scenario: the suite itself, without preparing the target image and
     * starting the first container (which summary.json's durationMs includes). -1 when there are none.
     */
    static long scenarioSpanMs(Path allureResults) throws IOException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        if (!Files.isDirectory(allureResults)) {
            return -1;
        }
        try (var files = Files.list(allureResults)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-result.json")).toList()) {
                JsonNode r = new ObjectMapper().readTree(f.toFile());
                if (r.has("start") && r.has("stop")) {
                    first = Math.min(first, r.path("start").asLong());
                    last = Math.max(last, r.path("stop").asLong());
                }
            }
        }
        return first == Long.MAX_VALUE ? -1 : last - first;
    }

    private static void put(ObjectNode into, String name, List<Double> values) {
        Distribution d = Distribution.of(values);
        into.putObject(name).put("count", d.count()).put("min", round(d.min())).put("median", round(d.median())).put("p95", round(d.p95()))
                .put("max", round(d.max()));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String[] row(String what, Distribution d) {
        return new String[] {what, fmt(d.median()), fmt(d.p95()), fmt(d.max()), Integer.toString(d.count())};
    }

    private static String fmt(double ms) {
        return ms < 10 ? String.format("%.3f", ms) : String.format("%.1f", ms);
    }
}
