package tcpct.pkt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The packetdrill scripts of a run ({@code --pkt PATH...}): files, or folders searched recursively for
 * {@code *.pkt}, each with its stable scenario id {@code pkt/<path relative to the folder given>} (a file
 * given by itself: {@code pkt/<its name>}), parsed once. The runner installs them before it lists the
 * scenarios; {@link Ids} gives their ids to the catalog.
 */
public final class PktScripts {

    /** One script: its id, file, and either its parse or its syntax error. */
    public record Entry(String id, Path file, PktScript script, PktSyntaxError error) {

        /**
         * The IP version the script runs over: its own {@code --ip_version} line, else the run's; a script that does
         * not parse runs (to its ERROR) over the run's.
         */
        public tcpct.wire.IpFamily family(PktSettings run) {
            if (script != null) {
                for (PktScript.Setting o : script.options()) {
                    if (o.name().equals("ip_version") && "ipv6".equals(o.value())) {
                        return tcpct.wire.IpFamily.IPV6;
                    }
                    if (o.name().equals("ip_version") && "ipv4".equals(o.value())) {
                        return tcpct.wire.IpFamily.IPV4;
                    }
                }
            }
            return run.family();
        }
    }

    /** Whether scenario {@code id} runs over {@code family}: not a script's (a Java scenario), or a script of that family. */
    public static boolean runsOver(String id, tcpct.wire.IpFamily family) {
        String base = tcpct.wire.IpFamily.baseId(id);
        Entry e = installed.get(base);
        return e == null || e.family(settings) == family;
    }

    /** The IP versions the installed scripts run over, IPv4 first. */
    public static List<tcpct.wire.IpFamily> families() {
        return installed.values().stream().map(e -> e.family(settings)).distinct().sorted().toList();
    }

    private static volatile Map<String, Entry> installed = Map.of();
    private static volatile PktSettings settings = PktSettings.DEFAULTS;
    private static volatile boolean skipShell;

    private PktScripts() {
    }

    /** Finds and parses the scripts under {@code paths}. A path that does not exist, or holds no script, is an IllegalArgumentException. */
    public static List<Entry> find(List<Path> paths) throws IOException {
        return find(paths, java.util.Set.of());
    }

    /** The same, with {@code defines} the names the scripts' {@code #ifdef} lines see as defined. */
    public static List<Entry> find(List<Path> paths, java.util.Set<String> defines) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Path given : paths) {
            if (!Files.exists(given)) {
                throw new IllegalArgumentException("--pkt " + given + " does not exist: give .pkt files or folders that hold them");
            }
            List<Path> files = new ArrayList<>();
            Path root;
            if (Files.isDirectory(given)) {
                root = given;
                try (var walk = Files.walk(given)) {
                    walk.filter(p -> p.toString().endsWith(".pkt") && Files.isRegularFile(p)).sorted(Comparator.comparing(Path::toString))
                            .forEach(files::add);
                }
                if (files.isEmpty()) {
                    throw new IllegalArgumentException("--pkt " + given + " holds no .pkt file");
                }
            } else {
                root = given.toAbsolutePath().getParent();
                files.add(given);
            }
            for (Path f : files) {
                String rel = root.toAbsolutePath().relativize(f.toAbsolutePath()).toString().replace('\\', '/');
                String id = "pkt/" + rel;
                PktScript script = null;
                PktSyntaxError error = null;
                try {
                    script = PktParser.parse(f, id, defines);
                } catch (PktSyntaxError e) {
                    error = e;
                }
                if (out.put(id, new Entry(id, f, script, error)) != null) {
                    throw new IllegalArgumentException("two scripts have the id " + id + ": give their folders separately or rename one");
                }
            }
        }
        return List.copyOf(out.values());
    }

    /** Makes {@code entries} the run's scripts, played with {@code s}. */
    public static void install(List<Entry> entries, PktSettings s) {
        install(entries, s, false);
    }

    /** The same; with {@code skipShellLines} ({@code --shell skip}) the scripts' shell lines are shown but not run. */
    public static void install(List<Entry> entries, PktSettings s, boolean skipShellLines) {
        skipShell = skipShellLines;
        Map<String, Entry> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.id(), e));
        installed = m;
        settings = s;
    }

    public static Entry get(String id) {
        Entry e = installed.get(id);
        if (e == null) {
            throw new IllegalStateException("no packetdrill script " + id + " is installed for this run");
        }
        return e;
    }

    public static PktSettings settings() {
        return settings;
    }

    /** Whether the run was told {@code --shell skip}: each shell line is a step that says it was not run. */
    public static boolean skipsShellLines() {
        return skipShell;
    }

    /** The ids of the installed scripts, for {@code @Scenario(expand = ...)}. */
    public static final class Ids implements Supplier<List<String>> {
        @Override
        public List<String> get() {
            return List.copyOf(installed.keySet());
        }
    }
}
