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
 * The suite catches a broken stack: each fault injected into a real target (./tcpct run --fault) must turn
 * exactly the scenarios that depend on it into FAILED (never ERROR, never PASSED), and leave the others
 * PASSED. Faults go into the Linux kernel target (nftables output hook dropping or rewriting, a sysctl, checksum offload) and into a user-space stack
 * (lwIP: nftables at eth0's egress hook, which its packet socket's frames pass). Prints the detection
 * figure: faults injected, faults caught.
 */
public class FaultDetectionIT {

    static final List<String> SCENARIOS = List.of("establish/passive-open", "establish/active-open", "close/passive-close",
            "close/active-close", "close/rst-in-time-wait", "data/send-in-close-wait");
    /** lwIP ignores a RST in TIME-WAIT already (its baseline says why), so that scenario says nothing about a fault there. */
    static final List<String> LWIP_SCENARIOS = SCENARIOS.stream().filter(s -> !s.equals("close/rst-in-time-wait")).toList();
    private static final Map<String, Boolean> CAUGHT = new TreeMap<>();

    @DataProvider(name = "faults")
    public static Object[][] faults() {
        List<Object[]> rows = new java.util.ArrayList<>();
        Map<String, List<String>> mustFail = new LinkedHashMap<>();
        mustFail.put("drop-fin", List.of("close/passive-close", "close/active-close", "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("drop-syn-ack", List.of("establish/passive-open", "close/passive-close", "close/active-close",
                "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("drop-ack", List.of("establish/active-open", "close/passive-close", "close/active-close",
                "close/rst-in-time-wait", "data/send-in-close-wait"));
        mustFail.put("rfc1337", List.of("close/rst-in-time-wait"));
        mustFail.put("checksum-offload", SCENARIOS); // every frame of the target's has a wrong checksum (MUST-2): every scenario fails
        mustFail.put("option-bad-length", SCENARIOS); // every scenario takes a SYN or SYN,ACK, whose options area breaks MUST-68
        mustFail.put("option-eol-garbage", SCENARIOS); // ... or MUST-69
        mustFail.forEach((fault, ids) -> rows.add(new Object[] {"linux", fault, SCENARIOS, ids}));
        // a kernel that acknowledges every segment at once: the back-to-back burst gets one ACK per segment (MUST-58)
        rows.add(new Object[] {"linux", "quickack", List.of("acks/aggregated-for-back-to-back-segments", "acks/delayed-ack-within-half-second"),
                List.of("acks/aggregated-for-back-to-back-segments")});
        // a kernel whose keep-alive interval defaults to 1 s (MUST-28); keep-alives still off unless asked for (MUST-25)
        rows.add(new Object[] {"linux", "keepalive-1s", List.of("keepalive/default-interval-two-hours", "keepalive/off-by-default"),
                List.of("keepalive/default-interval-two-hours")});
        // a kernel that drops every arriving ICMP error: no soft error reaches the application (MUST-47), nor a
        // fragmentation needed the TCP (MUST-54); not aborting on soft errors (MUST-56) still holds
        rows.add(new Object[] {"linux", "icmp-errors-dropped", List.of("icmp/soft-error-reported-to-application",
                "icmp/fragmentation-needed-acted-on", "icmp/soft-errors-do-not-abort-established"),
                List.of("icmp/soft-error-reported-to-application", "icmp/fragmentation-needed-acted-on")});
        // segments from the target's second address leave from its first (MUST-43, 44, 45); MUST-42's pair does not use that address
        rows.add(new Object[] {"linux", "source-address-rewritten", List.of("opening/active-open-local-address-used",
                "opening/active-open-address-selected-by-ip", "opening/passive-open-keeps-local-address", "opening/listen-beside-syn-sent"),
                List.of("opening/active-open-local-address-used", "opening/active-open-address-selected-by-ip",
                        "opening/passive-open-keeps-local-address")});
        // loose source routes leave as strict ones (MUST-51, 52, 53); an unknown option on the peer's segments is not the target's
        rows.add(new Object[] {"linux", "source-route-strict", List.of("ip/source-route-on-active-open", "ip/own-source-route-over-received",
                "ip/return-route-on-passive-open", "ip/unknown-ip-option-ignored"),
                List.of("ip/source-route-on-active-open", "ip/own-source-route-over-received", "ip/return-route-on-passive-open")});
        // the listener beside a connection on its port never answers (MUST-42's second connection); no fault stops listen(2) itself
        rows.add(new Object[] {"linux", "drop-syn-ack", List.of("opening/listen-beside-syn-sent", "opening/listen-beside-syn-received"),
                List.of("opening/listen-beside-syn-sent", "opening/listen-beside-syn-received")});
        // urgent data: the target's urgent pointer zeroed on the way out (MUST-62, the receiving side PASSED); the URG bit cleared
        // both ways (MUST-30..33, 62: all four); tcp_stdurg reads the peer's pointer one octet late (all but the sending side)
        List<String> urgent = List.of("urgent/sent-pointer-follows-urgent-data", "urgent/long-urgent-sequence", "urgent/urgent-data-signalled",
                "urgent/urgent-data-remaining");
        rows.add(new Object[] {"linux", "urgent-pointer-zeroed", urgent, List.of("urgent/sent-pointer-follows-urgent-data")});
        rows.add(new Object[] {"linux", "urgent-flag-cleared", urgent, urgent});
        rows.add(new Object[] {"linux", "urgent-stdurg", urgent, urgent.subList(1, 4)});
        for (String fault : List.of("drop-fin", "drop-syn-ack", "drop-ack")) {
            rows.add(new Object[] {"lwip", fault, LWIP_SCENARIOS, mustFail.get(fault).stream().filter(LWIP_SCENARIOS::contains).toList()});
        }
        return rows.toArray(Object[][]::new);
    }

    @Test(dataProvider = "faults")
    public void theSuiteReportsTheFaultAsFailures(String target, String fault, List<String> scenarios, List<String> mustFail) throws Exception {
        Path out = Files.createTempDirectory("tcpct-it-fault-" + target + "-" + fault);
        Tcpct.Result r = Tcpct.run("run", "--target", target, "--fault", fault, "--scenario", "{" + String.join(",", scenarios) + "}",
                "--out", out.toString());
        assertThat(r.exit()).as("verdicts differ from the baseline: " + r).isEqualTo(1);
        assertThat(r.stderr()).contains("injecting fault " + fault);
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("scenarios").size()).isEqualTo(scenarios.size());
        for (JsonNode s : summary.path("scenarios")) {
            String id = s.path("id").asText();
            String verdict = s.path("verdict").asText();
            assertThat(verdict).as(target + ", " + fault + ": " + id + " (" + s.path("failure").asText() + ")")
                    .isEqualTo(mustFail.contains(id) ? "FAILED" : "PASSED");
        }
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
        CAUGHT.put(target + ":" + fault, true);
    }

    @Test
    public void aSysctlFaultIsRefusedForAUserSpaceStack() throws Exception {
        Tcpct.Result r = Tcpct.run("run", "--target", "lwip", "--fault", "rfc1337", "--scenario", "close/active-close",
                "--out", Files.createTempDirectory("tcpct-it-fault-refused").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("user-space stack");
    }

    @AfterClass(alwaysRun = true)
    public void detectionFigure() {
        System.out.println("fault detection: " + faults().length + " faults injected, " + CAUGHT.size() + " caught " + CAUGHT.keySet());
    }
}
