package tcpct.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The verdicts of the same scenarios over several runs of a soak, and which scenarios' verdicts differed
 * between runs. A scenario missing from a run (the run broke, or did not select it) counts as the
 * verdict {@link #MISSING}, so it differs from the runs that have it.
 */
public final class VerdictHistory {

    public static final String MISSING = "MISSING";

    /** One scenario's outcome in one run: its verdict and failure sentence (null when it passed). */
    public record Outcome(String verdict, String failure) {
        public Outcome {
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /** One scenario over all runs: its verdict in each run, in run order (run 1 first). */
    public record Row(String id, List<Outcome> outcomes) {
        public Row {
            outcomes = List.copyOf(outcomes);
        }

        public List<String> verdicts() {
            return outcomes.stream().map(Outcome::verdict).toList();
        }

        public boolean differs() {
            return verdicts().stream().distinct().count() > 1;
        }

        /** For each verdict seen, the run numbers (1-based) that gave it, in order of first appearance. */
        public Map<String, List<Integer>> runsByVerdict() {
            Map<String, List<Integer>> out = new LinkedHashMap<>();
            for (int i = 0; i < outcomes.size(); i++) {
                out.computeIfAbsent(outcomes.get(i).verdict(), k -> new ArrayList<>()).add(i + 1);
            }
            return out;
        }
    }

    private final List<Map<String, Outcome>> runs = new ArrayList<>();

    /** Adds the next run's outcomes, by scenario id (an empty map for a run that produced no summary). */
    public VerdictHistory add(Map<String, Outcome> run) {
        runs.add(new LinkedHashMap<>(run));
        return this;
    }

    public int runs() {
        return runs.size();
    }

    /** Every scenario seen in any run, in the order first seen, with its outcome in each run. */
    public List<Row> rows() {
        List<String> ids = new ArrayList<>();
        for (Map<String, Outcome> r : runs) {
            r.keySet().stream().filter(id -> !ids.contains(id)).forEach(ids::add);
        }
        List<Row> out = new ArrayList<>();
        for (String id : ids) {
            out.add(new Row(id, runs.stream().map(r -> r.getOrDefault(id, new Outcome(MISSING, null))).toList()));
        }
        return out;
    }

    /** The scenarios whose verdict was not the same in every run. */
    public List<Row> differing() {
        return rows().stream().filter(Row::differs).toList();
    }
}
