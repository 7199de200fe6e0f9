package tcpct.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.IntFunction;

/**
 * The labs (one container each) that a run's worker threads share: a scenario takes one, runs, and gives
 * it back, so a container serves many scenarios in turn and parallel scenarios never share one. Labs are
 * started when first needed, at most {@code size} of them.
 */
public final class LabPool implements AutoCloseable {

    private static volatile LabPool current;

    private final int size;
    private final IntFunction<Lab> factory;
    private final LinkedBlockingQueue<Lab> idle = new LinkedBlockingQueue<>();
    private final List<Lab> all = new ArrayList<>();
    private RuntimeException startFailure;

    public LabPool(int size, IntFunction<Lab> factory) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one lab, got " + size);
        }
        this.size = size;
        this.factory = factory;
    }

    public static void install(LabPool pool) {
        current = pool;
    }

    static LabPool current() {
        LabPool p = current;
        if (p == null) {
            throw new IllegalStateException("no target is running: scenarios run under ./tcpct run (tcpct.cli.Runner), which starts one");
        }
        return p;
    }

    /** A lab for the calling scenario: an idle one, a new one while fewer than {@code size} exist, or the next one freed. */
    Lab acquire() {
        Lab lab = idle.poll();
        if (lab != null) {
            return lab;
        }
        int index;
        synchronized (this) {
            if (startFailure != null) {
                throw startFailure;
            }
            index = all.size() < size ? all.size() : -1;
            if (index >= 0) {
                all.add(null); // reserve the slot while the container starts outside the lock
            }
        }
        if (index >= 0) {
            try {
                Lab made = factory.apply(index);
                synchronized (this) {
                    all.set(index, made);
                }
                return made;
            } catch (RuntimeException e) {
                synchronized (this) {
                    startFailure = e;
                }
                throw e;
            }
        }
        try {
            return idle.take(); // every slot is taken by a running scenario, each of which is bounded
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free target container");
        }
    }

    /** Starts (or takes) one lab and puts it back idle: a run calls this first, to fail before any scenario if the target cannot start. */
    public Lab startOne() {
        Lab lab = acquire();
        release(lab);
        return lab;
    }

    void release(Lab lab) {
        idle.add(lab);
    }

    /** The labs started so far (for the report's environment). */
    public synchronized List<Lab> started() {
        return all.stream().filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public synchronized void close() {
        for (Lab lab : all) {
            if (lab != null) {
                lab.close();
            }
        }
        all.clear();
        idle.clear();
    }
}
