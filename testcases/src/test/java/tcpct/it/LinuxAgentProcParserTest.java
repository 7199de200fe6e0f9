package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The Linux agent's /proc/net/tcp and tcp6 parser, run as built ({@code agent --parse-proc}) on the
 * fixtures in targets/linux/agent/testdata, whose expected output an independent decoder produced.
 */
public class LinuxAgentProcParserTest {

    private static final Path TARGET = Tcpct.HOME.resolve("targets/linux");
    private static final Path DATA = TARGET.resolve("agent/testdata");
    private Path agent;

    @BeforeClass
    public void buildTheAgent() throws Exception {
        Path out = Files.createTempDirectory("tcpct-agent-build");
        Result r = exec(List.of("sh", TARGET.resolve("build.sh").toString(), out.toString()));
        assertThat(r.exit).as(r.err).isZero();
        agent = out.resolve("agent");
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result exec(List<String> cmd) throws Exception {
        Path o = Files.createTempFile("out", ".txt");
        Path e = Files.createTempFile("err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", cmd) + " finished").isTrue();
        return new Result(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8));
    }

    private Result parse(String... files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(agent.toString(), "--parse-proc"));
        for (String f : files) {
            cmd.add(DATA.resolve(f).toString());
        }
        return exec(cmd);
    }

    @Test
    public void ipv4TableGivesEveryStateByItsRfcName() throws Exception {
        Result r = parse("tcp.txt");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).isEqualTo(Files.readString(DATA.resolve("tcp.expected.json")));
        for (String state : List.of("LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                "TIME-WAIT", "CLOSED", "CLOSE-WAIT", "LAST-ACK", "CLOSING")) {
            assertThat(r.out).contains("\"state\":\"" + state + "\"");
        }
        assertThat(r.out).as("Linux's NEW_SYN_RECV (0C) is SYN-RECEIVED").contains("\"state\":\"SYN-RECEIVED\",\"code\":\"0C\"");
    }

    @Test
    public void ipv6TableWithV4MappedAddresses() throws Exception {
        Result r = parse("tcp6.txt");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).isEqualTo(Files.readString(DATA.resolve("tcp6.expected.json")));
        assertThat(r.out).contains("\"192.0.2.1:").contains("[2001:db8::1:0:0:1]:");
    }

    @Test
    public void bothTablesTogether() throws Exception {
        Result r = parse("tcp.txt", "tcp6.txt");
        assertThat(r.out).isEqualTo(Files.readString(DATA.resolve("tcp+tcp6.expected.json")));
    }

    @Test
    public void aMalformedLineIsAOneLineErrorNamingFileAndLine() throws Exception {
        Result r = parse("tcp-malformed.txt");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err.strip().lines()).hasSize(1);
        assertThat(r.err).contains("tcp-malformed.txt:4:").contains("malformed line");
    }
}
