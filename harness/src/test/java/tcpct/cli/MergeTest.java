package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;
import tcpct.report.ExpectedVerdicts;
import tcpct.report.ScenarioResult;
import tcpct.report.Summary;
import tcpct.scenario.Verdict;

/** Merge on run folders written the way Runner writes them (Summary.build, a pcap and Allure results per scenario). */
public class MergeTest {

    private Path home;
    private Path tmp;

    private static final String EXPECTED = """
            {"scenarios": {"timers/syn-sent-r2": {"verdict": "FAILED", "reason": "Linux gives up after about 130 s"}},
             "measurements": {"timers/syn-sent-r2": {"syn-give-up": {"ms": 133509, "relative": 0.1, "absoluteMs": 20}}}}
            """;

    @BeforeMethod
    public void home() throws Exception {
        tmp = Files.createTempDirectory("merge-test");
        home = tmp.resolve("home");
        Files.createDirectories(home.resolve("targets/linux"));
        Files.createDirectories(home.resolve("targets/lwip"));
        Files.writeString(home.resolve("targets/linux/expected.json"), EXPECTED);
    }

    private static ScenarioResult r(String id, Verdict v, double giveUp) {
        Map<String, Double> m = id.equals("timers/syn-sent-r2") ? Map.of("syn-give-up", giveUp) : Map.of();
        return new ScenarioResult(id, "title of " + id, v, List.of("LISTEN", "SYN-RECEIVED", "ESTABLISHED"), List.of("E1", "E4", "E10"),
                List.of("E1", "E4", "E10"), List.of("3.5", "MUST-10"), "agent", 100, "pcap/" + id.replace('/', '_') + ".pcap", null, m, 50, List.of());
    }

