package tcpct.report;

import java.util.List;

/**
 * One requirement of RFC 9293's Appendix B (Table 8): its id ({@code MUST-n}, {@code SHLD-n}, {@code MAY-n},
 * {@code REC-1}), the table's column ({@code MUST}, {@code MUST NOT}, {@code SHOULD}...), group and feature, the
 * sections of the body that state it, its {@link Kind class} for tcpct, the body's sentence, and a note (why
 * the class, or what a test needs).
 */
public record Requirement(String id, String column, String group, String feature, List<String> sections, Kind kind,
                          String sentence, String note) {

    /** How a requirement can be shown from outside the stack. */
    public enum Kind {
        /** A peer on one wire, with the agent's socket calls, can see it. */
        WIRE("wire"),
        /** Observable, but needs what tcpct lacks today: ICMP, IP options, a second address, agent commands, hours-long timers. */
        WIRE_EXTRA("wire-extra"),
        /** Only the result of a call shows it. */
        API_ONLY("api-only"),
        /** Cannot be shown from outside (the note says why). */
        NOT_TESTABLE("not-testable");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public static Kind byLabel(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown requirement class '" + label + "': use wire, wire-extra, api-only or not-testable");
        }
    }

    public Requirement {
        sections = List.copyOf(sections);
    }

    /** MUST, SHLD, MAY or REC. */
    public String level() {
        return id.substring(0, id.indexOf('-'));
    }

    /** The RFC's first section that states it, on rfc-editor.org. */
    public String link() {
        return "https://www.rfc-editor.org/rfc/rfc9293#section-" + sections.get(0);
    }
}
