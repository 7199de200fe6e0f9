package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The labs (one container each) that a run's worker threads share: a scenario takes one, runs, and gives
 * it back, so a container serves many scenarios in turn and parallel scenarios never share one. Labs are
 * started when first needed, at most {@code size} of them at a time. A lab whose container or agent died
 * is closed when it comes back and a fresh one takes its place; when the Docker engine went away, a new
 * lab waits for it at most {@link #ENGINE_BACK}, and past that every later scenario is ERROR with that cause.
 */
public final class LabPool implements AutoCloseable {

    /** Bound on the wait for a Docker engine that stopped answering (restarted, say) before labs start again. */
    public static final Duration ENGINE_BACK = Duration.ofSeconds(30);
    /** How often a scenario waiting for a busy lab looks again whether a dead one freed its slot. */
    private static final long IDLE_POLL_MS = 200;

    private static volatile LabPool current;

    private final int size;
    private final IntFunction<Lab> factory;
    private final BooleanSupplier engineAnswers;
    private final LinkedBlockingQueue<Lab> idle = new LinkedBlockingQueue<>();
    private final List<Lab> open = new ArrayList<>();
    private final List<Lab> started = new ArrayList<>();
    private int slots;
    private int made;
    private int replaced;
    /** Labs retired alive because their scenario spoiled them ({@link Lab#spoil}): not deaths. */
    private int renewed;
    private RuntimeException startFailure;

    public LabPool(int size, IntFunction<Lab> factory) {
        this(size, factory, () -> true);
    }

    /** {@code engineAnswers}: whether the Docker engine answers now, asked when a lab fails to start. */
    public LabPool(int size, IntFunction<Lab> factory, BooleanSupplier engineAnswers) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one lab, got " + size);
        }
        this.size = size;
        this.factory = factory;
        this.engineAnswers = engineAnswers;
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

    /** A live lab for the calling scenario: an idle one, a new one while fewer than {@code size} are open, or the next one freed. */
    Lab acquire() {
        while (true) {
            Lab lab = idle.poll();
            if (lab != null) {
                if (lab.alive()) {
                    return lab;
                }
                retire(lab);
                continue;
            }
            int index;
            synchronized (this) {
                if (startFailure != null) {
                    throw startFailure;
                }
                index = slots < size ? made++ : -1;
                if (index >= 0) {
                    slots++; // reserve the slot while the container starts outside the lock
                }
            }
            if (index >= 0) {
                return startLab(index);
            }
            try {
                lab = idle.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS); // every lab is busy with a scenario, each of which is bounded
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a free target container");
            }
            if (lab != null) {
                idle.add(lab); // taken again, and checked, at the top
            }
        }
    }

    private Lab startLab(int index) {
        long t0 = System.nanoTime();
        try {
            Lab made;
            try {
                made = factory.apply(index & 0xff);
            } catch (RuntimeException e) {
                if (engineAnswers.getAsBoolean()) {
                    throw e;
                }
                awaitEngine(e);
                made = factory.apply(index & 0xff);
            }
            boolean replacement;
            synchronized (this) {
                open.add(made);
                started.add(made);
                replacement = replaced + renewed > 0;
            }
            if (replacement) {
                System.err.printf("tcpct: new target container %s ready in %d ms%n", made.instance().name(), (System.nanoTime() - t0) / 1_000_000);
            }
            return made;
        } catch (RuntimeException e) {
            synchronized (this) {
                slots--;
                startFailure = e;
            }
            throw e;
        }
    }

    private void awaitEngine(RuntimeException failure) {
        long t0 = System.nanoTime();
        try {
            await("the Docker engine answers again").atMost(ENGINE_BACK).pollInterval(Duration.ofMillis(500))
                    .until(engineAnswers::getAsBoolean);
        } catch (ConditionTimeoutException e) {
            throw new LabLost("the Docker engine stopped answering and did not come back within " + ENGINE_BACK.toSeconds()
                    + " s (a target container could not start: " + failure.getMessage() + "): restart dockerd (./tcpct starts it), then run again");
        }
        System.err.printf("tcpct: the Docker engine answers again after %d ms; starting a new target container%n",
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Closes a dead or hung lab (no goodbye to an agent that cannot answer) and frees its slot for a fresh one. */
    private void retire(Lab lab) {
        retire(lab, lab.instance().diagnosis(), false);
    }

    private void retire(Lab lab, String why, boolean spoiled) {
        long t0 = System.nanoTime();
        lab.discard();
        synchronized (this) {
            open.remove(lab);
            slots--;
            if (spoiled) {
                renewed++;
            } else {
                replaced++;
            }
        }
        System.err.printf("tcpct: %s; removed what was left of it in %d ms, a new one takes its place%n",
                why, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Starts (or takes) one lab and puts it back idle: a run calls this first, to fail before any scenario if the target cannot start. */
    public Lab startOne() {
        Lab lab = acquire();
        release(lab);
        return lab;
    }

    /**
     * Gives a lab back after a scenario; a dead one is closed at once, so that nothing of it lingers, and so is one its
     * scenario spoiled ({@link Lab#spoil}), so that the next scenario meets a target as fresh as the others do.
     */
    void release(Lab lab) {
        if (lab.spoiled() != null && lab.alive()) {
            retire(lab, "target container " + lab.instance().name() + " is not reused: " + lab.spoiled(), true);
        } else if (lab.alive()) {
            idle.add(lab);
        } else {
            retire(lab);
        }
    }

    /** The labs started so far, replacements included (for the report's environment). */
    public synchronized List<Lab> started() {
        return List.copyOf(started);
    }

    /** How many labs were retired alive because their scenario changed the target for the next one. */
    public synchronized int renewed() {
        return renewed;
    }

    /** How many dead labs were replaced during the run. */
    public synchronized int replaced() {
        return replaced;
    }

    @Override
    public synchronized void close() {
        for (Lab lab : open) {
            lab.close();
        }
        open.clear();
        idle.clear();
    }
}
