package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The project's own packetdrill scripts (testcases/pkt) through {@code ./tcpct run --pkt} against the real Linux
 * target: each a scenario with its verdict, states and edges in summary.json and junit.xml; the scripts wrong on
 * purpose (testcases/pkt/wrong) are seen to fail, each with its message.
 */
public class PktIT {

    private static final Path SCRIPTS = Tcpct.HOME.resolve("testcases/pkt");
    private Tcpct.Result run;
    private JsonNode summary;
    private Path out;

    @BeforeClass
    public void runTheScripts() throws Exception {
        out = Files.createTempDirectory("tcpct-pkt-it");
        run = Tcpct.run("run", "--pkt", SCRIPTS.toString(), "--out", out.toString(), "--workers", "3");
        summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    private JsonNode scenario(String id) {
        return Tcpct.scenario(summary, id);
    }

    @Test
    public void everyScriptIsAScenarioWithTheVerdictLinuxExpects() throws Exception {
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(summary.path("scenarios")).hasSize(8);
        assertThat(Files.readString(out.resolve("junit.xml"))).contains("pkt/syscalls/poll-read-shutdown.pkt");
        for (String id : List.of("pkt/close/local-close.pkt", "pkt/close/closed-port-rst.pkt", "pkt/establish/passive-open.pkt",
                "pkt/syscalls/blocking-connect.pkt", "pkt/syscalls/poll-read-shutdown.pkt")) {
            assertThat(scenario(id).path("verdict").asText()).as(id + ": " + scenario(id).path("failure").asText()).isIn("PASSED", "NON_STRICT");
        }
    }

    @Test
    public void aScriptsStatesAndEdgesAreWhatTheTargetWentThrough() {
        List<String> states = new ArrayList<>();
        scenario("pkt/establish/passive-open.pkt").path("states").forEach(s -> states.add(s.asText()));
        assertThat(states).containsSubsequence("LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK");
        List<String> edges = new ArrayList<>();
        scenario("pkt/close/local-close.pkt").path("edges").forEach(s -> edges.add(s.asText()));
        assertThat(edges).contains("E12", "E14", "E16");
    }

    @Test
    public void theWrongScriptsFailEachWithItsMessage() {
        JsonNode wrong = scenario("pkt/wrong/expects-rst-not-fin.pkt");
        assertThat(wrong.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(wrong.path("failure").asText()).contains("pkt/wrong/expects-rst-not-fin.pkt:12: expected R. 1:1(0) ack 1, saw F. 1:1(0) ack 1 "
                + "(flags: expecting RST,ACK, but was FIN,ACK)");
        JsonNode syntax = scenario("pkt/wrong/syntax-error.pkt");
        assertThat(syntax.path("verdict").asText()).isEqualTo("ERROR");
        assertThat(syntax.path("failure").asText()).contains("pkt/wrong/syntax-error.pkt:4: expected '(' in start:end(length), found 'win'");
        JsonNode shell = scenario("pkt/wrong/shell-line.pkt");
        assertThat(shell.path("verdict").asText()).isEqualTo("UNIMPLEMENTED");
        assertThat(shell.path("failure").asText()).contains("pkt/wrong/shell-line.pkt:3: tcpct cannot run this line: shell command");
    }

    @Test
    public void scenariosListsTheScriptsAndTheLinesTcpctCannotRun() throws Exception {
        Tcpct.Result r = Tcpct.run("scenarios", "--pkt", SCRIPTS.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("pkt/syscalls/blocking-connect.pkt", "line 3: shell command `sysctl -q net.ipv4.tcp_sack=0`",
                "ERROR pkt/wrong/syntax-error.pkt:4:", "8 packetdrill scripts, 7 parse, 6 with every line runnable");
    }

    @Test
    public void otherIpVersionsAndMissingScriptsAreOneLineErrors() throws Exception {
        Tcpct.Result v6 = Tcpct.run("run", "--pkt", SCRIPTS.toString(), "--ip_version", "ipv6");
        assertThat(v6.exit()).as(v6.toString()).isEqualTo(2);
        assertThat(v6.stderr().strip()).startsWith("tcpct: UNIMPLEMENTED: --ip_version ipv6 is not implemented yet").hasLineCount(1);
        Tcpct.Result none = Tcpct.run("run", "--pkt", "/nonexistent/x.pkt");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.stderr()).contains("--pkt /nonexistent/x.pkt does not exist");
    }
}
