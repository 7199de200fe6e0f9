package tcpct.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tcpct.scenario.Verdict;

/**
 * junit.xml beside summary.json, for CI systems that read JUnit reports: one testcase per scenario, a
 * failure where the verdict differs from the target's expected verdict (a regression, or a pass the
 * baseline should learn), skipped for an expected UNIMPLEMENTED or SKIPPED; the verdict is in system-out.
 */
public final class JunitXml {

    public static final String FILE = "junit.xml";

    private JunitXml() {
    }

    public static void write(String target, List<ScenarioResult> results, ExpectedVerdicts expected, long durationMs, Path file)
            throws IOException {
        int failures = 0;
        int skipped = 0;
        StringBuilder cases = new StringBuilder();
        for (ScenarioResult r : results) {
            Verdict exp = expected.of(r.id()).expectedFor(r.verdict());
            String group = r.id().contains("/") ? r.id().substring(0, r.id().indexOf('/')) : r.id();
            cases.append("  <testcase classname=\"tcpct.").append(Markup.escape(target)).append('.').append(Markup.escape(group)).append("\" name=\"")
                    .append(Markup.escape(r.id())).append("\" time=\"").append(r.durationMs() / 1000.0).append("\">\n");
            if (exp != r.verdict()) {
                failures++;
                cases.append("    <failure message=\"").append(Markup.escape(r.id() + ": " + exp + " -> " + r.verdict()
                        + (r.failure() == null ? "" : " (" + r.failure() + ")"))).append("\" type=\"").append(r.verdict()).append("\"/>\n");
            } else if (r.verdict() == Verdict.UNIMPLEMENTED || r.verdict() == Verdict.SKIPPED) {
                skipped++;
                cases.append("    <skipped message=\"").append(Markup.escape(r.failure() == null ? r.verdict().name() : r.failure())).append("\"/>\n");
            }
            cases.append("    <system-out>").append(Markup.escape("verdict " + r.verdict() + ", expected " + exp
                    + (r.failure() == null ? "" : ": " + r.failure()))).append("</system-out>\n  </testcase>\n");
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"tcpct " + Markup.escape(target) + "\" tests=\""
                + results.size() + "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"" + skipped + "\" time=\""
                + durationMs / 1000.0 + "\">\n" + cases + "</testsuite>\n";
        Files.writeString(file, xml);
    }

}
