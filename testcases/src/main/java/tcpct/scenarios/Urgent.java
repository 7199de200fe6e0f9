package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.state.TcpState.ESTABLISHED;

import java.time.Duration;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;

/**
 * The Communication of Urgent Information (RFC 9293 3.8.5): "TCP implementations MUST still include support for the
 * urgent mechanism" (MUST-30), "the urgent pointer MUST point to the sequence number of the octet following the urgent
 * data" (MUST-62), "a sequence of urgent data of any length" (MUST-31), the application informed asynchronously
 * (MUST-32) and able to learn whether urgent data remains (MUST-33). The application side is the sockets API's (agent
 * protocol 5b): send and recv with MSG_OOB, sockatmark, poll's POLLPRI. As in BSD and Linux (RFC 6093), the last
 * urgent octet, the one before the pointer, is held out of band unless SO_OOBINLINE, and the mark is before it; a
 * stack that keeps every urgent octet in line, its mark after them, is accepted too.
 */
public class Urgent extends Fixtures {

    /** The peer's long urgent sequence: 3 segments of 1000 octets, the pointer fixed after the last from the first on. */
    static final int SEGMENTS = 3;
    static final int SEGMENT = 1000;
    static final int LONG = SEGMENTS * SEGMENT;
    /** How long the peer waits for the ACKs of what it sent (MUST-40's 0.5 s, with room for a loaded machine). */
    static final Duration ACK_WITHIN = Duration.ofMillis(1500);
    /** How long the application waits for poll to report urgent data. */
    static final Duration POLL_WITHIN = Duration.ofSeconds(1);
    /** Bound on the reads that walk up to the mark. */
    static final int MAX_READS = 8;

