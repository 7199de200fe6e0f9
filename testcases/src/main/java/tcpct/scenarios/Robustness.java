package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.rst;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.testng.annotations.Test;
import tcpct.agent.AgentException;
import tcpct.model.Arrival;
import tcpct.model.Tcb;
import tcpct.scenario.AgentAccess;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.LabLost;
import tcpct.scenario.StackDied;
import tcpct.scenario.ModelCheck;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;

/**
 * The robustness corpus: malformed and hostile segments, each sent to a target brought into the right
 * state through real segments, with the answer RFC 9293 asks for (silently dropped, processed as if
 * well formed, or one of the answers MUST-7 leaves open), and then proof that the target is still
 * healthy: the same connection still carries data both ways, or a fresh handshake on the listener
 * completes. Every verdict comes from the wire and the agent.
 */
public class Robustness extends Fixtures {

    /**
     * How long a segment the target must drop stays unanswered before the scenario believes it was dropped:
     * above the 0.5 s bound on a delayed ACK (MUST-40), so an ACK the segment caused cannot arrive later.
     */
    static final Duration DROPPED = Duration.ofMillis(700);
    /** How long the scenario waits for an answer where silence is one of the permitted answers (same reason). */
    static final Duration ANSWER_OR_SILENCE = DROPPED;

    // ---- checksums -------------------------------------------------------------------------------------

