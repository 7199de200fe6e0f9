package tcpct.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A CPU load beside a soak ({@code ./tcpct soak --load N}): Debian's stress-ng with N CPU workers, started
 * before the first run and stopped after the last (or when the soak is interrupted), so that verdicts that
 * depend on the machine being idle show up as verdicts that differ between runs.
 */
final class CpuLoad implements AutoCloseable {

    private final Process process;

    private CpuLoad(Process process) {
        this.process = process;
    }

    /** No load for {@code workers == 0}; otherwise stress-ng, or a one-line error naming the package. */
    static CpuLoad start(int workers) {
        if (workers == 0) {
            return new CpuLoad(null);
        }
        try {
            Process p = new ProcessBuilder("stress-ng", "--cpu", Integer.toString(workers), "--quiet")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(300, TimeUnit.MILLISECONDS)) {
                throw new UsageException("stress-ng exited at once (status " + p.exitValue() + "): run `stress-ng --cpu " + workers
                        + "` by hand to see why, or soak without --load");
            }
            CpuLoad load = new CpuLoad(p);
            Runtime.getRuntime().addShutdownHook(new Thread(load::close, "tcpct-stop-cpu-load")); // Ctrl-C leaves no load behind
            System.err.println("tcpct: soak: stress-ng --cpu " + workers + " runs beside it (pid " + p.pid() + ")");
            return load;
        } catch (IOException e) {
            throw new UsageException("--load needs stress-ng, which is not installed: apt-get install stress-ng, or soak without --load");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while starting stress-ng");
        }
    }

    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
