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

    /** The scenario {@code id}'s entry in a run's summary.json. */
    static com.fasterxml.jackson.databind.JsonNode scenario(com.fasterxml.jackson.databind.JsonNode summary, String id) {
        for (com.fasterxml.jackson.databind.JsonNode s : summary.path("scenarios")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no scenario " + id + " in " + summary);
    }

    /** Copies the folder {@code from} (a target's, say) to {@code to}, sub-folders included. */
    static void copyTree(Path from, Path to) throws IOException {
        try (var all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(java.util.Map.of(), args);
    }

    /** The same with extra environment variables, e.g. {@code TCPCT_TARGETS} for a folder of test targets. */
    static Result run(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        return runProgram("tcpct", env, args);
    }

    /** Runs the project's script {@code path} (relative to the project, e.g. docker/engine-restart.sh) the same way. */
    static Result script(String path, String... args) throws IOException, InterruptedException {
        return runProgram(path, java.util.Map.of(), args);
    }

    private static Result runProgram(String path, java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve(path).toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tcpct-out", ".txt");
        Path err = Files.createTempFile("tcpct-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(HOME.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_MIN, TimeUnit.MINUTES)) {
            p.destroy(); // SIGTERM first, so it can clean up (the run its containers, a script its private engine)
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            throw new AssertionError(path + " " + String.join(" ", args) + " ran longer than " + TIMEOUT_MIN + " min");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), p.pid());
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** A run still going: its process, and its stdout lines as they come, each with the nanoTime it arrived. */
    static final class Running {
        record Line(long nanos, String text) {
        }

        final Process process;
        final List<Line> stdout = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Path stderr;

        private Running(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        stdout.add(new Line(System.nanoTime(), line));
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "tcpct-it-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        long pid() {
            return process.pid();
        }

        String stderrText() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        String stdoutText() {
            return String.join("\n", stdout.stream().map(Line::text).toList());
        }

        /** Waits (bounded by {@link #TIMEOUT_MIN}) for the end; the exit status. */
        int await() throws InterruptedException {
            if (!process.waitFor(TIMEOUT_MIN, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("./tcpct ran longer than " + TIMEOUT_MIN + " min");
            }
            return process.exitValue();
        }
    }

    /** Starts {@code ./tcpct ARGS} and returns at once, for tests that act on the run while it goes. */
    static Running start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(HOME.resolve("tcpct").toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("tcpct-err", ".txt");
        Process p = new ProcessBuilder(cmd).directory(HOME.toFile()).redirectError(err.toFile()).start();
        return new Running(p, err);
    }

    /** Runs a host command (docker, kill) with a bound; its output, or an AssertionError saying why not. */
    static String sh(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("expecting `" + String.join(" ", argv) + "` to succeed, but it gave: " + out);
        }
        return out;
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
        try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            dirs.filter(d -> d.getFileName().toString().startsWith("tcpct-run-" + pid + "-")).forEach(d -> found.add("work folder " + d));
        }
        return found;
    }

    /**
     * The report check of {@code reports/e2e} (headless Chromium) on {@code reportDir} for scenario {@code id}
     * ({@code mode} "known" for a known deviation, or nothing for a conformance failure): its exit status and
     * what it said; the screenshot goes to {@code png}.
     */
    static Result reportCheck(Path reportDir, String id, Path png, String... mode) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", HOME.resolve("reports/e2e/report-check.mjs").toString(), reportDir.toString(), id,
                png.toString()));
        cmd.addAll(List.of(mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the report check ran longer than 2 min: " + said);
        }
        return new Result(p.exitValue(), said, "", p.pid());
    }

    private Tcpct() {
    }
}
