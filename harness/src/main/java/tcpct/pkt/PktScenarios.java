package tcpct.pkt;

import java.lang.reflect.Method;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;
import tcpct.scenario.ConformanceBase;
import tcpct.scenario.Scenario;
import tcpct.scenario.Selection;

/**
 * Every packetdrill script of the run ({@code --pkt}) as a scenario of its own, id {@code pkt/<path>}: it runs
 * through the same runner, verdicts, summary.json, report, junit.xml, baselines and matrix as the Java
 * scenarios. Its states and edges are those the target went through, recorded after each line.
 */
public class PktScenarios extends ConformanceBase {

    /** The package the runner scans for these scenarios. */
    public static final String PACKAGE = "tcpct.pkt";

    @DataProvider(name = "scripts", parallel = true)
    public static Object[][] scripts(Method m) {
        return Selection.rows(m);
    }

    @Test(description = "packetdrill script", dataProvider = "scripts", groups = "pkt")
    @Scenario(id = "pkt", expand = PktScripts.Ids.class)
    public void script(String id) {
        new PktInterpreter(PktScripts.get(id), PktScripts.settings(), target, peer).run();
    }
}
