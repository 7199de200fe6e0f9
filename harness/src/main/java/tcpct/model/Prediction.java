package tcpct.model;

import java.util.List;
import tcpct.state.TcpState;

/**
 * What RFC 9293 3.10.7 requires when a segment arrives: the segments to send (none: drop silently), the
 * state after, the clause that says so (section and requirement ID where the RFC gives one), and how
 * strongly it binds.
 */
public record Prediction(List<Reply> replies, TcpState next, String clause, Strength strength) {

    public Prediction {
        replies = List.copyOf(replies);
    }

    static Prediction drop(TcpState stay, String clause) {
        return new Prediction(List.of(), stay, clause, Strength.MUST);
    }

    static Prediction send(Reply r, TcpState next, String clause) {
        return new Prediction(List.of(r), next, clause, Strength.MUST);
    }

    Prediction should() {
        return new Prediction(replies, next, clause, Strength.SHOULD);
    }

    /** The RFC tags (sections and requirement IDs) named in the clause, for summary.json. */
    public List<String> rfcTags() {
        java.util.List<String> tags = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("((?:MUST|SHLD|MAY)-\\d+)|(\\d+\\.\\d+(?:\\.\\d+)*)").matcher(clause);
        while (m.find()) {
            if (!tags.contains(m.group())) {
                tags.add(m.group());
            }
        }
        return tags;
    }

    @Override
    public String toString() {
        return (replies.isEmpty() ? "no reply" : replies.toString()) + ", then " + next + " (" + clause + ")";
    }
}