    @Test(description = "MUST-62: the application sends \"urgent!\" with MSG_OOB after 4 ordinary octets: every segment carrying it has URG and an urgent pointer to SEQ 12, the octet following the urgent data (7 from SEQ 5 in one segment)",
            groups = "urgent")
    @Scenario(id = "urgent/sent-pointer-follows-urgent-data")
    @Rfc9293(section = {"3.8.5", "3.1"}, requirements = {"MUST-62", "MUST-30"}, edges = {"E1", "E4", "E10"})
    public void sentPointerFollowsUrgentData() {
        establishedPassively();
        target.send("lead");
        receive("lead", 1, 1);
        target.sendUrgent("urgent!");
        String urgent = "urgent!";
        long end = 5 + urgent.length();                // the octet following the urgent data
        long next = 5;
        for (int i = 0; i < urgent.length() && next < end; i++) {
            Segment s = peer.awaitAnswer(Peer.EXPECT_TIMEOUT).orElseThrow(() -> new ConformanceFailure("expecting the " + urgent.length()
                    + " urgent octets from the target, but it sent nothing within " + Peer.EXPECT_TIMEOUT.toMillis() + " ms"));
            long seq = peer.sequence(s);
            if (!s.flags().has(Flag.URG)) {
                throw new ConformanceFailure("expecting URG on every segment with the urgent data (MUST-30, MUST-62), but was " + peer.describe(s));
            }
            if (seq != next || s.payloadLength() == 0 || seq + s.payloadLength() > end) {
                throw new ConformanceFailure("expecting the urgent octets from SEQ " + next + " to " + (end - 1) + ", but was " + peer.describe(s));
            }
            if (s.urgentPointer() != end - seq) {
                throw new ConformanceFailure("expecting urgent pointer " + (end - seq) + " on the segment at SEQ " + seq + ", pointing to SEQ " + end
                        + ", the octet following the " + urgent.length() + " urgent octets (MUST-62), but was " + peer.describe(s)
                        + " with urgent pointer " + s.urgentPointer() + " (SEQ " + (seq + s.urgentPointer()) + ")");
            }
            int from = (int) (seq - 5);
            SegmentTemplate t = ack().seq(seq).ack(1).data(urgent.substring(from, from + s.payloadLength())).urg((int) (end - seq));
            peer.expect(s.flags().has(Flag.PSH) ? t.psh() : t);
            next = seq + s.payloadLength();
        }
        peer.send(ack().seq(1).ack(12));              assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "MUST-31: the peer sends a 3000-octet urgent sequence in 3 segments, the urgent pointer fixed after its last octet from the first segment on: all of it is acknowledged, the connection stays ESTABLISHED, the reads come to the mark only at the end of the sequence (sockatmark), every octet is delivered, and an ordinary octet after it is read in line",
            groups = "urgent")
    @Scenario(id = "urgent/long-urgent-sequence")
    @Rfc9293(section = {"3.8.5"}, requirements = {"MUST-31", "MUST-30", "MUST-62"}, edges = {"E1", "E4", "E10"})
    public void longUrgentSequence() {
        establishedPassively();
        if (target.atMark()) {
            throw new ConformanceFailure("expecting sockatmark false before any urgent data, but it was true");
        }
        String text = "u".repeat(LONG - 1) + "!";
        for (int i = 0; i < SEGMENTS; i++) {
            int from = i * SEGMENT;
            SegmentTemplate t = ack().seq(1 + from).ack(1).data(text.substring(from, from + SEGMENT)).urg(LONG - from);
            peer.send(i == SEGMENTS - 1 ? t.psh() : t);
        }
        awaitAcknowledged(1 + LONG, ACK_WITHIN, "the peer's data");
        assertThat(target).isIn(ESTABLISHED);
        String read = readToMark(LONG, "MUST-31");
        int mark = read.length();
        note("the reads stopped at the mark after " + mark + " of the " + LONG + " urgent octets");
        if (!text.startsWith(read)) {
            int at = 0;
            while (at < mark && read.charAt(at) == text.charAt(at)) {
                at++;
            }
            throw new ConformanceFailure("expecting the application to read the urgent sequence as the peer sent it, but of its " + mark
                    + " octets the " + (at + 1) + "th on differ (the peer sent \"" + text.charAt(at) + "\", the application read "
                    + String.format("0x%02x", (int) read.charAt(at)) + ")");
        }
        if (mark != LONG - 1 && mark != LONG) {
            throw new ConformanceFailure("expecting the mark at the end of the " + LONG + "-octet urgent sequence (MUST-31: urgent data of any "
                    + "length), after octet " + (LONG - 1) + " (its last octet out of band) or " + LONG + ", but the application was at the mark after "
                    + mark + " octets");
        }
        if (mark == LONG - 1) {
            String oob = target.recvUrgent();
            if (!oob.equals("data: !")) {
                throw new ConformanceFailure("expecting the last urgent octet \"!\" out of band (recv with MSG_OOB) after the reads stopped at the "
                        + "mark before it, but the read reports " + oob);
            }
        }
        // the octet at the pointer follows the urgent data: sent after it without URG, it is ordinary data, read in line
        peer.send(ack().seq(1 + LONG).ack(1).data("x").psh());
        awaitAcknowledged(2 + LONG, ACK_WITHIN, "the peer's data");
        String after = target.recvOutcome();
        if (!after.equals("data: x")) {
            throw new ConformanceFailure("expecting the octet after the urgent sequence, sent without URG, read in line (MUST-62: the pointer "
                    + "points to the octet following the urgent data, which is not urgent), but the read reports " + after);
        }
        assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "MUST-32: after the peer's URG segment \"abc\" (pointer 3), poll reports POLLPRI before the application reads anything; once it has read the data and the urgent octet, a second urgent segment makes poll report POLLPRI again",
            groups = "urgent")
    @Scenario(id = "urgent/urgent-data-signalled")
    @Rfc9293(section = {"3.8.5"}, requirements = {"MUST-32", "MUST-30"}, edges = {"E1", "E4", "E10"})
    public void urgentDataSignalled() {
        establishedPassively();
        String before = target.poll("pri", Duration.ZERO);
        if (before.contains("pri")) {
            throw new ConformanceFailure("expecting no POLLPRI before any urgent data, but poll reported " + before);
        }
        peer.send(ack().seq(1).ack(1).data("abc").psh().urg(3));
        awaitAcknowledged(4, ACK_WITHIN, "the peer's data");
        String first = target.poll("pri", POLL_WITHIN);
        if (!first.contains("pri")) {
            throw new ConformanceFailure("expecting POLLPRI within " + POLL_WITHIN.toMillis() + " ms of the peer's URG segment, before any read "
                    + "(MUST-32: the application is informed asynchronously), but poll reported " + (first.isEmpty() ? "nothing" : first));
        }
        takeUrgentOctet("abc");
        String between = target.poll("pri", Duration.ZERO);
        if (between.contains("pri")) {
            note("poll still reports POLLPRI once the urgent octet was read: a second notice cannot be told from the first, not checked");
            return;
        }
        peer.send(ack().seq(4).ack(1).data("defg").psh().urg(4));
        awaitAcknowledged(8, ACK_WITHIN, "the peer's data");
        String second = target.poll("pri", POLL_WITHIN);
        if (!second.contains("pri")) {
            throw new ConformanceFailure("expecting POLLPRI again for the second URG segment, the urgent pointer advanced to 8 with no urgent data "
                    + "pending (MUST-32), but poll reported " + (second.isEmpty() ? "nothing" : second));
        }
        takeUrgentOctet("defg");
        assertThat(target).isIn(ESTABLISHED);
    }

