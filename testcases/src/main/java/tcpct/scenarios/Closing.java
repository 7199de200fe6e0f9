package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.TIME_WAIT;

import java.time.Duration;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SeqNum;

/**
 * Closing Connections (RFC 9293 3.6.1, Appendix B "Closing Connections"): a new SYN from the same 4-tuple while the
 * target lingers in TIME-WAIT. MAY-2 lets it reopen the connection from TIME-WAIT if (1) its new ISN is larger than
 * any sequence number the old connection used and (2) it returns to TIME-WAIT if the SYN turns out to be an old
 * duplicate. A target that does not reopen (an ACK, silence) stays in TIME-WAIT, as MUST-13 wants.
 */
public class Closing extends Fixtures {

    /** How long the peer gives the target to answer the SYN in TIME-WAIT (a stack that ignores it stays silent). */
    static final Duration ANSWER = Duration.ofMillis(700);

    @Test(description = "A SYN with a higher SEQ to a target in TIME-WAIT: reopened with a larger ISN (MAY-2, condition 1) and carried to ESTABLISHED, or refused with TIME-WAIT kept", groups = "closing")
    @Scenario(id = "closing/syn-in-time-wait")
    @Rfc9293(section = {"3.6.1", "3.10.7.4"}, requirements = {"MAY-2", "MUST-13"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void synInTimeWait() {
        if (reopenFromTimeWait().isEmpty()) {
            return;
        }
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        peer.send(ack().seq(1).ack(1).data("again").psh());
        peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
        expectRead("again");
    }

    @Test(description = "A SYN with a higher SEQ reopens a target's TIME-WAIT, then proves an old duplicate (the peer answers the SYN,ACK with RST): the target returns to TIME-WAIT (MAY-2, condition 2)", groups = "closing")
    @Scenario(id = "closing/old-duplicate-syn-in-time-wait")
    @Rfc9293(section = {"3.5", "3.6.1"}, requirements = {"MAY-2", "MUST-13"}, edges = {"E1", "E4", "E10", "E12", "E14", "E16"})
    public void oldDuplicateSynInTimeWait() {
        if (reopenFromTimeWait().isEmpty()) {
            return;
        }
        peer.send(rst().seq(1));                      // 3.5: the SYN's sender knows no such connection
        assertThat(target).isIn(TIME_WAIT);
    }

    @Test(description = "The peer closes normally (FIN): the application's read reports the end of the stream, not an error", groups = "closing")
    @Scenario(id = "closing/normal-close-reported")
    @Rfc9293(section = {"3.6"}, requirements = {"MUST-12"}, edges = {"E1", "E4", "E10", "E13"})
    public void normalCloseReported() {
        closeWait();
        String end = target.recvOutcome();
        if (!end.equals("EOF")) {
            throw new ConformanceFailure("expecting the application's read to report the end of the stream after the peer's FIN (MUST-12: "
                    + "informed that the connection closed normally), but it reported " + end);
        }
    }

    @Test(description = "The peer aborts (RST): the application's read reports the reset (ECONNRESET), not a normal end of stream", groups = "closing")
    @Scenario(id = "closing/abort-reported")
    @Rfc9293(section = {"3.6", "3.10.7.4"}, requirements = {"MUST-12"}, edges = {"E1", "E4", "E10"})
    public void abortReported() {
        establishedPassively();
        peer.send(rst().seq(1));
        peer.expectNothing(java.time.Duration.ofMillis(300)); // a RST is never answered
        assertThat(target).isIn(tcpct.state.TcpState.CLOSED);
        String end = target.recvOutcome();
        if (!end.equals("ECONNRESET")) {
            throw new ConformanceFailure("expecting the application's read to report the reset after the peer's RST (MUST-12: informed "
                    + "that the connection was aborted), but it reported " + end);
        }
    }

    /**
     * TIME-WAIT by an active close, then a SYN from the same port with an ISN 2^28 above the old one. Returns the
     * target's SYN,ACK when it reopened (checked against condition 1), empty when it kept TIME-WAIT (checked).
     */
    private Optional<Segment> reopenFromTimeWait() {
        activeCloseIntoTimeWait();
        SeqNum oldNext = peer.lastExpected().seq();   // the target's SND.NXT: past its FIN
        peer.newIncarnation();
        peer.send(syn().seq(0));
        Optional<Segment> answer = peer.awaitAnswer(ANSWER);
        if (answer.isEmpty() || !answer.get().flags().equals(Flags.of(Flag.SYN, Flag.ACK))) {
            note("the target did not reopen the connection from TIME-WAIT (MAY-2 leaves it free): it answered "
                    + answer.map(s -> s.flags().toString()).orElse("nothing"));
            assertThat(target).isIn(TIME_WAIT);
            return Optional.empty();
        }
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        SeqNum isn = peer.lastExpected().seq();
        measure("isn-above-old-snd-nxt", isn.minus(oldNext));
        if (!isn.gt(oldNext)) {
            throw new ConformanceFailure("expecting the ISN of a connection reopened from TIME-WAIT to be larger than the old connection's "
                    + "sequence numbers (MAY-2, condition 1), but was " + isn.minus(oldNext) + " from its SND.NXT");
        }
        return answer;
    }
}
