package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.testng.annotations.AfterClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The suite catches a broken stack: each fault injected into the real Linux target (./tcpct run --fault)
 * must turn exactly the scenarios that depend on it into FAILED (never ERROR, never PASSED), and leave
 * the others PASSED. Prints the detection figure: faults injected, faults caught.
 */
public class FaultDetectionIT {

    static final String SCENARIOS = "{establish/passive-open,establish/active-open,close/passive-close,close/active-close,"
            + "close/rst-in-time-wait,data/send-in-close-wait}";
    private static final Map<String, Boolean> CAUGHT = new TreeMap<>();

    @DataProvider(name = "faults")
    public static Object[][] faults() {
        Map<String, List<String>> mustFail = new LinkedHashMap<>();
        mustFail.put("drop-fin", List.of("close/passive-close", "close/active-close", "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("drop-syn-ack", List.of("establish/passive-open", "close/passive-close", "close/active-close",
                "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("drop-ack", List.of("establish/active-open", "close/passive-close", "close/active-close",
                "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("rfc1337", List.of("close/rst-in-time-wait"));
        return mustFail.entrySet().stream().map(e -> new Object[] {e.getKey(), e.getValue()}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "faults")
    public void theSuiteReportsTheFaultAsFailures(String fault, List<String> mustFail) throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-fault-" + fault);
        Tcpct.Result r = Tcpct.run("run", "--fault", fault, "--scenario", SCENARIOS, "--out", out.toString());
        assertThat(r.exit()).as("verdicts differ from the baseline: " + r).isEqualTo(1);
        assertThat(r.stderr()).contains("injecting fault " + fault);
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (JsonNode s : summary.path("scenarios")) {
            String id = s.path("id").asText();
            String verdict = s.path("verdict").asText();
            assertThat(verdict).as(fault + ": " + id + " (" + s.path("failure").asText() + ")")
                    .isEqualTo(mustFail.contains(id) ? "FAILED" : "PASSED");
        }
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
        CAUGHT.put(fault, true);
    }

    @AfterClass(alwaysRun = true)
    public void detectionFigure() {
        System.out.println("fault detection: " + faults().length + " faults injected, " + CAUGHT.size() + " caught " + CAUGHT.keySet());
    }
}
