package tcpct.scenarios;

import static tcpct.segment.Segments.ack;
import static tcpct.segment.Segments.finAck;
import static tcpct.segment.Segments.syn;
import static tcpct.segment.Segments.synAck;
import static tcpct.state.TcpState.CLOSED;
import static tcpct.state.TcpState.CLOSE_WAIT;
import static tcpct.state.TcpState.CLOSING;
import static tcpct.state.TcpState.ESTABLISHED;
import static tcpct.state.TcpState.FIN_WAIT_1;
import static tcpct.state.TcpState.FIN_WAIT_2;
import static tcpct.state.TcpState.LAST_ACK;
import static tcpct.state.TcpState.LISTEN;
import static tcpct.state.TcpState.SYN_RECEIVED;
import static tcpct.state.TcpState.SYN_SENT;
import static tcpct.state.TcpState.TIME_WAIT;

import java.lang.reflect.Method;
import java.util.List;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;
import tcpct.model.Arrival;
import tcpct.model.ReferenceModel;
import tcpct.model.Tcb;
import tcpct.scenario.ModelCheck;
import tcpct.scenario.Rfc9293;
import tcpct.scenario.Scenario;
import tcpct.scenario.Selection;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.SegmentTemplate;
import tcpct.state.TcpState;

/**
 * The state x segment grid with the reference model as oracle (RFC 9293 3.10.7): drive the real target
 * into the row's state with real segments and socket calls, send the cell's segment, and compare what it
 * sends back and the state it is then in with what the model predicts for the variant the target's
 * profile claims (RFC 5961 or RFC 793).
 */
public class Grid extends Fixtures {

    @DataProvider(name = "cells", parallel = true)
    public static Object[][] cells(Method m) {
        return Selection.rows(m);
    }

    @Test(description = "Segment arrival", dataProvider = "cells", groups = "grid")
    @Scenario(id = "grid", expand = GridCells.class)
    @Rfc9293(section = "3.10.7")
    public void cell(String id) {
        String[] p = id.split("/");
        String row = p[1];
        String column = p[2];
        String[] variant = p[3].split("\\.");
        boolean oldAck = variant.length > 1 && variant[1].equals("old-ack");
        Tcb tcb = reach(row, oldAck && afterEstablished(row) ? SENT_BEFORE_OLD_ACK : 0);
        long seq = seqFor(variant[0], tcb, column);
        long ackNo = variant.length > 1 ? ackFor(variant[1], tcb) : 0;
        Flags flags = flagsOf(column);
        SegmentTemplate t = SegmentTemplate.of(flagList(flags)).seq(seq);
        if (flags.has(Flag.ACK)) {
            t = t.ack(ackNo);
        }
        ModelCheck.verify(peer, target, tcb, t.options(List.of()), new Arrival(flags, seq, ackNo, 0), targetClaims("rfc5961"));
    }

    /**
     * Octets the target sends, and the peer acknowledges, in ESTABLISHED before an old-ack cell's row is
     * reached: SND.UNA - 1000 is then an ACK of octets really sent and acknowledged (a correct peer's delayed
     * duplicate), not one of octets before the target's ISS, which no correct peer can send.
     */
    static final int SENT_BEFORE_OLD_ACK = 2000;

    /** The rows reached through ESTABLISHED, where the target can have sent data. */
    static boolean afterEstablished(String row) {
        return GridCells.ROWS.indexOf(row) >= GridCells.ROWS.indexOf("ESTABLISHED");
    }

