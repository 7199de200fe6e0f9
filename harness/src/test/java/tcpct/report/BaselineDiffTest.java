package tcpct.report;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class BaselineDiffTest {

    private static Path summary(String target, String... ids) throws Exception {
        StringBuilder s = new StringBuilder("{\"schemaVersion\": 1, \"target\": {\"name\": \"" + target + "\"}, \"scenarios\": [");
        for (int i = 0; i < ids.length; i++) {
            s.append(i > 0 ? "," : "").append("{\"id\": \"").append(ids[i]).append("\", \"verdict\": \"PASSED\"}");
        }
        Path f = Files.createTempFile("summary", ".json");
        Files.writeString(f, s.append("]}").toString());
        return f;
    }

    @Test
    public void aBaselineOfAnotherTargetOrWithoutSharedScenariosIsRefused() throws Exception {
        Path lwip = summary("lwip", "close/active-close");
        assertThatThrownBy(() -> BaselineDiff.check(lwip, "linux", List.of("close/active-close")))
                .hasMessage("--baseline " + lwip + " is a run of target 'lwip', not of 'linux': give a summary.json of linux (or run --target lwip)");
        Path linux = summary("linux", "close/active-close");
        assertThatThrownBy(() -> BaselineDiff.check(linux, "linux", List.of("establish/passive-open", "establish/active-open")))
                .hasMessage("--baseline " + linux + " has none of the 2 scenarios this run selects: select scenarios it ran (--scenario, --group)"
                        + " or give another summary.json");
        assertThatCode(() -> BaselineDiff.check(linux, "linux", List.of("establish/passive-open", "close/active-close"))).doesNotThrowAnyException();
    }
}
