package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.testng.annotations.Test;

public class ShardTest {

    /** A selection shaped like the default suite: 55 named scenarios (7 slow) and 552 grid cells. */
    private static final List<String> IDS = new ArrayList<>();
    private static final Predicate<String> SLOW = id -> id.startsWith("timers/slow");

    static {
        IntStream.range(0, 7).forEach(i -> IDS.add("timers/slow-" + i));
        IntStream.range(0, 48).forEach(i -> IDS.add("close/s-" + i));
        IntStream.range(0, 552).forEach(i -> IDS.add("grid/ROW-" + i % 12 + "/COL-" + i / 12 % 8 + "/v" + i));
    }

    private static Map<String, Long> durations() {
        Map<String, Long> d = new HashMap<>();
        for (String id : IDS) {
            d.put(id, SLOW.test(id) ? 60_000L + id.hashCode() % 1000 : id.startsWith("grid/") ? 300L : 1500L);
        }
        d.put("timers/slow-3", 135_000L);
        return d;
    }

    private static void assertPartition(List<String> ids, int n, Map<String, Long> durations) {
        Set<String> union = new HashSet<>();
        int total = 0;
        for (int i = 1; i <= n; i++) {
            List<String> part = new Shard(i, n).pick(ids, SLOW, durations);
            total += part.size();
            union.addAll(part);
        }
        assertThat(total).as("shards of %d overlap", n).isEqualTo(ids.size());
        assertThat(union).as("the union of %d shards", n).isEqualTo(Set.copyOf(ids));
    }

    @Test
    public void theShardsAreDisjointAndTogetherExactlyTheSelection() {
        for (int n : new int[] {1, 2, 3, 4, 7, 16, 700}) {
            assertPartition(IDS, n, Map.of());
            assertPartition(IDS, n, durations());
        }
        Map<String, Long> some = new HashMap<>(durations());
        some.keySet().removeIf(id -> id.hashCode() % 3 == 0); // a summary of an older suite: some ids unrecorded
        assertPartition(IDS, 4, some);
        assertPartition(IDS.subList(0, 3), 4, Map.of()); // fewer scenarios than shards: one shard is empty
        assertThat(new Shard(4, 4).pick(IDS.subList(0, 3), SLOW, Map.of())).isEmpty();
    }

    @Test
    public void theSplitIsStableWhateverTheOrderOfTheSelection() {
        List<String> shuffled = new ArrayList<>(IDS);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        for (Map<String, Long> d : List.of(Map.<String, Long>of(), durations())) {
            assertThat(Set.copyOf(new Shard(2, 4).pick(shuffled, SLOW, d))).isEqualTo(Set.copyOf(new Shard(2, 4).pick(IDS, SLOW, d)));
        }
        // and a shard keeps the order it was given (the runner puts the slow scenarios first)
        List<String> part = new Shard(1, 4).pick(shuffled, SLOW, Map.of());
        assertThat(part).isEqualTo(shuffled.stream().filter(part::contains).toList());
    }

    @Test
    public void withoutDurationsTheSlowScenariosAreSpreadAndTheCountsEven() {
        for (int i = 1; i <= 4; i++) {
            List<String> part = new Shard(i, 4).pick(IDS, SLOW, Map.of());
            assertThat(part.stream().filter(SLOW).count()).isBetween(1L, 2L);
            assertThat(part.size()).isBetween(IDS.size() / 4, IDS.size() / 4 + 1);
        }
    }

    @Test
    public void withDurationsTheShardsAreBalancedByTime() {
        Map<String, Long> d = durations();
        long total = d.values().stream().mapToLong(Long::longValue).sum();
        long longest = d.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        for (int i = 1; i <= 4; i++) {
            long sum = new Shard(i, 4).pick(IDS, SLOW, d).stream().mapToLong(d::get).sum();
            // longest-first greedy: no shard exceeds the mean by more than the longest scenario
            assertThat(sum).as("shard %d/4's time", i).isLessThanOrEqualTo(total / 4 + longest);
        }
        // the 135 s scenario's shard takes fewer of the others
        int withLongest = IntStream.rangeClosed(1, 4).filter(i -> new Shard(i, 4).pick(IDS, SLOW, d).contains("timers/slow-3"))
                .findFirst().orElseThrow();
        List<String> its = new Shard(withLongest, 4).pick(IDS, SLOW, d);
        assertThat(its.stream().filter(SLOW).count()).isEqualTo(1);
    }

    @Test
    public void badValuesAreOneLineNamingTheFix() {
        assertThat(Shard.parse("1/4")).isEqualTo(new Shard(1, 4));
        assertThat(Shard.parse("4/4").toString()).isEqualTo("4/4");
        for (String bad : new String[] {"0/4", "5/4", "1/0"}) {
            assertThatThrownBy(() -> Shard.parse(bad)).isInstanceOf(UsageException.class)
                    .hasMessage("--shard " + bad + " is out of range: give I/N with 1 <= I <= N <= 256, e.g. --shard 1/4");
        }
        for (String bad : new String[] {"x", "1/", "/4", "1/4/2", "-1/4", "1.0/4", "", "99999/99999"}) {
            assertThatThrownBy(() -> Shard.parse(bad)).isInstanceOf(UsageException.class)
                    .hasMessage("--shard takes I/N (shard I of N, 1-based), e.g. --shard 1/4, got '" + bad + "'");
        }
        assertThatThrownBy(() -> Main.parseRun(new String[] {"run", "--shard"}, java.nio.file.Path.of(".")))
                .hasMessage("--shard needs a value (./tcpct run --help)");
        assertThatThrownBy(() -> Main.parseRun(new String[] {"run", "--durations", "pom.xml"}, java.nio.file.Path.of(".")))
                .hasMessage("--durations balances shards: give it with --shard I/N");
    }

    @Test
    public void durationsComeFromASummaryFileOrFolder() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("shard-test");
        java.nio.file.Files.createDirectories(dir.resolve("linux"));
        java.nio.file.Files.writeString(dir.resolve("linux/summary.json"),
                "{\"scenarios\": [{\"id\": \"a\", \"durationMs\": 5, \"wallMs\": 9}, {\"id\": \"b\", \"durationMs\": 7}]}");
        assertThat(Shard.durations(dir, "linux")).isEqualTo(Map.of("a", 9L, "b", 7L));
        assertThat(Shard.durations(dir.resolve("linux/summary.json"), "lwip")).isEqualTo(Map.of("a", 9L, "b", 7L));
        assertThatThrownBy(() -> Shard.durations(dir, "lwip")).isInstanceOf(UsageException.class)
                .hasMessageContaining("has no summary.json (nor lwip/summary.json)");
        java.nio.file.Files.writeString(dir.resolve("bad.json"), "{\"scenarios\": 3}");
        assertThatThrownBy(() -> Shard.durations(dir.resolve("bad.json"), "linux")).hasMessageContaining("has no \"scenarios\" list");
    }
}
