package tcpct.scenario;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which ids of a data-driven scenario method a run selected ({@link Scenario#expand}): the runner sets
 * them, the method's data provider reads them, so that {@code --scenario 'grid/LISTEN/*'} runs just those cells.
 */
public final class Selection {

    private static final Map<Method, List<String>> IDS = new ConcurrentHashMap<>();

    private Selection() {
    }

    public static void set(Method m, List<String> ids) {
        IDS.put(m, List.copyOf(ids));
    }

    public static void clear() {
        IDS.clear();
    }

    /** The selected ids of {@code m}, as data-provider rows with the id first. */
    public static Object[][] rows(Method m) {
        return IDS.getOrDefault(m, List.of()).stream().map(id -> new Object[] {id}).toArray(Object[][]::new);
    }
}
