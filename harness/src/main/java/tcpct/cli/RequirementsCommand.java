package tcpct.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import tcpct.report.Requirement;
import tcpct.report.Requirements;

/**
 * {@code ./tcpct requirements [--class wire|wire-extra|api-only|not-testable] [--json]}: the requirements catalogue,
 * every id of RFC 9293 Appendix B with its class, section and sentence.
 */
final class RequirementsCommand {

    private RequirementsCommand() {
    }

    static int run(String[] args) throws IOException {
        Help.Command me = Help.of("requirements");
        CommandOptions o = CommandOptions.parse(args, "requirements", me.optionNames(), me.flagNames());
        Requirement.Kind only = o.text("--class", null) == null ? null : Requirement.Kind.byLabel(o.text("--class", null));
        boolean json = o.flag("--json");
        Requirement.Kind k = only;
        List<Requirement> rows = Requirements.catalogue().all().stream().filter(r -> k == null || r.kind() == k).toList();
        if (json) {
            ObjectMapper om = new ObjectMapper();
            ArrayNode a = om.createArrayNode();
            for (Requirement r : rows) {
                ObjectNode n = a.addObject();
                n.put("id", r.id()).put("column", r.column()).put("class", r.kind().label).put("group", r.group()).put("feature", r.feature());
                r.sections().forEach(n.putArray("sections")::add);
                n.put("sentence", r.sentence()).put("note", r.note()).put("link", r.link());
            }
            System.out.println(om.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(a));
        } else {
            for (Requirement r : rows) {
                System.out.printf("%-8s %-12s %-14s %s%n", r.id(), r.kind().label, String.join(",", r.sections()), r.sentence());
            }
        }
        return Runner.OK;
    }
}
