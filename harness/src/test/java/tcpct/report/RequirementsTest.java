package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.testng.SkipException;
import org.testng.annotations.Test;

/** The catalogue against the facts of RFC 9293 Appendix B (Table 8), and, where the RFC's text is on this machine, against it. */
public class RequirementsTest {

    /** Where the project keeps its copy of the RFC's text (a machine without it skips the text checks). */
    static final Path RFC = Path.of(System.getProperty("tcpct.rfc9293", "/work/shared/spec/rfc9293.txt"));

    private final Requirements catalogue = Requirements.catalogue();

    private List<String> ids(String level) {
        return catalogue.all().stream().filter(r -> r.level().equals(level)).map(Requirement::id).toList();
    }

    private static List<String> numbered(String level, int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> level + "-" + i).toList();
    }

    @Test
    public void everyIdOfAppendixBOnceAndNothingElse() {
        // Table 8 of RFC 9293: 69 MUST, 31 SHLD, 18 MAY, one REC, each numbered from 1 without gaps
        assertThat(ids("MUST")).containsExactlyElementsOf(numbered("MUST", 69));
        assertThat(ids("SHLD")).containsExactlyElementsOf(numbered("SHLD", 31));
        assertThat(ids("MAY")).containsExactlyElementsOf(numbered("MAY", 18));
        assertThat(ids("REC")).containsExactly("REC-1");
        assertThat(catalogue.all()).hasSize(119);
    }

    @Test
    public void everyRequirementHasASectionASentenceAndAClass() {
        for (Requirement r : catalogue.all()) {
            assertThat(r.sections()).as(r.id() + " sections").isNotEmpty().allMatch(s -> s.matches("3(\\.\\d+)+"));
            assertThat(r.sentence()).as(r.id() + " sentence").isNotBlank();
            // the body tags each sentence with its id, except MUST-22, which RFC 9293 states without its tag (3.8.3)
            if (!r.id().equals("MUST-22")) {
                assertThat(r.sentence()).as(r.id() + " sentence carries its tag").containsPattern("\\(" + r.id() + "(\\)| --)");
            }
            assertThat(r.kind()).isNotNull();
            if (r.kind() != Requirement.Kind.WIRE) {
                assertThat(r.note()).as(r.id() + " is " + r.kind().label + ": its note says why").isNotBlank();
            }
            assertThat(r.link()).isEqualTo("https://www.rfc-editor.org/rfc/rfc9293#section-" + r.sections().get(0));
        }
    }

    @Test
    public void theColumnsAndSectionsOfTable8() {
        // facts of Table 8: the MUST NOT and SHOULD NOT rows, and a few sections of the body
        Set<String> mustNot = catalogue.all().stream().filter(r -> r.column().equals("MUST NOT")).map(Requirement::id).collect(Collectors.toSet());
        assertThat(mustNot).containsExactlyInAnyOrder("MUST-9", "MUST-41", "MUST-46", "MUST-56", "MUST-60", "MUST-65");
        Set<String> shouldNot = catalogue.all().stream().filter(r -> r.column().equals("SHOULD NOT")).map(Requirement::id).collect(Collectors.toSet());
        assertThat(shouldNot).containsExactlyInAnyOrder("SHLD-13", "SHLD-14", "SHLD-15", "SHLD-17", "SHLD-23");
        Map<String, String> sections = Map.of("MUST-1", "3.1", "MUST-8", "3.4.1", "MUST-13", "3.6.1", "MUST-15", "3.7.1", "MUST-36", "3.8.6.1",
                "MUST-59", "3.10.7.4", "MUST-66", "3.4", "SHLD-2", "3.5.3", "MAY-2", "3.6.1", "REC-1", "3.1");
        sections.forEach((id, s) -> assertThat(catalogue.byId(id).orElseThrow().sections()).as(id).contains(s));
        assertThat(catalogue.all().stream().filter(r -> r.level().equals("MUST") && r.kind() == Requirement.Kind.WIRE).count()).isEqualTo(47);
    }

    @Test
    public void theRfcTextHasTheSameIdsSectionsAndSentences() throws Exception {
        if (!Files.isReadable(RFC)) {
            throw new SkipException("RFC 9293's text is not at " + RFC + " (-Dtcpct.rfc9293=FILE): only the copied facts are checked");
        }
        String text = Files.readString(RFC);
        String appendix = text.substring(text.lastIndexOf("Appendix B.  TCP Requirement Summary"), text.indexOf("Table 8: TCP Requirements Summary"));
        Set<String> inTable = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\| ((?:MUST|SHLD|MAY|REC)-\\d+)\\s*\\|").matcher(appendix);
        while (m.find()) {
            inTable.add(m.group(1));
        }
        assertThat(inTable).containsExactlyInAnyOrderElementsOf(catalogue.all().stream().map(Requirement::id).toList());
        String flat = text.replaceAll("\\n(RFC 9293|Eddy)[^\\n]*\\n", "\n").replaceAll("\\s+", " ").replaceAll("(\\w)- (?=[0-9a-z])", "$1-");
        Set<String> headings = new LinkedHashSet<>();
        Matcher h = Pattern.compile("(?m)^(3(?:\\.\\d+)+)\\.  \\S").matcher(text);
        while (h.find()) {
            headings.add(h.group(1));
        }
        for (Requirement r : catalogue.all()) {
            assertThat(headings).as(r.id() + "'s sections are headings of the RFC").containsAll(r.sections());
            String start = r.sentence().substring(0, Math.min(60, r.sentence().length()));
            assertThat(flat).as(r.id() + "'s sentence is the RFC's").contains(start);
        }
    }

    @Test
    public void aBrokenCatalogueLineIsNamed() {
        assertThatThrownBy(() -> Requirements.parse(List.of("id\tcolumn", "MUST-1\tMUST\tg\tf\t3.1\twire\ts")))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> Requirements.parse(List.of("MUST-1\tMUST\tg\tf\t3.1\twire\ts\t", "MUST-1\tMUST\tg\tf\t3.1\twire\ts\t")))
                .hasMessageContaining("MUST-1 is listed twice");
        assertThatThrownBy(() -> Requirements.parse(List.of("MUST-1\tMUST\tg\tf\t3.1\twired\ts\t"))).hasMessageContaining("unknown requirement class");
    }

    @Test
    public void coverageCountsEachCitingScenarioAndTheWorstVerdict() {
        Map<String, RequirementCoverage.Entry> c = RequirementCoverage.compute(List.of(
                new RequirementCoverage.Cited("a/one", "PASSED", List.of("3.1", "MUST-2", "MUST-10")),
                new RequirementCoverage.Cited("a/two", "FAILED", List.of("MUST-10")),
                new RequirementCoverage.Cited("a/three", "ERROR", List.of("SHLD-1"))));
        assertThat(c.keySet()).containsExactly("MUST-2", "MUST-10", "SHLD-1");
        assertThat(c.get("MUST-10").scenarios()).containsEntry("a/one", "PASSED").containsEntry("a/two", "FAILED");
        assertThat(c.get("MUST-10").verdict()).isEqualTo("FAILED");
        assertThat(c.get("MUST-2").verdict()).isEqualTo("PASSED");
        assertThat(c.get("MUST-2").kind()).isEqualTo("wire");
        assertThat(c.get("SHLD-1").judged()).isFalse();
        assertThat(RequirementCoverage.fromJson(RequirementCoverage.toJson(c))).isEqualTo(c);
    }
}
