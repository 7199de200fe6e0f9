package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** {@code ./tcpct run --ip both} against the real Linux target: each scenario over IPv4 and again over IPv6. */
public class Ipv6IT {

    private Path out;
    private Tcpct.Result result;
    private final Map<String, JsonNode> byId = new LinkedHashMap<>();

    @BeforeClass
    public void runTheDiagramAndRobustnessGroupsOverBothVersions() throws Exception {
        out = Files.createTempDirectory("tcpct-it-ipv6");
        result = Tcpct.run("run", "--ip", "both", "--group", "establish,close,data,robustness", "--out", out.toString());
        for (JsonNode s : new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("scenarios")) {
            byId.put(s.path("id").asText(), s);
        }
    }

    @Test
    public void exitsZeroWithEveryIpv6RunAsItsIpv4RunAndAsExpected() {
        assertThat(result.exit()).as(result.toString()).isZero();
        long ipv6 = byId.keySet().stream().filter(id -> id.endsWith("@ipv6")).count();
        assertThat(ipv6).as("IPv6 runs: one per IPv4 run but the one without an IPv6 form").isGreaterThan(30)
                .isEqualTo(byId.size() - ipv6 - 1);
        for (JsonNode s : byId.values()) {
            String id = s.path("id").asText();
            assertThat(s.path("verdict").asText()).as(id + ": " + s.path("failure").asText()).isEqualTo(s.path("expectedVerdict").asText());
            if (id.endsWith("@ipv6")) {
                JsonNode v4 = byId.get(id.substring(0, id.length() - "@ipv6".length()));
                assertThat(v4).as("the IPv4 run of " + id).isNotNull();
                assertThat(s.path("verdict").asText()).as(id + " as over IPv4").isEqualTo(v4.path("verdict").asText());
            } else if (!id.equals("robustness/bad-ip-checksum-syn-in-listen")) {
                assertThat(byId).as("the IPv6 run of " + id).containsKey(id + "@ipv6");
            }
        }
        assertThat(byId).as("IPv6 has no header checksum to spoil: that scenario runs over IPv4 only")
                .doesNotContainKey("robustness/bad-ip-checksum-syn-in-listen@ipv6");
    }

    @Test
    public void theIpv6PcapsHoldIpv6FramesOfBothSidesWithGoodChecksums() throws Exception {
        for (JsonNode s : byId.values()) {
            String id = s.path("id").asText();
            if (!id.endsWith("@ipv6") || s.path("pcap").isNull() || s.path("verdict").asText().equals("UNIMPLEMENTED")) {
                continue;
            }
            Path pcap = out.resolve(s.path("pcap").asText());
            Process p = new ProcessBuilder("tshark", "-n", "-r", pcap.toString(), "-o", "tcp.check_checksum:TRUE",
                    "-T", "fields", "-e", "ipv6.src", "-e", "ip.src", "-e", "tcp.checksum.status").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(text).as(pcap + " holds the scenario's frames").isNotEmpty();
            // fields: IPv6 source, IPv4 source (empty: no IPv4 frame), TCP checksum status (1 good, 0 bad)
            assertThat(text.lines()).as(pcap + ": IPv6 frames only, from the documentation prefix")
                    .allMatch(l -> l.startsWith("2001:db8::1\t\t") || l.startsWith("2001:db8::2\t\t"));
            assertThat(text.lines().filter(l -> l.startsWith("2001:db8::2\t"))).as(pcap + ": the target's TCP checksums are good")
                    .isNotEmpty().allMatch(l -> l.endsWith("\t1"));
            if (id.startsWith("robustness/bad-checksum")) {
                assertThat(text.lines()).as(pcap + ": the peer's deliberately bad TCP checksum is on the wire").contains("2001:db8::1\t\t0");
            } else if (!id.startsWith("robustness/")) {
                assertThat(text.lines().filter(l -> l.startsWith("2001:db8::1\t"))).as(pcap + ": the peer's TCP checksums are good")
                        .allMatch(l -> l.endsWith("\t1"));
            }
        }
    }
}
