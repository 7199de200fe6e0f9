package tcpct.cli;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import tcpct.agent.AgentException;
import tcpct.target.Engine;
import tcpct.target.TargetException;
import tcpct.target.TargetSpec;
import tcpct.wire.WireException;

/** The Java side of {@code ./tcpct}: parses the command line and turns every failure into one line and exit 2. */
public final class Main {

    static final String USAGE = """
            usage: ./tcpct run [--target NAME|a,b|all] [--scenario GLOB] [--group NAME|a,b] [--out DIR] [--workers N]
                              [--baseline SUMMARY.json] [--update-baseline] [--fault drop-fin|drop-syn-ack|drop-ack|rfc1337]
                   ./tcpct soak [--target NAME] [--times 20] [--group a,b|--scenario GLOB] [--workers N] [--out DIR]
                                        the suite N times in a row (default: the diagram suite, groups establish,close,data,timers);
                                        soak.json: each scenario's verdict per run; exit 0 no verdict differed, 1 one did
                   ./tcpct bench [--target NAME] [--group a,b|--scenario GLOB] [--workers N] [--starts 10] [--samples 50] [--out DIR]
                                        harness overhead per scenario, container start, segment round trip, suite wall time
                                        serial and parallel; bench.json and a table (a measurement, not a test: exit 0 or 2)
                   ./tcpct selftest     the project's own tests (unit, and integration against the real Linux target)
                   ./tcpct targets      the known targets, their stack, and whether each image is built
                   ./tcpct scenarios    every scenario id with its groups
                   ./tcpct run|scenarios --pkt PATH... [--tolerance_usecs 4000] [--tolerance_percent 12.5] [--bind_port 8080]
                                        [--mss N] [--ip_version ipv4]   packetdrill scripts (files, or folders of *.pkt) as scenarios pkt/<path>
            exit status of run: 0 every verdict as the target expects (with --baseline: as in that summary), 1 a verdict
            differs, 2 the run could not be made. --update-baseline writes targets/NAME/expected.json from the run, for review.""";

