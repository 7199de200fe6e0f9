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
    public void anIpv6RunIsExpectedToDoAsItsIpv4RunUnlessListedItself() throws Exception {
        ExpectedVerdicts e = ExpectedVerdicts.load(write("{\"scenarios\": {\"a/b\": {\"verdict\": \"FAILED\", \"reason\": \"RFC 1337\"},"
                + " \"c/d@ipv6\": {\"verdict\": \"NON_STRICT\", \"reason\": \"only over IPv6\"}}}"));
        assertThat(e.of("a/b@ipv6").verdict()).isEqualTo(Verdict.FAILED);
        assertThat(e.of("a/b@ipv6").reason()).isEqualTo("RFC 1337");
        assertThat(e.of("c/d@ipv6").verdict()).isEqualTo(Verdict.NON_STRICT);
        assertThat(e.of("c/d").verdict()).isEqualTo(Verdict.PASSED);
    }

    @Test
    public void aTargetWithoutIpv6ExpectsItsIpv6RunsUnimplementedForItsReason() throws Exception {
        Path folder = Files.createTempDirectory("target");
        Files.writeString(folder.resolve("expected.json"), "{\"scenarios\": {\"a/b\": {\"verdict\": \"FAILED\", \"reason\": \"x\"}}}");
        tcpct.target.TargetSpec spec = new tcpct.target.TargetSpec("t", "t", folder, folder.resolve("build.sh"), "agent",
                tcpct.target.TargetSpec.Wiring.RAW, List.of(), java.util.Map.of(), 0, "its netif is IPv4 only");
        ExpectedVerdicts e = ExpectedVerdicts.forTarget(spec);
        assertThat(e.of("a/b@ipv6").verdict()).isEqualTo(Verdict.UNIMPLEMENTED);
        assertThat(e.of("a/b@ipv6").reason()).contains("its netif is IPv4 only");
        assertThat(e.of("a/b").verdict()).as("its IPv4 runs as before").isEqualTo(Verdict.FAILED);
    }

    @Test
    public void aDeviationWithoutAReasonIsRefused() throws Exception {
        Path f = write("{\"scenarios\": {\"a/b\": {\"verdict\": \"FAILED\"}}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(f)).hasMessageContaining("without a \"reason\"");
    }

    @Test
    public void aBaselineOfTheWrongShapeIsRefusedNotIgnored() throws Exception {
        Path list = write("{\"scenarios\": [\"a/b\"]}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(list)).hasMessageContaining(list.toString()).hasMessageContaining("no \"scenarios\" object");
        Path bare = write("{\"scenarios\": {\"a/b\": \"FAILED\"}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(bare)).hasMessageContaining("scenario a/b maps to \"FAILED\"");
        Path broken = write("{\"scenarios\": {\n  \"a/b\": {\"verdict\": \"FAILED\" \"reason\": \"x\"}}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(broken)).hasMessageContaining("at line 2, column").hasMessageNotContaining("\n");
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

    @Test
    public void aTimingDependentDeviationAcceptsItsAlternativesAndNothingElse() throws Exception {
        ExpectedVerdicts e = ExpectedVerdicts.load(write("{\"scenarios\": {\"grid/x\": {\"verdict\": \"FAILED\", "
                + "\"reason\": \"the FIN retransmission races the state read\", \"alsoAccepted\": [\"PASSED\"]}}}"));
        ScenarioResult passed = new ScenarioResult("grid/x", "x", Verdict.PASSED, List.of(), List.of(), List.of(), List.of(), "agent", 5,
                null, null, java.util.Map.of(), 0, List.of());
        ScenarioResult nonStrict = new ScenarioResult("grid/x", "x", Verdict.NON_STRICT, List.of(), List.of(), List.of(), List.of(), "agent",
                5, null, "a SHOULD", java.util.Map.of(), 0, List.of());
        Summary.Outcome ok = Summary.build("gvisor", "netstack", null, Instant.EPOCH, 10, List.of(passed), e);
        assertThat(ok.regressions()).isZero();
        assertThat(ok.json().at("/scenarios/0/expectedVerdict").asText()).isEqualTo("PASSED");
        assertThat(ok.json().at("/scenarios/0/acceptedVerdicts").toString()).isEqualTo("[\"FAILED\",\"PASSED\"]");
        assertThat(Summary.build("gvisor", "netstack", null, Instant.EPOCH, 10, List.of(nonStrict), e).regressions()).isEqualTo(1);
        assertThat(e.proposeFrom(List.of(passed))).contains("alsoAccepted").doesNotContain("REVIEW: observed");
        Path noReason = write("{\"scenarios\": {\"grid/x\": {\"verdict\": \"PASSED\", \"alsoAccepted\": [\"FAILED\"]}}}");
        assertThatThrownBy(() -> ExpectedVerdicts.load(noReason)).hasMessageContaining("depends on timing");
    }
}
