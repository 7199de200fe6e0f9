package tcpct.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a packetdrill script's shell line ({@code `sysctl -q net.ipv4.tcp_timestamps=0`}) for a target whose
 * stack is the kernel of its container (target.json {@code "shell": "netns"}), as packetdrill runs it: with
 * {@code /bin/sh -c}, from the script's folder, with {@code PACKETDRILL_PID} set and the same parent for every
 * line of a run (scripts write {@code /tmp/sysctl_restore_${PPID}.sh} and run it later). The line runs on the
 * host's tools and files but inside the target's network namespace, so what it sets (sysctls under
 * {@code net.}, qdiscs, tcp_metrics) is the target's alone; and in a mount namespace of its own in which
 * {@code /proc/sys} is read-only except its per-namespace {@code net/} part and {@code /tmp} is the scenario's
 * own folder (but for the folder under it that holds the script, if any), so a line can change neither the
 * host's kernel settings nor its {@code /tmp}. The target's
 * {@code eth0} answers to packetdrill's device name {@code tun0} too (an altname), for lines such as
 * {@code tc qdisc add dev tun0 root pfifo}.
 */
public final class NetnsShell {

    /** How long one line may run (packetdrill sets none; a line that hangs must not hang the run). */
    public static final Duration BOUND = Duration.ofSeconds(30);
    /** The device name packetdrill's scripts use for the wire (its tun device). */
    static final String PACKETDRILL_DEVICE = "tun0";

    /** What a line did: its exit status and what it printed (stdout and stderr, as one). */
    public record Result(int exit, String output) {
    }

    private static final String WRAPPER = String.join("\n",
            "set -e",
            "cd \"$2\"",
            // a script's folder under /tmp stays where it was: its top folder is bound into the new /tmp at the same path
            "if [ -n \"$4\" ]; then mkdir -p \"$1/${4#/tmp/}\"; mount --bind \"$4\" \"$1/${4#/tmp/}\"; fi",
            "mount --rbind \"$1\" /tmp",
            "mount --bind /proc/sys /proc/sys",
            "mount --bind /proc/sys/net /proc/sys/net",
            "mount -o remount,bind,ro /proc/sys",
            "exec /bin/sh -c \"$3\"");

    private NetnsShell() {
    }

    /** Makes the target's {@code eth0} known as {@code tun0} as well; once per container (a second time is a no-op). */
    static void aliasDevice(long pid) {
        String links = HostCommand.inNetns(pid, "ip", "-o", "link", "show", "dev", "eth0");
        if (!links.contains("altname " + PACKETDRILL_DEVICE)) {
            HostCommand.inNetns(pid, "ip", "link", "property", "add", "dev", "eth0", "altname", PACKETDRILL_DEVICE);
        }
    }

    /**
     * Runs {@code command} in the network namespace of process {@code pid}, from folder {@code cwd}, with
     * {@code tmp} as its {@code /tmp}; bounded by {@link #BOUND}.
     */
    static Result run(long pid, String command, Path cwd, Path tmp) {
        List<String> argv = List.of("nsenter", "-t", Long.toString(pid), "-n", "--", "unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", WRAPPER, "tcpct-shell", tmp.toString(), cwd.toString(), command, topUnderTmp(cwd));
        Path out;
        try {
            out = java.nio.file.Files.createTempFile("tcpct-shell-", ".out"); // a file, not a pipe: a line that prints much cannot block
        } catch (IOException e) {
            throw new TargetException("cannot create a file for a shell line's output: " + e.getMessage(), e);
        }
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        b.environment().put("PACKETDRILL_PID", Long.toString(ProcessHandle.current().pid()));
        Process p;
        try {
            p = b.start();
        } catch (IOException e) {
            deleteQuietly(out);
            throw new TargetException("cannot run a shell line (" + e.getMessage() + "): install util-linux (nsenter, unshare)", e);
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new TargetException("the shell line `" + command + "` did not finish within " + BOUND.toSeconds() + " s");
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8).trim());
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while running the shell line `" + command + "`");
        } catch (IOException e) {
            throw new TargetException("cannot read what the shell line `" + command + "` printed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
        }
    }

    /** The folder right under /tmp that holds {@code cwd} ({@code /tmp/pd} for {@code /tmp/pd/tcp/close}), or "" when cwd is elsewhere. */
    static String topUnderTmp(Path cwd) {
        Path real;
        try {
            real = cwd.toRealPath();
        } catch (IOException e) {
            real = cwd.toAbsolutePath().normalize();
        }
        Path tmp = Path.of("/tmp");
        return real.startsWith(tmp) && real.getNameCount() > 1 ? tmp.resolve(real.getName(1)).toString() : "";
    }

    private static void deleteQuietly(Path f) {
        try {
            java.nio.file.Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a temporary file in /tmp: nothing else to do
        }
    }
}
