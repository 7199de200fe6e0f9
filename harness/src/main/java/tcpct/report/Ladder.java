package tcpct.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A ladder (sequence) diagram of one scenario as SVG: the peer's line on the left, the target's on the
 * right, one arrow per segment in the order the kernel timestamped them, labelled with its time from the
 * first event and its relative numbers, and the target's states, as the probe confirmed them, beside its line.
 * A retransmission is a dashed orange arrow saying so; a segment the scenario expected that never came is
 * a red dashed half-arrow at the moment the wait gave up. Hovering an arrow shows its {@code detail}
 * (absolute numbers, window, options) as the SVG's title. The picture is as wide and tall as what it
 * draws (nothing clipped), with a viewBox so that a narrower frame scales it down instead of cutting it.
 */
public final class Ladder {

    /**
     * One row of the diagram: a segment ({@code kind} tells the direction), a confirmed state, or an expected
     * segment that never came ({@code MISSING}, {@code label} says what). {@code detail}: shown on hover.
     */
    public record Event(long epochNanos, String label, Kind kind, String detail, boolean retransmission) {
        public Event(long epochNanos, String label, Kind kind) {
            this(epochNanos, label, kind, "", false);
        }
    }

    public enum Kind {
        TO_TARGET, FROM_TARGET, STATE, MISSING
    }

    static final int ROW = 26;
    static final int PEER_X = 100;
    static final int TARGET_X = 480;
    /** Monospace at 12 px: the width of one character, rounded up, for sizing the picture to its text. */
    static final double CHAR_W = 7.3;
    private static final int STATE_BOX = 130;

    private Ladder() {
    }

    public static String svg(String title, List<Event> events) {
        List<Event> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Event::epochNanos));
        long t0 = sorted.isEmpty() ? 0 : sorted.get(0).epochNanos();
        int rightmost = Math.max(text(title, 12, 10), TARGET_X + 8 + STATE_BOX + 8 + 80); // a state box and its time
        for (Event e : sorted) {
            rightmost = Math.max(rightmost, PEER_X + 10 + (int) Math.ceil(label(e).length() * CHAR_W));
        }
        boolean legend = sorted.stream().anyMatch(e -> e.retransmission() || e.kind() == Kind.MISSING);
        int width = rightmost + 20;
        int height = 70 + ROW * sorted.size() + (legend ? 24 : 0) + 10;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n")
                .append("<defs>").append(marker("a", "#333")).append(marker("r", "#d9822b")).append(marker("m", "#c62828")).append("</defs>\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append(text(10, 18, Markup.escape(title), "font-weight=\"bold\""))
                .append(text(PEER_X - 30, 44, "peer (tcpct)", "")).append(text(TARGET_X - 20, 44, "target", ""))
                .append(line(PEER_X, 52, PEER_X, 70 + ROW * sorted.size() - 10, "#999", ""))
                .append(line(TARGET_X, 52, TARGET_X, 70 + ROW * sorted.size() - 10, "#999", ""));
        int y = 70;
        for (Event e : sorted) {
            String at = text(4, y + 4, String.format("+%.1f ms", (e.epochNanos() - t0) / 1e6), "fill=\"#666\" font-size=\"10\"");
            String hover = e.detail().isEmpty() ? "" : "<title>" + Markup.escape(e.detail()) + "</title>";
            String colour = e.retransmission() ? "#d9822b" : "#333";
            String dash = e.retransmission() ? " stroke-dasharray=\"6,3\"" : "";
            String labelAttrs = e.retransmission() ? "fill=\"#a85a10\"" : "";
            switch (e.kind()) {
                case TO_TARGET, FROM_TARGET -> {
                    boolean in = e.kind() == Kind.TO_TARGET;
                    b.append("<g>").append(hover).append(arrow(in ? PEER_X : TARGET_X, in ? TARGET_X : PEER_X, y, colour, e.retransmission() ? "r" : "a", dash))
                            .append(text(PEER_X + 10, y - 4, Markup.escape(label(e)), labelAttrs)).append("</g>\n").append(at);
                }
                case MISSING -> b.append("<g>").append(hover)
                        .append(arrow(TARGET_X, (PEER_X + TARGET_X) / 2, y, "#c62828", "m", " stroke-dasharray=\"4,4\""))
                        .append(text(PEER_X + 10, y - 4, Markup.escape(label(e)), "fill=\"#c62828\" font-weight=\"bold\"")).append("</g>\n")
                        .append(at);
                case STATE -> b.append("<rect x=\"").append(TARGET_X + 8).append("\" y=\"").append(y - 13)
                        .append("\" width=\"").append(STATE_BOX).append("\" height=\"18\" rx=\"4\" fill=\"#e8f0fe\" stroke=\"#4a6fd8\"/>")
                        .append(text(TARGET_X + 14, y, Markup.escape(e.label()), "fill=\"#1a3fa8\""))
                        .append(text(TARGET_X + 8 + STATE_BOX + 8, y, String.format("+%.1f ms", (e.epochNanos() - t0) / 1e6),
                                "fill=\"#666\" font-size=\"10\""));
            }
            y += ROW;
        }
        if (legend) {
            b.append(line(10, y, 40, y, "#d9822b", " stroke-dasharray=\"6,3\"")).append(text(46, y + 4, "retransmission", "fill=\"#a85a10\""))
                    .append(line(180, y, 210, y, "#c62828", " stroke-dasharray=\"4,4\""))
                    .append(text(216, y + 4, "expected, never came", "fill=\"#c62828\""));
        }
        return b.append("</svg>\n").toString();
    }

    /** What an arrow says: the segment, marked when it is a retransmission; for a missing one, what was expected. */
    static String label(Event e) {
        return switch (e.kind()) {
            case MISSING -> "\u2717 " + e.label() + ": never came";
            case STATE -> e.label();
            default -> e.retransmission() ? e.label() + "  (retransmission)" : e.label();
        };
    }

    private static int text(String s, int x, int margin) {
        return x + (int) Math.ceil(s.length() * CHAR_W) + margin;
    }

    private static String marker(String id, String colour) {
        return "<marker id=\"" + id + "\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\">"
                + "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"" + colour + "\"/></marker>";
    }

    private static String arrow(int x1, int x2, int y, String colour, String marker, String extra) {
        return "<line x1=\"" + x1 + "\" y1=\"" + (y - 8) + "\" x2=\"" + x2 + "\" y2=\"" + (y + 2)
                + "\" stroke=\"" + colour + "\"" + extra + " marker-end=\"url(#" + marker + ")\"/>";
    }

    private static String line(int x1, int y1, int x2, int y2, String color, String extra) {
        return "<line x1=\"" + x1 + "\" y1=\"" + y1 + "\" x2=\"" + x2 + "\" y2=\"" + y2 + "\" stroke=\"" + color + "\"" + extra + "/>\n";
    }

    private static String text(int x, int y, String s, String attrs) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" " + attrs + ">" + s + "</text>\n";
    }
}
