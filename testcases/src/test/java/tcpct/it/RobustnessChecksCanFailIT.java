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
 * The robustness corpus's checks can fail: the turned-round scenarios of {@code tcpct.selftest}
 * (WrongRobustnessExpectations) run against the real Linux target, in process, and each comes out FAILED
 * with the sentence that says what the wire showed.
 */
public class RobustnessChecksCanFailIT {

    @Test
    public void malformedSegmentsAreDroppedAndSilenceChecksSeeAnswers() throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-robustness");
        int exit = Main.execute(new String[] {"run", "--group", "selftest-robustness", "--out", out.toString()},
                () -> ScenarioCatalog.scan("tcpct.selftest"));
        assertThat(exit).as("exit status: verdicts differ from the expected PASSED").isEqualTo(1);
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());

        JsonNode badSum = Tcpct.scenario(s, "selftest/expects-ack-for-bad-checksum");
        assertThat(badSum.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(badSum.path("failure").asText()).isEqualTo(
                "expected ACK seq 1 ack 6 from target after PSH,ACK seq 1 ack 1 len 5 <bad TCP checksum>, saw nothing within 700 ms");

        JsonNode silence = Tcpct.scenario(s, "selftest/expects-silence-for-good-data");
        assertThat(silence.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(silence.path("failure").asText()).isEqualTo(
                "expected no segment from target after PSH,ACK seq 1 ack 1 len 5 for 700 ms, saw ACK seq 1 ack 6");

        JsonNode offset = Tcpct.scenario(s, "selftest/expects-ack-for-bad-data-offset");
        assertThat(offset.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(offset.path("failure").asText()).endsWith("<data offset 15>, saw nothing within 700 ms");
    }
}
