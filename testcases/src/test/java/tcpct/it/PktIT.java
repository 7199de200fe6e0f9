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
    /** The host's own net.ipv4.tcp_timestamps before the run: a script's shell line must not change it. */
    private String hostTimestamps;
    private Tcpct.Result run;
    private JsonNode summary;
    private Path out;

    @BeforeClass
    public void runTheScripts() throws Exception {
        hostTimestamps = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_timestamps")).strip();
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
        assertThat(summary.path("scenarios")).hasSize(13);
        assertThat(Files.readString(out.resolve("junit.xml"))).contains("pkt/syscalls/poll-read-shutdown.pkt");
        for (String id : List.of("pkt/close/local-close.pkt", "pkt/close/closed-port-rst.pkt", "pkt/establish/passive-open.pkt",
                "pkt/syscalls/blocking-connect.pkt", "pkt/syscalls/poll-read-shutdown.pkt", "pkt/shell/timestamps-off.pkt",
                "pkt/code/tcp-info.pkt", "pkt/establish/passive-open-ipv6.pkt@ipv6")) {
            assertThat(scenario(id).path("verdict").asText()).as(id + ": " + scenario(id).path("failure").asText()).isIn("PASSED", "NON_STRICT");
        }
    }

    @Test
    public void aScriptRunsOverTheIpVersionItsOwnOptionSays() throws Exception {
        // its --ip_version=ipv6 line made the run take IPv6 too (no --ip given): that script over IPv6 only, the others over IPv4 only
        JsonNode v6 = scenario("pkt/establish/passive-open-ipv6.pkt@ipv6");
        assertThat(v6.path("verdict").asText()).as(v6.path("failure").asText()).isIn("PASSED", "NON_STRICT");
        List<String> v6States = new ArrayList<>();
        v6.path("states").forEach(x -> v6States.add(x.asText()));
        assertThat(v6States).containsSubsequence("LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK");
        List<String> ids = new ArrayList<>();
        summary.path("scenarios").forEach(s -> ids.add(s.path("id").asText()));
        assertThat(ids).doesNotContain("pkt/establish/passive-open-ipv6.pkt", "pkt/establish/passive-open.pkt@ipv6");
        try (var pcap = Files.newInputStream(out.resolve(v6.path("pcap").asText()))) {
            byte[] b = pcap.readAllBytes();
            assertThat(java.util.HexFormat.of().formatHex(b)).as("the pcap holds IPv6 frames (ethertype 86dd)").contains("86dd6");
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
        JsonNode shell = scenario("pkt/wrong/shell-fails.pkt");
        assertThat(shell.path("verdict").asText()).isEqualTo("ERROR");
        assertThat(shell.path("failure").asText()).contains("pkt/wrong/shell-fails.pkt:4: the shell command `sysctl -q net.ipv4.tcp_no_such_setting=1` exited 1");
        JsonNode state = scenario("pkt/wrong/tcp-info-state.pkt");
        assertThat(state.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(state.path("failure").asText()).contains("pkt/wrong/tcp-info-state.pkt:11: expected assert tcpi_state == TCP_CLOSE_WAIT, saw tcpi_state was 1",
                "(state: tcpi_state 1 is ESTABLISHED)");
    }

    @Test
    public void aShellLineChangesTheTargetsKernelAndOnlyThat() throws Exception {
        // with its shell line the script sees no timestamps; without it (the wrong twin) tcp_info and the FIN show them
        JsonNode on = scenario("pkt/shell/timestamps-off.pkt");
        assertThat(on.path("failure").asText()).as("timestamps-off: " + on.path("failure").asText()).doesNotContain("TS val", "tcp_info:");
        JsonNode off = scenario("pkt/wrong/timestamps-expected-off.pkt");
        assertThat(off.path("verdict").asText()).isEqualTo("NON_STRICT");
        assertThat(off.path("failure").asText()).contains("expected assert (tcpi_options & TCPI_OPT_TIMESTAMPS) == 0, saw tcpi_options was",
                "(options: expecting <>, but was <nop,nop,TS val");
        // the host's own setting is untouched, and the scenario's /tmp is gone
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/tcp_timestamps")).strip()).isEqualTo(hostTimestamps);
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("tcpct-pkt-tmp-"))).isEmpty();
        }
    }

    @Test
    public void scenariosListsTheScriptsAndTheLinesTcpctCannotRun() throws Exception {
        Tcpct.Result r = Tcpct.run("scenarios", "--pkt", SCRIPTS.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("pkt/syscalls/blocking-connect.pkt", "line 4 needs a shell line: runs on a target whose target.json says",
                "line 11 needs a %{ }% block over tcp_info", "ERROR pkt/wrong/syntax-error.pkt:4:",
                "13 packetdrill scripts, 12 parse, 12 with every line runnable by tcpct on linux, 6 of them on every target");
    }

    @Test
    public void ipv4MappedAddressesAndMissingScriptsAreOneLineErrors() throws Exception {
        Tcpct.Result v6 = Tcpct.run("run", "--pkt", SCRIPTS.toString(), "--ip_version", "ipv4-mapped-ipv6");
        assertThat(v6.exit()).as(v6.toString()).isEqualTo(2);
        assertThat(v6.stderr().strip()).startsWith("tcpct: UNIMPLEMENTED: --ip_version ipv4-mapped-ipv6 is not implemented yet").hasLineCount(1);
        Tcpct.Result none = Tcpct.run("run", "--pkt", "/nonexistent/x.pkt");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.stderr()).contains("--pkt /nonexistent/x.pkt does not exist");
    }
}
