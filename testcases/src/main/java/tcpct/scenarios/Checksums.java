package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LAST_ACK;

import org.testng.annotations.Test;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/**
 * TCP Checksums (RFC 9293 3.1, Appendix B "TCP Checksums"). The sender's half, MUST-2: the wire verifies the TCP
 * checksum of every frame the peer takes from the target (checksum offload is off in the container, so what the
 * capture sees is what the stack computed), and a wrong one fails the step that took it. The receiver's half,
 * MUST-3, is the robustness group's {@code bad-checksum-*}.
 */
public class Checksums extends Fixtures {

    @Test(description = "Every segment the target sends in a whole connection (SYN,ACK, ACKs, 3000 octets of data, FIN) carries a right TCP checksum", groups = "checksum")
    @Scenario(id = "checksum/target-frames-checksummed")
    @Rfc9293(section = {"3.1"}, requirements = {"MUST-2"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void targetFramesChecksummed() {
        establishedPassively();                       // each expect checks the frame's checksum
        peer.send(ack().seq(1).ack(1).data("hello").psh());
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("hello");
        String text = "c".repeat(3000);               // full-sized segments and a short last one: odd and even lengths
        target.send(text + "!");
        receive(text + "!", 1, 6);
        peer.send(finAck().seq(6).ack(3002));
        peer.expect(ack().seq(3002).ack(7));          assertThat(target).isIn(CLOSE_WAIT);
        target.close();
        peer.expect(finAck().seq(3002).ack(7));       assertThat(target).isIn(LAST_ACK);
        peer.send(ack().seq(7).ack(3003));            assertThat(target).isIn(CLOSED);
    }
}
