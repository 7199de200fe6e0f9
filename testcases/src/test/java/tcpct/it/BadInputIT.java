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
        oneLineError(Tcpct.run("run", "--workers", "0"), "--workers takes a number from 1 to");
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
}
