package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;
import tcpct.report.ExpectedVerdicts;
import tcpct.report.ScenarioResult;
import tcpct.scenario.Verdict;

public class RunnerTest {

    private static ScenarioResult result(String id, Verdict v, String failure) {
        return new ScenarioResult(id, "t", v, List.of(), List.of(), List.of(), List.of(), "p", 12, null, failure, Map.of(), 0, List.of());
    }

    @Test
    public void aKnownDeviationSaysSoWithItsReasonOnTheConsole() {
        ScenarioResult r = result("close/rst-in-time-wait", Verdict.FAILED, "expected target in CLOSED after RST seq 2, saw TIME-WAIT");
        assertThat(Runner.consoleLine(r, new ExpectedVerdicts.Expectation(Verdict.FAILED, "RFC 1337"))).isEqualTo("""
                FAILED        close/rst-in-time-wait (12 ms): a known deviation
                              expected.json: RFC 1337
                              expected target in CLOSED after RST seq 2, saw TIME-WAIT""");
        assertThat(Runner.consoleLine(r, new ExpectedVerdicts.Expectation(Verdict.PASSED, ""))).isEqualTo("""
                FAILED        close/rst-in-time-wait (12 ms)
                              expected target in CLOSED after RST seq 2, saw TIME-WAIT""");
        assertThat(Runner.consoleLine(result("a/b", Verdict.PASSED, null), new ExpectedVerdicts.Expectation(Verdict.NON_STRICT, "RTO_MIN")))
                .as("a scenario that passes where a deviation is expected is no known deviation, and says it differs").isEqualTo("""
                PASSED        a/b (12 ms)
                              differs from expected.json, which expects NON_STRICT: RTO_MIN""");
    }

    @Test
    public void theTrendHistoryBelongsToTheOutputFolderUnlessShared() {
        Path home = Path.of("/opt/tcpct");
        RunOptions byDefault = new RunOptions("linux", null, null, home.resolve("reports/out/20261202-120000"), home, 6, null, false, null, null);
        assertThat(Runner.historyOf(byDefault, "linux")).isEqualTo(home.resolve("reports/out/history/linux"));
        assertThat(Runner.historyOf(byDefault.withOut(home.resolve("reports/out/20261202-120000/lwip")), "lwip"))
                .as("a target of a default run of several").isEqualTo(home.resolve("reports/out/history/lwip"));
        RunOptions own = byDefault.withOut(Path.of("/tmp/ci-run"));
        assertThat(Runner.historyOf(own, "linux")).isEqualTo(Path.of("/tmp/ci-run/history"));
        RunOptions shared = new RunOptions("lwip", null, null, Path.of("/tmp/a"), home, 6, null, false, null, Path.of("/srv/trends"));
        assertThat(Runner.historyOf(shared, "lwip")).isEqualTo(Path.of("/srv/trends/lwip"));
    }

    @Test
    public void latestMovesOnlyWhenAskedAndTheDefaultFolderIsNotMadeInAdvance() throws Exception {
        Path home = Files.createTempDirectory("tcpct-home");
        Path out = Runner.defaultOut(home);
        assertThat(out).doesNotExist();
        assertThat(home.resolve("reports/out/latest")).doesNotExist();
        Files.createDirectories(out);
        Runner.pointLatestAt(out);
        assertThat(Files.readSymbolicLink(home.resolve("reports/out/latest"))).isEqualTo(out.getFileName());
    }

    @Test
    public void aFolderOptionThatNamesAFileIsOneLine() throws Exception {
        Path file = Files.createTempFile("tcpct", ".txt");
        assertThatThrownBy(() -> Main.parseRun(new String[] {"run", "--out", file.toString()}, Path.of("/opt/tcpct")))
                .isInstanceOf(UsageException.class).hasMessage("--out " + file + " is a file, not a folder: give a folder (it is made if missing)");
        assertThat(Main.parseRun(new String[] {"run", "--history", "/tmp/h", "--update-baseline"}, Path.of("/opt/tcpct")))
                .satisfies(o -> {
                    assertThat(o.history()).isEqualTo(Path.of("/tmp/h"));
                    assertThat(o.updateBaseline()).isTrue();
                });
    }

    /** Stands for a scenario class. */
    public static final class Two {
        @tcpct.scenario.Scenario(id = "close/one")
        @org.testng.annotations.Test(description = "the first")
        public void one() {
        }

        @tcpct.scenario.Scenario(id = "close/two")
        @org.testng.annotations.Test(description = "the second")
        public void two() {
        }
    }

    @Test
    public void anInterruptedRunListsEveryScenarioItDidNotFinishAsSkipped() throws Exception {
        List<ScenarioCatalog.Entry> selected = List.of(
                new ScenarioCatalog.Entry(Two.class, Two.class.getMethod("one"), "close/one", List.of("close")),
                new ScenarioCatalog.Entry(Two.class, Two.class.getMethod("two"), "close/two", List.of("close")));
        List<ScenarioResult> all = Runner.withTheRestSkipped(selected, List.of(result("close/one", Verdict.PASSED, null)));
        assertThat(all).extracting(ScenarioResult::id, ScenarioResult::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("close/one", Verdict.PASSED), org.assertj.core.groups.Tuple.tuple("close/two", Verdict.SKIPPED));
        assertThat(all.get(1).title()).isEqualTo("the second");
        assertThat(all.get(1).failure()).startsWith("not run: the run was interrupted");
    }
}
