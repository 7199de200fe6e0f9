package tcpct.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code ./tcpct} launcher, as a user would, and keeps what it printed. */
final class Tcpct {

    static final Path HOME = Path.of(System.getProperty("tcpct.home", "..")).toAbsolutePath().normalize();
    static final long TIMEOUT_MIN = 10;

    /** {@code pid}: the run's JVM (./tcpct execs java), whose pid labels what it creates. */
    record Result(int exit, String stdout, String stderr, long pid) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("tcpct").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tcpct-out", ".txt");
        Path err = Files.createTempFile("tcpct-err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(HOME.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_MIN, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("./tcpct " + String.join(" ", args) + " ran longer than " + TIMEOUT_MIN + " min");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), p.pid());
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /**
     * What the run of process {@code pid} left on the machine: containers labelled with its pid, and host
     * veth ends with its alias. Other runs on the same machine (live ones) do not count.
     */
    static List<String> leftovers(long pid) throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.tcpct.run=" + pid).redirectErrorStream(true).start();
        String ids = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        if (!ids.isEmpty()) {
            found.add("containers " + ids.replace('\n', ' '));
        }
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            for (Path l : links.toList()) {
                Path alias = l.resolve("ifalias");
                if (l.getFileName().toString().startsWith("tcpct") && Files.exists(alias)
                        && Files.readString(alias).trim().equals("tcpct-run-" + pid)) {
                    found.add("veth " + l.getFileName());
                }
            }
        }
        return found;
    }

    private Tcpct() {
    }
}