    @Test(description = "MUST-33, MUST-30: the peer sends \"abcdef\" with URG and pointer 4 (urgent data \"abcd\"): sockatmark is false before the mark, the reads stop at the mark, sockatmark is then true, recv with MSG_OOB gives \"d\" once and then says no urgent data remains, and \"ef\" follows in line",
            groups = "urgent")
    @Scenario(id = "urgent/urgent-data-remaining")
    @Rfc9293(section = {"3.8.5"}, requirements = {"MUST-33", "MUST-30", "MUST-62"}, edges = {"E1", "E4", "E10"})
    public void urgentDataRemaining() {
        establishedPassively();
        peer.send(ack().seq(1).ack(1).data("abcdef").psh().urg(4));
        awaitAcknowledged(7, ACK_WITHIN, "the peer's data");
        if (target.atMark()) {
            throw new ConformanceFailure("expecting sockatmark false with urgent data ahead (the mark after \"abc\"), but it was true (MUST-33)");
        }
        String read = readToMark(6, "MUST-33");
        if (!read.equals("abc") && !read.equals("abcd")) {
            throw new ConformanceFailure("expecting the reads to come to the mark after \"abc\" (the urgent octet \"d\" out of band) or after "
                    + "\"abcd\" (MUST-33: the application learns where the urgent data ends; MUST-62: the pointer 4 follows it), but the "
                    + "application was at the mark after \"" + read + "\"");
        }
        String rest = "abcdef".substring(read.length());
        if (read.equals("abc")) {
            String oob = target.recvUrgent();
            if (!oob.equals("data: d")) {
                throw new ConformanceFailure("expecting the urgent octet \"d\" (the one before the pointer 4) from recv with MSG_OOB, but the read "
                        + "reports " + oob);
            }
            String again = target.recvUrgent();
            if (again.startsWith("data: ")) {
                throw new ConformanceFailure("expecting recv with MSG_OOB to say no urgent data remains once \"d\" was read (MUST-33), but it gave "
                        + again.substring("data: ".length()));
            }
            note("once the urgent octet was read, recv with MSG_OOB reports " + again);
            rest = "ef";
        } else {
            String oob = target.recvUrgent();
            if (oob.startsWith("data: ")) {
                throw new ConformanceFailure("expecting no octet out of band once the urgent data \"abcd\" was read in line (the pointer 4 "
                        + "follows it, MUST-62), but recv with MSG_OOB gave \"" + oob.substring("data: ".length()) + "\", an octet after the urgent data");
            }
        }
        expectRead(rest);
        assertThat(target).isIn(ESTABLISHED);
    }

    // ---- the steps the cases share ------------------------------------------------------------------


    /**
     * Reads as the application would up to the urgent mark: sockatmark before each read, each read at most what is left of
     * {@code length} octets; what was read when sockatmark said true (all {@code length} octets when it never did).
     */
    private String readToMark(int length, String requirement) {
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < MAX_READS && read.length() < length; i++) {
            if (target.atMark()) {
                return read.toString();
            }
            read.append(target.recv(length - read.length()));
        }
        if (target.atMark()) {
            return read.toString();
        }
        throw new ConformanceFailure("expecting the application to come to the urgent mark (sockatmark true, " + requirement + ") within the " + length
                + " urgent octets, but it read " + read.length() + " octets and sockatmark stayed false");
    }

    /** Reads {@code text} (the peer's urgent segment) to the mark and takes its last octet out of band, as Linux and BSD hold it. */
    private void takeUrgentOctet(String text) {
        String head = text.substring(0, text.length() - 1);
        String read = head.isEmpty() ? "" : target.recv(head.length() + 1);
        if (read.equals(text)) {
            note("the urgent octet came in line: no out-of-band octet to take");
            return;
        }
        if (!read.equals(head)) {
            throw new ConformanceFailure("expecting the read to stop at the urgent mark after \"" + head + "\", but it read \"" + read + "\"");
        }
        String oob = target.recvUrgent();
        String last = text.substring(text.length() - 1);
        if (!oob.equals("data: " + last)) {
            throw new ConformanceFailure("expecting the urgent octet \"" + last + "\" from recv with MSG_OOB, but the read reports " + oob);
        }
    }
}
