package tcpct.cli;

import java.util.List;

/**
 * Every command of {@code ./tcpct} and every option of each, with what it does: the one table that
 * {@code ./tcpct --help}, {@code ./tcpct help CMD} and {@code ./tcpct CMD --help} print, and that the
 * commands' option parsers accept. Adding a command or an option is one entry here (and its handling).
 */
final class Help {

    /** One option: {@code value} is what it takes (e.g. {@code NAME}), null for a flag. */
    record Option(String name, String value, String what) {
        String synopsis() {
            return value == null ? "[" + name + "]" : "[" + name + " " + value + "]";
        }
    }

    /** One command: {@code needsRoot} when it touches the network or the Docker engine. */
    record Command(String name, String what, boolean needsRoot, List<Option> options, String more) {
        List<String> optionNames() {
            return options.stream().map(Option::name).toList();
        }

        List<String> flagNames() {
            return options.stream().filter(o -> o.value() == null).map(Option::name).toList();
        }
    }

    private static final Option TARGET_ONE = new Option("--target", "NAME", "the target (default linux; ./tcpct targets lists them)");
    private static final Option SCENARIO = new Option("--scenario", "GLOB",
            "scenario ids matching the glob: * any characters (slashes too), ? one, {a,b} either, e.g. 'close/*'");
    private static final Option GROUP = new Option("--group", "NAME|a,b", "scenarios in any of these groups (./tcpct scenarios lists them)");
    private static final Option WORKERS = new Option("--workers", "N", "scenarios in parallel, one target container each (default "
            + Main.DEFAULT_WORKERS + ", at most " + Main.MAX_WORKERS + ")");

    private static final Option PKT = new Option("--pkt", "PATH...", "packetdrill scripts (files, or folders searched for *.pkt) as scenarios"
            + " pkt/<path>, with packetdrill's --tolerance_usecs, --tolerance_percent, --bind_port, --mss and --ip_version;"
            + " --define NAME for their #ifdef lines; --shell skip shows their shell lines without running them");

    static final List<Command> COMMANDS = List.of(
            new Command("run", "the conformance suite against a target: verdicts, summary.json, the Allure report", true, List.of(
                    new Option("--target", "NAME|a,b|all", "the target (default linux); several: each into OUT/<target>/, then matrix.html"),
                    SCENARIO, GROUP,
                    new Option("--out", "DIR", "the run's folder (default reports/out/<timestamp>, and reports/out/latest points at it)"),
                    WORKERS,
                    new Option("--baseline", "SUMMARY.json", "compare with an earlier run of the same target: exit 1 only when a verdict changed"),
                    new Option("--update-baseline", null, "write targets/NAME/expected.json from this run, for review"),
                    new Option("--fault", "drop-fin|drop-syn-ack|drop-ack|rfc1337|checksum-offload|option-bad-length|option-eol-garbage|ip-options-dropped|icmp-errors-dropped|ttl-dscp-reset|quickack|keepalive-1s|source-address-rewritten|source-route-strict|urgent-pointer-zeroed|urgent-flag-cleared|urgent-stdurg", "break the target on purpose, to show the suite catches it"),
                    new Option("--history", "DIR", "the report's trend history (default: one per output folder, kept beside it);"
                            + " give the same DIR to runs that should share one trend"),
                    PKT,
                    new Option("--ip", "4|6|both", "over IPv4 (default), IPv6, or each scenario twice (the IPv6 run's ids end in @ipv6)"),
                    new Option("--shard", "I/N", "only shard I of N of the selection (a stable split by id; ./tcpct merge joins the shards' folders)"),
                    new Option("--durations", "SUMMARY.json|DIR", "with --shard: balance the shards by the durations an earlier run recorded")),
                    """
                    exit status: 0 every verdict as the target expects (targets/NAME/expected.json; with --baseline: as in that
                    summary), 1 a verdict differs, 2 the run could not be made (one line on stderr says why and what to do).
                    Needs root (veth pairs, captures) and the Docker engine; ./tcpct installs and starts what is missing."""),
            new Command("merge", "joins shards' and targets' run folders into one summary.json, junit.xml, Allure report, grid, diagram", false,
                    List.of(new Option("--out", "DIR", "the merged folder (several targets: OUT/<target>/ and the matrix)"),
                            new Option("--baseline", "SUMMARY.json|DIR", "compare the merged verdicts and timer values with an earlier run"),
                            new Option("--history", "DIR", "the report's trend history, DIR/<target> (default: the merged folder's own history/)")),
                    """
                    usage: ./tcpct merge DIR... --out DIR. Exit status as run's: 0 every verdict as expected, 1 one differs,
                    2 the folders cannot be joined (a scenario in two of them, a missing summary.json). Needs neither root nor the engine."""),
            new Command("soak", "the suite N times in a row, to find verdicts that flip", true, List.of(
                    TARGET_ONE,
                    new Option("--times", "N", "how many runs (default " + Soak.DEFAULT_TIMES + ", 2 to 1000)"),
                    new Option("--group", "NAME|a,b", "scenarios in these groups (default " + Soak.DIAGRAM_GROUPS
                            + "; all: the whole default suite, grid included)"),
                    SCENARIO, WORKERS,
                    new Option("--load", "N", "a CPU load beside the soak: stress-ng --cpu N for its whole length (default 0, none)"),
                    new Option("--out", "DIR", "the soak's folder (default reports/soak/<timestamp>), one run-NN/ per run")),
                    "soak.json: each scenario's verdict per run; exit 0 no verdict differed, 1 one did, 2 the soak could not be made."),
            new Command("bench", "the harness's own overhead: per scenario, container start, segment round trip, wall time", true, List.of(
                    TARGET_ONE, GROUP, SCENARIO,
                    new Option("--starts", "N", "container starts to time (default " + Bench.DEFAULT_STARTS + ", 1 to 100)"),
                    new Option("--samples", "N", "segment round trips to time (default " + Bench.DEFAULT_SAMPLES + ", 1 to 1000)"),
                    WORKERS,
                    new Option("--out", "DIR", "the folder of bench.json (default reports/bench/<timestamp>)")),
                    "bench.json and a table: a measurement, not a test (exit 0, or 2 when it could not be made)."),
            new Command("selftest", "the project's own tests: unit tests, then integration tests against the real Linux target", true,
                    List.of(), "= mvn -B verify (about 16 minutes on a ready 2-core machine); installs tshark, chromium and the report check's npm packages first."),
            new Command("targets", "the known targets, their stack, and whether each image is built", false, List.of(),
                    "needs neither root nor the engine: without them the image column says 'unknown (engine not reachable)'."),
            new Command("scenarios", "every scenario: id, groups, RFC 9293 sections and requirements, title", false, List.of(
                    GROUP, SCENARIO,
                    new Option("--json", null, "one JSON array (id, title, groups, sections, requirements, edges) instead of the table"),
                    PKT),
                    "needs neither root nor the engine."),
            new Command("requirements", "every requirement id of RFC 9293 Appendix B: class, section, sentence", false, List.of(
                    new Option("--class", "wire|wire-extra|api-only|not-testable", "only the requirements of this class"),
                    new Option("--json", null, "one JSON array (id, class, sections, sentence, note, link) instead of the table")),
                    "needs neither root nor the engine. A run's summary.json says which scenarios cite each id, with their verdicts."),
            new Command("help", "this text, or one command's: ./tcpct help run (the same as ./tcpct run --help)", false, List.of(), ""));

