package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every established target besides Linux (whose whole suite LinuxSuiteIT runs; experimental ones are left
 * out, as from --target all), built from its folder and run with
 * the smoke group through ./tcpct: its image builds here, its agent answers, and the four basic
 * scenarios pass with every state observed.
 */
public class TargetsSmokeIT {

    @DataProvider(name = "targets")
    public static Object[][] targets() throws Exception {
        return tcpct.target.TargetSpec.established(Tcpct.HOME.resolve("targets")).stream().filter(n -> !n.equals("linux"))
                .map(n -> new Object[] {n}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "targets")
    public void smokeScenariosPass(String target) throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-smoke-" + target);
        Tcpct.Result r = Tcpct.run("run", "--target", target, "--group", "smoke", "--workers", "2", "--out", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("scenarios").size()).isEqualTo(4);
        for (JsonNode s : summary.path("scenarios")) {
            assertThat(s.path("verdict").asText()).as(target + " " + s.path("id").asText() + ": " + s.path("failure").asText()).isEqualTo("PASSED");
        }
        assertThat(summary.at("/coverage/states").size()).as(target + " states observed").isGreaterThanOrEqualTo(9);
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
    }

    @Test(dataProvider = "targets")
    public void agentSpeaksTheProtocol(String target) throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-agent-" + target);
        Tcpct.Result r = Tcpct.run("run", "--target", target, "--group", "agent", "--workers", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.at("/totals/PASSED").asInt()).as(r.toString()).isEqualTo(3);
    }

    @Test
    public void allTargetsSideBySideInOneMatrix() throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-matrix");
        Tcpct.Result r = Tcpct.run("run", "--target", "all", "--group", "agent", "--workers", "1", "--out", out.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode m = new ObjectMapper().readTree(out.resolve("matrix.json").toFile());
        int targets = targets().length + 1;
        assertThat(m.path("targets").size()).isEqualTo(targets);
        assertThat(m.path("scenarios").size()).isEqualTo(3);
        for (JsonNode row : m.path("scenarios")) {
            assertThat(row.path("verdicts").size()).isEqualTo(targets);
        }
        assertThat(out.resolve("matrix.html")).content().contains("Scenario x target");
        assertThat(out.resolve("linux/summary.json")).exists();
    }
}
