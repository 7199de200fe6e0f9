package tcpct.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

public class VerdictHistoryTest {

    private static Map<String, VerdictHistory.Outcome> run(String... idVerdictFailure) {
        Map<String, VerdictHistory.Outcome> m = new LinkedHashMap<>();
        for (int i = 0; i < idVerdictFailure.length; i += 3) {
            m.put(idVerdictFailure[i], new VerdictHistory.Outcome(idVerdictFailure[i + 1], idVerdictFailure[i + 2]));
        }
        return m;
    }

    @Test
    public void identicalRunsDifferNowhere() {
        VerdictHistory h = new VerdictHistory()
                .add(run("a", "PASSED", null, "b", "FAILED", "expected X, saw Y"))
                .add(run("b", "FAILED", "expected X, saw Z", "a", "PASSED", null));
        assertThat(h.differing()).as("same verdicts (failure sentences may vary)").isEmpty();
        assertThat(h.rows()).extracting(VerdictHistory.Row::id).containsExactly("a", "b");
        assertThat(h.rows().get(1).verdicts()).containsExactly("FAILED", "FAILED");
    }

    @Test
    public void aVerdictThatFlipsInOneRunIsReportedWithItsRunsAndSentence() {
        VerdictHistory h = new VerdictHistory()
                .add(run("t", "PASSED", null))
                .add(run("t", "FAILED", "expected retransmission after 2000 ms, saw it after 2300 ms"))
                .add(run("t", "PASSED", null));
        assertThat(h.differing()).hasSize(1);
        VerdictHistory.Row row = h.differing().get(0);
        assertThat(row.verdicts()).containsExactly("PASSED", "FAILED", "PASSED");
        assertThat(row.runsByVerdict()).containsExactly(Map.entry("PASSED", List.of(1, 3)), Map.entry("FAILED", List.of(2)));
        assertThat(row.outcomes().get(1).failure()).contains("2300 ms");
    }

    @Test
    public void aScenarioMissingFromARunDiffers() {
        VerdictHistory h = new VerdictHistory().add(run("a", "PASSED", null, "b", "PASSED", null)).add(run("a", "PASSED", null)).add(Map.of());
        assertThat(h.differing()).extracting(VerdictHistory.Row::id).containsExactly("a", "b");
        assertThat(h.rows().get(1).verdicts()).containsExactly("PASSED", VerdictHistory.MISSING, VerdictHistory.MISSING);
        assertThat(h.runs()).isEqualTo(3);
    }
}
