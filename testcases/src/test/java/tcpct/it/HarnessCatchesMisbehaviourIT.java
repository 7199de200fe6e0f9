package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.Test;
import tcpct.cli.Main;
import tcpct.cli.ScenarioCatalog;

/**
 * Runs the deliberately wrong scenarios of {@code tcpct.selftest} against the real Linux target, in
 * process, and checks that every one gets the verdict and the failure sentence it must: the harness's
 * checks can fail, and a dying agent is an ERROR that leaves nothing behind.
 */
public class HarnessCatchesMisbehaviourIT {

    private static JsonNode run(String group, Path out) throws Exception {
        int exit = Main.execute(new String[] {"run", "--group", group, "--out", out.toString()}, () -> ScenarioCatalog.scan("tcpct.selftest"));
        assertThat(exit).as("exit status: verdicts differ from the expected PASSED").isEqualTo(1);
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    @Test
    public void wrongExpectationsComeOutFailedWithExpectedVersusSeen() throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-wrong");
        JsonNode s = run("selftest-wrong", out);
        reportShowsTheFailureAsAPersonWouldSeeIt(out, "selftest/expects-wrong-flags");
        assertThat(s.path("regressions").asInt()).isEqualTo(5);

        JsonNode flags = Tcpct.scenario(s, "selftest/expects-wrong-flags");
        assertThat(flags.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(flags.path("failure").asText()).isEqualTo(
                "expected RST seq 0 from target after SYN seq 0, saw SYN,ACK seq 0 ack 1 (flags: expecting RST, but was SYN,ACK)");

        JsonNode ack = Tcpct.scenario(s, "selftest/expects-wrong-ack");
        assertThat(ack.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(ack.path("failure").asText()).endsWith("(ack: expecting 2, but was 1)");

        JsonNode state = Tcpct.scenario(s, "selftest/asserts-wrong-state");
        assertThat(state.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(state.path("failure").asText()).isEqualTo("expected target in ESTABLISHED after SYN,ACK seq 0 ack 1, saw SYN-RECEIVED");
        assertThat(state.path("states")).extracting(JsonNode::asText).containsExactly("LISTEN");

        JsonNode silent = Tcpct.scenario(s, "selftest/expects-unprovoked-segment");
        assertThat(silent.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(silent.path("failure").asText()).isEqualTo("expected SYN from target after listen, saw nothing within 300 ms");

        JsonNode unsupported = Tcpct.scenario(s, "selftest/unsupported-command");
        assertThat(unsupported.path("verdict").asText()).isEqualTo("UNIMPLEMENTED");
        assertThat(unsupported.path("failure").asText()).contains("teleport").contains("ENOSYS");
        assertThat(s.at("/coverage/states").size()).as("coverage counts only PASSED scenarios").isZero();
    }

    /** The generated report, opened in headless Chromium: the failure, its steps and attachments are one click away, its ladder whole. */
    private static void reportShowsTheFailureAsAPersonWouldSeeIt(Path out, String scenarioId) throws Exception {
        Tcpct.Result check = Tcpct.reportCheck(out.resolve("report"), scenarioId, out.resolve("report-check.png"));
        assertThat(check.exit()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("holds all");
        assertThat(out.resolve("report-check.png")).isNotEmptyFile();
    }

    @Test
    public void aDyingAgentIsAnErrorNamingTheCauseAndLeavesNothingBehind() throws Exception {
        JsonNode s = run("selftest-dying", Files.createTempDirectory("tcpct-it-dying"));
        JsonNode dies = Tcpct.scenario(s, "selftest/agent-dies");
        assertThat(dies.path("verdict").asText()).isEqualTo("ERROR");
        assertThat(dies.path("failure").asText()).startsWith("harness error: the agent exited")
                .containsPattern("target container tcpct-linux-[0-9a-f]{8} exited \\(0\\)");
        assertThat(Tcpct.leftovers(ProcessHandle.current().pid())).isEmpty();
    }
}
