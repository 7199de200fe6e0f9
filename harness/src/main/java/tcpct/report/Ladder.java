package tcpct.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A ladder (sequence) diagram of one scenario as SVG: the peer's line on the left, the target's on the
 * right, one arrow per segment in the order the kernel timestamped them, labelled with its time from the
 * first event and its relative numbers, and the target's states, as the probe confirmed them, beside its line.
 */
public final class Ladder {

    /** One row of the diagram: a segment ({@code toTarget} tells the direction) or a confirmed state. */
    public record Event(long epochNanos, String label, Kind kind) {
    }

    public enum Kind {
        TO_TARGET, FROM_TARGET, STATE
    }

    private static final int ROW = 26;
    private static final int PEER_X = 90;
    private static final int TARGET_X = 470;

    private Ladder() {
    }

    public static String svg(String title, List<Event> events) {
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Event::epochNanos));
        long t0 = sorted.isEmpty() ? 0 : sorted.get(0).epochNanos();
        int height = 80 + ROW * sorted.size();
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"").append(height)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n")
                .append("<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">")
                .append("<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#333\"/></marker></defs>\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append(text(10, 18, Markup.escape(title), "font-weight=\"bold\""))
                .append(text(PEER_X - 30, 44, "peer (tcpct)", "")).append(text(TARGET_X - 30, 44, "target", ""))
                .append(line(PEER_X, 52, PEER_X, height - 10, "#999")).append(line(TARGET_X, 52, TARGET_X, height - 10, "#999"));
        int y = 70;
        for (Event e : sorted) {
            String at = String.format("+%.1f ms", (e.epochNanos() - t0) / 1e6);
            switch (e.kind()) {
                case TO_TARGET -> b.append(arrow(PEER_X, TARGET_X, y)).append(text(PEER_X + 10, y - 4, Markup.escape(e.label()), ""))
                        .append(text(4, y + 4, at, "fill=\"#666\" font-size=\"10\""));
                case FROM_TARGET -> b.append(arrow(TARGET_X, PEER_X, y)).append(text(PEER_X + 10, y - 4, Markup.escape(e.label()), ""))
                        .append(text(4, y + 4, at, "fill=\"#666\" font-size=\"10\""));
                case STATE -> b.append("<rect x=\"").append(TARGET_X + 8).append("\" y=\"").append(y - 13)
                        .append("\" width=\"130\" height=\"18\" rx=\"4\" fill=\"#e8f0fe\" stroke=\"#4a6fd8\"/>")
                        .append(text(TARGET_X + 14, y, Markup.escape(e.label()), "fill=\"#1a3fa8\""))
                        .append(text(TARGET_X + 145, y, at, "fill=\"#666\" font-size=\"10\""));
            }
            y += ROW;
        }
        return b.append("</svg>\n").toString();
    }

    private static String arrow(int x1, int x2, int y) {
        return "<line x1=\"" + x1 + "\" y1=\"" + (y - 8) + "\" x2=\"" + x2 + "\" y2=\"" + (y + 2)
                + "\" stroke=\"#333\" marker-end=\"url(#a)\"/>\n";
    }

    private static String line(int x1, int y1, int x2, int y2, String color) {
        return "<line x1=\"" + x1 + "\" y1=\"" + y1 + "\" x2=\"" + x2 + "\" y2=\"" + y2 + "\" stroke=\"" + color + "\"/>\n";
    }

    private static String text(int x, int y, String s, String attrs) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" " + attrs + ">" + s + "</text>\n";
    }

}
