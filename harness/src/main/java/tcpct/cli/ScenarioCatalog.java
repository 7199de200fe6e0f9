package tcpct.cli;

import java.lang.reflect.Method;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
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
                Entry e = new Entry(c, m, s.id(), t == null ? List.of() : Arrays.asList(t.groups()));
                Entry twin = ids.put(s.id(), e);
                if (twin != null) {
                    throw new IllegalStateException("scenario id " + s.id() + " is used twice: " + twin.type().getSimpleName() + "."
                            + twin.method().getName() + " and " + c.getSimpleName() + "." + m.getName());
                }
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(Entry::id));
        return new ScenarioCatalog(out);
    }

    public List<Entry> all() {
        return entries;
    }

    /** The scenarios whose id matches {@code glob} (null: all) and that are in {@code group} (null: any). */
    public List<Entry> select(String glob, String group) {
        PathMatcher m = glob == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (m != null && !m.matches(Path.of(e.id()))) {
                continue;
            }
            if (group != null && !e.groups().contains(group)) {
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
