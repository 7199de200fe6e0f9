package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

/** Bad input to ./tcpct: exit 2 and one line on stderr that names the cause and the fix; nothing left behind. */
public class BadInputIT {

    private static void oneLineError(Tcpct.Result r, String... mustContain) throws Exception {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        String err = r.stderr().strip();
        assertThat(err.lines()).as(r.toString()).hasSize(1);
        assertThat(err).startsWith("tcpct: ").contains(mustContain);
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
    }

    @Test
    public void unknownTarget() throws Exception {
        oneLineError(Tcpct.run("run", "--target", "nosuch"), "unknown target 'nosuch'", "known targets are [", "linux");
    }

    @Test
    public void scenarioPatternThatMatchesNothing() throws Exception {
        oneLineError(Tcpct.run("run", "--scenario", "nosuch/*"), "no scenario matches --scenario 'nosuch/*'", "./tcpct scenarios");
    }

    @Test
    public void unknownOptionAndMissingValue() throws Exception {
        oneLineError(Tcpct.run("run", "--bogus", "x"), "unknown option '--bogus'");
        oneLineError(Tcpct.run("run", "--target"), "--target needs a value");
        oneLineError(Tcpct.run("frobnicate"), "unknown command 'frobnicate'");
    }

    @Test
    public void badBaselineFilesAndWorkerCounts() throws Exception {
        java.nio.file.Path bad = java.nio.file.Files.createTempFile("baseline", ".json");
        java.nio.file.Files.writeString(bad, "{oops");
        oneLineError(Tcpct.run("run", "--baseline", bad.toString()), "is not a readable summary.json", "earlier run");
        oneLineError(Tcpct.run("run", "--baseline", "/nonexistent/summary.json"), "does not exist");
        oneLineError(Tcpct.run("run", "--workers", "0"), "--workers of run takes a number from 1 to");
    }

    /**
     * A folder of targets for one test (the run finds it through TCPCT_TARGETS): {@code name} is a copy of
     * the Linux target, named after its folder, that {@code spoil} then breaks.
     */
    private static java.util.Map<String, String> targetsWith(String name, Spoiler spoil) throws Exception {
        Path dir = Files.createTempDirectory("tcpct-bad-targets");
        Path folder = dir.resolve(name);
        Tcpct.copyTree(Tcpct.HOME.resolve("targets/linux"), folder);
        Tcpct.copyTree(Tcpct.HOME.resolve("targets/common"), dir.resolve("common")); // the C agents' shared code, beside them
        Files.writeString(folder.resolve("target.json"), Files.readString(folder.resolve("target.json")).replace("\"linux\"", "\"" + name + "\""));
        spoil.apply(folder);
        return java.util.Map.of("TCPCT_TARGETS", dir.toString());
    }

    interface Spoiler {
        void apply(Path folder) throws Exception;
    }

    /** Like {@link #oneLineError}, but a build failure may follow the run's one progress line ("preparing target"). */
    private static void errorAfterProgress(Tcpct.Result r, String... mustContain) throws Exception {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        List<String> lines = r.stderr().strip().lines().toList();
        assertThat(lines.subList(0, lines.size() - 1)).as(r.toString()).allMatch(l -> l.startsWith("tcpct: preparing target "));
        assertThat(lines.get(lines.size() - 1)).as(r.toString()).startsWith("tcpct: ").contains(mustContain);
        assertThat(Tcpct.leftovers(r.pid())).isEmpty();
    }

    private static Tcpct.Result runTarget(java.util.Map<String, String> env, String name) throws Exception {
        return Tcpct.run(env, "run", "--target", name, "--scenario", "close/active-close", "--workers", "1");
    }

    @Test
    public void aMalformedProfileNamesTheFileAndWhatIsWrong() throws Exception {
        var broken = targetsWith("broken", f -> Files.writeString(f.resolve("target.json"), "{\"name\": \"broken\",\n \"profile\": {\"sack\": true,}}"));
        oneLineError(runTarget(broken, "broken"), "broken/target.json is not valid JSON at line 2, column", "fix the file");
        var misspelt = targetsWith("misspelt", f -> Files.writeString(f.resolve("target.json"), "{\"name\": \"misspelt\", \"profil\": {\"sack\": true}}"));
        oneLineError(runTarget(misspelt, "misspelt"), "misspelt/target.json: unknown key \"profil\"", "the keys are");
        var mistyped = targetsWith("mistyped", f -> Files.writeString(f.resolve("target.json"), "{\"capabilities\": \"NET_RAW\"}"));
        oneLineError(runTarget(mistyped, "mistyped"), "mistyped/target.json: \"capabilities\" is \"NET_RAW\"", "a list of strings");
    }

    @Test
    public void aTargetWithoutItsBuildScriptOrAgentSaysSo() throws Exception {
        var noBuild = targetsWith("nobuild", f -> Files.delete(f.resolve("build.sh")));
        oneLineError(runTarget(noBuild, "nobuild"), "nobuild/target.json names build script build.sh, which", "lacks: add it");
        var noAgent = targetsWith("noagent", f -> {
            try (var all = Files.walk(f.resolve("agent"))) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        });
        Tcpct.Result r = runTarget(noAgent, "noagent");
        errorAfterProgress(r, "noagent/build.sh failed with exit 1", "agent/agent.c", "see /tmp/tcpct-build-noagent.log");
        assertThat(Path.of("/tmp/tcpct-build-noagent.log")).as("the build log the message points at").exists();
    }

