package tcpct.selftest;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;

import java.time.Duration;
import java.util.Map;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceBase;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;

/**
 * Scenarios that expect what a correct stack does NOT do, run against the real Linux target: each must
 * come out FAILED (or UNIMPLEMENTED) with the right sentence, which shows the harness's checks can fail.
 * Not part of the product's suite (they live in the test sources).
 */
public class WrongExpectations extends ConformanceBase {

    @Test(description = "Expects RST where Linux answers SYN,ACK", groups = "selftest-wrong")
    @Scenario(id = "selftest/expects-wrong-flags")
    @Rfc9293(section = "3.5", edges = {"E1", "E4"})
    public void wrongFlags() {
        target.listen();
        peer.send(syn().seq(0));
        peer.expect(rst().seq(0));
    }

    @Test(description = "Expects ack 2 where Linux acknowledges 1", groups = "selftest-wrong")
    @Scenario(id = "selftest/expects-wrong-ack")
    @Rfc9293(section = "3.5", edges = {"E1", "E4"})
    public void wrongAck() {
        target.listen();
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(2));
    }

    @Test(description = "Asserts ESTABLISHED before the handshake's last ACK", groups = "selftest-wrong")
    @Scenario(id = "selftest/asserts-wrong-state")
    @Rfc9293(section = "3.5", edges = {"E1", "E4", "E10"})
    public void wrongState() {
        target.listen();                          assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));      assertThat(target).isIn(ESTABLISHED);
        peer.send(ack().seq(1).ack(1));
    }

    @Test(description = "Expects a segment the target has no reason to send", groups = "selftest-wrong")
    @Scenario(id = "selftest/expects-unprovoked-segment")
    @Rfc9293(section = "3.5", edges = {"E1"})
    public void unprovoked() {
        target.listen();
        peer.expect(syn(), Duration.ofMillis(300));
    }

    @Test(description = "Asks the agent for a command it does not have", groups = "selftest-wrong")
    @Scenario(id = "selftest/unsupported-command")
    @Rfc9293(section = "3.9.1")
    public void unsupported() {
        target.agent("teleport", Map.of());
    }

    @Test(description = "The agent exits in the middle of the scenario", groups = "selftest-dying")
    @Scenario(id = "selftest/agent-dies")
    @Rfc9293(section = "3.5", edges = {"E1"})
    public void agentDies() {
        target.agent("bye", Map.of());
        target.listen();
    }
}
