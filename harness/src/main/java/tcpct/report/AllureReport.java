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
     * target's baseline expects (Allure "skipped", their message starts "known deviation" and names the
     * expected.json reason: never red, so a run that exits 0 has no red in its report), other conformance
     * failures (FAILED, NON_STRICT: Allure "failed"), harness errors (ERROR: "broken"), and scenarios the
     * target cannot drive (UNIMPLEMENTED: "skipped").
     */
    static final String KNOWN_DEVIATIONS = "Known deviations (the target's expected.json lists them, with their reason)";
    static final String CATEGORIES = """
            [
              {"name": "%s", "messageRegex": "(?s)known deviation.*",
               "matchedStatuses": ["skipped"]},
              {"name": "Conformance failures: the target broke RFC 9293", "messageRegex": "(?s)(?!known deviation).*",
               "matchedStatuses": ["failed"]},
              {"name": "Harness errors: no verdict on the target", "matchedStatuses": ["broken"]},
              {"name": "Unimplemented on this target", "messageRegex": "(?s)(?!known deviation).*", "matchedStatuses": ["skipped"]}
            ]
            """.formatted(KNOWN_DEVIATIONS);

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
     * Marks the known deviations in the run's Allure results, before the report is made: each result of a
     * scenario in {@code known} (id to the expected.json reason; its label "story" is the id) becomes
     * Allure "skipped", flagged known, its message starting {@code known deviation (VERDICT, as expected.json
     * says: REASON): }, so the report files it under {@link #KNOWN_DEVIATIONS} and never paints it red.
     * (TestNG hands Allure the exception the scenario threw, so the hook cannot say this itself.)
     * Returns how many results it marked.
     */
    public static int markKnownDeviations(Path resultsDir, Map<String, String> known) throws IOException {
        if (known.isEmpty() || !Files.isDirectory(resultsDir)) {
            return 0;
        }
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        int marked = 0;
        try (java.util.stream.Stream<Path> files = Files.list(resultsDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-result.json")).toList()) {
                com.fasterxml.jackson.databind.node.ObjectNode r = (com.fasterxml.jackson.databind.node.ObjectNode) om.readTree(f.toFile());
                String id = null;
                for (com.fasterxml.jackson.databind.JsonNode l : r.path("labels")) {
                    if (l.path("name").asText().equals("story")) {
                        id = l.path("value").asText();
                    }
                }
                String why = id == null ? null : known.get(id);
                if (why == null) {
                    continue;
                }
                com.fasterxml.jackson.databind.node.ObjectNode details = r.path("statusDetails").isObject()
                        ? (com.fasterxml.jackson.databind.node.ObjectNode) r.get("statusDetails") : r.putObject("statusDetails");
                String message = details.path("message").asText("");
                if (!message.startsWith(KNOWN_PREFIX)) {
                    details.put("message", KNOWN_PREFIX + " (" + why + "): " + message);
                }
                details.put("known", true);
                r.put("status", "skipped");
                om.writeValue(f.toFile(), r);
                marked++;
            }
        }
        return marked;
    }

    /** What every known deviation's Allure message starts with (the category matches it). */
    static final String KNOWN_PREFIX = "known deviation";

    /**
     * Runs {@code allure generate --single-file}: one self-contained report/index.html that a browser opens
     * from file://. Allure's history (the trends) comes from {@code historyStore}, the target's history of
     * earlier runs, and goes back there; since a single-file report keeps no history folder, a plain
     * report is generated first, aside, for it. Returns null on success, or a one-line reason.
     */
    public static String generate(Path allureBin, Path resultsDir, Path reportDir, Path historyStore) {
        if (!Files.isExecutable(allureBin)) {
            return "the Allure command line is not at " + allureBin + ": build with `mvn -B package -DskipTests` (./tcpct does)";
        }
        Path aside = reportDir.resolveSibling(".allure-plain");
        try {
            if (Files.isDirectory(historyStore)) {
                copyTree(historyStore, resultsDir.resolve("history"));
            }
            String problem = run(allureBin, resultsDir, aside, false);
            if (problem == null && Files.isDirectory(aside.resolve("history"))) {
                copyTree(aside.resolve("history"), historyStore);
            }
            problem = problem != null ? problem : run(allureBin, resultsDir, reportDir, true);
            return problem;
        } catch (IOException e) {
            return "cannot run allure: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while generating the report";
        } finally {
            try {
                deleteTree(aside);
            } catch (IOException e) {
                // a scratch folder inside the run's output; harmless if it stays
            }
        }
    }

    private static String run(Path allureBin, Path resultsDir, Path out, boolean singleFile) throws IOException, InterruptedException {
        Path log = out.resolveSibling("allure-generate.log");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(allureBin.toString(), "generate",
                resultsDir.toString(), "-o", out.toString(), "--clean"));
        if (singleFile) {
            cmd.add("--single-file");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(GENERATE_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "allure generate ran longer than " + GENERATE_TIMEOUT_S + " s";
        }
        if (p.exitValue() != 0 || !Files.exists(out.resolve("index.html"))) {
            return "allure generate failed (exit " + p.exitValue() + "): see " + log;
        }
        Files.deleteIfExists(log);
        return null;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (java.util.stream.Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
