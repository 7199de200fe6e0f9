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
    /** The index the next replacement lab gets (indexes name containers and veths: two hex digits). */
    private int nextIndex;
    private static final int MAX_INDEX = 0xff;

    public LabPool(int size, IntFunction<Lab> factory) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one lab, got " + size);
        }
        this.size = size;
        this.factory = factory;
        this.nextIndex = size;
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

    /**
     * Gives {@code lab} back. A lab whose target died or hung in the scenario (a stack that crashed on what
     * it was sent) is closed and replaced by a fresh one in the same slot, so the scenarios after it still
     * run; when the replacement cannot start, later acquisitions fail with that cause.
     */
    void release(Lab lab) {
        if (lab.usable()) {
            idle.add(lab);
            return;
        }
        int slot;
        int index;
        synchronized (this) {
            slot = all.indexOf(lab);
            index = nextIndex++; // a name of its own: the dead container may not be gone yet
        }
        try {
            lab.discard();
        } catch (RuntimeException e) {
            // what is left of it is the engine's to remove (containers are removed when their agent exits)
        }
        try {
            if (index > MAX_INDEX) {
                throw new IllegalStateException("the target died in " + (index - size) + " scenarios of this run; no more are started");
            }
            Lab fresh = factory.apply(index);
            synchronized (this) {
                all.set(slot, fresh);
            }
            idle.add(fresh);
        } catch (RuntimeException e) {
            synchronized (this) {
                all.set(slot, null);
                startFailure = e;
            }
        }
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