    /**
     * Scenarios run in parallel, one target container per worker. Most of a long scenario is spent
     * waiting on the target's timers (TIME-WAIT, retransmissions), not on the CPU, so more workers than
     * cores pays off.
     */
    static final int DEFAULT_WORKERS = 6;
    static final int MAX_WORKERS = 32;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args, ScenarioCatalog::scan));
    }

    /** Runs one command line; returns the exit status. */
    public static int execute(String[] args, java.util.function.Supplier<ScenarioCatalog> catalog) {
        Path home = Path.of(System.getProperty("tcpct.home", ".")).toAbsolutePath().normalize();
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
                System.out.println(USAGE);
                return args.length == 0 ? Runner.CANNOT_RUN : Runner.OK;
            }
            return switch (args[0]) {
                case "run" -> {
                    tcpct.pkt.PktCommand.Split pkt = tcpct.pkt.PktCommand.split(args, home); // --pkt PATH...: packetdrill scripts
                    yield pkt == null ? runOneOrMany(parseRun(args, home), catalog.get())
                            : runOneOrMany(parseRun(pkt.rest(), home), ScenarioCatalog.scan(tcpct.pkt.PktScenarios.PACKAGE));
                }
                case "targets" -> listTargets(home);
                case "scenarios" -> {
                    tcpct.pkt.PktCommand.Split pkt = tcpct.pkt.PktCommand.split(args, home);
                    yield pkt == null ? listScenarios(catalog.get()) : tcpct.pkt.PktCommand.list(pkt);
                }
                case "soak" -> Soak.run(args, home, catalog.get());
                case "bench" -> Bench.run(args, home, catalog.get());
                default -> throw new UsageException("unknown command '" + args[0] + "': use run, targets, scenarios, soak or bench (./tcpct --help)");
            };
        } catch (UsageException | TargetException | AgentException | WireException | IllegalArgumentException e) {
            System.err.println("tcpct: " + e.getMessage());
            return Runner.CANNOT_RUN;
        } catch (IOException e) {
            System.err.println("tcpct: " + e.getMessage() + " (check that the --out folder is writable)");
            return Runner.CANNOT_RUN;
        } catch (RuntimeException e) {
            System.err.println("tcpct: internal error: " + e + " (please report it with the command line)");
            e.printStackTrace();
            return Runner.CANNOT_RUN;
        }
    }

    /**
     * One target, or several ({@code --target all} or {@code --target a,b}): each into {@code OUT/<target>/},
     * then the scenario x target matrix. The exit status is the worst of the runs'.
     */
    static int runOneOrMany(RunOptions o, ScenarioCatalog catalog) throws IOException {
        List<String> targets = o.target().equals("all") ? TargetSpec.established(o.targetsDir()) : List.of(o.target().split(","));
        if (targets.size() == 1) {
            return Runner.run(o.withTarget(targets.get(0)), catalog);
        }
        for (String t : targets) {
            TargetSpec.load(o.targetsDir(), t); // an unknown name fails before anything runs
        }
        Path out = o.out() != null ? o.out() : Runner.defaultOut(o.home());
        int worst = Runner.OK;
        for (String t : targets) {
            System.err.println("tcpct: ===== target " + t + " =====");
            int exit;
            try {
                exit = Runner.run(o.withTarget(t).withOut(out.resolve(t)), catalog);
            } catch (UsageException | TargetException | AgentException | WireException e) {
                System.err.println("tcpct: target " + t + ": " + e.getMessage());
                exit = Runner.CANNOT_RUN;
            }
            worst = Math.max(worst, exit);
        }
        int disagreements = tcpct.report.Matrix.write(out, targets);
        System.out.println("tcpct: matrix of " + targets.size() + " targets, " + disagreements + " scenarios where they disagree: "
                + out.resolve(tcpct.report.Matrix.HTML));
        return worst;
    }

    static RunOptions parseRun(String[] args, Path home) throws IOException {
        String target = "linux";
        String scenario = null;
        String group = null;
        Path out = null;
        int workers = DEFAULT_WORKERS;
        Path baseline = null;
        boolean updateBaseline = false;
        String fault = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--update-baseline")) {
                updateBaseline = true;
                continue;
            }
            if (!List.of("--target", "--scenario", "--group", "--out", "--workers", "--baseline", "--fault").contains(a)) {
                throw new UsageException("unknown option '" + a + "' for run: options are --target, --scenario, --group, --out, --workers, --baseline, --update-baseline, --fault (./tcpct --help)");
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new UsageException(a + " needs a value (./tcpct --help)");
            }
            String v = args[++i];
            switch (a) {
                case "--target" -> target = v;
                case "--scenario" -> scenario = v;
                case "--group" -> group = v;
                case "--workers" -> workers = parseWorkers(v);
                case "--fault" -> fault = tcpct.target.Fault.byId(v).id;
                case "--baseline" -> {
                    baseline = Path.of(v).toAbsolutePath();
                    if (!java.nio.file.Files.isRegularFile(baseline)) {
                        throw new UsageException("--baseline " + v + " does not exist: give the summary.json of an earlier run");
                    }
                }
                default -> out = Path.of(v).toAbsolutePath();
            }
        }
        return new RunOptions(target, scenario, group, out, home, workers, baseline, updateBaseline, fault);
    }

    private static int parseWorkers(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_WORKERS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new UsageException("--workers takes a number from 1 to " + MAX_WORKERS + ", got '" + v + "'");
    }

    static int listTargets(Path home) {
        Path dir = TargetSpec.dir(home);
        DockerClient docker = null;
        try {
            docker = Engine.connect();
        } catch (TargetException e) {
            // without an engine the list still shows the targets
        }
        List<String> established = TargetSpec.established(dir);
        for (String name : TargetSpec.known(dir)) {
            TargetSpec s = TargetSpec.load(dir, name);
            String built = docker == null ? "engine not running" : imageBuilt(docker, name) ? "built" : "not built yet";
            System.out.printf("%-8s %-14s %-13s %s%n", name, built, established.contains(name) ? "" : "experimental", s.stack());
        }
        return Runner.OK;
    }

    private static boolean imageBuilt(DockerClient docker, String name) {
        try {
            return !docker.listImagesCmd().withImageNameFilter("tcpct-target-" + name).exec().isEmpty();
        } catch (NotFoundException e) {
            return false;
        }
    }

    static int listScenarios(ScenarioCatalog catalog) {
        for (ScenarioCatalog.Entry e : catalog.all()) {
            System.out.printf("%-40s %s%n", e.id(), String.join(",", e.groups()));
        }
        return Runner.OK;
    }
}
