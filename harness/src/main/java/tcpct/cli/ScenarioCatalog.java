package tcpct.cli;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;
import org.testng.internal.PackageUtils;
import tcpct.scenario.Scenario;

/** Every scenario on the class path (classes under {@code tcpct.scenarios}), and the subset a run selects. */
public final class ScenarioCatalog {

    public static final String PACKAGE = "tcpct.scenarios";

    /** One scenario method and its id and TestNG groups. */
    public record Entry(Class<?> type, Method method, String id, List<String> groups) {
    }

    private final List<Entry> entries;

    private ScenarioCatalog(List<Entry> entries) {
        this.entries = entries;
    }

    public static ScenarioCatalog scan() {
        return scan(PACKAGE);
    }

    public static ScenarioCatalog scan(String pkg) {
        List<Entry> out = new ArrayList<>();
        Map<String, Entry> ids = new HashMap<>();
        String[] names;
        try {
            names = PackageUtils.findClassesInPackage(pkg + ".*", List.of(), List.of());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list the scenario classes of " + pkg + ": " + e.getMessage(), e);
        }
        for (String name : names) {
            Class<?> c;
            try {
                c = Class.forName(name);
            } catch (ClassNotFoundException e) {
                continue;
            }
            for (Method m : c.getMethods()) {
                Scenario s = m.getAnnotation(Scenario.class);
                if (s == null) {
                    continue;
                }
                Test t = m.getAnnotation(Test.class);
                List<String> groups = t == null ? List.of() : Arrays.asList(t.groups());
                for (String id : idsOf(s)) {
                    Entry e = new Entry(c, m, id, groups);
                    Entry twin = ids.put(id, e);
                    if (twin != null) {
                        throw new IllegalStateException("scenario id " + id + " is used twice: " + twin.type().getSimpleName() + "."
                                + twin.method().getName() + " and " + c.getSimpleName() + "." + m.getName());
                    }
                    out.add(e);
                }
            }
        }
        out.sort(Comparator.comparing(Entry::id));
        return new ScenarioCatalog(out);
    }

    private static List<String> idsOf(Scenario s) {
        if (s.expand() == Scenario.NoExpansion.class) {
            return List.of(s.id());
        }
        try {
            return s.expand().getDeclaredConstructor().newInstance().get();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot list the ids of " + s.id() + " from " + s.expand().getName() + ": " + e, e);
        }
    }

    public List<Entry> all() {
        return entries;
    }

    /**
     * A scenario glob: {@code *} matches any run of characters, slashes included (so {@code grid/*} takes
     * every cell), {@code ?} one character, {@code {a,b}} either; everything else stands for itself.
     */
    static java.util.regex.Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int depth = 0;
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '{' -> {
                    re.append("(?:");
                    depth++;
                }
                case '}' -> {
                    re.append(')');
                    depth--;
                }
                case ',' -> re.append(depth > 0 ? "|" : ",");
                default -> re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return java.util.regex.Pattern.compile(re.toString());
    }

    /**
     * The scenarios whose id matches {@code glob} (null: all) and that are in {@code group} (null: any;
     * several, comma-separated, e.g. {@code establish,close}: in any of them).
     */
    public List<Entry> select(String glob, String group) {
        java.util.regex.Pattern m = glob == null ? null : globToRegex(glob);
        List<String> groups = group == null ? null : List.of(group.split(","));
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (m != null && !m.matcher(e.id()).matches()) {
                continue;
            }
            if (groups != null && e.groups().stream().noneMatch(groups::contains)) {
                continue;
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new UsageException("no scenario matches" + (glob != null ? " --scenario '" + glob + "'" : "")
                    + (group != null ? " --group '" + group + "'" : "") + ": `./tcpct scenarios` lists the ids and groups");
        }
        return out;
    }
}
