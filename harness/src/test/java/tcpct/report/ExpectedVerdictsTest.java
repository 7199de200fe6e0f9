package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.scenario.Verdict;

public class ExpectedVerdictsTest {

    private static Path write(String json) throws Exception {
        Path f = Files.createTempFile("expected", ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    public void unlistedScenariosAreExpectedToPass() throws Exception {
        ExpectedVerdicts e = ExpectedVerdicts.load(write("{\"scenarios\": {\"a/b\": {\"verdict\": \"FAILED\", \"reason\": \"RFC 1337\"}}}"));
        assertThat(e.of("a/b").verdict()).isEqualTo(Verdict.FAILED);
        assertThat(e.of("x/y").verdict()).isEqualTo(Verdict.PASSED);
        assertThat(ExpectedVerdicts.load(Path.of("/nonexistent/expected.json")).of("a/b").verdict()).isEqualTo(Verdict.PASSED);
    }

    @Test
    public void aDeviationWithoutAReasonIsRefused() throws Exception {
        Path f = write("{\"scenarios\": {\"a/b\": {\"verdict\": \"FAILED\"}}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(f)).hasMessageContaining("without a \"reason\"");
    }

    @Test
    public void badVerdictsAndBadJsonNameTheFile() throws Exception {
        Path f = write("{\"scenarios\": {\"a/b\": {\"verdict\": \"BROKEN\", \"reason\": \"x\"}}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(f)).hasMessageContaining(f.toString()).hasMessageContaining("BROKEN");
        Path g = write("{not json");
        assertThatThrownBy(() -> ExpectedVerdicts.load(g)).hasMessageContaining("not valid JSON");
    }

    @Test
    public void summaryCountsRegressionsAndCoverageOfPassedScenariosOnly() throws Exception {
        ScenarioResult ok = new ScenarioResult("a/ok", "ok", Verdict.PASSED, List.of("LISTEN", "SYN-RECEIVED"), List.of("E4"),
                List.of("E4"), List.of("3.5", "MUST-10"), "agent", 5, null, null, java.util.Map.of("rto", 1000.0), 0, List.of());
        ScenarioResult bad = new ScenarioResult("a/bad", "bad", Verdict.FAILED, List.of("LISTEN"), List.of(),
                List.of("E4"), List.of("3.5"), "agent", 5, null, "expected target in SYN-RECEIVED after SYN seq 0, saw LISTEN", java.util.Map.of(), 0, List.of());
        Summary.Outcome o = Summary.build("linux", "Linux", null, Instant.EPOCH, 10, List.of(ok, bad), ExpectedVerdicts.none());
        assertThat(o.regressions()).isEqualTo(1);
        assertThat(o.json().at("/coverage/states/LISTEN").asInt()).isEqualTo(1);
        assertThat(o.json().at("/coverage/requirements/MUST-10").asInt()).isEqualTo(1);
        assertThat(o.json().at("/totals/FAILED").asInt()).isEqualTo(1);
        assertThat(o.json().at("/scenarios/1/expectedVerdict").asText()).isEqualTo("PASSED");
    }
}
