package tcpct.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} options of a command such as {@code soak} or {@code bench}: each known name
 * once, each with a value; anything else is a one-line {@link UsageException} (exit 2).
 */
final class CommandOptions {

    private final String command;
    private final Map<String, String> values;

    private CommandOptions(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    /** Parses {@code args[1..]} of {@code command}, accepting only {@code known} option names, each with a value. */
    static CommandOptions parse(String[] args, String command, List<String> known) {
        return parse(args, command, known, List.of());
    }

    /** The same, where the options named in {@code flags} take no value (their value reads "true"). */
    static CommandOptions parse(String[] args, String command, List<String> known, List<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!known.contains(a)) {
                throw new UsageException("unknown option '" + a + "' for " + command + (known.isEmpty() ? ": it takes no options"
                        : ": options are " + String.join(", ", known)) + " (./tcpct " + command + " --help)");
            }
            boolean flag = flags.contains(a);
            if (!flag && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                throw new UsageException(a + " needs a value (./tcpct " + command + " --help)");
            }
            if (values.put(a, flag ? "true" : args[++i]) != null) {
                throw new UsageException(a + " is given twice: give it once (./tcpct " + command + " --help)");
            }
        }
        return new CommandOptions(command, values);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** A whole number from {@code min} to {@code max}, or {@code fallback} when the option is absent. */
    int number(String name, int fallback, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new UsageException(name + " of " + command + " takes a number from " + min + " to " + max + ", got '" + v + "'");
    }

    /** A single target name: {@code all} and lists belong to {@code run}. */
    String singleTarget() {
        String t = text("--target", "linux");
        if (t.equals("all") || t.contains(",")) {
            throw new UsageException(command + " measures one target at a time, got --target '" + t + "': name one (./tcpct targets)");
        }
        return t;
    }
}
