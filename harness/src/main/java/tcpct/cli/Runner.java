package tcpct.cli;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testng.TestNG;
import org.testng.xml.XmlClass;
import org.testng.xml.XmlInclude;
import org.testng.xml.XmlSuite;
import org.testng.xml.XmlTest;
import tcpct.report.AllureReport;
import tcpct.report.ExpectedMeasurements;
import tcpct.report.ExpectedVerdicts;
import tcpct.report.RunRecorder;
import tcpct.report.Summary;
import java.util.Objects;
import tcpct.scenario.Lab;
import tcpct.scenario.LabPool;
import tcpct.scenario.Selection;
import tcpct.target.Engine;
import tcpct.target.Reaper;
import tcpct.target.TargetImage;
import tcpct.target.TargetInstance;
import tcpct.target.TargetSpec;

/**
 * One {@code ./tcpct run}: selects the scenarios, reaps what killed runs left, builds and starts the target,
 * runs the scenarios with TestNG (Allure listening), then writes summary.json and the report, and removes
 * the target on every way out, Ctrl-C included.
 */
public final class Runner {

    /** Exit status: every verdict as expected. */
    public static final int OK = 0;
    /** At least one verdict differs from the target's expected verdicts. */
    public static final int REGRESSION = 1;
    /** The run could not be made. */
    public static final int CANNOT_RUN = 2;

    /** The TestNG group of scenarios that wait on long timers (TIME-WAIT, SYN give-up). */
    public static final String SLOW_GROUP = "slow";

    private Runner() {
    }

