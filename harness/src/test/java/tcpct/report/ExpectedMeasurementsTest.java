package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;
import tcpct.scenario.Verdict;

public class ExpectedMeasurementsTest {

    private static final String EXPECTED = """
            {"scenarios": {"timers/syn-sent-r2": {"verdict": "FAILED", "reason": "Linux gives up after about 130 s"}},
             "measurements": {"timers/syn-sent-r2": {"syn-give-up": {"ms": 133509, "relative": 0.1, "absoluteMs": 20}},
                              "timers/fin-wait-1-backoff": {"fin-rto.1": {"ms": 500, "relative": 1.5, "absoluteMs": 20,
                                                                          "reason": "Linux derives it from the handshake's RTT"}}}}
            """;

    private static Path write(String json) throws Exception {
        Path f = Files.createTempFile("expected", ".json");
        Files.writeString(f, json);
        return f;
    }

    private static ScenarioResult result(String id, Verdict v, Map<String, Double> measurements) {
        return new ScenarioResult(id, id, v, List.of(), List.of(), List.of(), List.of(), "agent", 10, "pcap/x.pcap", null,
                measurements, 0, List.of());
    }

    @Test
    public void aValueOutOfItsToleranceIsADeviationEvenWhenTheVerdictStayed() throws Exception {
        ExpectedMeasurements g = ExpectedMeasurements.load(write(EXPECTED));
        ScenarioResult same = result("timers/syn-sent-r2", Verdict.FAILED, Map.of("syn-give-up", 131000.0));
        ScenarioResult moved = result("timers/syn-sent-r2", Verdict.FAILED, Map.of("syn-give-up", 7000.0));
        assertThat(g.check(List.of(same))).isEmpty();
        List<ExpectedMeasurements.Deviation> d = g.check(List.of(moved));
        assertThat(d).hasSize(1);
        assertThat(d.get(0).line()).isEqualTo("timers/syn-sent-r2: syn-give-up 7000 ms, expected 133509 ms ±10% + 20 ms (120138.1..146879.9)");
        // the verdict is as expected: the summary says 0 regressions, yet the value is recorded as moved
        ExpectedVerdicts verdicts = ExpectedVerdicts.load(write(EXPECTED));
        Summary.Outcome o = Summary.build("linux", "Linux", null, Instant.EPOCH, 10, List.of(moved), verdicts);
        ExpectedMeasurements.record(o.json(), d);
        assertThat(o.regressions()).isZero();
        assertThat(o.json().at("/measurementDeviations/0/id").asText()).isEqualTo("timers/syn-sent-r2");
        assertThat(o.json().at("/measurementDeviations/0/ms").asDouble()).isEqualTo(7000.0);
        assertThat(o.json().at("/measurementDeviations/0/expectedMs").asDouble()).isEqualTo(133509.0);
        // a wider tolerance, with its reason, takes a volatile value; a value not measured is a deviation too
        assertThat(g.check(List.of(result("timers/fin-wait-1-backoff", Verdict.NON_STRICT, Map.of("fin-rto.1", 1205.0))))).isEmpty();
        assertThat(g.check(List.of(result("timers/fin-wait-1-backoff", Verdict.NON_STRICT, Map.of("fin-rto.1", 1300.0))))).hasSize(1);
        assertThat(g.check(List.of(result("timers/fin-wait-1-backoff", Verdict.NON_STRICT, Map.of()))).get(0).line())
                .startsWith("timers/fin-wait-1-backoff: fin-rto.1 not measured, expected 500 ms");
        // values expected.json does not list are not gated; a file without "measurements" gates nothing
        assertThat(g.check(List.of(result("timers/other", Verdict.PASSED, Map.of("x", 1.0))))).isEmpty();
        assertThat(ExpectedMeasurements.load(write("{\"scenarios\": {}}")).check(List.of(moved))).isEmpty();
    }