    @Test
    public void aMalformedBaselineNamesTheFile() throws Exception {
        var broken = targetsWith("badexp", f -> Files.writeString(f.resolve("expected.json"), "{\"scenarios\": {\"close/active-close\": {\"verdict\": \"FAILED\" \"reason\": \"x\"}}}"));
        oneLineError(runTarget(broken, "badexp"), "badexp/expected.json is not valid JSON at line 1, column", "fix the file");
        var list = targetsWith("listexp", f -> Files.writeString(f.resolve("expected.json"), "{\"scenarios\": [\"close/active-close\"]}"));
        oneLineError(runTarget(list, "listexp"), "listexp/expected.json has no \"scenarios\" object");
        var unknown = targetsWith("idexp", f -> Files.writeString(f.resolve("expected.json"),
                "{\"scenarios\": {\"close/no-such-scenario\": {\"verdict\": \"FAILED\", \"reason\": \"x\"}}}"));
        oneLineError(runTarget(unknown, "idexp"), "idexp/expected.json names scenario 'close/no-such-scenario', which does not exist");
    }

    @Test
    public void aFailedImageBuildLeavesNoHalfBuiltImage() throws Exception {
        String stamp = "stamp-" + java.util.UUID.randomUUID();
        // the first step is new to the engine (a unique path), the second fails: the first step's image must go
        var env = targetsWith("badimage", f -> Files.writeString(f.resolve("build.sh"),
                "#!/bin/sh\nprintf 'FROM scratch\\nCOPY stamp /" + stamp + "\\nCOPY missing-file /missing\\n' > \"$1/Dockerfile\"\n"
                        + "echo " + stamp + " > \"$1/stamp\"\n"));
        errorAfterProgress(runTarget(env, "badimage"), "building image tcpct-target-badimage:", "missing-file", "fix the target's Dockerfile");
        String steps = Tcpct.sh("sh", "-c", "docker images -aq | xargs -r docker inspect -f '{{.Id}} {{.ContainerConfig.Cmd}}'");
        assertThat(steps.lines().filter(l -> l.contains(stamp))).as("images made by the failed build").isEmpty();
    }

    @Test
    public void soakAndBenchRefuseBadOptionsInOneLine() throws Exception {
        oneLineError(Tcpct.run("soak", "--times", "1"), "--times of soak takes a number from 2 to 1000, got '1'");
        oneLineError(Tcpct.run("soak", "--tims", "3"), "unknown option '--tims' for soak", "--times");
        oneLineError(Tcpct.run("soak", "--group", "nosuch"), "no scenario matches --group 'nosuch'");
        oneLineError(Tcpct.run("soak", "--target", "all"), "one target at a time");
        oneLineError(Tcpct.run("bench", "--samples"), "--samples needs a value");
        oneLineError(Tcpct.run("bench", "--starts", "0"), "--starts of bench takes a number from 1 to 100");
        oneLineError(Tcpct.run("bench", "--target", "nosuch"), "unknown target 'nosuch'");
    }

    @Test
    public void targetsAndScenariosAreListed() throws Exception {
        Tcpct.Result t = Tcpct.run("targets");
        assertThat(t.exit()).as(t.toString()).isZero();
        assertThat(t.stdout()).contains("linux").contains("built").contains("lwip");
        Tcpct.Result s = Tcpct.run("scenarios");
        assertThat(s.stdout()).contains("establish/passive-open").contains("close/active-close");
    }

    /** Help, as a user asks for it: on stdout with exit 0, nothing run (no progress line, no folder, seconds not minutes). */
    @Test
    public void helpOnEveryCommandRunsNothing() throws Exception {
        for (String[] line : List.of(new String[] {"--help"}, new String[] {"help", "run"}, new String[] {"run", "--help"},
                new String[] {"soak", "--help"}, new String[] {"bench", "--help"}, new String[] {"selftest", "--help"},
                new String[] {"targets", "--help"}, new String[] {"scenarios", "--help"}, new String[] {"run", "--target", "nosuch", "-h"})) {
            long t0 = System.nanoTime();
            Tcpct.Result r = Tcpct.run(line);
            String what = String.join(" ", line);
            assertThat(r.exit()).as(what + "\n" + r).isZero();
            assertThat(r.stderr()).as(what).isEmpty();
            assertThat(r.stdout()).as(what).startsWith("usage: ./tcpct").doesNotContain("preparing target");
            assertThat((System.nanoTime() - t0) / 1e9).as(what + ": seconds, so nothing ran (selftest alone takes minutes)").isLessThan(30);
        }
        assertThat(Tcpct.run("help", "run").stdout()).contains("--baseline SUMMARY.json", "--history DIR", "exit status: 0");
        Tcpct.Result bare = Tcpct.run();
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.stdout()).isEmpty();
        assertThat(bare.stderr()).startsWith("usage: ./tcpct COMMAND");
        Tcpct.Result v = Tcpct.run("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.stdout()).startsWith("tcpct 0.");
    }

