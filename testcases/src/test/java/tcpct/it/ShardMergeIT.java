package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.testng.annotations.Test;

/**
 * {@code run --shard}, {@code merge} and the timer gates, for real against the Linux target: shards merged give
 * the verdicts of one run; a timer value that moved out of its tolerance makes a plain run and {@code --baseline}
 * exit 1 naming the scenario and the value, its verdict unchanged.
 */
public class ShardMergeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static void oneLineError(Tcpct.Result r, String... mustContain) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        String err = r.stderr().strip();
        assertThat(err.lines()).as(r.toString()).hasSize(1);
        assertThat(err).startsWith("tcpct: ").contains(mustContain);
    }

    private static Map<String, String> verdicts(Path summary) throws Exception {
        Map<String, String> out = new TreeMap<>();
        JSON.readTree(summary.toFile()).path("scenarios").forEach(s -> out.put(s.path("id").asText(), s.path("verdict").asText()));
        return out;
    }

    @Test
    public void badShardValuesAndBadMergeInputAreOneLineExitTwo() throws Exception {
        for (String bad : new String[] {"0/4", "5/4", "1/0"}) {
            oneLineError(Tcpct.run("run", "--shard", bad), "--shard " + bad + " is out of range", "1 <= I <= N");
        }
        oneLineError(Tcpct.run("run", "--shard", "x"), "--shard takes I/N", "got 'x'");
        Path empty = Files.createTempDirectory("tcpct-merge-empty");
        oneLineError(Tcpct.run("merge", empty.toString(), "--out", empty.resolveSibling(empty.getFileName() + "-out").toString()),
                empty + " has no summary.json");
        oneLineError(Tcpct.run("merge", empty.toString()), "merge needs the folders to join and --out");
    }

    @Test
    public void twoShardsMergedGiveTheVerdictsOfOneRunAndAShardMissingIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("tcpct-shards");
        Tcpct.Result whole = Tcpct.run("run", "--group", "establish", "--out", dir.resolve("whole").toString());
        assertThat(whole.exit()).as(whole.toString()).isZero();
        for (int i = 1; i <= 2; i++) {
            Tcpct.Result s = Tcpct.run("run", "--group", "establish", "--shard", i + "/2", "--out", dir.resolve("s" + i).toString());
            assertThat(s.exit()).as(s.toString()).isZero();
            assertThat(s.stderr()).contains("tcpct: shard " + i + "/2: ");
            JsonNode shard = JSON.readTree(dir.resolve("s" + i + "/summary.json").toFile()).path("shard");
            assertThat(shard.path("index").asInt()).isEqualTo(i);
            assertThat(shard.path("of").asInt()).isEqualTo(2);
            assertThat(shard.path("selected").asInt()).isEqualTo(verdicts(dir.resolve("whole/summary.json")).size());
        }
        Tcpct.Result m = Tcpct.run("merge", dir.resolve("s1").toString(), dir.resolve("s2").toString(), "--out", dir.resolve("merged").toString());
        assertThat(m.exit()).as(m.toString()).isZero();
        assertThat(verdicts(dir.resolve("merged/summary.json"))).isEqualTo(verdicts(dir.resolve("whole/summary.json")));
        assertThat(dir.resolve("merged/report/index.html")).isNotEmptyFile();
        assertThat(dir.resolve("merged/junit.xml")).isNotEmptyFile();
        assertThat(dir.resolve("merged/state-diagram.svg")).isNotEmptyFile();
        for (JsonNode s : JSON.readTree(dir.resolve("merged/summary.json").toFile()).path("scenarios")) {
            assertThat(dir.resolve("merged").resolve(s.path("pcap").asText())).isNotEmptyFile();
        }
        Tcpct.Result vs = Tcpct.run("merge", dir.resolve("s1").toString(), dir.resolve("s2").toString(), "--out", dir.resolve("vs").toString(),
                "--baseline", dir.resolve("whole/summary.json").toString());
        assertThat(vs.exit()).as(vs.toString()).isZero();
        assertThat(vs.stdout()).contains("tcpct: 0 verdicts changed and 0 measurements changed since");
        oneLineError(Tcpct.run("merge", dir.resolve("s1").toString(), "--out", dir.resolve("half").toString()),
                "target linux has shards [1] of 2: shard 2/2 is missing");
        oneLineError(Tcpct.run("merge", dir.resolve("s1").toString(), dir.resolve("whole").toString(), "--out", dir.resolve("twice").toString()),
                "of target linux is in both");
    }

    @Test
    public void aTimerValueOutOfItsToleranceFailsARunAndItsBaselineThoughTheVerdictStayed() throws Exception {
        String id = "timers/syn-received-backoff";
        Path dir = Files.createTempDirectory("tcpct-gate");
        Tcpct.Result base = Tcpct.run("run", "--scenario", id, "--out", dir.resolve("base").toString());
        assertThat(base.exit()).as("linux's expected.json gates synack-rto.1: " + base).isZero();
        ObjectNode summary = (ObjectNode) JSON.readTree(dir.resolve("base/summary.json").toFile());
        ObjectNode m = (ObjectNode) Tcpct.scenario(summary, id).path("measurements");
        double measured = m.path("synack-rto.1").asDouble();
        m.put("synack-rto.1", measured * 3); // a baseline whose first SYN,ACK RTO was three times as long
        Path changed = dir.resolve("changed-summary.json");
        JSON.writeValue(changed.toFile(), summary);
        Tcpct.Result vs = Tcpct.run("run", "--scenario", id, "--out", dir.resolve("vs").toString(), "--baseline", changed.toString());
        assertThat(vs.exit()).as(vs.toString()).isEqualTo(1);
        assertThat(Tcpct.scenario(JSON.readTree(dir.resolve("vs/summary.json").toFile()), id).path("verdict").asText()).isEqualTo("PASSED");
        assertThat(vs.stdout()).as(vs.toString()).containsPattern("changed: " + id + ": synack-rto.1 \\d+(\\.\\d)? ms, baseline \\d+(\\.\\d)? ms ±10% \\+ 20 ms")
                .contains("tcpct: 0 verdicts changed and 1 measurements changed since " + changed);

        // the same value moved in the target's expected.json: a plain run exits 1 and names it
        Path targets = Files.createTempDirectory("tcpct-gate-targets");
        Tcpct.copyTree(Tcpct.HOME.resolve("targets/linux"), targets.resolve("linux"));
        Tcpct.copyTree(Tcpct.HOME.resolve("targets/common"), targets.resolve("common"));
        ObjectNode expected = (ObjectNode) JSON.readTree(targets.resolve("linux/expected.json").toFile());
        ((ObjectNode) expected.at("/measurements/" + id.replace("/", "~1") + "/synack-rto.1")).put("ms", 3000);
        JSON.writeValue(targets.resolve("linux/expected.json").toFile(), expected);
        Tcpct.Result plain = Tcpct.run(Map.of("TCPCT_TARGETS", targets.toString()), "run", "--scenario", id, "--out", dir.resolve("plain").toString());
        assertThat(plain.exit()).as(plain.toString()).isEqualTo(1);
        assertThat(plain.stdout()).contains("0 differ from linux's expected verdicts")
                .containsPattern("measurement: " + id + ": synack-rto.1 \\d+(\\.\\d)? ms, expected 3000 ms ±10% \\+ 20 ms \\(2680\\.\\.3320\\)");
        JsonNode moved = JSON.readTree(dir.resolve("plain/summary.json").toFile()).path("measurementDeviations");
        assertThat(moved.size()).isEqualTo(1);
        assertThat(moved.at("/0/id").asText()).isEqualTo(id);
        assertThat(moved.at("/0/measurement").asText()).isEqualTo("synack-rto.1");
    }
}