    @Test
    public void baselineComparesTheGatedValuesWithTheBaselineRunsWithinTheSameTolerance() throws Exception {
        ExpectedMeasurements g = ExpectedMeasurements.load(write(EXPECTED));
        Path stored = write("""
                {"scenarios": [{"id": "timers/syn-sent-r2", "verdict": "FAILED", "measurements": {"syn-give-up": 135000.0}},
                               {"id": "close/x", "verdict": "PASSED", "measurements": {}}]}""");
        ScenarioResult now = result("timers/syn-sent-r2", Verdict.FAILED, Map.of("syn-give-up", 7000.0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int changed = BaselineDiff.compare(stored, List.of(now, result("close/x", Verdict.PASSED, Map.of())), g, new PrintStream(bytes, true));
        assertThat(changed).isEqualTo(1);
        assertThat(bytes.toString()).contains("changed: timers/syn-sent-r2: syn-give-up 7000 ms, baseline 135000 ms ±10% + 20 ms (121480..148520)")
                .contains("tcpct: 0 verdicts changed and 1 measurements changed since " + stored);
        ScenarioResult near = result("timers/syn-sent-r2", Verdict.FAILED, Map.of("syn-give-up", 134000.0));
        assertThat(BaselineDiff.compare(stored, List.of(near), g, new PrintStream(new ByteArrayOutputStream()))).isZero();
        assertThat(BaselineDiff.compare(stored, List.of(near), ExpectedMeasurements.none(), new PrintStream(new ByteArrayOutputStream()))).isZero();
    }

    @Test
    public void updateBaselineWritesTheValuesKeepsThoseThatHoldAndMarksThoseThatMoved() throws Exception {
        ExpectedMeasurements g = ExpectedMeasurements.load(write(EXPECTED));
        ExpectedVerdicts v = ExpectedVerdicts.load(write(EXPECTED));
        List<ScenarioResult> run = List.of(
                result("timers/syn-sent-r2", Verdict.FAILED, Map.of("syn-give-up", 7000.0)),
                result("timers/fin-wait-1-backoff", Verdict.NON_STRICT, Map.of("fin-rto.1", 700.0)),
                result("timers/syn-received-backoff", Verdict.PASSED, Map.of("synack-rto.1", 1005.27, "synack-rto.2", 2016.2)));
        String proposed = g.proposeInto(v.proposeFrom(run), run, 0.10, 20);
        JsonNode root = new ObjectMapper().readTree(proposed);
        assertThat(root.at("/scenarios/timers~1syn-sent-r2/verdict").asText()).isEqualTo("FAILED");
        assertThat(root.at("/measurements/timers~1syn-sent-r2/syn-give-up/ms").asDouble()).isEqualTo(7000.0);
        assertThat(root.at("/measurements/timers~1syn-sent-r2/syn-give-up/reason").asText()).isEqualTo("REVIEW: was 133509 ms");
        assertThat(root.at("/measurements/timers~1fin-wait-1-backoff/fin-rto.1/ms").asDouble()).isEqualTo(500.0);
        assertThat(root.at("/measurements/timers~1fin-wait-1-backoff/fin-rto.1/reason").asText()).startsWith("Linux derives");
        assertThat(root.at("/measurements/timers~1syn-received-backoff/synack-rto.1/ms").asDouble()).isEqualTo(1005.3);
        assertThat(root.at("/measurements/timers~1syn-received-backoff/synack-rto.1/relative").asDouble()).isEqualTo(0.10);
        Path again = write(proposed);
        ExpectedMeasurements g2 = ExpectedMeasurements.load(again);
        assertThat(g2.check(run)).isEmpty(); // the file written makes the same run pass its gates
        assertThat(ExpectedVerdicts.load(again).of("timers/syn-sent-r2").verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    public void aMalformedMeasurementsObjectIsRefusedInOneLine() throws Exception {
        Path noMs = write("{\"scenarios\": {}, \"measurements\": {\"a/b\": {\"x\": {\"relative\": 0.1, \"absoluteMs\": 20}}}}");
        assertThatThrownBy(() -> ExpectedMeasurements.load(noMs)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(noMs + ": measurements of a/b, x has no number \"ms\"");
        Path noTolerance = write("{\"scenarios\": {}, \"measurements\": {\"a/b\": {\"x\": {\"ms\": 5}}}}");
        assertThatThrownBy(() -> ExpectedMeasurements.load(noTolerance)).hasMessageContaining("has no \"relative\" of 0 or more");
        Path list = write("{\"scenarios\": {}, \"measurements\": []}");
        assertThatThrownBy(() -> ExpectedMeasurements.load(list)).hasMessageContaining("\"measurements\" is not an object");
        // and ExpectedVerdicts still reads such a file: the extension is compatible
        assertThat(ExpectedVerdicts.load(write(EXPECTED)).of("timers/syn-sent-r2").verdict()).isEqualTo(Verdict.FAILED);
    }
}
