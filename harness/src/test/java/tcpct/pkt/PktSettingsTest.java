package tcpct.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class PktSettingsTest {

    @Test
    public void packetdrillsDefaultsAndItsToleranceRule() {
        PktSettings d = PktSettings.DEFAULTS;
        assertThat(d.toleranceUsecs()).isEqualTo(4000);
        assertThat(d.bindPort()).isEqualTo(8080);
        assertThat(d.toleranceFor(0)).isEqualTo(4000);
        assertThat(d.toleranceFor(1_000_000)).isEqualTo(125_000); // 12.5 % of a second after the previous event
        assertThat(d.with("tolerance_usecs", "10000").with("tolerance_percent", "0").toleranceFor(1_000_000)).isEqualTo(10_000);
        assertThat(d.with("bind_port", "9000").bindPort()).isEqualTo(9000);
        assertThat(d.with("mss", "1000").mss()).isEqualTo(1000);
    }

    @Test
    public void badValuesNameTheOptionAndOtherIpVersionsAreUnimplemented() {
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("tolerance_usecs", "x")).hasMessage("--tolerance_usecs takes a number, got 'x'");
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("tolerance_usecs", "0")).hasMessage("--tolerance_usecs takes a number above 0, got 0");
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("bind_port", "70000")).hasMessageContaining("from 1 to 65535");
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("ip_version", "ipv7")).hasMessageContaining("ipv4, ipv6 or ipv4-mapped-ipv6");
        assertThat(PktSettings.DEFAULTS.with("ip_version", "ipv6").family()).isEqualTo(tcpct.wire.IpFamily.IPV6);
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("ip_version", "ipv4-mapped-ipv6")).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("--ip_version ipv4-mapped-ipv6 is not implemented yet");
        assertThatThrownBy(() -> PktSettings.DEFAULTS.with("frob", "1")).hasMessageStartingWith("unknown packetdrill option --frob");
    }

    @Test
    public void scriptIdsAreRelativeToTheFolderGivenAndSyntaxErrorsAreKept() throws Exception {
        Path dir = Files.createTempDirectory("pkt-ids");
        Files.createDirectories(dir.resolve("close"));
        Files.writeString(dir.resolve("close/a.pkt"), "0 close(3) = 0\n");
        Files.writeString(dir.resolve("b.pkt"), "0 < S 0:0 win 1\n");
        Files.writeString(dir.resolve("notes.txt"), "not a script\n");
        List<PktScripts.Entry> found = PktScripts.find(List.of(dir));
        assertThat(found).extracting(PktScripts.Entry::id).containsExactly("pkt/b.pkt", "pkt/close/a.pkt");
        assertThat(found.get(0).error()).hasMessage("pkt/b.pkt:1: expected '(' in start:end(length), found 'win'");
        assertThat(PktScripts.find(List.of(dir.resolve("close/a.pkt")))).extracting(PktScripts.Entry::id).containsExactly("pkt/a.pkt");
        assertThatThrownBy(() -> PktScripts.find(List.of(dir.resolve("nosuch")))).hasMessageContaining("does not exist");
    }

    @Test
    public void gapsNameEveryLineTcpctCannotRun() {
        PktScript s = PktParser.parse("t.pkt", """
                --tolerance_usecs=5000
                --local_ip=192.0.2.1
                --frobnicate=1
                `../common/defaults.sh`
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 4
                +0 epoll_create(1) = 5
                +0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, "abcd", 4) = 0
                +0 sendto(3, ..., 100, MSG_ZEROCOPY, ..., ...) = 100
                +0 < [ect0] S 0:0(0) win 1
                +0 < S 0:0(0) win 1 <FO TFO_COOKIE>
                +0 %{ assert tcpi_state == 1 }%
                +0 < icmp unreachable port_unreachable
                +0 write(3, NULL, 1000) = -1 EFAULT
                +0 < P. 1:2001(2000) ack 1 win 257
                +0 close(3) = 0
                """);
        assertThat(PktGaps.of(s)).extracting(PktGaps.Gap::line).containsExactly(3, 6, 7, 8, 9, 10, 11, 13, 14, 15);
        assertThat(PktGaps.of(s).get(8).reason()).startsWith("write with the buffer NULL");
        assertThat(PktGaps.of(s).get(9).reason()).startsWith("an inbound packet of 2000 octets: more than tcpct's wire carries");
        assertThat(PktGaps.of(s).get(0).reason()).startsWith("option --frobnicate is not one tcpct knows");
        assertThat(PktGaps.of(s).get(1).reason()).contains("SOCK_STREAM");
        assertThat(PktGaps.of(s).get(2).reason()).startsWith("epoll_create(): no agent command for it");
        assertThat(PktGaps.of(s).get(3).reason()).startsWith("setsockopt TCP_FASTOPEN_KEY: the agent protocol has no such option");
        assertThat(PktGaps.of(s).get(4).reason()).startsWith("sendto with flags MSG_ZEROCOPY");
        // TCP Fast Open's option with a hex cookie, and sendto with MSG_FASTOPEN, are runnable
        PktScript tfo = PktParser.parse("t.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 sendto(3, ..., 100, MSG_FASTOPEN, ..., ...) = -1"
                + " EINPROGRESS\n+0 > S 0:0(0) <mss 1460,FO,nop,nop>\n+0 < S. 0:0(0) ack 1 win 1 <mss 1000,FO abcd1234,nop,nop>\n");
        assertThat(PktGaps.of(tfo)).isEmpty();
        assertThat(((Action.Packet) tfo.events().get(3).action()).options()).contains(new TcpOpt.FastOpen(false, "abcd1234"));
        // the shell line and the %{ }% block depend on the target: they are what the script needs, not gaps
        assertThat(PktGaps.needs(s)).extracting(PktGaps.Gap::line).containsExactly(4, 12);
        assertThat(PktGaps.needs(s).get(0).reason()).contains("\"shell\": \"netns\"");
    }

    @Test
    public void whichLinesMoveTheState() {
        PktScript s = PktParser.parse("t.pkt", "0 close(3) = 0\n+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n+0 < . 1:1(0) ack 1 win 1\n");
        assertThat(s.events()).extracting(e -> PktInterpreter.changesState(e.action())).containsExactly(true, false, true);
        assertThat(PktInterpreter.pollEvents(new Expr.Binary("|", new Expr.Word("POLLIN"), new Expr.Word("POLLOUT")))).isEqualTo("in,out");
    }
}