    @Test(description = "A SYN with a wrong TCP checksum to LISTEN is dropped silently; a correct SYN then opens the connection", groups = "robustness")
    @Scenario(id = "robustness/bad-checksum-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.10.7.2"}, requirements = "MUST-3", edges = {"E1", "E4", "E10"})
    public void badChecksumSynInListen() {
        survives(() -> {
            listening();
            sendHostile(syn().seq(0).badChecksum());
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(LISTEN);
            handshakeOnListener();
        });
    }

    @Test(description = "Data with a wrong TCP checksum in ESTABLISHED is dropped: no ACK, nothing delivered; the same data with a right checksum is", groups = "robustness")
    @Scenario(id = "robustness/bad-checksum-data-in-established")
    @Rfc9293(section = {"3.1", "3.10.7.4"}, requirements = "MUST-3", edges = {"E1", "E4", "E10"})
    public void badChecksumDataInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("hello").psh().badChecksum());
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(ESTABLISHED);
            stillExchangesData(1, 1);
        });
    }

    @Test(description = "A SYN whose IPv4 header checksum is wrong never reaches TCP (RFC 1122 3.2.1.2: silently discarded); a correct SYN then opens the connection", groups = "robustness")
    @Scenario(id = "robustness/bad-ip-checksum-syn-in-listen", ipv4Only = "IPv6 has no header checksum (RFC 8200 3)")
    @Rfc9293(section = {"3.1", "3.10.7.2"}, edges = {"E1", "E4", "E10"})
    public void badIpChecksumSynInListen() {
        survives(() -> {
            listening();
            sendHostile(syn().seq(0).badIpChecksum());
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(LISTEN);
            handshakeOnListener();
        });
    }

    // ---- data offset -------------------------------------------------------------------------------------

    @Test(description = "A SYN whose Data Offset is 4 words (a header shorter than the 20 fixed octets) is dropped; a correct SYN then opens the connection", groups = "robustness")
    @Scenario(id = "robustness/data-offset-below-five-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.10.7.2"}, edges = {"E1", "E4", "E10"})
    public void dataOffsetBelowFiveSynInListen() {
        survives(() -> {
            listening();
            sendHostile(syn().seq(0).options(List.of()).dataOffset(4));
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(LISTEN);
            handshakeOnListener();
        });
    }

    @Test(description = "A SYN whose Data Offset (15 words, 60 octets) runs past the 24-octet segment is dropped; a correct SYN then opens the connection", groups = "robustness")
    @Scenario(id = "robustness/data-offset-beyond-segment-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.10.7.2"}, edges = {"E1", "E4", "E10"})
    public void dataOffsetBeyondSegmentSynInListen() {
        survives(() -> {
            listening();
            sendHostile(syn().seq(0).dataOffset(15));
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(LISTEN);
            handshakeOnListener();
        });
    }

    @Test(description = "Data whose Data Offset (15 words) runs past the 30-octet segment is dropped in ESTABLISHED: no ACK, nothing delivered", groups = "robustness")
    @Scenario(id = "robustness/data-offset-beyond-segment-in-established")
    @Rfc9293(section = {"3.1", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void dataOffsetBeyondSegmentInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("0123456789").psh().dataOffset(15));
            peer.expectNothing(DROPPED);                  assertThat(target).isIn(ESTABLISHED);
            stillExchangesData(1, 1);
        });
    }

    // ---- options ---------------------------------------------------------------------------------------

    @Test(description = "A SYN with an option of length 0 (a parser that trusts it loops): processed, dropped or reset (MUST-7), and the listener still works", groups = "robustness")
    @Scenario(id = "robustness/option-length-zero-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.2", "3.10.7.2"}, requirements = {"MUST-7"}, edges = {"E1", "E4", "E10"})
    public void optionLengthZeroSynInListen() {
        survives(() -> {
            listenSurvives(syn().seq(0).rawOptions(0xfd, 0x00, 0x02, 0x04, 0x05, 0xb4));
        });
    }

    @Test(description = "A SYN whose MSS option claims 8 octets of a 4-octet option area: processed, dropped or reset (MUST-7), and the listener still works", groups = "robustness")
    @Scenario(id = "robustness/option-length-past-header-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.2", "3.10.7.2"}, requirements = {"MUST-7"}, edges = {"E1", "E4", "E10"})
    public void optionLengthPastHeaderSynInListen() {
        survives(() -> {
            listenSurvives(syn().seq(0).rawOptions(0x02, 0x08, 0x05, 0xb4));
        });
    }

    @Test(description = "A SYN with a truncated MSS option (length 3, not 4): processed, dropped or reset (MUST-7), and the listener still works", groups = "robustness")
    @Scenario(id = "robustness/mss-length-three-syn-in-listen")
    @Rfc9293(section = {"3.2", "3.10.7.2"}, requirements = {"MUST-7"}, edges = {"E1", "E4", "E10"})
    public void mssLengthThreeSynInListen() {
        survives(() -> {
            listenSurvives(syn().seq(0).rawOptions(0x02, 0x03, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01));
        });
    }

    @Test(description = "A SYN whose options end with a lone MSS kind octet, cut off by the end of the header: processed, dropped or reset (MUST-7), and the listener still works", groups = "robustness")
    @Scenario(id = "robustness/mss-cut-by-header-end-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.2", "3.10.7.2"}, requirements = {"MUST-7"}, edges = {"E1", "E4", "E10"})
    public void mssCutByHeaderEndSynInListen() {
        survives(() -> {
            listenSurvives(syn().seq(0).rawOptions(0x01, 0x01, 0x01, 0x02));
        });
    }

    @Test(description = "Data with an option of length 0 in ESTABLISHED: processed, dropped or reset (MUST-7), and the target still works", groups = "robustness")
    @Scenario(id = "robustness/option-length-zero-in-established")
    @Rfc9293(section = {"3.1", "3.10.7.4"}, requirements = {"MUST-7", "MUST-5"}, edges = {"E1", "E4", "E10"})
    public void optionLengthZeroInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("hello").psh().rawOptions(0xfd, 0x00));
            Optional<Segment> answer = peer.awaitAnswer(ANSWER_OR_SILENCE);
            String seen = answer.map(peer::describe).orElse("no answer");
            switch (seen) {
                case "no answer" -> {
                    note("the target dropped the segment silently (MUST-7 leaves the handling open)");
                    assertThat(target).isIn(ESTABLISHED);
                    stillExchangesData(1, 1);
                }
                case "ACK seq 1 ack 6" -> {
                    note("the target ignored the broken option and took the data (MUST-7 leaves the handling open)");
                    peer.expect(ack().seq(1).ack(6));     assertThat(target).isIn(ESTABLISHED);
                    expectRead("hello");
                    stillExchangesData(6, 1);
                }
                case "ACK seq 1 ack 1" -> {
                    note("the target dropped the segment and acknowledged what it had (MUST-7 leaves the handling open)");
                    peer.expect(ack().seq(1).ack(1));     assertThat(target).isIn(ESTABLISHED);
                    stillExchangesData(1, 1);
                }
                default -> {
                    if (!answer.get().flags().has(Flag.RST)) {
                        throw new ConformanceFailure("expecting an ACK, a RST or silence after data with an option of length 0 (MUST-7), but was " + seen);
                    }
                    note("the target reset the connection, as MUST-7 suggests");
                    peer.expect(rst().orWithAck());       assertThat(target).isIn(CLOSED);
                    peer.newIncarnation();
                    handshakeOnListener();
                }
            }
        });
    }

    @Test(description = "A SYN with an unknown option (kind 253, valid length) before its MSS option: the option is ignored, the SYN answered, and the MSS after it honoured", groups = "robustness")
    @Scenario(id = "robustness/unknown-option-syn-in-listen")
    @Rfc9293(section = {"3.1", "3.2", "3.7.1", "3.10.7.2"}, requirements = {"MUST-4", "MUST-6", "MUST-14", "MUST-64"}, edges = {"E1", "E4", "E10"})
    public void unknownOptionSynInListen() {
        survives(() -> {
            listening();
            // kind 253 (RFC 4727 experiment) with 4 octets of data, then MSS 536 at offset 6, not on a word boundary
            sendHostile(syn().seq(0).rawOptions(0xfd, 0x06, 0x12, 0x34, 0x56, 0x78, 0x02, 0x04, 0x02, 0x18));
            peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
            peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
            target.accept();
            String text = "x".repeat(600);
            target.send(text);
            List<Integer> sizes = receive(text, 1, 1);
            if (sizes.stream().anyMatch(n -> n > 536)) {
                throw new ConformanceFailure("expecting segments of at most 536 octets (the MSS our SYN offered after the unknown option: "
                        + "MUST-6 ignores the option, not the rest), but was " + sizes);
            }
            stillExchangesData(1, 601);
        });
    }

    @Test(description = "Data carrying an unknown option (kind 253, valid length) in ESTABLISHED is processed as if the option were absent", groups = "robustness")
    @Scenario(id = "robustness/unknown-option-in-established")
    @Rfc9293(section = {"3.1", "3.10.7.4"}, requirements = {"MUST-5", "MUST-6"}, edges = {"E1", "E4", "E10"})
    public void unknownOptionInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("hello").psh().rawOptions(0xfd, 0x04, 0xab, 0xcd));
            peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
            expectRead("hello");
            stillExchangesData(6, 1);
        });
    }

    @Test(description = "An MSS option of 100 on data in ESTABLISHED is ignored: the data is taken, and the target keeps sending segments larger than 100 octets", groups = "robustness")
    @Scenario(id = "robustness/mss-on-non-syn-in-established")
    // MUST-65 binds the sender (options/mss-only-on-syn); here the target receives one
    @Rfc9293(section = {"3.2", "3.7.1", "3.10.7.4"}, requirements = {"MUST-5"}, edges = {"E1", "E4", "E10"})
    public void mssOnNonSynInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("hello").psh().rawOptions(0x02, 0x04, 0x00, 0x64));
            peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
            expectRead("hello");
            String text = "y".repeat(600);
            target.send(text);
            List<Integer> sizes = receive(text, 1, 6);
            if (sizes.get(0) <= 100) {
                // 3.2 defines the MSS option for SYN segments only; no MUST tells the receiver what to do with one elsewhere
                shouldViolation("expecting the MSS option on a non-SYN segment to be ignored (RFC 9293 3.2: it is sent on a SYN "
                        + "only), but the target then sent segments of " + sizes + " octets, as if the MSS were 100");
            }
            stillExchangesData(6, 601);
        });
    }

    // ---- control bits with text, windows, urgent data, reserved bits ------------------------------------

    @Test(description = "A SYN with data to LISTEN: the text is queued or dropped (acknowledged or not), and delivered once, only after the handshake", groups = "robustness")
    @Scenario(id = "robustness/syn-with-data-in-listen")
    @Rfc9293(section = {"3.4", "3.10.7.2"}, edges = {"E1", "E4", "E10"})
    public void synWithDataInListen() {
        survives(() -> {
            listening();
            sendHostile(syn().seq(0).data("early"));
            peer.expect(synAck().seq(0));                 assertThat(target).isIn(SYN_RECEIVED);
            String synAck = peer.describe(peer.lastExpected());
            switch (synAck) {
                case "SYN,ACK seq 0 ack 6" -> {
                    note("the target queued the SYN's text and acknowledged it");
                    peer.send(ack().seq(6).ack(1));       assertThat(target).isIn(ESTABLISHED);
                    target.accept();
                    expectRead("early");
                }
                case "SYN,ACK seq 0 ack 1" -> {
                    note("the target did not take the SYN's text: the peer sends it again after the handshake");
                    peer.send(ack().seq(1).ack(1));       assertThat(target).isIn(ESTABLISHED);
                    target.accept();
                    peer.send(ack().seq(1).ack(1).data("early").psh());
                    peer.expect(ack().seq(1).ack(6));
                    expectRead("early");
                }
                default -> throw new ConformanceFailure("expecting SYN,ACK seq 0 ack 1 or ack 6 after a SYN with 5 octets of text, but was " + synAck);
            }
            stillExchangesData(6, 1);
        });
    }

    @Test(description = "A RST carrying data at RCV.NXT in ESTABLISHED resets the connection (the text is no reason to ignore it); a fresh handshake on the listener then completes", groups = "robustness")
    @Scenario(id = "robustness/rst-with-data-in-established")
    @Rfc9293(section = {"3.5.3", "3.10.7.4"}, requirements = {"SHLD-2"}, edges = {"E1", "E4", "E10"})
    public void rstWithDataInEstablished() {
        survives(() -> {
            establishedPassively();
            HOSTILE.set("a RST carrying 26 octets of text");
            ModelCheck.verify(peer, target, established(), rst().seq(1).data("connection refused by peer"),
                    new Arrival(Flags.of(Flag.RST), 1, 0, 26), targetClaims("rfc5961"));
            peer.newIncarnation();
            handshakeOnListener();
        });
    }

    @Test(description = "One octet just beyond the target's receive window in ESTABLISHED is not acceptable: answered by an ACK of RCV.NXT, not delivered", groups = "robustness")
    @Scenario(id = "robustness/data-beyond-window-in-established")
    @Rfc9293(section = {"3.4", "3.8.6.1", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void dataBeyondWindowInEstablished() {
        survives(() -> {
            establishedPassively();
            Tcb tcb = established();
            long beyond = tcb.rcvNxt() + tcb.rcvWnd();
            HOSTILE.set("one octet beyond the receive window");
            ModelCheck.verify(peer, target, tcb, ack().seq(beyond).ack(1).data("z"), new Arrival(Flags.of(Flag.ACK), beyond, 1, 1),
                    targetClaims("rfc5961"));
            stillExchangesData(1, 1);
        });
    }

    @Test(description = "A zero-window probe against a window the peer really filled: answered by an ACK of RCV.NXT showing window 0; the data flows again once the application reads", groups = "robustness")
    @Scenario(id = "robustness/zero-window-probe-in-established")
    // The receiver's side of zero-window probing: 3.8.6.1's "must" (lower case) for the receiver; MUST-36 and MUST-37 bind
    // the sender, and window/zero-window-probing checks the target probing.
    @Rfc9293(section = {"3.8.6.1", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void zeroWindowProbeInEstablished() {
        survives(() -> {
            long next = filledReceiveWindow(this::listening);
            note("the target's window is closed at RCV.NXT = " + next);
            sendHostile(ack().seq(next).ack(1).data("!"));
            peer.expect(ack().seq(1).ack(next).win(0));   assertThat(target).isIn(ESTABLISHED);
            String read = target.recv();
            if (!read.equals("z".repeat((int) next - 1))) {
                throw new ConformanceFailure("expecting the application to read the " + (next - 1) + " octets that filled the window"
                        + " (not the probe's octet), but it read " + read.length() + " octets");
            }
            Optional<Segment> update = peer.awaitAnswer(DROPPED);
            if (update.isPresent()) {
                note("the target announced its window opening");
                peer.expect(ack().seq(1).ack(next));
            }
            stillExchangesData(next, 1);
        });
    }

    @Test(description = "URG with an urgent pointer far past the segment's 3 octets: the text is still taken and acknowledged, and the connection goes on", groups = "robustness")
    @Scenario(id = "robustness/urgent-pointer-past-data-in-established")
    // the window stays open here: MUST-66 (RST and URG with a zero window) is window/rst-in-zero-window
    @Rfc9293(section = {"3.1", "3.8.5", "3.10.7.4"}, requirements = {"MUST-30"}, edges = {"E1", "E4", "E10"})
    public void urgentPointerPastDataInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(SegmentTemplate.of(Flag.ACK, Flag.URG).seq(1).ack(1).data("abc").psh().urgentPointer(1000));
            peer.expect(ack().seq(1).ack(4));             assertThat(target).isIn(ESTABLISHED);
            expectRead("abc");
            stillExchangesData(4, 1);
        });
    }

    @Test(description = "Data with all four reserved header bits set in ESTABLISHED is processed as if they were zero", groups = "robustness")
    @Scenario(id = "robustness/reserved-bits-in-established")
    @Rfc9293(section = {"3.1", "3.10.7.4"}, edges = {"E1", "E4", "E10"})
    public void reservedBitsInEstablished() {
        survives(() -> {
            establishedPassively();
            sendHostile(ack().seq(1).ack(1).data("hello").psh().reservedBits(0b1111));
            peer.expect(ack().seq(1).ack(6));             assertThat(target).isIn(ESTABLISHED);
            expectRead("hello");
            stillExchangesData(6, 1);
        });
    }

    @Test(description = "A \"christmas tree\" SYN,FIN,RST,PSH,URG to LISTEN: the RST is checked first and the segment ignored; a correct SYN then opens the connection", groups = "robustness")
    @Scenario(id = "robustness/christmas-tree-in-listen")
    @Rfc9293(section = {"3.10.7.2"}, edges = {"E1", "E4", "E10"})
    public void christmasTreeInListen() {
        survives(() -> {
            listening();
            Flags xmas = Flags.of(Flag.SYN, Flag.FIN, Flag.RST, Flag.PSH, Flag.URG);
            HOSTILE.set("a SYN,FIN,RST,PSH,URG segment");
            ModelCheck.verify(peer, target, new Tcb(LISTEN, 0, 0, 0, 0, true),
                    SegmentTemplate.of(Flag.SYN, Flag.FIN, Flag.RST, Flag.PSH, Flag.URG).seq(0).urgentPointer(1),
                    new Arrival(xmas, 0, 0, 0), targetClaims("rfc5961"));
            handshakeOnListener();
        });
    }

    // ---- the steps the cases share ------------------------------------------------------------------

    /** What hostile segment this thread's scenario sent last, if any: from then on a dead agent means a dead stack. */
    private static final ThreadLocal<String> HOSTILE = new ThreadLocal<>();

    /** Sends a malformed or hostile segment and remembers it, so that {@link #survives} can name it. */
    private void sendHostile(SegmentTemplate t) {
        HOSTILE.set(t.toString());
        peer.send(t);
    }

    /**
     * Runs a case. When the target's agent dies or stops answering after the hostile segment, the stack went
     * down with it (a user-space stack shares the agent's process; a kernel that hangs takes its agent along):
     * that is the verdict (FAILED: MUST-7 asks an implementation to cope with what it is sent), not a harness
     * ERROR. Before the hostile segment, a dead agent stays an ERROR.
     */
    /** How long a second look at an agent that ran out of a call's bound waits before the stack is taken for dead. */
    private static final java.time.Duration LATE_ANSWER = java.time.Duration.ofSeconds(30);

    private static void survives(Runnable body) {
        HOSTILE.remove();
        try {
            body.run();
        } catch (AgentException | LabLost e) {
            String hostile = HOSTILE.get();
            if (hostile == null) {
                throw e;
            }
            if (e instanceof AgentException && AgentAccess.answersWithin(LATE_ANSWER)) {
                // slow, not dead: the machine was loaded (seen in a soak beside stress-ng), a harness ERROR
                throw new AgentException("the agent answered late but is alive, so the stack survived " + hostile + ": " + e.getMessage());
            }
            throw new StackDied("expecting the target to survive " + hostile + ", but it did not: " + e.getMessage());
        } finally {
            HOSTILE.remove();
        }
    }

    private void listening() {
        assertThat(target).isIn(CLOSED);
        target.listen();                              assertThat(target).isIn(LISTEN);
    }

    /** A clean three-way handshake on the listener from the peer's port, the connection accepted, then data both ways. */
    private void handshakeOnListener() {
        peer.send(syn().seq(0));
        peer.expect(synAck().seq(0).ack(1));          assertThat(target).isIn(SYN_RECEIVED);
        peer.send(ack().seq(1).ack(1));               assertThat(target).isIn(ESTABLISHED);
        target.accept();
        stillExchangesData(1, 1);
    }

    /**
     * The connection still carries data both ways from the peer's SEQ {@code seq} and the target's
     * {@code targetSeq}: what the application reads is exactly what was sent now (so a dropped segment's
     * text was not delivered before). PSH on the target's data is its own choice (MAY-16) and not checked here.
     */
    private void stillExchangesData(long seq, long targetSeq) {
        peer.send(ack().seq(seq).ack(targetSeq).data("alive").psh());
        peer.expect(ack().seq(targetSeq).ack(seq + 5)); assertThat(target).isIn(ESTABLISHED);
        expectRead("alive");
        target.send("well");
        receive("well", targetSeq, seq + 5);          assertThat(target).isIn(ESTABLISHED);
    }

    /**
     * LISTEN, then {@code oddSyn}, whose options are illegal: MUST-7 asks the target to cope, suggesting a
     * reset. Permitted: a SYN,ACK (the options ignored), silence (the SYN dropped) or a RST. Whichever it
     * was, the listener must then complete a clean handshake; anything else fails.
     */
    private void listenSurvives(SegmentTemplate oddSyn) {
        listening();
        sendHostile(oddSyn);
        Optional<Segment> answer = peer.awaitAnswer(ANSWER_OR_SILENCE);
        if (answer.isEmpty()) {
            note("the target dropped the SYN silently (MUST-7 leaves the handling open)");
            assertThat(target).isIn(LISTEN);
            handshakeOnListener();
            return;
        }
        Flags f = answer.get().flags();
        if (f.equals(Flags.of(Flag.SYN, Flag.ACK))) {
            note("the target ignored the broken options and answered the SYN (MUST-7 leaves the handling open)");
            peer.expect(synAck().seq(0).ack(1));      assertThat(target).isIn(SYN_RECEIVED);
            peer.send(ack().seq(1).ack(1));           assertThat(target).isIn(ESTABLISHED);
            target.accept();
            stillExchangesData(1, 1);
        } else if (f.has(Flag.RST)) {
            note("the target refused the SYN with a RST, as MUST-7 suggests");
            peer.expect(rst().orWithAck());           assertThat(target).isIn(LISTEN);
            peer.newIncarnation();
            handshakeOnListener();
        } else {
            throw new ConformanceFailure("expecting SYN,ACK, a RST or silence after a SYN with illegal options (MUST-7), but was "
                    + peer.describe(answer.get()));
        }
    }

    /** ESTABLISHED after {@link #establishedPassively}, as the model sees it, with the window the target advertised. */
    private Tcb established() {
        return new Tcb(ESTABLISHED, 1, 1, 1, peer.lastExpected().window(), true);
    }
}
