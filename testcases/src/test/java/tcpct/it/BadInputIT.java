package tcpct.it;

import static org.assertj.core.api.Assertions.assertThat;

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
