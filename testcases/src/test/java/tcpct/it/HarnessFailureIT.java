package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The target dies under a running scenario: its container is killed ({@code docker kill}), or its agent
 * process is (SIGKILL from the host). That scenario must be ERROR with a cause naming the container and
 * its exit; the scenarios after it must run on a fresh container and get their usual verdicts; and the
 * run must leave nothing behind. The Docker engine killed under a scenario and back 5 s later: the same,
 * on a private engine that docker/engine-restart.sh starts for it (the machine's own engine is shared).
 */
public class HarnessFailureIT {

    /** Slow first (it waits out TIME-WAIT, about 60 s on Linux), so the kill lands inside it; five quick ones after. */
    static final String SCENARIOS = "{close/time-wait-expiry,establish/*}";
    static final String VICTIM = "close/time-wait-expiry";

    @DataProvider(name = "kills")
    public static Object[][] kills() {
        return new Object[][] {{"container"}, {"agent"}};
    }

    @Test(dataProvider = "kills")
    public void aTargetKilledMidScenarioIsErrorAndTheRestRunOnAFreshContainer(String what) throws Exception {
        Path out = Files.createTempDirectory("tcpct-harness-failure-");
        Tcpct.Running run = Tcpct.start("run", "--target", "linux", "--scenario", SCENARIOS, "--workers", "1", "--out", out.toString());
        long pid = run.pid();
        String container = victimRunning(run);
        String name = Tcpct.sh("docker", "inspect", "-f", "{{.Name}}", container).replace("/", "");

        long killedAt = System.nanoTime();
        if (what.equals("container")) {
            Tcpct.sh("docker", "kill", container);
        } else {
            Tcpct.sh("kill", "-KILL", Tcpct.sh("docker", "inspect", "-f", "{{.State.Pid}}", container));
        }
        Tcpct.Running.Line error = await("an ERROR line for " + VICTIM).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> run.stdout.stream().filter(l -> l.text().startsWith("ERROR") && l.text().contains(VICTIM)).findFirst().orElse(null),
                        l -> l != null);
        long killToErrorMs = (error.nanos() - killedAt) / 1_000_000;

        int exit = run.await();
        String report = "exit " + exit + "\n--- stdout\n" + run.stdoutText() + "\n--- stderr\n" + run.stderrText();
        assertThat(exit).as("one scenario differs from the baseline (the ERROR): %s", report).isEqualTo(1);
        String failure = victimErrorAndTheRestAsExpected(out.resolve("summary.json"), report);
        assertThat(failure).as(report).contains("target container " + name + " exited (137)").contains("SIGKILL");
        assertThat(run.stderrText()).as(report).containsPattern("new target container tcpct-linux-[0-9a-f]{8} ready in \\d+ ms");
        assertThat(Tcpct.leftovers(pid)).as("what run %d left behind", pid).isEmpty();
        System.out.printf("HarnessFailureIT: %s killed -> %s ERROR in %d ms; %s%n", what, VICTIM, killToErrorMs,
                run.stderrText().lines().filter(l -> l.contains("new target container")).findFirst().orElse(""));
        assertThat(killToErrorMs).as("time from the kill to the ERROR line").isLessThan(10_000);
    }

    @Test
    public void anEngineKilledMidScenarioIsErrorAndTheRestRunOnceItIsBack() throws Exception {
        Tcpct.Result r = Tcpct.script("docker/engine-restart.sh", "5");
        String report = r.toString(); // the script tells its steps, the run's output and the verdicts on stderr
        // exit 0: the run went on after the restart, and no container, veth, run folder or dangling image is left
        assertThat(r.exit()).as("docker/engine-restart.sh 5: %s", report).isZero();
        java.util.regex.Matcher files = java.util.regex.Pattern.compile("run's files in (\\S+)").matcher(report);
        assertThat(files.find()).as(report).isTrue();
        String failure = victimErrorAndTheRestAsExpected(Path.of(files.group(1), "summary.json"), report);
        assertThat(failure).as(report).contains("the Docker engine stopped answering while target container");
        System.out.println("HarnessFailureIT: engine killed -> " + report.lines().filter(l -> l.contains("first ERROR printed")).findFirst().orElse("(no ERROR while down)"));
    }

    /**
     * A run killed with SIGKILL cannot clean up. Its agent exits as the control connection closes, which
     * takes the container (auto-remove) and, once the kernel has torn down its namespace, the veth; the run's
     * work folder (and a veth still there) stays until the next run, which removes them (their run's process
     * is gone) before it starts, and touches nothing of a live run.
     */
    @Test
    public void whatARunKilledWithSigkillLeftIsRemovedByTheNextRun() throws Exception {
        Path out = Files.createTempDirectory("tcpct-killed-run-");
        Tcpct.Running run = Tcpct.start("run", "--target", "linux", "--scenario", VICTIM, "--workers", "1", "--out", out.toString());
        long pid = run.pid();
        victimRunning(run);
        Tcpct.sh("kill", "-KILL", Long.toString(pid));
        assertThat(run.await()).as("exit status of the killed run").isEqualTo(137);
        // The agent exits when its control connection closes with the run and the engine removes its container
        // (auto-remove). Its veth goes when the kernel has torn down the container's namespace, which can take
        // from a moment to longer than 20 s on a machine that has just destroyed many (seen in CI): the next
        // run deletes a veth still there. The work folder stays in any case.
        List<String> left = await("the killed run's container goes with its agent").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> Tcpct.leftovers(pid), l -> l.stream().noneMatch(e -> e.startsWith("containers ")));
        assertThat(left).as("what run %d left when killed", pid).anyMatch(e -> e.startsWith("work folder "));

        Tcpct.Result next = Tcpct.run("run", "--target", "linux", "--scenario", "establish/passive-open", "--out",
                Files.createTempDirectory("tcpct-after-killed-run-").toString());
        assertThat(next.exit()).as("the next run: %s", next).isZero();
        assertThat(next.stderr()).as("the next run: %s", next).containsPattern("removed \\d+ containers, veths and work folders that an earlier, killed run left behind");
        assertThat(Tcpct.leftovers(pid)).as("what killed run %d left, after the next run", pid).isEmpty();
        assertThat(Tcpct.leftovers(next.pid())).as("what the next run %d left", next.pid()).isEmpty();
        System.out.println("HarnessFailureIT: a SIGKILLed run left " + left + "; the next run removed them");
    }

    /**
     * Ctrl-C in a long wait: the console said what the run waits for (a line after 5 s), and the interrupted
     * run still writes summary.json and junit.xml, the finished scenarios with their verdicts and the rest
     * SKIPPED, and leaves nothing behind.
     */
    @Test
    public void ctrlCInALongWaitWritesAPartialSummaryAndLeavesNothing() throws Exception {
        Path out = Files.createTempDirectory("tcpct-interrupted-run-");
        Tcpct.Running run = Tcpct.start("run", "--target", "linux", "--scenario", "{timers/time-wait-duration,close/active-close}", "--workers", "2",
                "--out", out.toString());
        long pid = run.pid();
        await("the run says it waits on TIME-WAIT").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> run.stderrText().contains("timers/time-wait-duration: 5 s into a wait")
                        && run.stdout.stream().anyMatch(l -> l.text().contains("close/active-close")));
        Tcpct.sh("kill", "-INT", Long.toString(pid));
        assertThat(run.await()).as("exit status of the interrupted run").isEqualTo(130);
        assertThat(run.stderrText()).contains("tcpct: interrupted: 1 of 2 scenarios ran, the rest are SKIPPED in " + out.resolve("summary.json"));
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(Tcpct.scenario(summary, "close/active-close").path("verdict").asText()).isEqualTo("PASSED");
        JsonNode tw = Tcpct.scenario(summary, "timers/time-wait-duration");
        assertThat(tw.path("verdict").asText()).isEqualTo("SKIPPED");
        assertThat(tw.path("failure").asText()).startsWith("not run: the run was interrupted");
        assertThat(Files.readString(out.resolve("junit.xml"))).contains("close/active-close").contains("timers/time-wait-duration");
        List<String> left = await("the interrupted run's containers and veths go").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> Tcpct.leftovers(pid), List::isEmpty);
        assertThat(left).isEmpty();
    }

    /**
     * Checks the run's summary: {@link #VICTIM} is ERROR, and the five scenarios after it, on a fresh container,
     * have their expected verdicts. The victim's failure sentence, for the caller to check its cause.
     */
    private static String victimErrorAndTheRestAsExpected(Path summaryJson, String report) throws java.io.IOException {
        JsonNode summary = new ObjectMapper().readTree(summaryJson.toFile());
        List<String> others = new ArrayList<>();
        String failure = null;
        for (JsonNode s : summary.path("scenarios")) {
            String id = s.path("id").asText();
            if (id.equals(VICTIM)) {
                assertThat(s.path("verdict").asText()).as(report).isEqualTo("ERROR");
                failure = s.path("failure").asText();
            } else {
                assertThat(s.path("verdict").asText()).as("%s on the fresh container: %s", id, report).isEqualTo(s.path("expectedVerdict").asText());
                others.add(id);
            }
        }
        assertThat(failure).as("%s in the summary: %s", VICTIM, report).isNotNull();
        assertThat(others).as(report).hasSize(5);
        return failure;
    }

    /** Waits until {@link #VICTIM} runs in the run's only target container; that container's id. */
    private static String victimRunning(Tcpct.Running run) {
        long pid = run.pid();
        String container = await("the run's target container").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .failFast("the run ended before its container started", () -> !run.process.isAlive())
                .until(() -> Tcpct.sh("docker", "ps", "-q", "--filter", "label=dev.tcpct.run=" + pid), c -> !c.isEmpty());
        assertThat(container.lines()).as("containers of run %d", pid).hasSize(1);
        // The first scenario on the only worker is the victim; its agent logs every command it gets, and
        // "states" comes only once a scenario runs (the lab's start says only hello): then it is in progress.
        await("the agent of " + VICTIM + " is asked for its states").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50))
                .failFast("the run ended before " + VICTIM + " started", () -> !run.process.isAlive())
                .until(() -> Tcpct.sh("docker", "logs", container).contains("\"cmd\":\"states\""));
        return container;
    }
}