    private Help() {
    }

    /** The command called {@code name}, or a one-line error listing them. */
    static Command of(String name) {
        return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new UsageException(
                "unknown command '" + name + "': use " + names() + " (./tcpct --help)"));
    }

    static String names() {
        List<String> n = COMMANDS.stream().map(Command::name).toList();
        return String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
    }

    /** {@code ./tcpct --help}: every command in one line, then how to learn more. */
    static String usage() {
        StringBuilder b = new StringBuilder("usage: ./tcpct COMMAND [OPTIONS]   (./tcpct help COMMAND, or ./tcpct COMMAND --help: its options)\n\n");
        for (Command c : COMMANDS) {
            b.append(String.format("  %-10s %s%n", c.name(), c.what()));
        }
        b.append("\n  --version  the harness's version\n\n");
        b.append("e.g. ./tcpct run --target lwip --group smoke; ./tcpct scenarios --group timers; ./tcpct run --help\n");
        b.append("Commands that run scenarios need root and the Docker engine; help, --version, targets and scenarios do not.");
        return b.toString();
    }

    /** {@code ./tcpct help CMD}: its synopsis, each option with what it does, then its notes. */
    static String of(Command c) {
        String head = "usage: ./tcpct " + c.name();
        StringBuilder b = new StringBuilder(head);
        int column = head.length();
        for (Option o : c.options()) { // the synopsis wrapped under the command's name
            if (column + 1 + o.synopsis().length() > 110) {
                b.append('\n').append(" ".repeat(head.length()));
                column = head.length();
            }
            b.append(' ').append(o.synopsis());
            column += 1 + o.synopsis().length();
        }
        b.append("\n\n").append(c.what()).append('\n');
        if (!c.options().isEmpty()) {
            b.append('\n');
            int width = c.options().stream().mapToInt(o -> o.name().length() + (o.value() == null ? 0 : o.value().length() + 1)).max().orElse(0);
            for (Option o : c.options()) {
                String left = o.value() == null ? o.name() : o.name() + " " + o.value();
                if (width > 24) {
                    b.append("  ").append(left).append("\n      ").append(o.what()).append('\n');
                } else {
                    b.append(String.format("  %-" + width + "s  %s%n", left, o.what()));
                }
            }
        }
        if (!c.more().isBlank()) {
            b.append('\n').append(c.more().strip()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    /** The harness's version: the jar's, and the commit when run from a git clone. */
    static String version(java.nio.file.Path home) {
        String v = java.util.Objects.requireNonNullElse(Help.class.getPackage().getImplementationVersion(), "dev");
        String commit = commit(home);
        return "tcpct " + v + (commit == null ? "" : " (commit " + commit + ")");
    }

    private static String commit(java.nio.file.Path home) {
        try {
            java.nio.file.Path git = home.resolve(".git");
            String head = java.nio.file.Files.readString(git.resolve("HEAD")).strip();
            if (!head.startsWith("ref: ")) {
                return head.substring(0, Math.min(12, head.length()));
            }
            java.nio.file.Path ref = git.resolve(head.substring(5));
            if (java.nio.file.Files.isRegularFile(ref)) {
                return java.nio.file.Files.readString(ref).strip().substring(0, 12);
            }
            for (String line : java.nio.file.Files.readAllLines(git.resolve("packed-refs"))) {
                if (line.endsWith(" " + head.substring(5))) {
                    return line.substring(0, 12);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not a git clone (an unpacked release): the version alone
        }
        return null;
    }
}
