package tcpct.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.testng.annotations.Test;
import tcpct.pkt.Action.Direction;
import tcpct.pkt.Action.Packet;
import tcpct.pkt.Action.Syscall;
import tcpct.pkt.PktScript.Event;

public class PktParserTest {

    private static PktScript parse(String src) {
        return PktParser.parse("t.pkt", src);
    }

    private static Action only(String src) {
        List<Event> events = parse(src).events();
        assertThat(events).hasSize(1);
        return events.get(0).action();
    }

    @Test
    public void timesAbsoluteRelativeAnyAndRanges() {
        PktScript s = parse("""
                0 close(3) = 0
                +0.1 close(3) = 0
                +.01 close(3) = 0
                * close(3) = 0
                0.1~0.2 close(3) = 0
                +0.1~+0.3 close(3) = 0
                """);
        assertThat(s.events()).extracting(Event::time).containsExactly(EventTime.at(0), EventTime.after(0.1), EventTime.after(0.01),
                EventTime.ANY, new EventTime(EventTime.Kind.ABSOLUTE, 0.1, 0.2), new EventTime(EventTime.Kind.RELATIVE, 0.1, 0.3));
        assertThat(s.events()).extracting(Event::line).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    public void inboundPacketWithEveryField() {
        Packet p = (Packet) only("+0 < S. 0:0(0) ack 1 win 32768 urg 3 <mss 1000,nop,wscale 6,nop,nop,sackOK,TS val 100 ecr 7,sack 1:1001 2001:3001,eol>");
        assertThat(p.direction()).isEqualTo(Direction.INBOUND);
        assertThat(p.flags()).isEqualTo("S.");
        assertThat(p.has('S')).isTrue();
        assertThat(p.has('.')).isTrue();
        assertThat(p.seq()).isZero();
        assertThat(p.ack()).isEqualTo(1L);
        assertThat(p.window()).isEqualTo(32768);
        assertThat(p.urgent()).isEqualTo(3);
        assertThat(p.options()).hasSize(9);
        assertThat(p.options().get(0)).isEqualTo(new TcpOpt.Mss(1000));
        assertThat(p.options().get(2)).isEqualTo(new TcpOpt.WScale(6));
        assertThat(p.options().get(5)).isEqualTo(new TcpOpt.SackOk());
        assertThat(p.options().get(6)).isEqualTo(new TcpOpt.Timestamp(100, 7));
        assertThat(p.options().get(7).text()).isEqualTo("sack 1:1001 2001:3001");
        assertThat(p.options().get(8)).isEqualTo(new TcpOpt.Eol());
        assertThat(p.text()).isEqualTo("S. 0:0(0) ack 1 win 32768 urg 3 <mss 1000,nop,wscale 6,nop,nop,sackOK,TS val 100 ecr 7,sack 1:1001 2001:3001,eol>");
    }

    @Test
    public void outboundPacketsWithAnyOptionsDataAndEveryFlag() {
        PktScript s = parse("""
                +0 > S 0:0(0) <...>
                +0 > P. 1:1001(1000) ack 1
                +0 > . 1:1(0) ack 1
                +0 > F. 1001:1001(0) ack 1
                +0 > R 1:1(0)
                +0 > SEW 0:0(0) win 100
                +0 > U. 1:2(1) ack 1 urg 1
                +0 > - 1:1(0)
                +0 > 8080>5000 R. 0:0(0) ack 1
                """);
        List<Packet> ps = s.events().stream().map(e -> (Packet) e.action()).toList();
        assertThat(ps).extracting(Packet::flags).containsExactly("S", "P.", ".", "F.", "R", "SEW", "U.", "-", "R.");
        assertThat(ps.get(0).anyOptions()).isTrue();
        assertThat(ps.get(0).options()).isNull();
        assertThat(ps.get(1).length()).isEqualTo(1000);
        assertThat(ps.get(1).end()).isEqualTo(1001);
        assertThat(ps.get(4).ack()).isNull();
        assertThat(ps.get(8).srcPort()).isEqualTo(8080);
        assertThat(ps.get(8).dstPort()).isEqualTo(5000);
        assertThat(ps).extracting(Packet::direction).containsOnly(Direction.OUTBOUND);
    }

    @Test
    public void ipInformationAndOtherProtocolsAreKept() {
        PktScript s = parse("""
                +0 < [ect0] . 1:1(0) ack 1 win 257
                +0 > (tos 0x10) . 1:1(0) ack 1
                +0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
                +0 < udp (1472)
                """);
        assertThat(((Packet) s.events().get(0).action()).ipInfo()).isEqualTo("[ect0]");
        assertThat(((Packet) s.events().get(1).action()).ipInfo()).isEqualTo("(tos0x10)");
        assertThat(s.events().get(2).action()).isInstanceOf(Action.OtherPacket.class);
        assertThat(((Action.OtherPacket) s.events().get(3).action()).protocol()).isEqualTo("udp");
    }

    @Test
    public void syscallsWithEllipsisResultsErrnosAndNotes() {
        PktScript s = parse("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0...0.200 accept(3, ..., ...) = 4
                +0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
                +0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 1000
                +0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, 16) = 0
                +0 write(4, "abc"..., 3) = 3
                +0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
                +0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1
                +0 read(4, ..., 0x10) = 16
                """);
        List<Syscall> cs = s.events().stream().map(e -> (Syscall) e.action()).toList();
        assertThat(cs).extracting(Syscall::name).containsExactly("socket", "setsockopt", "fcntl", "connect", "accept", "setsockopt", "sendmsg",
                "connect", "write", "getsockopt", "poll", "read");
        assertThat(cs.get(0).args().get(0)).isInstanceOf(Expr.Ellipsis.class);
        assertThat(cs.get(0).result()).isEqualTo(new Expr.Int(3, "3"));
        assertThat(cs.get(1).args().get(3)).isEqualTo(new Expr.Array(List.of(new Expr.Int(1, "1"))));
        assertThat(cs.get(2).args().get(2)).isEqualTo(new Expr.Binary("|", new Expr.Word("O_RDWR"), new Expr.Word("O_NONBLOCK")));
        assertThat(cs.get(3).result()).isEqualTo(new Expr.Int(-1, "-1"));
        assertThat(cs.get(3).errno()).isEqualTo("EINPROGRESS");
        assertThat(cs.get(3).note()).isEqualTo("Operation now in progress");
        assertThat(cs.get(3).blockingEnd()).isNull();
        assertThat(cs.get(4).blockingEnd()).isEqualTo(0.2);
        assertThat(cs.get(5).args().get(3).text()).isEqualTo("{onoff=1, linger=0}");
        assertThat(cs.get(6).args().get(1).text()).isEqualTo("{msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}");
        assertThat(cs.get(7).args().get(1).text()).contains("sin_port=htons(8080)", "inet_addr(\"192.0.2.1\")");
        assertThat(cs.get(8).args().get(1)).isEqualTo(new Expr.Str("abc", true));
        assertThat(cs.get(11).args().get(2)).isEqualTo(new Expr.Int(16, "0x10"));
    }

    @Test
    public void commentsShellCommandsCodeBlocksAndOptions() {
        PktScript s = parse("""
                --tolerance_usecs=10000
                --ip_version=ipv4
                --local_ip=192.0.2.1
                --verbose
                // a comment
                `../common/defaults.sh`
                /* a C comment
                   over two lines */
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // trailing comment
                +0 `sysctl -q net.ipv4.tcp_sack=0`
                +0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state
                }%
                `echo done \\
                   again`
                """);
        assertThat(s.options()).extracting(PktScript.Setting::name).containsExactly("tolerance_usecs", "ip_version", "local_ip", "verbose");
        assertThat(s.options()).extracting(PktScript.Setting::value).containsExactly("10000", "ipv4", "192.0.2.1", null);
        assertThat(s.events()).hasSize(5);
        assertThat(s.events().get(0).action()).isEqualTo(new Action.Shell("../common/defaults.sh"));
        assertThat(s.events().get(0).time()).isEqualTo(EventTime.NONE);
        assertThat(s.events().get(1).line()).isEqualTo(9);
        assertThat(s.events().get(2).action()).isEqualTo(new Action.Shell("sysctl -q net.ipv4.tcp_sack=0"));
        assertThat(((Action.Code) s.events().get(3).action()).source()).contains("tcpi_state == TCP_ESTABLISHED");
        assertThat(s.events().get(4).line()).isEqualTo(13);
        // a backquoted command is kept as written: the shell reads its line continuation
        assertThat(s.events().get(4).action()).isEqualTo(new Action.Shell("echo done \\\n   again"));
    }

    @Test
    public void syntaxErrorsNameFileLineExpectedAndFound() {
        assertThatThrownBy(() -> parse("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0 win 100\n"))
                .isInstanceOf(PktSyntaxError.class).hasMessage("t.pkt:2: expected '(' in start:end(length), found 'win'");
        assertThatThrownBy(() -> parse("+0 < X 0:0(0) win 100\n")).hasMessage("t.pkt:1: expected TCP flags (letters of S.FRPUEW, or '-'), found 'X'");
        assertThatThrownBy(() -> parse("\n\n+0 > . 1:11(5) ack 1\n")).hasMessage("t.pkt:3: expected a length equal to end - start (10), found (5)");
        assertThatThrownBy(() -> parse("+0 close(3)\n")).hasMessage("t.pkt:1: expected '=' and the result of close, found end of file");
        assertThatThrownBy(() -> parse("+0 close(3 = 0\n")).hasMessage("t.pkt:1: expected ',' or ')' in the arguments of close, found '='");
        assertThatThrownBy(() -> parse("abc\n")).hasMessage("t.pkt:1: expected an event time (e.g. 0, +0.1, *), found 'abc'");
        assertThatThrownBy(() -> parse("+0 < S 0:0(0) <mss>\n")).hasMessage("t.pkt:1: expected the MSS value after 'mss', found '>'");
        assertThatThrownBy(() -> parse("+0 < S 0:0(0) <TS val 1>\n")).hasMessage("t.pkt:1: expected 'ecr' after the timestamp value, found '>'");
        assertThatThrownBy(() -> parse("0.2~0.1 close(3) = 0\n")).hasMessageStartingWith("t.pkt:1: expected a time range whose end is not before its start");
        assertThatThrownBy(() -> parse("+0 `unterminated\n")).hasMessage("t.pkt:1: expected '`' closing the shell command, found end of file");
        assertThatThrownBy(() -> parse("// nothing\n")).hasMessage("t.pkt:2: expected an event (a time, then a packet, a system call or a command), found end of file");
        assertThatThrownBy(() -> parse("+0 ) close(3) = 0\n")).hasMessageContaining("found ')'");
    }

    @Test
    public void lexerTellsAddressesFromSequenceRangesAndFloats() {
        List<Token> t = Lexer.tokens("t", "1:1001 192.0.2.1 fd3d::1 .5 -1 0x1f 0...0.2 ::ffff:192.0.2.1 abc_1");
        assertThat(t).extracting(Token::kind).containsExactly(Token.Kind.INTEGER, Token.Kind.PUNCT, Token.Kind.INTEGER, Token.Kind.IPV4_ADDR,
                Token.Kind.IPV6_ADDR, Token.Kind.FLOAT, Token.Kind.INTEGER, Token.Kind.HEX_INTEGER, Token.Kind.INTEGER, Token.Kind.ELLIPSIS,
                Token.Kind.FLOAT, Token.Kind.IPV6_ADDR, Token.Kind.WORD, Token.Kind.END);
    }

    @Test
    public void ifdefLinesKeepTheDefinedBranchAndTheLineNumbers() {
        String src = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                #ifdef STANDARD
                +0 close(3) = 0
                #else
                +0 shutdown(3, SHUT_WR) = 0
                #endif
                #ifdef FreeBSD
                +0 `tcpdrop -s TIME_WAIT`
                #endif
                """;
        PktScript std = PktParser.parse("t.pkt", src, java.util.Set.of("STANDARD"));
        assertThat(std.events()).extracting(PktScript.Event::line).containsExactly(1, 3);
        PktScript none = PktParser.parse("t.pkt", src, java.util.Set.of());
        assertThat(none.events()).extracting(PktScript.Event::line).containsExactly(1, 5);
        PktScript bsd = PktParser.parse("t.pkt", src, java.util.Set.of("FreeBSD"));
        assertThat(bsd.events()).extracting(PktScript.Event::line).containsExactly(1, 5, 8);
        assertThatThrownBy(() -> PktParser.parse("t.pkt", "#ifdef X\n0 close(3) = 0\n", java.util.Set.of()))
                .hasMessage("t.pkt:1: expected #endif closing this #ifdef, found end of file");
        assertThatThrownBy(() -> PktParser.parse("t.pkt", "#endif\n", java.util.Set.of()))
                .hasMessage("t.pkt:1: expected #endif after an #ifdef, found #endif without one");
    }
}
