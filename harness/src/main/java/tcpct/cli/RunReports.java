package tcpct.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tcpct.report.AllureReport;
import tcpct.report.ExpectedVerdicts;
import tcpct.report.GridTable;
import tcpct.report.JunitXml;
import tcpct.report.RequirementCoverage;
import tcpct.report.RequirementsPage;
import tcpct.report.ScenarioResult;
import tcpct.report.StateDiagram;

/**
 * The files that a run's results (or a merge's) make beside summary.json, the same for both: known deviations
 * marked in the Allure results, the Allure report with its trend {@code history}, state-diagram.svg, junit.xml,
 * grid.html (when the grid ran) and requirements.html.
 */
final class RunReports {

    /** What was written: how many results are known deviations, and why there is no HTML report (null: there is one). */
    record Written(int knownDeviations, boolean grid, String reportProblem) {
    }

    private RunReports() {
    }

    static Written write(Path home, String target, List<ScenarioResult> results, ExpectedVerdicts expected, long durationMs, Path out,
                         Path history) throws IOException {
        Map<String, String> known = new LinkedHashMap<>();
        for (ScenarioResult r : results) {
            ExpectedVerdicts.Expectation e = expected.of(r.id());
            if (e.knownDeviation(r.verdict())) {
                known.put(r.id(), r.verdict() + ", as expected.json says: " + e.reason());
            }
        }
        AllureReport.markKnownDeviations(out.resolve("allure-results"), known);
        String reportProblem = AllureReport.generate(Runner.allureBin(home), out.resolve("allure-results"), out.resolve("report"), history);
        StateDiagram.write(results, out.resolve(StateDiagram.FILE));
        JunitXml.write(target, results, expected, durationMs, out.resolve(JunitXml.FILE));
        boolean grid = GridTable.write(results, expected, out.resolve(GridTable.FILE));
        RequirementsPage.write(RequirementCoverage.ofResults(results), target, out.resolve(RequirementsPage.FILE));
        return new Written(known.size(), grid, reportProblem);
    }
}
