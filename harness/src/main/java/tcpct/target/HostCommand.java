package tcpct.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one host tool (ip, nsenter, ethtool) with a bound, and turns a failure into a one-line error. */
final class HostCommand {

    static final long TIMEOUT_S = 10;

    private HostCommand() {
    }

    static String run(String... argv) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new TargetException("cannot run " + argv[0] + " (" + e.getMessage() + "): install iproute2, util-linux and ethtool (./tcpct does)", e);
        }
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TargetException("`" + String.join(" ", argv) + "` did not finish within " + TIMEOUT_S + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new TargetException("`" + String.join(" ", argv) + "` failed with exit " + p.exitValue() + ": " + out.lines().findFirst().orElse(""));
            }
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while running " + argv[0]);
        } catch (IOException e) {
            throw new TargetException("cannot read the output of " + argv[0] + ": " + e.getMessage(), e);
        }
    }

    /** The same command inside the network namespace of process {@code pid}. */
    static String inNetns(long pid, String... argv) {
        List<String> all = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "--"));
        all.addAll(List.of(argv));
        return run(all.toArray(String[]::new));
    }
}
