package tcpct.target;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the harness may prove that a target sent nothing in answer to a segment, as its target.json's
 * {@code "silence"} declares it. Without a declaration the reply window is waited out (the safe way, and the
 * slow one). With {@code "barrier": true} the harness sends, after the segment, a barrier whose answer RFC 9293
 * fixes (an ACK to a port without a socket, answered {@code <SEQ=SEG.ACK><CTL=RST>}, 3.10.7.1) and takes
 * everything the target sent before that answer as its whole answer to the segment. That holds only where the
 * stack processes segments in the order they arrive and answers at once; {@code windowIn} names the states
 * (RFC names) where it does not, each with its reason, and there the window is waited out as before.
 */
public record SilenceProof(boolean barrier, String why, Map<String, String> windowIn) {

    /** No declaration: every reply window is waited out. */
    public static final SilenceProof WINDOW = new SilenceProof(false, "target.json declares no \"silence\"", Map.of());

    public SilenceProof {
        windowIn = Map.copyOf(windowIn);
    }

    /** Whether a barrier may end the wait for an answer to a segment that arrived in {@code state} (an RFC name). */
    public boolean barrierIn(String state) {
        return barrier && !windowIn.containsKey(state);
    }

    /** Why the window is waited out in {@code state}, or null where the barrier is used. */
    public String windowReason(String state) {
        return !barrier ? why : windowIn.get(state);
    }

    /** Reads target.json's {@code "silence"} object; a missing one is {@link #WINDOW}. */
    static SilenceProof parse(Path file, JsonNode n, java.util.Set<String> stateNames) {
        if (n.isMissingNode() || n.isNull()) {
            return WINDOW;
        }
        String shape = "give {\"barrier\": true|false, \"why\": \"...\", \"windowIn\": {\"STATE\": \"why\"}} (targets/README.md)";
        if (!n.isObject() || !n.path("barrier").isBoolean() || !n.path("why").isTextual() || n.path("why").asText().isBlank()) {
            throw new TargetException(file + ": \"silence\" is " + n + ": " + shape);
        }
        n.fieldNames().forEachRemaining(k -> {
            if (!java.util.Set.of("barrier", "why", "windowIn").contains(k)) {
                throw new TargetException(file + ": \"silence\" has an unknown key \"" + k + "\": " + shape);
            }
        });
        Map<String, String> windowIn = new TreeMap<>();
        JsonNode w = n.path("windowIn");
        if (!w.isMissingNode() && !w.isObject()) {
            throw new TargetException(file + ": \"silence\".\"windowIn\" is " + w + ": " + shape);
        }
        w.fields().forEachRemaining(e -> {
            if (!stateNames.contains(e.getKey())) {
                throw new TargetException(file + ": \"silence\".\"windowIn\" names \"" + e.getKey() + "\", which is no state: use one of "
                        + new java.util.TreeSet<>(stateNames));
            }
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new TargetException(file + ": \"silence\".\"windowIn\".\"" + e.getKey() + "\" gives no reason: say why the barrier"
                        + " cannot be trusted in that state");
            }
            windowIn.put(e.getKey(), e.getValue().asText());
        });
        return new SilenceProof(n.path("barrier").asBoolean(), n.path("why").asText(), windowIn);
    }
}
