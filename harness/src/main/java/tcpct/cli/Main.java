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
            if (args.length == 0) {
                System.err.println(Help.usage());
                return Runner.CANNOT_RUN;
            }
            if (args[0].equals("--version")) {
                System.out.println(Help.version(home));
                return Runner.OK;
            }
            if (List.of("--help", "-h", "help").contains(args[0])) {
                System.out.println(args.length > 1 ? Help.of(Help.of(args[1])) : Help.usage());
                return Runner.OK;
            }
            Help.Command command = Help.of(args[0]);
            if (List.of(args).subList(1, args.length).stream().anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
                System.out.println(Help.of(command)); // help never runs anything, whatever else the line says
                return Runner.OK;
            }
            return switch (command.name()) {
                case "run" -> {
                    tcpct.pkt.PktCommand.Split pkt = tcpct.pkt.PktCommand.split(args, home); // --pkt PATH...: packetdrill scripts
                    yield pkt == null ? runOneOrMany(parseRun(args, home), catalog.get())
                            : runOneOrMany(parseRun(pkt.rest(), home), ScenarioCatalog.scan(tcpct.pkt.PktScenarios.PACKAGE));
                }
                case "targets" -> listTargets(home, CommandOptions.parse(args, "targets", List.of()));
                case "scenarios" -> {
                    tcpct.pkt.PktCommand.Split pkt = tcpct.pkt.PktCommand.split(args, home);
                    yield pkt == null ? listScenarios(catalog.get(), CommandOptions.parse(args, "scenarios", Help.of("scenarios").optionNames(),
                            Help.of("scenarios").flagNames())) : tcpct.pkt.PktCommand.list(pkt);
                }
                case "soak" -> Soak.run(args, home, catalog.get());
                case "bench" -> Bench.run(args, home, catalog.get());
                case "merge" -> Merge.run(args, home);
                case "requirements" -> RequirementsCommand.run(args);
                default -> throw new UsageException(command.name() + " is run by ./tcpct itself, not by the Java runner: call ./tcpct "
                        + command.name());
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
        if (o.baseline() != null) {
            throw new UsageException("--baseline compares a run of one target with an earlier run of it: give one --target, not "
                    + String.join(",", targets));
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
        if (targets.stream().noneMatch(t -> java.nio.file.Files.exists(out.resolve(t).resolve("summary.json")))) {
            System.err.println("tcpct: no target's run made a summary: no matrix");
            return worst;
        }
        if (o.out() == null) {
            Runner.pointLatestAt(out); // the default folder: latest moves once a run made a summary
        }
        int disagreements = tcpct.report.Matrix.write(out, targets);
        System.out.println("tcpct: matrix of " + targets.size() + " targets, " + disagreements + " scenarios where they disagree: "
                + out.resolve(tcpct.report.Matrix.HTML));
        return worst;
    }

    static RunOptions parseRun(String[] args, Path home) throws IOException {
        Help.Command run = Help.of("run");
        CommandOptions o = CommandOptions.parse(args, "run", run.optionNames(), run.flagNames());
        String fault = o.text("--fault", null);
        Path baseline = null;
        if (o.text("--baseline", null) != null) {
            String v = o.text("--baseline", null);
            baseline = Path.of(v).toAbsolutePath();
            if (!java.nio.file.Files.isRegularFile(baseline)) {
                throw new UsageException("--baseline " + v + (java.nio.file.Files.isDirectory(baseline) ? " is a folder" : " does not exist")
                        + ": give the summary.json of an earlier run");
            }
        }
        Shard shard = o.text("--shard", null) == null ? null : Shard.parse(o.text("--shard", null));
        Path durations = null;
        if (o.text("--durations", null) != null) {
            String v = o.text("--durations", null);
            durations = Path.of(v).toAbsolutePath();
            if (!java.nio.file.Files.exists(durations)) {
                throw new UsageException("--durations " + v + " does not exist: give the summary.json (or the folder) of an earlier run or merge");
            }
            if (shard == null) {
                throw new UsageException("--durations balances shards: give it with --shard I/N");
            }
        }
        return new RunOptions(o.text("--target", "linux"), o.text("--scenario", null), o.text("--group", null), folder(o, "--out"), home,
                o.number("--workers", DEFAULT_WORKERS, 1, MAX_WORKERS), baseline, o.flag("--update-baseline"),
                fault == null ? null : tcpct.target.Fault.byId(fault).id, folder(o, "--history"), shard, durations, ipVersions(o));
    }

    /** {@code --ip 4|6|both}: the IP versions each scenario runs over, in order (default IPv4 only). */
    static List<tcpct.wire.IpFamily> ipVersions(CommandOptions o) {
        String v = o.text("--ip", "4");
        List<tcpct.wire.IpFamily> ip = tcpct.wire.IpFamily.parse(v);
        if (ip == null) {
            throw new UsageException("--ip " + v + " is none of 4, 6, both: give the IP version(s) to run each scenario over");
        }
        return ip;
    }

    /** The folder option {@code name} (null when absent); a path that is a file is a one-line error, not an IOException later. */
    static Path folder(CommandOptions o, String name) {
        String v = o.text(name, null);
        if (v == null) {
            return null;
        }
        Path p = Path.of(v).toAbsolutePath();
        if (java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p)) {
            throw new UsageException(name + " " + v + " is a file, not a folder: give a folder (it is made if missing)");
        }
        return p;
    }

    /**
     * {@code ./tcpct targets}: one line per target. Needs neither root nor an engine (the image column then
     * says so), and a malformed target is listed with its error instead of breaking the list.
     */
    static int listTargets(Path home, CommandOptions ignored) {
        Path dir = TargetSpec.dir(home);
        TargetSpec.requireFolder(dir);
        DockerClient docker = null;
        try {
            docker = Engine.connect();
        } catch (RuntimeException e) {
            // without an engine (or without the right to its socket) the list still shows the targets
        }
        List<String> established = TargetSpec.established(dir);
        System.out.printf("%-8s %-30s %-13s %s%n", "TARGET", "IMAGE", "", "STACK");
        for (String name : TargetSpec.known(dir)) {
            String stack;
            try {
                stack = TargetSpec.load(dir, name).stack();
            } catch (TargetException e) {
                System.out.printf("%-8s %-30s %-13s %s%n", name, "-", "BROKEN", e.getMessage());
                continue;
            }
            System.out.printf("%-8s %-30s %-13s %s%n", name, imageState(docker, name), established.contains(name) ? "" : "experimental", stack);
        }
        return Runner.OK;
    }

    private static String imageState(DockerClient docker, String name) {
        if (docker == null) {
            return "unknown (engine not reachable)";
        }
        try {
            return docker.listImagesCmd().withImageNameFilter("tcpct-target-" + name).exec().isEmpty() ? "not built yet" : "built";
        } catch (NotFoundException e) {
            return "not built yet";
        } catch (RuntimeException e) {
            return "unknown (engine not reachable)";
        }
    }

    /**
     * {@code ./tcpct scenarios}: id, groups, RFC 9293 sections and requirement ids, title; one line each, or
     * with {@code --json} one array. {@code --group} and {@code --scenario} select as for {@code run}.
     */
    static int listScenarios(ScenarioCatalog catalog, CommandOptions o) throws IOException {
        List<ScenarioCatalog.Entry> selected = o.text("--group", null) == null && o.text("--scenario", null) == null ? catalog.all()
                : catalog.select(o.text("--scenario", null), o.text("--group", null));
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ArrayNode json = om.createArrayNode();
        int idWidth = selected.stream().mapToInt(e -> e.id().length()).max().orElse(0);
        int groupWidth = selected.stream().mapToInt(e -> String.join(",", e.groups()).length()).max().orElse(0);
        for (ScenarioCatalog.Entry e : selected) {
            tcpct.scenario.ScenarioInfo info = tcpct.scenario.ScenarioInfo.of(e.method(), new Object[] {e.id()});
            List<String> requirements = info.rfc().stream().filter(r -> !info.sections().contains(r)).toList();
            if (o.flag("--json")) {
                var s = json.addObject().put("id", e.id()).put("title", info.title());
                e.groups().forEach(s.putArray("groups")::add);
                info.sections().forEach(s.putArray("sections")::add);
                requirements.forEach(s.putArray("requirements")::add);
                var edges = s.putArray("edges");
                info.declaredEdges().forEach(x -> edges.add(x.name()));
            } else {
                String rfc = String.join(" ", java.util.stream.Stream.concat(info.sections().stream().map(x -> "§" + x), requirements.stream())
                        .toList());
                System.out.printf("%-" + idWidth + "s  %-" + groupWidth + "s  %s%s%n", e.id(), String.join(",", e.groups()), info.title(),
                        rfc.isEmpty() ? "" : "  [" + rfc + "]");
            }
        }
        if (o.flag("--json")) {
            System.out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            System.out.println(selected.size() + " scenarios");
        }
        return Runner.OK;
    }
}
