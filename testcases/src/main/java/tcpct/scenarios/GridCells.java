package tcpct.scenarios;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cells of the state x segment grid (shared/spec/state-diagram.md), each with a stable id
 * {@code grid/<row>/<column>/<variant>}: rows are the 11 states and "no-socket"; columns the arriving
 * segment's kind; variants where its SEQ falls (exact = RCV.NXT, in-window, left-of-window,
 * right-of-window) and, for segments with ACK, whether the ACK is acceptable, old or future. Rows
 * without RCV.NXT (no-socket, CLOSED, LISTEN, SYN-SENT) take one SEQ ("any"), since theirs cannot
 * change the answer, and the first three one ACK ("any") too.
 *
 * <p>Each cell is a segment a correct peer can send (testcases/GRID-JUDGEMENTS.md): an old ACK (SND.UNA - 1000)
 * comes after the target sent and the peer acknowledged 2,000 octets, so it acknowledges octets really sent;
 * an "exact" FIN after the peer's FIN is that FIN again (RCV.NXT - 1), not a second one.
 */
public final class GridCells implements Supplier<List<String>> {

    static final List<String> ROWS = List.of("no-socket", "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
            "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT");
    static final List<String> COLUMNS = List.of("SYN", "SYN-ACK", "SYN-FIN", "ACK", "FIN", "FIN-ACK", "RST", "RST-ACK");
    static final List<String> SEQS = List.of("exact", "in-window", "left-of-window", "right-of-window");
    static final List<String> ACKS = List.of("acceptable-ack", "old-ack", "future-ack");

    static boolean hasAck(String column) {
        return column.endsWith("ACK") && !column.equals("SYN-ACK") || column.equals("SYN-ACK");
    }

    static boolean synchronizedRow(String row) {
        return ROWS.indexOf(row) >= ROWS.indexOf("SYN-RECEIVED");
    }

    @Override
    public List<String> get() {
        List<String> ids = new ArrayList<>();
        for (String row : ROWS) {
            for (String col : COLUMNS) {
                List<String> seqs = synchronizedRow(row) ? SEQS : List.of("any");
                List<String> acks = !hasAck(col) ? List.of("") : row.equals("SYN-SENT") || synchronizedRow(row) ? ACKS : List.of("any-ack");
                for (String seq : seqs) {
                    for (String ack : acks) {
                        ids.add("grid/" + row + "/" + col + "/" + seq + (ack.isEmpty() ? "" : "." + ack));
                    }
                }
            }
        }
        return ids;
    }
}
