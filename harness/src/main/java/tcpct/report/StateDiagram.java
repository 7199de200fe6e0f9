package tcpct.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tcpct.scenario.Verdict;
import tcpct.state.Edge;
import tcpct.state.TcpState;

/**
 * The run's picture of the state diagram (state-diagram.md): the 11 states and edges E1-E21, each edge
 * green when a PASSED scenario observed it, red when a scenario that declares it did not pass and none
 * observed it passing, purple when the only scenarios that declare it were UNIMPLEMENTED (the target gives
 * no way to drive it: not a failure), grey when no scenario of the run drove it. Each edge's label sits on
 * its own side of the line, so the two edges between a pair of states (E4/E9) and a curve crossing a
 * line (E18 past E14) never share a spot; hovering an edge shows its event.
 */
public final class StateDiagram {

    public static final String FILE = "state-diagram.svg";

    private static final Map<TcpState, int[]> AT = new EnumMap<>(Map.ofEntries(
            Map.entry(TcpState.CLOSED, new int[] {330, 50}), Map.entry(TcpState.LISTEN, new int[] {330, 140}),
            Map.entry(TcpState.SYN_RECEIVED, new int[] {130, 240}), Map.entry(TcpState.SYN_SENT, new int[] {530, 240}),
            Map.entry(TcpState.ESTABLISHED, new int[] {330, 330}), Map.entry(TcpState.FIN_WAIT_1, new int[] {130, 430}),
            Map.entry(TcpState.CLOSE_WAIT, new int[] {530, 430}), Map.entry(TcpState.FIN_WAIT_2, new int[] {130, 540}),
            Map.entry(TcpState.CLOSING, new int[] {330, 540}), Map.entry(TcpState.LAST_ACK, new int[] {600, 540}),
            Map.entry(TcpState.TIME_WAIT, new int[] {330, 640})));

    /** Curved edges: control point x, y, and x offsets of the start and the end. */
    private static final Map<Edge, int[]> BENDS = new EnumMap<>(Map.of(
            Edge.E18, new int[] {-40, 330, -48, -30},
            Edge.E20, new int[] {760, 200, 30, 40},
            Edge.E6, new int[] {640, 90, 20, 48}));

    private StateDiagram() {
    }

    public static void write(List<ScenarioResult> results, Path file) throws IOException {
        Set<String> passed = new TreeSet<>();
        Set<String> failed = new TreeSet<>();
        Set<String> unimplemented = new TreeSet<>();
        for (ScenarioResult r : results) {
            if (r.verdict() == Verdict.PASSED) {
                passed.addAll(r.edges());
            } else if (r.verdict() == Verdict.UNIMPLEMENTED) {
                unimplemented.addAll(r.declaredEdges());
            } else {
                failed.addAll(r.declaredEdges());
            }
        }
        Files.writeString(file, svg(passed, failed, unimplemented));
    }

    static final String GREEN = "#2e7d32";
    static final String RED = "#c62828";
    static final String PURPLE = "#7b3fb0";
    static final String GREY = "#bbb";

    /** An edge's colour: passed wins, then a failure, then unimplemented; grey when no scenario drove it. */
    static String colour(String edge, Set<String> passed, Set<String> failed, Set<String> unimplemented) {
        return passed.contains(edge) ? GREEN : failed.contains(edge) ? RED : unimplemented.contains(edge) ? PURPLE : GREY;
    }

    static String svg(Set<String> passed, Set<String> failed, Set<String> unimplemented) {
        StringBuilder b = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"720\" font-family=\"sans-serif\" font-size=\"12\">\n"
                + "<defs><marker id=\"h\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker></defs>\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                + "<text x=\"10\" y=\"20\" font-weight=\"bold\">RFC 9293 state diagram: edges observed in this run</text>\n"
                + "<text x=\"10\" y=\"700\" fill=\"#2e7d32\">green: observed by a PASSED scenario</text>"
                + "<text x=\"270\" y=\"700\" fill=\"#c62828\">red: driven, not passed</text>"
                + "<text x=\"425\" y=\"700\" fill=\"" + PURPLE + "\">purple: unimplemented</text><text x=\"585\" y=\"700\" fill=\"#999\">grey: not driven</text>\n");
        for (Edge e : Edge.values()) {
            int[] a = AT.get(e.from);
            int[] z = AT.get(e.to);
            String color = colour(e.name(), passed, failed, unimplemented);
            double dx = z[0] - a[0];
            double dy = z[1] - a[1];
            double len = Math.max(1, Math.hypot(dx, dy));
            // each edge and its label on its own left: the two edges between a pair of states (opposite directions)
            // end up on opposite sides, apart, and so do their labels
            double nx = -dy / len;
            double ny = dx / len;
            double ox = nx * 7;
            double oy = ny * 7;
            double x1 = a[0] + dx / len * 40 + ox;
            double y1 = a[1] + dy / len * 18 + oy;
            double x2 = z[0] - dx / len * 40 + ox;
            double y2 = z[1] - dy / len * 18 + oy;
            String title = String.format("<title>%s %s -&gt; %s: %s</title>", e.name(), e.from.rfcName(), e.to.rfcName(), e.event);
            int[] bend = BENDS.get(e);
            if (bend != null) { // long edges back to CLOSED go around the diagram instead of through it
                b.append(String.format("<path d=\"M%d,%d Q%d,%d %d,%d\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" marker-end=\"url(#h)\">%s</path>\n",
                        a[0] + bend[2], a[1], bend[0], bend[1], z[0] + bend[3], z[1] + 14, color, title));
                double[] at = bezier(a[0] + bend[2], a[1], bend[0], bend[1], z[0] + bend[3], z[1] + 14, 0.6); // on the curve itself
                b.append(String.format("<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\" font-size=\"11\">%s</text>\n", at[0] + 6, at[1] + 4, color, e.name()));
            } else {
                b.append(String.format("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\" marker-end=\"url(#h)\">%s</line>\n",
                        x1, y1, x2, y2, color, title));
                b.append(String.format("<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                        (x1 + x2) / 2 + nx * 12, (y1 + y2) / 2 + ny * 12 + 4, color, e.name()));
            }
        }
        for (Map.Entry<TcpState, int[]> s : AT.entrySet()) {
            int[] p = s.getValue();
            b.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"96\" height=\"28\" rx=\"6\" fill=\"#eef3ff\" stroke=\"#4a6fd8\"/>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", p[0] - 48, p[1] - 14, p[0], p[1] + 4, s.getKey().rfcName()));
        }
        return b.append("</svg>\n").toString();
    }

    /** The point at {@code t} of the quadratic curve from (x0,y0) by (cx,cy) to (x1,y1). */
    static double[] bezier(double x0, double y0, double cx, double cy, double x1, double y1, double t) {
        double u = 1 - t;
        return new double[] {u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1};
    }
}
