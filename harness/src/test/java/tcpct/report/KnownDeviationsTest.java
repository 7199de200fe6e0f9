package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;
import tcpct.scenario.Verdict;

/** Known deviations as their own kind: in summary.json, and in the Allure results the report is made from. */
public class KnownDeviationsTest {

    private static ScenarioResult result(String id, Verdict v) {
        return new ScenarioResult(id, "t", v, List.of(), List.of(), List.of(), List.of(), "p", 1, null, v == Verdict.PASSED ? null : "why",
                Map.of(), 0, List.of());
    }

    @Test
    public void summaryCarriesTheReasonAndTheCount() throws Exception {
        Path f = Files.createTempFile("expected", ".json");
        Files.writeString(f, """
                {"scenarios": {"close/a": {"verdict": "FAILED", "reason": "RFC 1337"},
                               "close/b": {"verdict": "FAILED", "reason": "fixed since"}}}""");
        ExpectedVerdicts expected = ExpectedVerdicts.load(f);
        JsonNode s = Summary.build("linux", "k", null, Instant.EPOCH, 1,
                List.of(result("close/a", Verdict.FAILED), result("close/b", Verdict.PASSED), result("close/c", Verdict.FAILED)), expected).json();
        assertThat(s.path("knownDeviations").asInt()).isEqualTo(1);
        assertThat(s.path("regressions").asInt()).isEqualTo(2);
        JsonNode a = s.path("scenarios").get(0);
        assertThat(a.path("expectedReason").asText()).isEqualTo("RFC 1337");
        assertThat(a.path("knownDeviation").asBoolean()).isTrue();
        JsonNode b = s.path("scenarios").get(1);
        assertThat(b.path("expectedReason").asText()).as("the reason of a deviation that did not show").isEqualTo("fixed since");
        assertThat(b.has("knownDeviation")).isFalse();
        assertThat(s.path("scenarios").get(2).has("expectedReason")).isFalse();
    }

    @Test
    public void theAllureResultsOfKnownDeviationsAreSkippedKnownAndSayWhy() throws Exception {
        Path dir = Files.createTempDirectory("allure-results");
        Files.writeString(dir.resolve("1-result.json"), """
                {"name": "close/a", "status": "failed", "labels": [{"name": "story", "value": "close/a"}],
                 "statusDetails": {"message": "expected target in CLOSED, saw TIME-WAIT", "trace": "t"}}""");
        Files.writeString(dir.resolve("2-result.json"), """
                {"name": "close/c", "status": "failed", "labels": [{"name": "story", "value": "close/c"}],
                 "statusDetails": {"message": "a regression"}}""");
        assertThat(AllureReport.markKnownDeviations(dir, Map.of("close/a", "FAILED, as expected.json says: RFC 1337"))).isEqualTo(1);
        ObjectMapper om = new ObjectMapper();
        JsonNode a = om.readTree(dir.resolve("1-result.json").toFile());
        assertThat(a.path("status").asText()).isEqualTo("skipped");
        assertThat(a.at("/statusDetails/known").asBoolean()).isTrue();
        assertThat(a.at("/statusDetails/message").asText())
                .isEqualTo("known deviation (FAILED, as expected.json says: RFC 1337): expected target in CLOSED, saw TIME-WAIT");
        assertThat(a.at("/statusDetails/message").asText()).matches("(?s)known deviation.*"); // the category's regex
        JsonNode c = om.readTree(dir.resolve("2-result.json").toFile());
        assertThat(c.path("status").asText()).as("a regression stays red").isEqualTo("failed");
        assertThat(AllureReport.CATEGORIES).contains(AllureReport.KNOWN_DEVIATIONS);
    }

    @Test
    public void gridAndMatrixChipsShowKnownDeviationsAsTheirOwnKind() throws Exception {
        Path f = Files.createTempFile("expected", ".json");
        Files.writeString(f, "{\"scenarios\": {\"grid/LISTEN/ACK/any\": {\"verdict\": \"FAILED\", \"reason\": \"RFC 5961 <range>\"}}}");
        Path grid = Files.createTempFile("grid", ".html");
        GridTable.write(List.of(result("grid/LISTEN/ACK/any", Verdict.FAILED), result("grid/LISTEN/RST/any", Verdict.FAILED)),
                ExpectedVerdicts.load(f), grid);
        String g = Files.readString(grid);
        assertThat(g).contains("<span class=KNOWN title=\"known deviation (FAILED, as expected.json says: RFC 5961 &lt;range&gt;): why\">any</span>")
                .contains("<span class=FAILED title=\"FAILED: why\">any</span>");

        Path out = Files.createTempDirectory("matrix");
        for (String t : List.of("linux", "lwip")) {
            Files.createDirectories(out.resolve(t));
            Files.writeString(out.resolve(t).resolve("summary.json"), "{\"target\": {\"stack\": \"s\"}, \"scenarios\": [{\"id\": \"close/a\", "
                    + "\"verdict\": \"FAILED\"" + (t.equals("lwip") ? ", \"knownDeviation\": true, \"expectedReason\": \"RFC 1337\"" : "") + "}]}");
        }
        Matrix.write(out, List.of("linux", "lwip"));
        String m = Files.readString(out.resolve(Matrix.HTML));
        assertThat(m).contains("<td class=KNOWN title=\"known deviation: RFC 1337\"><a href=\"lwip/report/index.html\">FAILED (known)</a></td>")
                .contains("<td class=FAILED><a href=\"linux/report/index.html\">FAILED</a></td>");
    }
}