    /**
     * Drives the target into {@code row}, having it send {@code sent} octets in ESTABLISHED first (rows
     * through ESTABLISHED only), and returns the connection's variables there, in relative numbers.
     */
    private Tcb reach(String row, int sent) {
        switch (row) {
            case "no-socket" -> {
                assertThat(target).isIn(CLOSED);
                target.closedPort();
                peer.absoluteTargetNumbers();
                return Tcb.closed();
            }
            case "CLOSED" -> {
                establishedActively();
                target.abort();
                // ABORT sends <SEQ=SND.NXT><CTL=RST> (RFC 9293 3.10.5); an ACK bit beside it is common and harmless here
                peer.expect(tcpct.segment.Segments.rst().seq(1).orWithAck());
                assertThat(target).isIn(CLOSED);
                peer.newIncarnation(); // no TCB is left: the target's old ISN means nothing now
                peer.absoluteTargetNumbers();
                return Tcb.closed();
            }
            case "LISTEN" -> {
                assertThat(target).isIn(CLOSED);
                target.listen();                          assertThat(target).isIn(LISTEN);
                peer.absoluteTargetNumbers();
                return new Tcb(LISTEN, 0, 0, 0, 0, true);
            }
            case "SYN-SENT" -> {
                assertThat(target).isIn(CLOSED);
                target.connect();
                peer.expect(syn().seq(0));                assertThat(target).isIn(SYN_SENT);
                return tcb(SYN_SENT, 0, 1, 0, false);
            }
            case "SYN-RECEIVED" -> {
                assertThat(target).isIn(CLOSED);
                target.listen();                          assertThat(target).isIn(LISTEN);
                peer.send(syn().seq(0));
                peer.expect(synAck().seq(0).ack(1));      assertThat(target).isIn(SYN_RECEIVED);
                return tcb(SYN_RECEIVED, 0, 1, 1, true);
            }
            case "ESTABLISHED" -> {
                establishedAfterSending(sent);
                return tcb(ESTABLISHED, 1 + sent, 1 + sent, 1, true);
            }
            case "FIN-WAIT-1" -> {
                finWait1(sent);
                return tcb(FIN_WAIT_1, 1 + sent, 2 + sent, 1, true);
            }
            case "FIN-WAIT-2" -> {
                finWait2(sent);
                return tcb(FIN_WAIT_2, 2 + sent, 2 + sent, 1, true);
            }
            case "CLOSE-WAIT" -> {
                closeWait(sent);
                return tcb(CLOSE_WAIT, 1 + sent, 1 + sent, 2, true);
            }
            case "CLOSING" -> {
                finWait1(sent);
                peer.send(finAck().seq(1).ack(1 + sent));
                peer.expect(ack().seq(2 + sent).ack(2));  assertThat(target).isIn(CLOSING);
                return tcb(CLOSING, 1 + sent, 2 + sent, 2, true);
            }
            case "LAST-ACK" -> {
                lastAck(sent);
                return tcb(LAST_ACK, 1 + sent, 2 + sent, 2, true);
            }
            case "TIME-WAIT" -> {
                activeCloseIntoTimeWait(sent);
                return tcb(TIME_WAIT, 2 + sent, 2 + sent, 2, true);
            }
            default -> throw new IllegalArgumentException("no grid row " + row);
        }
    }

    /** The variables at the row, with RCV.WND as the target last advertised it (no window scaling is negotiated). */
    private Tcb tcb(TcpState s, long una, long nxt, long rcvNxt, boolean passive) {
        return new Tcb(s, una, nxt, rcvNxt, peer.lastExpected().window(), passive);
    }

    /**
     * The cell's SEQ. "exact" is RCV.NXT, except for a FIN once the peer's FIN is in (CLOSE-WAIT, CLOSING,
     * LAST-ACK, TIME-WAIT): a correct peer sends no new FIN after its first, so there "exact" is the peer's
     * FIN again, a retransmission at RCV.NXT - 1 (what TIME-WAIT's "the only thing that can arrive" means).
     */
    static long seqFor(String variant, Tcb t, String column) {
        boolean finAgain = (column.equals("FIN") || column.equals("FIN-ACK")) && ReferenceModel.finReceived(t.state());
        return switch (variant) {
            case "exact" -> finAgain ? t.rcvNxt() - 1 : t.rcvNxt();
            case "any" -> t.rcvNxt();
            case "in-window" -> t.rcvNxt() + Math.min(100, t.rcvWnd() / 2);
            case "left-of-window" -> t.rcvNxt() - 100;
            case "right-of-window" -> t.rcvNxt() + t.rcvWnd() + 100;
            default -> throw new IllegalArgumentException("no SEQ variant " + variant);
        };
    }

    static long ackFor(String variant, Tcb t) {
        return switch (variant) {
            case "acceptable-ack" -> t.sndNxt();
            case "old-ack" -> t.sndUna() - 1000;
            case "future-ack" -> t.sndNxt() + 100;
            case "any-ack" -> 1000;
            default -> throw new IllegalArgumentException("no ACK variant " + variant);
        };
    }

    static Flags flagsOf(String column) {
        return switch (column) {
            case "SYN" -> Flags.of(Flag.SYN);
            case "SYN-ACK" -> Flags.of(Flag.SYN, Flag.ACK);
            case "SYN-FIN" -> Flags.of(Flag.SYN, Flag.FIN);
            case "ACK" -> Flags.of(Flag.ACK);
            case "FIN" -> Flags.of(Flag.FIN);
            case "FIN-ACK" -> Flags.of(Flag.FIN, Flag.ACK);
            case "RST" -> Flags.of(Flag.RST);
            case "RST-ACK" -> Flags.of(Flag.RST, Flag.ACK);
            default -> throw new IllegalArgumentException("no grid column " + column);
        };
    }

    private static Flag[] flagList(Flags f) {
        return java.util.Arrays.stream(Flag.values()).filter(f::has).toArray(Flag[]::new);
    }
}
