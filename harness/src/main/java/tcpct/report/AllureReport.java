package tcpct.report;

import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Allure results of a run (where the TestNG listener writes them) and the HTML report made from them, offline. */
public final class AllureReport {

    static final long GENERATE_TIMEOUT_S = 120;

    /**
     * Allure categories (a result joins every category it matches, hence the look-aheads): deviations the
     * target's baseline expects (their message starts "known deviation"), other conformance failures
     * (FAILED, NON_STRICT: Allure "failed"), harness errors (ERROR: "broken"), and scenarios the target
     * cannot drive (UNIMPLEMENTED: "skipped").
     */
    static final String CATEGORIES = """
            [
              {"name": "Known deviations (listed in the target's expected verdicts)", "messageRegex": "(?s)known deviation.*",
               "matchedStatuses": ["failed", "skipped"]},
              {"name": "Conformance failures: the target broke RFC 9293", "messageRegex": "(?s)(?!known deviation).*",
               "matchedStatuses": ["failed"]},
              {"name": "Harness errors: no verdict on the target", "matchedStatuses": ["broken"]},
              {"name": "Unimplemented on this target", "messageRegex": "(?s)(?!known deviation).*", "matchedStatuses": ["skipped"]}
            ]
            """;

    private AllureReport() {
    }

    /** Points Allure's lifecycle at {@code resultsDir} for the run about to start. */
    public static void begin(Path resultsDir, Map<String, String> environment) throws IOException {
        Files.createDirectories(resultsDir);
        Allure.setLifecycle(new AllureLifecycle(new FileSystemResultsWriter(resultsDir)));
        StringBuilder props = new StringBuilder();
        environment.forEach((k, v) -> props.append(k).append(" = ").append(v.replace("\\", "\\\\").replace("\n", " ")).append('\n'));
        Files.writeString(resultsDir.resolve("environment.properties"), props);
        Files.writeString(resultsDir.resolve("categories.json"), CATEGORIES);
    }

    /**
     * Runs {@code allure generate --single-file}: one self-contained report/index.html that a browser opens
     * from file://. Returns null on success, or a one-line reason.
     */
    public static String generate(Path allureBin, Path resultsDir, Path reportDir) {
        if (!Files.isExecutable(allureBin)) {
            return "the Allure command line is not at " + allureBin + ": build with `mvn -B package -DskipTests` (./tcpct does)";
        }
        try {
            Path log = reportDir.resolveSibling("allure-generate.log");
            Process p = new ProcessBuilder(allureBin.toString(), "generate", resultsDir.toString(), "-o", reportDir.toString(),
                    "--clean", "--single-file").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(GENERATE_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "allure generate ran longer than " + GENERATE_TIMEOUT_S + " s";
            }
            if (p.exitValue() != 0 || !Files.exists(reportDir.resolve("index.html"))) {
                return "allure generate failed (exit " + p.exitValue() + "): see " + log;
            }
            Files.deleteIfExists(log);
            return null;
        } catch (IOException e) {
            return "cannot run allure: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while generating the report";
        }
    }
}
