package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.testng.annotations.Test;

public class RequirementsCommandTest {

    /** {@code ./tcpct requirements ...} as Main runs it: the same capture as the help tests (it needs no scenario catalogue either). */
    private static HelpTest.Said run(String... args) {
        return HelpTest.execute(args);
    }

    @Test
    public void printsEveryIdWithItsClassSectionAndSentence() {
        HelpTest.Said r = run("requirements");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).hasSize(119);
        assertThat(r.out()).containsPattern("(?m)^MUST-1 +wire +3\\.1 +The window size MUST be treated as an unsigned number");
    }

    @Test
    public void filtersByClass() {
        HelpTest.Said r = run("requirements", "--class", "api-only");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().map(l -> l.split(" +")[0])).containsExactly("MUST-46", "MAY-14", "MAY-15", "MAY-17");
    }

    @Test
    public void writesJson() throws Exception {
        HelpTest.Said r = run("requirements", "--json", "--class", "not-testable");
        assertThat(r.exit()).isZero();
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertThat(a.size()).isEqualTo(6);
        assertThat(a.get(0).path("id").asText()).isEqualTo("MUST-9");
        assertThat(a.get(0).path("link").asText()).isEqualTo("https://www.rfc-editor.org/rfc/rfc9293#section-3.4.1");
        assertThat(a.get(0).path("note").asText()).isNotBlank();
    }

    @Test
    public void aWrongClassIsOneLineAndExitTwo() {
        HelpTest.Said r = run("requirements", "--class", "wired");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("tcpct: unknown requirement class 'wired'").doesNotContain("\n");
        assertThat(run("requirements", "--frob").err()).contains("unknown option '--frob' for requirements");
    }
}
