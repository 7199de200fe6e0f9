package tcpct.target;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/** Where and what a JSON parse error is, in a few words for a one-line message (Jackson's own spans lines). */
public final class JsonProblem {

    private JsonProblem() {
    }

    /** {@code " at line 3, column 27"}, or nothing when Jackson did not say. */
    public static String where(IOException e) {
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            JsonLocation l = j.getLocation();
            return " at line " + l.getLineNr() + ", column " + l.getColumnNr();
        }
        return "";
    }

    /** The first line of Jackson's message, without the location it appends. */
    public static String what(IOException e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