    @Test
    public void scenariosWithTitlesSectionsFiltersAndJson() throws Exception {
        Tcpct.Result t = Tcpct.run("scenarios", "--group", "timers");
        assertThat(t.exit()).as(t.toString()).isZero();
        assertThat(t.stdout()).contains("timers/time-wait-duration").contains("TIME-WAIT lasts 2*MSL").contains("§3.4.2").contains("MUST-13")
                .doesNotContain("close/active-close");
        Tcpct.Result j = Tcpct.run("scenarios", "--scenario", "close/active-*", "--json");
        com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.stdout());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo("close/active-close");
        assertThat(list.get(0).path("groups")).extracting(com.fasterxml.jackson.databind.JsonNode::asText).contains("close");
        assertThat(list.get(0).path("sections")).isNotEmpty();
        assertThat(list.get(0).path("edges")).extracting(com.fasterxml.jackson.databind.JsonNode::asText).contains("E12");
        oneLineError(Tcpct.run("scenarios", "--group", "nosuch"), "no scenario matches --group 'nosuch'");
        oneLineError(Tcpct.run("scenarios", "--bogus"), "unknown option '--bogus' for scenarios");
    }

    @Test
    public void aMissingTargetsFolderAndAMalformedTarget() throws Exception {
        var missing = java.util.Map.of("TCPCT_TARGETS", "/nonexistent/tcpct-targets");
        oneLineError(Tcpct.run(missing, "run"), "the targets folder /nonexistent/tcpct-targets does not exist", "TCPCT_TARGETS");
        oneLineError(Tcpct.run(missing, "targets"), "the targets folder /nonexistent/tcpct-targets does not exist");
        var oneBroken = targetsWith("broken", f -> Files.writeString(f.resolve("target.json"), "{\"name\": \"broken\","));
        Tcpct.copyTree(Tcpct.HOME.resolve("targets/linux"), Path.of(oneBroken.get("TCPCT_TARGETS")).resolve("linux"));
        Tcpct.Result t = Tcpct.run(oneBroken, "targets");
        assertThat(t.exit()).as(t.toString()).isZero();
        assertThat(t.stdout()).containsPattern("broken .*BROKEN .*broken/target.json is not valid JSON").containsPattern("linux +built");
    }

    @Test
    public void anOutThatIsAFileAndBaselinesThatCannotCompare() throws Exception {
        Path file = Files.createTempFile("tcpct-out", ".txt");
        oneLineError(Tcpct.run("run", "--out", file.toString()), "--out " + file + " is a file, not a folder");
        Path lwip = Files.createTempFile("summary", ".json");
        Files.writeString(lwip, "{\"target\": {\"name\": \"lwip\"}, \"scenarios\": [{\"id\": \"close/active-close\", \"verdict\": \"PASSED\"}]}");
        Path latest = Tcpct.HOME.resolve("reports/out/latest");
        String before = Files.isSymbolicLink(latest) ? Files.readSymbolicLink(latest).toString() : null;
        List<String> folders = outFolders();
        oneLineError(Tcpct.run("run", "--scenario", "close/active-close", "--baseline", lwip.toString()),
                "is a run of target 'lwip', not of 'linux'");
        Path linux = Files.createTempFile("summary", ".json");
        Files.writeString(linux, "{\"target\": {\"name\": \"linux\"}, \"scenarios\": [{\"id\": \"close/active-close\", \"verdict\": \"PASSED\"}]}");
        oneLineError(Tcpct.run("run", "--scenario", "establish/*", "--baseline", linux.toString()), "has none of the");
        oneLineError(Tcpct.run("run", "--target", "linux,lwip", "--baseline", linux.toString()), "give one --target");
        assertThat(outFolders()).as("a run that could not be made leaves no folder in reports/out").isEqualTo(folders);
        assertThat(Files.isSymbolicLink(latest) ? Files.readSymbolicLink(latest).toString() : null).as("nor moves latest").isEqualTo(before);
    }

    @Test
    public void aFailedBuildLeavesNoEmptyFolderAndLatestWhereItWas() throws Exception {
        var env = targetsWith("nobuild2", f -> Files.writeString(f.resolve("build.sh"), "#!/bin/sh\nexit 3\n"));
        Path latest = Tcpct.HOME.resolve("reports/out/latest");
        String before = Files.isSymbolicLink(latest) ? Files.readSymbolicLink(latest).toString() : null;
        List<String> folders = outFolders();
        Tcpct.Result r = runTarget(env, "nobuild2");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(outFolders()).isEqualTo(folders);
        assertThat(Files.isSymbolicLink(latest) ? Files.readSymbolicLink(latest).toString() : null).isEqualTo(before);
    }

    private static List<String> outFolders() throws java.io.IOException {
        Path out = Tcpct.HOME.resolve("reports/out");
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (var all = Files.list(out)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
