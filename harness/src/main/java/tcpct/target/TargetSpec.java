package tcpct.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code targets/<name>/target.json} says about one stack under test: its name, a description of the
 * stack, the script that makes its image's build context, and how states are observed ("probe").
 */
public record TargetSpec(String name, String stack, Path folder, Path buildScript, String probe, Wiring wiring,
                         List<String> capabilities, java.util.Map<String, Boolean> profile, int timerGranularityMs, String noIpv6,
                         SilenceProof silence, String shell) {

    /**
     * {@code noIpv6}: target.json's {@code "noIpv6": "why"} for a stack (or agent) without IPv6, whose scenarios run
     * with {@code --ip 6} are then expected UNIMPLEMENTED for that reason; null when it has IPv6.
     */
    public TargetSpec(String name, String stack, Path folder, Path buildScript, String probe, Wiring wiring,
                      List<String> capabilities, java.util.Map<String, Boolean> profile, int timerGranularityMs) {
        this(name, stack, folder, buildScript, probe, wiring, capabilities, profile, timerGranularityMs, null);
    }

    /** {@code silence}: how the harness may prove that the target answered nothing ({@link SilenceProof}). */
    public TargetSpec(String name, String stack, Path folder, Path buildScript, String probe, Wiring wiring,
                      List<String> capabilities, java.util.Map<String, Boolean> profile, int timerGranularityMs, String noIpv6) {
        this(name, stack, folder, buildScript, probe, wiring, capabilities, profile, timerGranularityMs, noIpv6, SilenceProof.WINDOW, null);
    }

    /**
     * {@code shell}: target.json's {@code "shell": "netns"} for a target whose stack is its container's kernel and
     * that runs packetdrill scripts' shell lines in that kernel's network namespace ({@link NetnsShell}); null
     * when the target runs none (its scripts' shell lines are UNIMPLEMENTED).
     */
    public boolean runsShellLines() {
        return SHELL_NETNS.equals(shell);
    }

    /** The one value of target.json's {@code "shell"}. */
    public static final String SHELL_NETNS = "netns";

    public TargetSpec {
        silence = silence == null ? SilenceProof.WINDOW : silence;
    }

    /** Whether the target's profile claims an optional behaviour, e.g. "rfc5961"; false when it says nothing. */
    public boolean claims(String behaviour) {
        return profile.getOrDefault(behaviour, false);
    }

    /** How the target's end of the veth is set up inside its container. */
    public enum Wiring {
        /** The container's kernel owns 192.0.2.2 on eth0: the stack under test is that kernel. */
        KERNEL,
        /** eth0 is up with no address: a user-space stack in the agent owns 192.0.2.2 through a raw socket on it. */
        RAW
    }

    public static final String FILE = "target.json";
    /** Environment variable naming another folder of targets than the checkout's {@code targets/} (tests, private stacks). */
    public static final String DIR_ENV = "TCPCT_TARGETS";

    /** The folder of targets: {@code $TCPCT_TARGETS} when set, else {@code targets/} under the tcpct checkout {@code home}. */
    public static Path dir(Path home) {
        String env = System.getenv(DIR_ENV);
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath().normalize() : home.resolve("targets");
    }

    /** The target called {@code name} under {@code targetsDir}, or a one-line error listing the known ones. */
    public static TargetSpec load(Path targetsDir, String name) {
        requireFolder(targetsDir);
        Path folder = targetsDir.resolve(name);
        Path file = folder.resolve(FILE);
        if (!name.matches("[a-z0-9][a-z0-9_-]*") || !Files.isRegularFile(file)) {
            throw new TargetException("unknown target '" + name + "': known targets are " + known(targetsDir)
                    + " (each is a folder of " + targetsDir + " with a " + FILE + ")");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new TargetException(file + " is not valid JSON" + JsonProblem.where(e) + " (" + JsonProblem.what(e) + "): fix the file", e);
        }
        checkShape(file, name, json);
        String build = json.path("build").asText("build.sh");
        Path script = folder.resolve(build);
        if (!Files.isRegularFile(script)) {
            throw new TargetException(file + " names build script " + build + ", which " + folder + " lacks: add it or fix \"build\"");
        }
        Wiring wiring;
        try {
            wiring = Wiring.valueOf(json.path("wiring").asText("kernel").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TargetException(file + ": \"wiring\" is '" + json.path("wiring").asText() + "': use \"kernel\" or \"raw\"");
        }
        List<String> caps = new ArrayList<>();
        for (JsonNode c : json.path("capabilities")) {
            try {
                com.github.dockerjava.api.model.Capability.valueOf(c.asText());
            } catch (IllegalArgumentException e) {
                throw new TargetException(file + ": capability '" + c.asText() + "' is not a Linux capability name (e.g. NET_RAW): fix \"capabilities\"");
            }
            caps.add(c.asText());
        }
        java.util.Map<String, Boolean> profile = new java.util.TreeMap<>();
        json.path("profile").fields().forEachRemaining(e -> profile.put(e.getKey(), e.getValue().asBoolean(false)));
        int granularity = json.path("timerGranularityMs").asInt(0);
        if (granularity < 0 || granularity > 10_000) {
            throw new TargetException(file + ": \"timerGranularityMs\" is " + granularity + ": give the stack's timer tick in ms (0 to 10000)");
        }
        return new TargetSpec(name, json.path("stack").asText(name), folder, script, json.path("probe").asText("agent"), wiring,
                List.copyOf(caps), java.util.Map.copyOf(profile), granularity, json.hasNonNull("noIpv6") ? json.path("noIpv6").asText() : null,
                SilenceProof.parse(file, json.path("silence"), STATE_NAMES), shell(file, json, wiring));
    }

    private static String shell(Path file, JsonNode json, Wiring wiring) {
        if (!json.hasNonNull("shell")) {
            return null;
        }
        String said = json.path("shell").asText();
        if (!said.equals(SHELL_NETNS)) {
            throw new TargetException(file + ": \"shell\" is '" + said + "': the one value is \"" + SHELL_NETNS
                    + "\" (shell lines run in the target's network namespace), or leave it out");
        }
        if (wiring != Wiring.KERNEL) {
            throw new TargetException(file + ": \"shell\": \"" + SHELL_NETNS + "\" needs \"wiring\": \"kernel\" (the stack must be the"
                    + " container's kernel for a shell line in its namespace to reach it)");
        }
        return said;
    }

    /** The RFC 9293 state names, as target.json's "silence" names them. */
    private static final java.util.Set<String> STATE_NAMES = java.util.Arrays.stream(tcpct.state.TcpState.values())
            .map(tcpct.state.TcpState::rfcName).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The keys target.json may have, with the JSON type each takes. */
    private static final java.util.Map<String, com.fasterxml.jackson.databind.node.JsonNodeType> KEYS = java.util.Map.ofEntries(
            java.util.Map.entry("name", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("stack", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("build", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("probe", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("wiring", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("experimental", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("about", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("noIpv6", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("shell", com.fasterxml.jackson.databind.node.JsonNodeType.STRING),
            java.util.Map.entry("capabilities", com.fasterxml.jackson.databind.node.JsonNodeType.ARRAY),
            java.util.Map.entry("profile", com.fasterxml.jackson.databind.node.JsonNodeType.OBJECT),
            java.util.Map.entry("silence", com.fasterxml.jackson.databind.node.JsonNodeType.OBJECT),
            java.util.Map.entry("timerGranularityMs", com.fasterxml.jackson.databind.node.JsonNodeType.NUMBER));

    /** A misspelt key or a value of the wrong type fails loudly instead of being read as "not said". */
    private static void checkShape(Path file, String name, JsonNode json) {
        if (!json.isObject()) {
            throw new TargetException(file + " holds " + json.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an object: write {\"name\": \"" + name + "\", \"stack\": ..., \"build\": \"build.sh\"} (targets/README.md)");
        }
        json.fields().forEachRemaining(e -> {
            com.fasterxml.jackson.databind.node.JsonNodeType type = KEYS.get(e.getKey());
            if (type == null) {
                throw new TargetException(file + ": unknown key \"" + e.getKey() + "\": the keys are " + new java.util.TreeSet<>(KEYS.keySet())
                        + " (targets/README.md)");
            }
            if (e.getKey().equals("silence")) {
                return; // its shape is SilenceProof's to check, with its own message
            }
            if (e.getValue().getNodeType() != type || (e.getKey().equals("timerGranularityMs") && !e.getValue().canConvertToInt())) {
                throw new TargetException(file + ": \"" + e.getKey() + "\" is " + e.getValue() + ": give " + switch (type) {
                    case ARRAY -> "a list of strings, e.g. [\"NET_RAW\"]";
                    case OBJECT -> "an object of true/false, e.g. {\"sack\": true}";
                    case NUMBER -> "a whole number";
                    default -> "a string";
                });
            }
        });
        for (JsonNode c : json.path("capabilities")) {
            if (!c.isTextual()) {
                throw new TargetException(file + ": \"capabilities\" holds " + c + ": give capability names as strings, e.g. [\"NET_RAW\"]");
            }
        }
        json.path("profile").fields().forEachRemaining(e -> {
            if (!e.getValue().isBoolean()) {
                throw new TargetException(file + ": \"profile\" says \"" + e.getKey() + "\": " + e.getValue()
                        + ": each behaviour is claimed with true or false");
            }
        });
        String said = json.path("name").asText(name);
        if (!said.equals(name)) {
            throw new TargetException(file + " says \"name\": \"" + said + "\" but lies in folder " + name
                    + ": a target is named by its folder; make them the same");
        }
    }

    /**
     * The targets {@code --target all} runs: every known one except those whose target.json says
     * {@code "experimental": "why"} (they run when named, and the reason is in their README).
     */
    public static List<String> established(Path targetsDir) {
        List<String> out = new ArrayList<>();
        for (String name : known(targetsDir)) {
            try {
                JsonNode json = new ObjectMapper().readTree(targetsDir.resolve(name).resolve(FILE).toFile());
                if (!json.hasNonNull("experimental")) {
                    out.add(name);
                }
            } catch (IOException e) {
                out.add(name); // an unreadable target.json fails loudly when the target is loaded
            }
        }
        return out;
    }

    /** A one-line error when the folder of targets is missing, naming where its path came from. */
    public static void requireFolder(Path targetsDir) {
        if (!Files.isDirectory(targetsDir)) {
            String env = System.getenv(DIR_ENV);
            throw new TargetException("the targets folder " + targetsDir + " does not exist"
                    + (env != null && !env.isBlank() ? ": " + DIR_ENV + "=" + env + " names it; point it at a folder of targets or unset it"
                    : ": the checkout lacks targets/; clone tcpct again"));
        }
    }

    public static List<String> known(Path targetsDir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(targetsDir)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve(FILE))).map(d -> d.getFileName().toString()).sorted().forEach(names::add);
        } catch (IOException e) {
            // no targets folder: the list is empty and the error says so
        }
        return names;
    }
}
