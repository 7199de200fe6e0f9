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
    public static Object[][] scripts(Method m, org.testng.ITestContext context) {
        // a script runs over the IP version its --ip_version says (or the run's): in the other version's test it is not a row
        tcpct.wire.IpFamily family = "6".equals(context.getCurrentXmlTest().getParameter(IP_PARAMETER)) ? tcpct.wire.IpFamily.IPV6
                : tcpct.wire.IpFamily.IPV4;
        return java.util.Arrays.stream(Selection.rows(m)).filter(r -> PktScripts.runsOver((String) r[0], family)).toArray(Object[][]::new);
    }

    @Test(description = "packetdrill script", dataProvider = "scripts", groups = "pkt")
    @Scenario(id = "pkt", expand = PktScripts.Ids.class)
    public void script(String id) {
        new PktInterpreter(PktScripts.get(id), PktScripts.settings(), target, peer).run();
    }
}
