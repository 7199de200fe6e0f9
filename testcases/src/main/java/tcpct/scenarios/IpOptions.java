package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/**
 * IP options a TCP does not understand (RFC 9293 3.9.2, Appendix B "IP Options", MUST-50): ignored, so the segments
 * that carry them are processed as if they did not. The option is RFC 4727's experimental one (type 158: copied,
 * class 0, number 30), which no stack implements.
 */
public class IpOptions extends Fixtures {

    /** RFC 4727's experimental IPv4 option, type 0x9e, length 4, two octets of value. */
    private static final int[] EXPERIMENTAL = {0x9e, 4, 0, 0};

    @Test(description = "Every segment of the peer's handshake and its data carries an unknown IP option (RFC 4727's experimental type 158): the target answers, opens and takes the data as without it", groups = "ip")
    @Scenario(id = "ip/unknown-ip-option-ignored", ipv4Only = "IPv6 has no header options (RFC 8200 4: extension headers, which the harness does not build)")
    @Rfc9293(section = {"3.9.2"}, requirements = {"MUST-50"}, edges = {"E1", "E4", "E10"})
    public void unknownIpOptionIgnored() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0).ipOptions(EXPERIMENTAL));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1).ipOptions(EXPERIMENTAL));
        assertThat(target).isIn(ESTABLISHED);
        target.accept();
        peer.send(ack().seq(1).ack(1).data("hello").psh().ipOptions(EXPERIMENTAL));
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("hello");
    }
}
