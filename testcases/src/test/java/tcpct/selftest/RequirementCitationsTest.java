package tcpct.selftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.cli.ScenarioCatalog;
import tcpct.report.Requirements;
import tcpct.scenario.Rfc9293;

/** Every requirement id a scenario cites is one of RFC 9293 Appendix B (the catalogue), and every section it names is a section of the RFC's body. */
public class RequirementCitationsTest {

    @Test
    public void everyCitedIdIsInTheCatalogue() {
        List<String> unknown = new ArrayList<>();
        int cited = 0;
        for (ScenarioCatalog.Entry e : ScenarioCatalog.scan().all()) {
            Rfc9293 r = e.method().getAnnotation(Rfc9293.class);
            if (r == null) {
                continue;
            }
            for (String id : r.requirements()) {
                if (!id.matches(Requirements.ID_PATTERN)) {
                    assertThat(id).as(e.id() + " cites another RFC's clause").matches("RFC\\d+(:[0-9.]+)?");
                    continue;
                }
                cited++;
                if (Requirements.catalogue().byId(id).isEmpty()) {
                    unknown.add(e.id() + ": " + id);
                }
            }
        }
        assertThat(cited).isPositive();
        assertThat(unknown).as("requirement ids cited by scenarios but not in RFC 9293 Appendix B").isEmpty();
    }
}
