package tcpct.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The requirements catalogue: every id of RFC 9293 Appendix B with its sentence, sections and class, read from
 * the resource {@code tcpct/requirements.tsv} (one requirement a line, tab-separated, {@code #} comments, a
 * header line). The only reader of that file.
 */
public final class Requirements {

    public static final String RESOURCE = "tcpct/requirements.tsv";
    /** An id as scenarios cite it. */
    public static final String ID_PATTERN = "(MUST|SHLD|MAY|REC)-\\d+";

    private static volatile Requirements loaded;

    private final Map<String, Requirement> byId;

    private Requirements(Map<String, Requirement> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    /** The catalogue shipped with the harness. */
    public static Requirements catalogue() {
        Requirements r = loaded;
        if (r == null) {
            try (InputStream in = Requirements.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the requirements catalogue " + RESOURCE + " is not on the class path: rebuild the harness");
                }
                r = parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            loaded = r;
        }
        return r;
    }

    /** Parses the file's lines; a malformed line fails with its number. */
    static Requirements parse(List<String> lines) {
        Map<String, Requirement> out = new LinkedHashMap<>();
        boolean header = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (header) {
                header = false;
                if (f[0].equals("id")) {
                    continue;
                }
            }
            if (f.length != 8 || !f[0].matches(ID_PATTERN) || f[4].isBlank() || f[6].isBlank()) {
                throw new IllegalStateException(RESOURCE + " line " + (i + 1) + ": expecting 8 tab-separated fields with an id, a section "
                        + "and a sentence, but was: " + line);
            }
            Requirement r = new Requirement(f[0], f[1], f[2], f[3], Arrays.asList(f[4].split(",")), Requirement.Kind.byLabel(f[5]), f[6], f[7]);
            if (out.put(r.id(), r) != null) {
                throw new IllegalStateException(RESOURCE + " line " + (i + 1) + ": " + r.id() + " is listed twice");
            }
        }
        return new Requirements(out);
    }

    /** Every requirement, in the order MUST-1.., SHLD-1.., MAY-1.., REC-1. */
    public List<Requirement> all() {
        return new ArrayList<>(byId.values());
    }

    public Optional<Requirement> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The class of a cited id; {@code unknown} for an id the catalogue lacks. */
    public String kindOf(String id) {
        Requirement r = byId.get(id);
        return r == null ? "unknown" : r.kind().label;
    }
}