    public static int run(RunOptions options, ScenarioCatalog catalog) throws IOException {
        requireRoot();
        RunOptions o = options;
        TargetSpec spec = TargetSpec.load(o.targetsDir(), o.target());
        ExpectedVerdicts expected = ExpectedVerdicts.forTarget(spec);
        ExpectedMeasurements gauges = ExpectedMeasurements.load(spec.folder().resolve(ExpectedVerdicts.FILE));
        ScenarioCatalog everyScenario = null; // the run's catalog may be a subset (the project's self tests)
        for (String listed : expected.ids()) {
            String id = tcpct.wire.IpFamily.baseId(listed); // an @ipv6 id names the IPv6 run of a scenario
            if (id.startsWith("pkt/")) {
                continue; // a packetdrill script's id: known only when the run is given its --pkt folder
            }
            if (catalog.all().stream().noneMatch(e -> e.id().equals(id))
                    && (everyScenario = everyScenario != null ? everyScenario : ScenarioCatalog.scan()).all().stream().noneMatch(e -> e.id().equals(id))) {
                throw new UsageException(spec.folder().resolve(ExpectedVerdicts.FILE) + " names scenario '" + listed
                        + "', which does not exist: fix the id (./tcpct scenarios lists them) or remove the entry");
            }
        }
        // Scenarios that wait on long protocol timers start first, so the rest run beside them.
        List<ScenarioCatalog.Entry> selected = new ArrayList<>(catalog.select(o.scenarioGlob(), o.group()));
        selected.sort(java.util.Comparator.comparing(e -> !e.groups().contains(SLOW_GROUP)));
        int selection = selected.size();
        if (o.shard() != null) {
            selected = o.shard().of(selected, o.durations(), spec.name());
        }
        boolean defaultOut = o.out() == null;
        o = o.withOut(defaultOut ? defaultOut(o.home()) : o.out());
        if (o.baseline() != null) { // a bad file, another target's or one with none of these scenarios fails now, not after the run
            tcpct.report.BaselineDiff.check(o.baseline(), spec.name(), selected.stream().map(ScenarioCatalog.Entry::id).toList());
        }
        Path work = Files.createTempDirectory(Reaper.WORK_DIR_PREFIX + ProcessHandle.current().pid() + "-");
        Instant started = Instant.now();
        long t0 = System.nanoTime();

        DockerClient docker;
        String image;
        try {
            docker = Engine.connect();
            int reaped = Reaper.reap(docker);
            if (reaped > 0) {
                System.err.println("tcpct: removed " + reaped + " containers, veths and work folders that an earlier, killed run left behind");
            }
            System.err.println("tcpct: preparing target " + spec.name() + " ...");
            image = TargetImage.ensure(docker, spec, work);
            Files.createDirectories(o.out()); // only now: a run that cannot start leaves no empty folder
        } catch (RuntimeException e) {
            deleteQuietly(work); // no engine, or the image would not build: the work folder goes with the run
            throw e;
        }
        Path outDir = o.out();
        long pid = ProcessHandle.current().pid();
        tcpct.target.Fault fault = o.fault() == null ? null : tcpct.target.Fault.byId(o.fault());
        if (fault != null) {
            System.err.println("tcpct: injecting fault " + fault.id + ": " + fault.what);
        }
        boolean ipv6 = o.ip().contains(tcpct.wire.IpFamily.IPV6);
        LabPool pool = new LabPool(o.workers(), index -> Lab.open(
                TargetInstance.start(docker, spec, image, work.resolve("control-" + index), String.format("%06x%02x", pid & 0xffffff, index),
                        fault, ipv6),
                outDir), () -> Engine.answers(docker));
        RunRecorder recorder = RunRecorder.begin(r -> System.out.println(consoleLine(r, expected.of(r.id()))));
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> stackSeen = new java.util.concurrent.atomic.AtomicReference<>("");
        RunOptions opts = o;
        List<ScenarioCatalog.Entry> toRun = selected;
        Thread cleanup = new Thread(() -> {
            if (!finished.get()) { // Ctrl-C or SIGTERM: what ran so far, before the containers go
                writePartial(opts, spec.name(), stackSeen.get(), image, started, t0, toRun, recorder.results(), expected, defaultOut);
            }
            pool.close();
            deleteQuietly(work);
        }, "tcpct-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        tcpct.scenario.WaitProgress.install(line -> System.err.println("tcpct: " + line));
        String stack;
        try {
            LabPool.install(pool);
            Lab first = pool.startOne(); // fail fast, before any scenario, when the target cannot start
            stack = first.stack();
            stackSeen.set(stack);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("target", spec.name());
            env.put("stack", stack);
            env.put("image", image);
            env.put("agent", first.hello().path("agent").asText() + " protocol " + first.hello().path("protocol").asText());
            env.put("harness", "tcpct " + Objects.requireNonNullElse(Runner.class.getPackage().getImplementationVersion(), "dev"));
            env.put("host.kernel", System.getProperty("os.version"));
            env.put("workers", Integer.toString(o.workers()));
            env.put("ip", String.join(", ", o.ip().stream().map(Enum::name).toList()));
            if (fault != null) {
                env.put("fault", fault.id + ": " + fault.what);
            }
            AllureReport.begin(o.out().resolve("allure-results"), env);
            System.err.println("tcpct: running " + selected.size() + " scenarios" + (o.ip().size() > 1 ? " twice (IPv4, then IPv6)"
                    : o.ip().get(0) == tcpct.wire.IpFamily.IPV6 ? " over IPv6" : "") + " against " + spec.name() + " (" + stack + ") on "
                    + o.workers() + " workers");
            runTestNg(selected, o.workers(), o.ip());
            List<ScenarioCatalog.Entry> overIpv6 = overFamily(toRun, tcpct.wire.IpFamily.IPV6);
            if (o.ip().contains(tcpct.wire.IpFamily.IPV6) && overIpv6.size() < toRun.size()) {
                System.err.println("tcpct: over IPv4 only: " + String.join(", ", toRun.stream()
                        .filter(e -> !overIpv6.contains(e)).map(ScenarioCatalog.Entry::id).toList())
                        + " (no IPv6 form: @Scenario ipv4Only)");
            }
        } finally {
            finished.set(true);
            LabPool.install(null);
            cleanup.run();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        Summary.Outcome outcome = Summary.build(spec.name(), stack, image, started, durationMs, recorder.results(), expected);
        List<ExpectedMeasurements.Deviation> moved = gauges.check(recorder.results());
        ExpectedMeasurements.record(outcome.json(), moved);
        if (o.shard() != null) {
            o.shard().record(outcome.json(), selection, o.durations());
        }
        Summary.write(outcome, o.out().resolve("summary.json"));
        if (defaultOut) {
            pointLatestAt(o.out()); // only a run that made a summary moves reports/out/latest
        }
        RunReports.Written written = RunReports.write(o.home(), spec.name(), recorder.results(), expected, durationMs, o.out(),
                historyOf(o, spec.name()));
        if (written.grid()) {
            System.out.println("tcpct: grid " + o.out().resolve(tcpct.report.GridTable.FILE));
        }
        String reportProblem = written.reportProblem();
        if (reportProblem != null) {
            System.err.println("tcpct: no HTML report: " + reportProblem);
        }
        System.out.printf("%ntcpct: %d scenarios in %d ms: %s; %d known deviations (as %s's expected.json lists them); "
                + "%d differ from %s's expected verdicts%n", recorder.results().size(), durationMs, outcome.totals(), written.knownDeviations(), spec.name(),
                outcome.regressions(), spec.name());
        if (pool.replaced() > 0) {
            System.out.println("tcpct: " + pool.replaced() + " target containers died during the run and were replaced: their scenarios are ERROR");
        }
        if (pool.renewed() > 0) {
            System.out.println("tcpct: " + pool.renewed() + " target containers were replaced after a scenario that changed them for the next one"
                    + " (a shell line, an ICMP error, another address)");
        }
        System.out.println("tcpct: summary " + o.out().resolve("summary.json") + ", report " + o.out().resolve("report/index.html"));
        if (o.updateBaseline()) {
            Path file = spec.folder().resolve(ExpectedVerdicts.FILE);
            Files.writeString(file, gauges.proposeInto(expected.proposeFrom(recorder.results()), recorder.results(),
                    tcpct.scenario.Timers.RELATIVE_TOLERANCE, tcpct.scenario.Timers.ABSOLUTE_TOLERANCE_MS + spec.timerGranularityMs()));
            System.out.println("tcpct: wrote " + file + " from this run: review every REVIEW: line, then commit");
        }
        int planned = o.ip().stream().mapToInt(f -> overFamily(toRun, f).size()).sum();
        if (recorder.results().size() != planned) {
            System.err.println("tcpct: only " + recorder.results().size() + " of " + planned + " scenarios ran: see the report");
            return CANNOT_RUN;
        }
        return judge(o.baseline(), recorder.results(), outcome, gauges, moved);
    }

    /**
     * The exit status of a run's (or a merge's) results: with a {@code baseline} summary, whether a verdict or a
     * gated value changed since it; without, whether a verdict differs from expected.json or a value {@code moved}
     * out of its tolerance there. Prints one line per difference.
     */
    static int judge(Path baseline, List<tcpct.report.ScenarioResult> results, Summary.Outcome outcome, ExpectedMeasurements gauges,
                     List<ExpectedMeasurements.Deviation> moved) {
        if (baseline != null) {
            return tcpct.report.BaselineDiff.compare(baseline, results, gauges, System.out) == 0 ? OK : REGRESSION;
        }
        moved.forEach(d -> System.out.println("measurement: " + d.line()));
        return outcome.regressions() > 0 || !moved.isEmpty() ? REGRESSION : OK;
    }

    /**
     * A run interrupted (SIGINT, SIGTERM: the JVM's shutdown hook): summary.json and junit.xml with the verdicts
     * so far and every other selected scenario SKIPPED, so a CI job that was cancelled still says what it
     * learned. No HTML report (generating it takes longer than an interrupted user waits).
     */
    static void writePartial(RunOptions o, String target, String stack, String image, Instant started, long t0,
                             List<ScenarioCatalog.Entry> selected, List<tcpct.report.ScenarioResult> done, ExpectedVerdicts expected,
                             boolean defaultOut) {
        try {
            List<tcpct.report.ScenarioResult> all = withTheRestSkipped(selected, done);
            long durationMs = (System.nanoTime() - t0) / 1_000_000;
            Files.createDirectories(o.out());
            Summary.write(Summary.build(target, stack, image, started, durationMs, all, expected), o.out().resolve("summary.json"));
            tcpct.report.JunitXml.write(target, all, expected, durationMs, o.out().resolve(tcpct.report.JunitXml.FILE));
            if (defaultOut) {
                pointLatestAt(o.out());
            }
            System.err.println("tcpct: interrupted: " + done.size() + " of " + selected.size() + " scenarios ran, the rest are SKIPPED in "
                    + o.out().resolve("summary.json") + " (and junit.xml); no HTML report");
        } catch (IOException | RuntimeException e) {
            System.err.println("tcpct: interrupted, and the partial summary could not be written: " + e.getMessage());
        }
    }

    /** {@code done}, then each selected scenario without a result as SKIPPED, saying the run was interrupted. */
    static List<tcpct.report.ScenarioResult> withTheRestSkipped(List<ScenarioCatalog.Entry> selected, List<tcpct.report.ScenarioResult> done) {
        List<tcpct.report.ScenarioResult> all = new ArrayList<>(done);
        java.util.Set<String> ran = new java.util.HashSet<>();
        done.forEach(r -> ran.add(r.id()));
        for (ScenarioCatalog.Entry e : selected) {
            if (!ran.contains(e.id())) {
                tcpct.scenario.ScenarioInfo info = tcpct.scenario.ScenarioInfo.of(e.method(), new Object[] {e.id()});
                all.add(new tcpct.report.ScenarioResult(e.id(), info.title(), tcpct.scenario.Verdict.SKIPPED, List.of(), List.of(),
                        info.declaredEdges().stream().map(Enum::name).toList(), info.rfc(), "", 0, null,
                        "not run: the run was interrupted (SIGINT or SIGTERM) before this scenario finished", Map.of(), 0, List.of()));
            }
        }
        return all;
    }

    /**
     * A scenario's line on the console: its verdict, id and duration, then its failure sentence; a known
     * deviation says so after its id and gives the expected.json reason.
     */
    static String consoleLine(tcpct.report.ScenarioResult r, ExpectedVerdicts.Expectation e) {
        boolean known = e.knownDeviation(r.verdict());
        String line = String.format("%-13s %s (%d ms)%s", r.verdict(), r.id(), r.durationMs(), known ? ": a known deviation" : "");
        if (known) {
            line += "\n              expected.json: " + e.reason();
        } else if (!e.accepts(r.verdict()) && e.verdict() != tcpct.scenario.Verdict.PASSED) {
            line += "\n              differs from expected.json, which expects " + e.verdict() + ": " + e.reason();
        }
        return r.failure() == null ? line : line + "\n              " + r.failure();
    }

    /** The scenarios of {@code selected} that run over {@code family}: over IPv6, those with an IPv6 form (no {@code ipv4Only}). */
    static List<ScenarioCatalog.Entry> overFamily(List<ScenarioCatalog.Entry> selected, tcpct.wire.IpFamily family) {
        return selected.stream().filter(e -> tcpct.pkt.PktScripts.runsOver(e.id(), family)) // a packetdrill script: over its --ip_version
                .filter(e -> family == tcpct.wire.IpFamily.IPV4 || e.method().getAnnotation(tcpct.scenario.Scenario.class).ipv4Only().isEmpty())
                .toList();
    }

    /** Runs {@code selected} once per IP version of {@code ip}, in order: one TestNG test each, its ids suffixed by the version's. */
    private static void runTestNg(List<ScenarioCatalog.Entry> selected, int workers, List<tcpct.wire.IpFamily> ip) {
        XmlSuite suite = new XmlSuite();
        suite.setName("tcpct");
        suite.setParallel(XmlSuite.ParallelMode.METHODS);
        suite.setThreadCount(workers);
        suite.setDataProviderThreadCount(workers);
        suite.setPreserveOrder(true);
        Map<java.lang.reflect.Method, List<String>> expanded = new LinkedHashMap<>();
        for (ScenarioCatalog.Entry e : selected) {
            expanded.computeIfAbsent(e.method(), k -> new ArrayList<>()).add(e.id());
        }
        Selection.clear();
        expanded.forEach(Selection::set);
        for (tcpct.wire.IpFamily f : ip) {
            Map<Class<?>, List<String>> byClass = new LinkedHashMap<>();
            for (ScenarioCatalog.Entry e : overFamily(selected, f)) {
                List<String> methods = byClass.computeIfAbsent(e.type(), k -> new ArrayList<>());
                if (!methods.contains(e.method().getName())) {
                    methods.add(e.method().getName());
                }
            }
            XmlTest test = new XmlTest(suite);
            test.setName("conformance" + f.idSuffix);
            test.addParameter(tcpct.scenario.ConformanceBase.IP_PARAMETER, f == tcpct.wire.IpFamily.IPV6 ? "6" : "4");
            List<XmlClass> classes = new ArrayList<>();
            byClass.forEach((c, methods) -> {
                XmlClass xc = new XmlClass(c.getName(), false);
                methods.forEach(m -> xc.getIncludedMethods().add(new XmlInclude(m)));
                classes.add(xc);
            });
            test.setXmlClasses(classes);
        }
        TestNG testng = new TestNG(false);
        testng.setXmlSuites(List.of(suite));
        testng.setUseDefaultListeners(false);
        testng.setVerbose(0);
        testng.run();
    }

    /** {@code reports/out/<timestamp>} (made when the run starts; {@link #pointLatestAt} once it has a summary). */
    static Path defaultOut(Path home) {
        return home.resolve("reports/out")
                .resolve(java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** Points {@code reports/out/latest} at {@code out}, a folder of {@code reports/out}. */
    static void pointLatestAt(Path out) throws IOException {
        Path latest = out.resolveSibling("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, out.getFileName());
    }

    /**
     * The report's trend history (Allure's {@code history/}) for target {@code target}: {@code --history DIR}
     * when given (runs that name the same DIR share one trend), else one per output folder, so that nobody
     * else's runs join the trend: for the default folders, {@code reports/out/history/<target>} (every run
     * of this checkout into reports/out, one target or several); for {@code --out DIR}, {@code DIR/history} (the runs into that DIR;
     * with several targets, {@code DIR/<target>/history}).
     */
    static Path historyOf(RunOptions o, String target) {
        if (o.history() != null) {
            return o.history().resolve(target);
        }
        Path base = o.home().resolve("reports/out");
        return o.out().startsWith(base) ? base.resolve("history").resolve(target) : o.out().resolve("history");
    }

    static Path allureBin(Path home) {
        String configured = System.getProperty("tcpct.allure");
        return configured != null ? Path.of(configured)
                : home.resolve("testcases/target/allure/allure-" + System.getProperty("tcpct.allureVersion", "2.32.0") + "/bin/allure");
    }

    static void requireRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:") && !line.split("\\s+")[1].equals("0")) {
                    throw new UsageException("running scenarios needs root (it creates veth pairs and captures on them): run it as root, e.g. `sudo ./tcpct run`");
                }
            }
        } catch (IOException e) {
            throw new UsageException("cannot read /proc/self/status to check for root: tcpct runs on Linux only");
        }
    }

    static void deleteQuietly(Path dir) {
        try (var all = Files.walk(dir)) {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder; nothing else depends on it
        }
    }
}
