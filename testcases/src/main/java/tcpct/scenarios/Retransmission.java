package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;
import static tcpct.state.TcpState.TIME_WAIT;

import java.time.Duration;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Timers;
import tcpct.wire.Frame;

/**
 * The protocol's timers, measured from pcap kernel timestamps: retransmission with exponential backoff
 * (RFC 9293 3.8.1, MUST-19; RFC 6298), the SYN's give-up time (MUST-20, MUST-23), TIME-WAIT (MUST-13)
 * and the FIN-WAIT-2 timeout some stacks add. The peer stays silent where the target must retransmit.
 */
public class Retransmission extends Fixtures {

    /** Bound on one retransmission interval that the scenarios wait for (backoff past 30 s is not measured). */
    static final Duration MAX_INTERVAL = Duration.ofSeconds(30);

    @Test(description = "SYN retransmission in SYN-SENT: 1 s initial RTO, doubling, then the stack gives up (TCP_SYNCNT 3; a stack without it: backoff only) and the connection is CLOSED",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-sent-backoff")
    @Rfc9293(section = {"3.8.1", "3.8.3"}, requirements = {"MUST-19", "MUST-20", "MUST-22", "RFC6298:2.1", "RFC6298:5.5"}, edges = {"E2", "E6"})
    public void synSentBackoff() {
        assertThat(target).isIn(CLOSED);
        boolean synCount = target.tryOption("TCP_SYNCNT", 3);
        target.connect();
        Frame first = peer.expect(syn().seq(0));      assertThat(target).isIn(SYN_SENT);
        List<Frame> again = Timers.retransmissions(peer, syn().seq(0), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("syn-rto", first, again, "MUST-19, MUST-22");
        Timers.checkInitialRto("the SYN", rto.get(0));
        if (!synCount) {
            // Without TCP_SYNCNT the stack's own retry count applies: timers/syn-sent-r2 measures that give-up
            target.close();
            return;
        }
        double giveUp = Timers.timeUntilGone(target, SYN_SENT, first, MAX_INTERVAL.multipliedBy(2), "the SYN's retries to run out");
        measure("syn-give-up", giveUp);
        assertThat(target).isIn(CLOSED);
    }

    @Test(description = "R2 for a SYN: retransmission goes on for at least 3 minutes before the stack gives up (default settings)",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-sent-r2")
    @Rfc9293(section = "3.8.3", requirements = {"MUST-20", "MUST-23"}, edges = {"E2", "E6"})
    public void synSentR2() {
        assertThat(target).isIn(CLOSED);
        target.connect();
        Frame first = peer.expect(syn().seq(0));      assertThat(target).isIn(SYN_SENT);
        double giveUp = Timers.timeUntilGone(target, SYN_SENT, first, Duration.ofMinutes(4), "the SYN's retries to run out");
        measure("syn-give-up", giveUp);
        assertThat(target).isIn(CLOSED);
        if (giveUp < Duration.ofMinutes(3).toMillis()) {
            throw new ConformanceFailure(String.format("expected SYN retransmission for at least 3 minutes (R2, MUST-23), "
                    + "saw the connection given up after %.1f s", giveUp / 1000));
        }
    }

    @Test(description = "SYN,ACK retransmission in SYN-RECEIVED: initial RTO, doubling; the late ACK still completes the handshake",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/syn-received-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.7.2"}, requirements = {"MUST-19", "RFC6298:2.1", "RFC6298:5.5"}, edges = {"E1", "E4", "E10"})
    public void synReceivedBackoff() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
        peer.send(syn().seq(0));
        Frame first = peer.expect(synAck().seq(0).ack(1)); assertThat(target).isIn(SYN_RECEIVED);
        List<Frame> again = Timers.retransmissions(peer, synAck().seq(0).ack(1), 2, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("synack-rto", first, again, "MUST-19");
        Timers.checkInitialRto("the SYN,ACK", rto.get(0));
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "FIN retransmission in FIN-WAIT-1: backoff doubles; an RTO under 1 s is a SHOULD deviation (RFC 6298 2.4)",
            groups = "timers")
    @Scenario(id = "timers/fin-wait-1-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.4"}, requirements = {"MUST-19", "RFC6298:2.4", "RFC6298:5.5"}, edges = {"E1", "E4", "E10", "E12", "E14"})
    public void finWait1Backoff() {
        Frame first = finWait1();
        List<Frame> again = Timers.retransmissions(peer, finAck().seq(1).ack(1), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("fin-rto", first, again, "MUST-19");
        Timers.checkMinimumRto("the FIN", rto.get(0));
        peer.send(ack().seq(1).ack(2));               assertThat(target).isIn(FIN_WAIT_2);
    }

    @Test(description = "FIN retransmission in LAST-ACK: backoff doubles; the late ACK closes the connection", groups = "timers")
    @Scenario(id = "timers/last-ack-backoff")
    @Rfc9293(section = {"3.8.1", "3.10.4"}, requirements = {"MUST-19", "RFC6298:2.4", "RFC6298:5.5"}, edges = {"E1", "E4", "E10", "E13", "E19", "E20"})
    public void lastAckBackoff() {
        Frame first = lastAck();
        List<Frame> again = Timers.retransmissions(peer, finAck().seq(1).ack(2), 3, MAX_INTERVAL);
        List<Double> rto = Timers.checkBackoff("fin-rto", first, again, "MUST-19");
        Timers.checkMinimumRto("the FIN", rto.get(0));
        peer.send(ack().seq(2).ack(2));               assertThat(target).isIn(CLOSED);
    }

    @Test(description = "TIME-WAIT lasts 2*MSL = 4 minutes (MSL 2 minutes, RFC 9293 3.4.2)", groups = {"timers", "slow"})
    @Scenario(id = "timers/time-wait-duration")
    @Rfc9293(section = {"3.4.2", "3.6"}, requirements = "MUST-13", edges = {"E1", "E4", "E10", "E12", "E14", "E16", "E18"})
    public void timeWaitDuration() {
        Frame lastAck = activeCloseIntoTimeWait();
        double ms = Timers.timeUntilGone(target, TIME_WAIT, lastAck, TWO_MSL.plusSeconds(30), "TIME-WAIT to end");
        measure("time-wait", ms);
        assertThat(target).isIn(CLOSED);
        double required = TWO_MSL.toMillis() * (1 - Timers.RELATIVE_TOLERANCE);
        if (ms < required) {
            throw new ConformanceFailure(String.format("expected TIME-WAIT to last 2*MSL = %d s (MUST-13), saw it end after %.1f s",
                    TWO_MSL.toSeconds(), ms / 1000));
        }
    }

    @Test(description = "FIN-WAIT-2 timeout: how long a closed socket waits for the peer's FIN (not in the RFC; measured where the stack has one)",
            groups = {"timers", "slow"})
    @Scenario(id = "timers/fin-wait-2-timeout")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, edges = {"E1", "E4", "E10", "E12", "E14"})
    public void finWait2Timeout() {
        Frame fin = finWait2();
        double ms = Timers.timeUntilGoneOrNegative(target, FIN_WAIT_2, fin, TWO_MSL, "FIN-WAIT-2 to time out");
        if (ms >= 0) {
            measure("fin-wait-2", ms);
            assertThat(target).isIn(CLOSED);
        } else {
            // RFC 9293 has no FIN-WAIT-2 timer: waiting for the peer's FIN for ever conforms
            assertThat(target).isIn(FIN_WAIT_2);
        }
    }
}
