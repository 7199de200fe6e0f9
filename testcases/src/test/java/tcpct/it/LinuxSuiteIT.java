package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The default suite, through ./tcpct run, against the real Linux target: what a user sees. */
public class LinuxSuiteIT {

    private Path out;
    private Tcpct.Result result;
    private JsonNode summary;

    @BeforeClass
    public void runTheSuite() throws Exception {
        out = Files.createTempDirectory("tcpct-it-linux");
        result = Tcpct.run("run", "--out", out.toString());
        summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    @Test
    public void exitsZeroWithEveryScenarioAsExpected() {
        assertThat(result.exit()).as(result.toString()).isZero();
        assertThat(summary.path("regressions").asInt()).isZero();
        for (JsonNode s : summary.path("scenarios")) {
            assertThat(s.path("verdict").asText()).as(s.path("id").asText() + ": " + s.path("failure").asText())
                    .isEqualTo(s.path("expectedVerdict").asText());
        }
    }

    /**
     * Linux's known deviations (its expected.json) are their own kind: in summary.json with the reason, on the
     * console, and in the report under "Known deviations", never among the red failures, with a whole ladder.
     */
    @Test
    public void knownDeviationsAreTheirOwnKindWithTheirReason() throws Exception {
        JsonNode tw = scenario("timers/time-wait-duration");
        assertThat(tw.path("verdict").asText()).isEqualTo("FAILED");
        assertThat(tw.path("knownDeviation").asBoolean()).isTrue();
        assertThat(tw.path("expectedReason").asText()).contains("TCP_TIMEWAIT_LEN");
        assertThat(summary.path("knownDeviations").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(result.stdout()).contains("timers/time-wait-duration").contains(": a known deviation\n              expected.json: Linux's TIME-WAIT");
        assertThat(result.stderr()).as("progress on the 60 s TIME-WAIT").contains("timers/time-wait-duration: 15 s into a wait");
        Tcpct.Result check = Tcpct.reportCheck(out.resolve("report"), "timers/time-wait-duration", out.resolve("known.png"), "known");
        assertThat(check.exit()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("holds all");
        assertThat(out.resolve("pcap/timers_time-wait-duration.txt")).content().contains("target > peer").contains("peer > target");
    }

    @Test
    public void theFourWalkingSkeletonScenariosPassWithTheirStatesObserved() {
        assertThat(scenario("establish/passive-open").path("states")).extracting(JsonNode::asText)
                .containsExactly("CLOSED", "LISTEN", "SYN-RECEIVED", "ESTABLISHED");
        assertThat(scenario("establish/passive-open").path("edges")).extracting(JsonNode::asText).containsExactly("E1", "E4", "E10");
        assertThat(scenario("establish/active-open").path("edges")).extracting(JsonNode::asText).containsExactly("E2", "E8");
        assertThat(scenario("close/passive-close").path("states")).extracting(JsonNode::asText)
                .endsWith("ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED");
        assertThat(scenario("close/active-close").path("states")).extracting(JsonNode::asText)
                .endsWith("ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT");
        for (String id : List.of("establish/passive-open", "establish/active-open", "close/passive-close", "close/active-close")) {
            assertThat(scenario(id).path("verdict").asText()).as(id + ": " + scenario(id).path("failure").asText()).isEqualTo("PASSED");
        }
    }

    @Test
    public void coverageListsTheNineStatesTheSkeletonDrives() {
        List<String> states = new ArrayList<>();
        summary.at("/coverage/states").fieldNames().forEachRemaining(states::add);
        assertThat(states).contains("LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                "CLOSE-WAIT", "LAST-ACK", "TIME-WAIT");
    }

    @Test
    public void theWholeDiagramIsObservedAllElevenStatesAndTwentyEdges() {
        List<String> states = new ArrayList<>();
        summary.at("/coverage/states").fieldNames().forEachRemaining(states::add);
        assertThat(states).containsExactlyInAnyOrder("CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
                "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT");
        List<String> edges = new ArrayList<>();
        summary.at("/coverage/edges").fieldNames().forEachRemaining(edges::add);
        List<String> allButE5 = new ArrayList<>();
        for (int i = 1; i <= 21; i++) {
            if (i != 5) {
                allButE5.add("E" + i);
            }
        }
        assertThat(edges).as("edges observed by PASSED scenarios").containsExactlyInAnyOrderElementsOf(allButE5);
        assertThat(scenario("establish/send-in-listen").path("verdict").asText()).isEqualTo("UNIMPLEMENTED");
        assertThat(scenario("establish/send-in-listen").path("failure").asText()).contains("E5");
    }

    @Test
    public void everyTimerScenarioReportsItsMeasuredIntervals() {
        int timers = 0;
        for (JsonNode s : summary.path("scenarios")) {
            if (s.path("id").asText().startsWith("timers/")) {
                timers++;
                assertThat(s.path("measurements").size()).as(s.path("id").asText() + " measured something").isPositive();
                assertThat(s.path("protocolWaitMs").asLong()).as(s.path("id").asText() + " waited on a timer").isPositive();
            }
        }
        assertThat(timers).isGreaterThanOrEqualTo(7);
        assertThat(scenario("timers/syn-received-backoff").at("/measurements/synack-rto.1").asDouble()).isBetween(900.0, 1100.0);
        assertThat(scenario("close/time-wait-expiry").at("/measurements/time-wait").asDouble()).isPositive();
        assertThat(summary.path("protocolWaitMs").asLong()).isLessThanOrEqualTo(
                java.util.stream.StreamSupport.stream(summary.path("scenarios").spliterator(), false).mapToLong(x -> x.path("durationMs").asLong()).sum());
    }

    @Test
    public void summaryKeepsTheContract() throws Exception {
        Path checker = Tcpct.HOME.resolveSibling("shared/tools/check-summary");
        if (!Files.isExecutable(checker)) {
            checker = Path.of("/work/shared/tools/check-summary");
        }
        assertThat(checker).as("shared/tools/check-summary beside the clone").isExecutable();
        Process p = new ProcessBuilder(checker.toString(), out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
    }

    /** Scenarios whose PASSED means an empty wire: the target refused to send anything. */
    static final List<String> SILENT_WIRE = List.of("opening/open-to-broadcast-refused", "opening/open-to-multicast-refused");

    @Test
    public void everyPcapOpensInTsharkWithGoodChecksumsAndTheyHoldBothDirections() throws Exception {
        StringBuilder all = new StringBuilder();
        for (JsonNode s : summary.path("scenarios")) {
            Path pcap = out.resolve(s.path("pcap").asText());
            assertThat(pcap).exists();
            Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-o", "tcp.check_checksum:TRUE",
                    "-T", "fields", "-e", "ip.src", "-e", "tcp.checksum.status").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("tshark on " + pcap).isZero();
            all.append(text);
            // tcp.checksum.status: 0 bad, 1 good, 2 unverified. The robustness group's peer sends malformed
            // segments on purpose (bad checksums among them): there only the target's frames must be good,
            // and a bad-checksum case must really have put a bad checksum on the wire.
            boolean hostile = s.path("id").asText().startsWith("robustness/");
            assertThat(text.lines().filter(l -> !hostile || l.startsWith("192.0.2.2\t")).map(l -> l.substring(l.indexOf('\t') + 1)))
                    .as(pcap + ": tshark finds every TCP checksum good" + (hostile ? " in the target's frames" : "")).allMatch("1"::equals);
            if (s.path("id").asText().startsWith("robustness/bad-checksum")) {
                assertThat(text.lines()).as(pcap + ": the peer's deliberately bad TCP checksum is on the wire").contains("192.0.2.1\t0");
            }
            // a refused OPEN to a broadcast or multicast address passes only when nothing at all went on the wire (MUST-46)
            boolean silentWhenPassed = SILENT_WIRE.contains(s.path("id").asText()) && s.path("verdict").asText().equals("PASSED");
            boolean onTheWire = !s.path("id").asText().startsWith("agent/") && !s.path("verdict").asText().equals("UNIMPLEMENTED");
            if (silentWhenPassed) {
                assertThat(text).as(pcap + " holds no frame: the stack refused the OPEN").isEmpty();
            } else if (onTheWire) {
                assertThat(text).as(pcap + " holds the scenario's frames").isNotEmpty();
            }
            if (List.of("establish/passive-open", "establish/active-open", "close/passive-close", "close/active-close")
                    .contains(s.path("id").asText())) {
                assertThat(text).as(pcap + " holds both sides").contains("192.0.2.1").contains("192.0.2.2");
            }
        }
        assertThat(all).as("frames of the peer too").contains("192.0.2.1");
        assertThat(scenario("establish/passive-open").path("pcap").asText()).isNotEmpty();
    }

    @Test
    public void theReportAndTheAllureResultsAreWritten() throws Exception {
        assertThat(out.resolve("report/index.html")).isNotEmptyFile();
        try (var files = Files.list(out.resolve("allure-results"))) {
            assertThat(files.filter(f -> f.toString().endsWith("-result.json")).count()).isEqualTo(summary.path("scenarios").size());
        }
        assertThat(out.resolve("allure-results/environment.properties")).content().contains("target = linux");
    }

    @Test
    public void aChangedVerdictAgainstABaselineExitsOneNamingIt() throws Exception {
        JsonNode stored = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (JsonNode s : stored.path("scenarios")) {
            if (s.path("id").asText().equals("establish/passive-open")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) s).put("verdict", "FAILED");
            }
        }
        Path baseline = Files.createTempFile("baseline", ".json");
        new ObjectMapper().writeValue(baseline.toFile(), stored);
        Path again = Files.createTempDirectory("tcpct-it-baseline");
        Tcpct.Result r = Tcpct.run("run", "--scenario", "establish/*-open", "--out", again.toString(), "--baseline", baseline.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.stdout()).contains("changed: establish/passive-open: FAILED -> PASSED").contains("1 verdicts changed");
        assertThat(again.resolve("junit.xml")).content().contains("name=\"establish/passive-open\"");
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
    }

    @Test
    public void theRunWritesItsPicturesAndJunitXml() {
        assertThat(out.resolve("state-diagram.svg")).content().contains("<svg").contains("E18");
        assertThat(out.resolve("grid.html")).content().contains("grid").contains("<span class=KNOWN title=\"known deviation (FAILED, as expected.json says: ");
        assertThat(out.resolve("junit.xml")).content().contains("<testsuite").contains("failures=\"0\"");
        assertThat(summary.at("/coverage/grid/cells").asInt()).isEqualTo(552);
    }

    @Test
    public void nothingIsLeftBehind() throws Exception {
        assertThat(Tcpct.leftovers(result.pid())).isEmpty();
    }

    private JsonNode scenario(String id) {
        for (JsonNode s : summary.path("scenarios")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("summary.json has no scenario " + id + ":\n" + result);
    }
}
