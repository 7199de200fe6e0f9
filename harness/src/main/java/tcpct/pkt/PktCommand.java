package tcpct.pkt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --pkt} part of {@code ./tcpct run} and {@code ./tcpct scenarios}: the script paths after
 * {@code --pkt} (up to the next option) and the packetdrill options {@code --tolerance_usecs},
 * {@code --tolerance_percent}, {@code --bind_port}, {@code --mss}, {@code --ip_version} (as {@code --name V}
 * or {@code --name=V}). The rest of the command line is left for the command's own options.
 */
public final class PktCommand {

    /** What was taken out of the command line: the scripts (installed for the run) and the arguments left. */
    public record Split(List<PktScripts.Entry> scripts, PktSettings settings, String[] rest) {
    }

    private PktCommand() {
    }

    /** Null when the command line has no {@code --pkt}. Bad paths or values are IllegalArgumentException (exit 2). */
    public static Split split(String[] args, Path home) throws IOException {
        List<String> rest = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        PktSettings settings = PktSettings.DEFAULTS;
        boolean pkt = false;
        java.util.Set<String> defines = new java.util.TreeSet<>();
        Boolean skipShell = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--define") || a.startsWith("--define=") || a.equals("--shell") || a.startsWith("--shell=")) {
                String opt = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
                if (v == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException(opt + " needs a value (./tcpct --help)");
                    }
                    v = args[++i];
                }
                if (opt.equals("--define")) {
                    String n = v.contains("=") ? v.substring(0, v.indexOf('=')) : v; // packetdrill's -D NAME=VALUE: the name is what #ifdef sees
                    if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        throw new IllegalArgumentException("--define takes a name such as STANDARD, got '" + v + "'");
                    }
                    defines.add(n);
                } else if (v.equals("run") || v.equals("skip")) {
                    skipShell = v.equals("skip");
                } else {
                    throw new IllegalArgumentException("--shell takes run or skip, got '" + v + "'");
                }
                continue;
            }
            if (a.equals("--pkt")) {
                pkt = true;
                while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    Path p = Path.of(args[++i]);
                    paths.add(p.isAbsolute() ? p : Path.of(System.getProperty("user.dir")).resolve(p).normalize());
                }
                continue;
            }
            String name = a.startsWith("--") ? a.substring(2) : "";
            String value = null;
            if (name.contains("=")) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (PktSettings.NAMES.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException("--" + name + " needs a value (./tcpct --help)");
                    }
                    value = args[++i];
                }
                try {
                    settings = settings.with(name, value);
                } catch (UnsupportedOperationException e) {
                    throw new IllegalArgumentException("UNIMPLEMENTED: " + e.getMessage());
                }
                continue;
            }
            rest.add(a);
        }
        if (!pkt) {
            if (!defines.isEmpty() || skipShell != null) {
                throw new IllegalArgumentException("--define and --shell go with --pkt PATH...");
            }
            if (settings != PktSettings.DEFAULTS) {
                throw new IllegalArgumentException("the packetdrill options (--" + String.join(", --", PktSettings.NAMES)
                        + ") go with --pkt PATH...");
            }
            return null;
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("--pkt needs at least one .pkt file or folder");
        }
        List<PktScripts.Entry> scripts = PktScripts.find(paths, defines);
        PktScripts.install(scripts, settings, Boolean.TRUE.equals(skipShell));
        // each script runs over the IP version its --ip_version says: without --ip, the run takes the versions the scripts need
        List<tcpct.wire.IpFamily> need = PktScripts.families();
        if (!rest.contains("--ip") && rest.stream().noneMatch(a -> a.startsWith("--ip=")) && !need.equals(List.of(tcpct.wire.IpFamily.IPV4))) {
            rest.add("--ip");
            rest.add(need.size() == 2 ? "both" : need.get(0) == tcpct.wire.IpFamily.IPV6 ? "6" : "4");
        }
        return new Split(scripts, settings, rest.toArray(String[]::new));
    }

    /** {@code ./tcpct scenarios --pkt ...}: each script's id, then the lines tcpct cannot run and why. */
    public static int list(Split split) {
        int runnable = 0;
        int everywhere = 0;
        for (PktScripts.Entry e : split.scripts()) {
            if (e.error() != null) {
                System.out.printf("%-40s %s%n    ERROR %s%n", e.id(), "pkt", e.error().getMessage());
                continue;
            }
            List<PktGaps.Gap> gaps = PktGaps.of(e.script());
            List<PktGaps.Gap> needs = PktGaps.needs(e.script(), PktScripts.skipsShellLines());
            System.out.printf("%-40s %s%s%n", e.id(), "pkt", gaps.isEmpty() ? "" : "  (" + gaps.size() + " lines tcpct cannot run)");
            for (PktGaps.Gap g : gaps) {
                System.out.println("    line " + g.line() + ": " + g.reason());
            }
            for (PktGaps.Gap g : needs) {
                System.out.println("    line " + g.line() + " needs " + g.reason());
            }
            runnable += gaps.isEmpty() ? 1 : 0;
            everywhere += gaps.isEmpty() && needs.isEmpty() ? 1 : 0;
        }
        long errors = split.scripts().stream().filter(e -> e.error() != null).count();
        System.out.println("tcpct: " + split.scripts().size() + " packetdrill scripts, " + (split.scripts().size() - errors) + " parse, "
                + runnable + " with every line runnable by tcpct on linux, " + everywhere + " of them on every target (no shell line, no %{ }% block)");
        return 0;
    }
}