    /** A run folder: summary.json (with a shard object when {@code shard} is not null), pcaps and Allure results. */
    private Path run(String name, String target, String image, int[] shard, ScenarioResult... results) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("pcap"));
        Files.createDirectories(dir.resolve("allure-results/history"));
        Files.writeString(dir.resolve("allure-results/environment.properties"), "target = " + target + "\nworkers = 6\n");
        Files.writeString(dir.resolve("allure-results/history/history.json"), "{}");
        for (ScenarioResult x : results) {
            Files.writeString(dir.resolve(x.pcap()), "pcap of " + x.id());
            Files.writeString(dir.resolve("allure-results/" + java.util.UUID.randomUUID() + "-result.json"), "{\"name\": \"" + x.id() + "\"}");
        }
        Summary.Outcome o = Summary.build(target, "Linux 6.18", image, Instant.parse("2026-12-02T10:00:00Z"), 1000 * results.length,
                List.of(results), ExpectedVerdicts.load(home.resolve("targets/" + target + "/expected.json")));
        if (shard != null) {
            new Shard(shard[0], shard[1]).record(o.json(), shard[2], null);
        }
        Summary.write(o, dir.resolve("summary.json"));
        return dir;
    }

    private static JsonNode json(Path f) throws Exception {
        return new ObjectMapper().readTree(f.toFile());
    }

    @Test
    public void shardsMergeIntoOneSummaryJunitDiagramGridAndResultsFolder() throws Exception {
        Path s1 = run("s1", "linux", "img:1", new int[] {1, 2, 4}, r("establish/a", Verdict.PASSED, 0), r("timers/syn-sent-r2", Verdict.FAILED, 133000));
        Path s2 = run("s2", "linux", "img:1", new int[] {2, 2, 4}, r("grid/LISTEN/SYN/x", Verdict.PASSED, 0), r("close/b", Verdict.NON_STRICT, 0));
        Path out = tmp.resolve("merged");
        int exit = Merge.merge(List.of(s2, s1), out, null, home);
        assertThat(exit).as("close/b is NON_STRICT where linux expects PASSED").isEqualTo(Runner.REGRESSION);
        JsonNode s = json(out.resolve("summary.json"));
        assertThat(s.at("/totals/PASSED").asInt()).isEqualTo(2);
        assertThat(s.at("/totals/FAILED").asInt()).isEqualTo(1);
        assertThat(s.at("/totals/NON_STRICT").asInt()).isEqualTo(1);
        assertThat(s.path("regressions").asInt()).isEqualTo(1);
        assertThat(s.path("scenarios").size()).isEqualTo(4);
        assertThat(s.at("/scenarios/0/id").asText()).isEqualTo("close/b"); // sorted by id
        assertThat(s.at("/coverage/edges/E1").asInt()).isEqualTo(2); // only the PASSED ones count
        assertThat(s.at("/coverage/grid/cells").asInt()).isEqualTo(1);
        assertThat(s.path("durationMs").asLong()).isEqualTo(2000); // the longest input: the shards ran side by side
        assertThat(s.at("/merged/machineMs").asLong()).isEqualTo(4000);
        assertThat(s.at("/merged/inputs").size()).isEqualTo(2);
        assertThat(s.path("measurementDeviations").size()).isZero();
        assertThat(Files.readString(out.resolve("junit.xml"))).contains("tests=\"4\" failures=\"1\"").contains("name=\"close/b\"");
        assertThat(out.resolve("state-diagram.svg")).exists();
        assertThat(out.resolve("grid.html")).exists();
        for (JsonNode sc : s.path("scenarios")) {
            assertThat(out.resolve(sc.path("pcap").asText())).exists();
        }
        try (var files = Files.list(out.resolve("allure-results"))) {
            assertThat(files.filter(f -> f.toString().endsWith("-result.json")).count()).isEqualTo(4);
        }
        assertThat(out.resolve("allure-results/history")).as("a shard's history does not come along").doesNotExist();
        assertThat(Files.readString(out.resolve("allure-results/environment.properties"))).contains("merged = 2 runs: shard 2/2, shard 1/2")
                .doesNotContain("workers");
    }

    @Test
    public void exitZeroWhenAllIsAsExpectedAndOneWhenATimerValueMovedThoughItsVerdictStayed() throws Exception {
        Path a = run("a", "linux", "img:1", null, r("establish/a", Verdict.PASSED, 0));
        Path b = run("b", "linux", "img:1", null, r("timers/syn-sent-r2", Verdict.FAILED, 134000));
        assertThat(Merge.merge(List.of(a, b), tmp.resolve("ok"), null, home)).isEqualTo(Runner.OK);
        Path c = run("c", "linux", "img:1", null, r("timers/syn-sent-r2", Verdict.FAILED, 7000));
        assertThat(Merge.merge(List.of(a, c), tmp.resolve("moved"), null, home)).isEqualTo(Runner.REGRESSION);
        JsonNode s = json(tmp.resolve("moved/summary.json"));
        assertThat(s.path("regressions").asInt()).isZero();
        assertThat(s.at("/measurementDeviations/0/line").asText()).startsWith("timers/syn-sent-r2: syn-give-up 7000 ms, expected 133509 ms");
        // --baseline on merge: the earlier merge as baseline; same verdicts, the value moved
        assertThat(Merge.merge(List.of(a, b), tmp.resolve("vs-ok"), tmp.resolve("ok"), home)).isEqualTo(Runner.OK);
        assertThat(Merge.merge(List.of(a, c), tmp.resolve("vs-moved"), tmp.resolve("ok/summary.json"), home)).isEqualTo(Runner.REGRESSION);
        Path kept = Files.copy(tmp.resolve("ok/summary.json"), tmp.resolve("kept-baseline.json")); // a summary kept under another name
        assertThat(Merge.merge(List.of(a, c), tmp.resolve("vs-kept"), kept, home)).isEqualTo(Runner.REGRESSION);
        assertThat(Merge.merge(List.of(a, b), tmp.resolve("vs-kept-ok"), kept, home)).isEqualTo(Runner.OK);
    }

    @Test
    public void differentTargetsEachGetTheirFolderAndTheMatrix() throws Exception {
        Path l = run("l", "linux", "img:1", null, r("establish/a", Verdict.PASSED, 0));
        Path w = run("w", "lwip", "img:2", null, r("establish/a", Verdict.FAILED, 0));
        Path out = tmp.resolve("both");
        assertThat(Merge.merge(List.of(l, w), out, null, home)).isEqualTo(Runner.REGRESSION); // lwip has no expected.json here
        assertThat(json(out.resolve("linux/summary.json")).at("/target/name").asText()).isEqualTo("linux");
        assertThat(json(out.resolve("lwip/summary.json")).at("/totals/FAILED").asInt()).isEqualTo(1);
        JsonNode m = json(out.resolve("matrix.json"));
        assertThat(m.path("disagreements").asInt()).isEqualTo(1);
        assertThat(out.resolve("matrix.html")).exists();
        // and a folder of several targets (run --target all, or this merge) is an input like any other
        Path again = tmp.resolve("again");
        Merge.merge(List.of(out), again, null, home);
        assertThat(json(again.resolve("matrix.json")).path("disagreements").asInt()).isEqualTo(1);
    }

    @Test
    public void badInputIsRefusedInOneLineBeforeAnythingIsWritten() throws Exception {
        Path s1 = run("s1", "linux", "img:1", new int[] {1, 3, 3}, r("establish/a", Verdict.PASSED, 0));
        Path s2 = run("s2", "linux", "img:1", new int[] {2, 3, 3}, r("establish/b", Verdict.PASSED, 0));
        Path s3 = run("s3", "linux", "img:1", new int[] {3, 3, 3}, r("establish/c", Verdict.PASSED, 0));
        Path twin = run("twin", "linux", "img:1", null, r("establish/b", Verdict.PASSED, 0));
        Path other = run("other", "linux", "img:9", null, r("establish/z", Verdict.PASSED, 0));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path v2 = run("v2", "linux", "img:1", null, r("establish/y", Verdict.PASSED, 0));
        String text = Files.readString(v2.resolve("summary.json")).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 2");
        Files.writeString(v2.resolve("summary.json"), text);
        Path out = tmp.resolve("never");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {List.of(s1, s2, s3, twin), "scenario establish/b of target linux is in both " + s2 + " and " + twin});
        cases.add(new Object[] {List.of(s1, s3), "target linux has shards [1, 3] of 3: shard 2/3 is missing"});
        cases.add(new Object[] {List.of(s1, s2, s3, s2), "scenario establish/b of target linux is in both"});
        cases.add(new Object[] {List.of(s1, empty), empty + " has no summary.json"});
        cases.add(new Object[] {List.of(s1, s2, s3, v2), "different summary schemas: " + s3 + " has schemaVersion 1, " + v2 + " has 2"});
        cases.add(new Object[] {List.of(s1, s2, s3, other), "target linux ran as img:1 in " + s1 + " but as img:9 in " + other});
        cases.add(new Object[] {List.of(tmp.resolve("nowhere")), tmp.resolve("nowhere") + " is not a folder"});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked") List<Path> dirs = (List<Path>) c[0];
            assertThatThrownBy(() -> Merge.merge(dirs, out, null, home)).isInstanceOfAny(UsageException.class, IllegalArgumentException.class)
                    .hasMessageContaining((String) c[1]).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(out).as("nothing written for %s", c[1]).doesNotExist();
        }
        assertThat(Main.execute(new String[] {"merge", s1.toString(), s3.toString(), "--out", out.toString()}, () -> null))
                .isEqualTo(Runner.CANNOT_RUN);
        assertThat(Main.execute(new String[] {"merge", s1.toString()}, () -> null)).isEqualTo(Runner.CANNOT_RUN);
        assertThat(Main.execute(new String[] {"merge", s1.toString(), "--out"}, () -> null)).isEqualTo(Runner.CANNOT_RUN);
        assertThat(Main.execute(new String[] {"merge", s1.toString(), "--outt", "x"}, () -> null)).isEqualTo(Runner.CANNOT_RUN);
        assertThatThrownBy(() -> Merge.merge(List.of(s1, s2, s3), s1.resolve("inside"), null, home)).hasMessageContaining("overlap");
        assertThatThrownBy(() -> Merge.merge(List.of(s1, s2, s3), tmp.resolve("m"), tmp.resolve("no-baseline"), home))
                .hasMessageContaining("--baseline " + tmp.resolve("no-baseline") + " does not exist");
        Path unknown = run("unknown", "nosuch", null, null, r("establish/a", Verdict.PASSED, 0));
        assertThatThrownBy(() -> Merge.merge(List.of(unknown), tmp.resolve("m2"), null, home)).hasMessageContaining("target 'nosuch' of " + unknown
                + " is not in " + home.resolve("targets"));
        assertThat(Merge.merge(List.of(s1, s2, s3), tmp.resolve("fine"), null, home)).isEqualTo(Runner.OK);
        assertThatThrownBy(() -> Merge.merge(List.of(s1, s2, s3), tmp.resolve("fine"), null, home)).hasMessageContaining("is not empty");
    }
}
