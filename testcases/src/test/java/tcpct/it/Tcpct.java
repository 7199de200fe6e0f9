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

    record Result(int exit, String stdout, String stderr) {
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
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** What the harness may have left on the machine: its containers and its host veth ends. */
    static List<String> leftovers() throws IOException, InterruptedException {
        List<String> found = new ArrayList<>();
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.tcpct").redirectErrorStream(true).start();
        String ids = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(30, TimeUnit.SECONDS);
        if (!ids.isEmpty()) {
            found.add("containers " + ids.replace('\n', ' '));
        }
        try (var links = Files.list(Path.of("/sys/class/net"))) {
            links.map(l -> l.getFileName().toString()).filter(n -> n.startsWith("tcpct")).forEach(n -> found.add("veth " + n));
        }
        return found;
    }

    private Tcpct() {
    }
}
