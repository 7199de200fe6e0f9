package tcpct.target;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One running target: its container (no network but the test veth, removed by the engine as soon as
 * the agent exits), the veth pair wired into it, the control folder bind-mounted at /run/tcpct, and the
 * agent's log as it is written. Closing it removes all three.
 */
public final class TargetInstance implements AutoCloseable {

    public static final String CONTROL_DIR_IN_CONTAINER = "/run/tcpct";
    public static final String CONTROL_SOCKET = "agent.sock";
    static final Duration AGENT_START = Duration.ofSeconds(10);
    /** Bound on the engine's news of a container's exit, after its agent vanished. */
    static final Duration EXIT_NEWS = Duration.ofSeconds(2);
    /** A diagnosis quotes at most this much of the agent's last log line. */
    static final int LAST_LINE_MAX = 120;

    private final DockerClient docker;
    private final TargetSpec spec;
    private final String image;
    private final String containerId;
    private final Path controlDir;
    private final StringBuffer log = new StringBuffer();
    private final long pid;
    /** Whether eth0 answers to packetdrill's tun0 yet (the first shell line makes it so). */
    private volatile boolean deviceAliased;
    private final String name;
    /** How the container ended, in a clause ("exited (137), killed by SIGKILL"), once the engine said so; null while it runs. */
    private volatile String ended;
    private volatile boolean closing;
    private final java.util.List<Runnable> onEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
    private VethPair veth;
    private boolean ipv6;
    private StartTimes startTimes;

    private TargetInstance(DockerClient docker, TargetSpec spec, String image, String containerId, Path controlDir, long pid, String name) {
        this.docker = docker;
        this.spec = spec;
        this.image = image;
        this.containerId = containerId;
        this.controlDir = controlDir;
        this.pid = pid;
        this.name = name;
    }

    /** Creates, starts and wires a container of {@code image}; {@code id} (8 hex digits) names its veth. */
    public static TargetInstance start(DockerClient docker, TargetSpec spec, String image, Path controlDir, String id) {
        return start(docker, spec, image, controlDir, id, null);
    }

    /** The same, with {@code fault} (or null) injected into the target's namespace once it is wired. */
    public static TargetInstance start(DockerClient docker, TargetSpec spec, String image, Path controlDir, String id, Fault fault) {
        return start(docker, spec, image, controlDir, id, fault, false);
    }

    /** The same; with {@code ipv6} the wire carries IPv6 beside IPv4 ({@link VethPair#wire(long, String, boolean, boolean)}). */
    public static TargetInstance start(DockerClient docker, TargetSpec spec, String image, Path controlDir, String id, Fault fault,
                                       boolean ipv6) {
        try {
            Files.createDirectories(controlDir);
        } catch (IOException e) {
            throw new TargetException("cannot create the agent's control folder " + controlDir + ": " + e.getMessage(), e);
        }
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withAutoRemove(true)
                .withBinds(new Bind(controlDir.toString(), new Volume(CONTROL_DIR_IN_CONTAINER)))
                // A kernel target's agent only opens sockets: it needs none of Docker's default capabilities;
                // a user-space stack gets what its target.json names (NET_RAW for a raw socket on eth0).
                .withCapDrop(Capability.ALL)
                .withCapAdd(spec.capabilities().stream().map(Capability::valueOf).toArray(Capability[]::new))
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=64m")); // scratch space for stacks that need some
        String cid;
        long t0 = System.nanoTime();
        try {
            cid = docker.createContainerCmd(image).withName("tcpct-" + spec.name() + "-" + id)
                    .withLabels(Map.of(Labels.OWNER, "1", Labels.RUN, Long.toString(ProcessHandle.current().pid())))
                    .withHostConfig(host).exec().getId();
        } catch (RuntimeException e) {
            throw new TargetException("cannot create a container of " + image + " (" + e.getMessage() + "): is the engine healthy? `docker info`", e);
        }
        TargetInstance t = null;
        long created = System.nanoTime();
        try {
            docker.startContainerCmd(cid).exec();
            long pid = docker.inspectContainerCmd(cid).exec().getState().getPidLong();
            long started = System.nanoTime();
            t = new TargetInstance(docker, spec, image, cid, controlDir, pid, "tcpct-" + spec.name() + "-" + id);
            t.followLog();
            t.watchExit();
            t.veth = VethPair.wire(pid, id, spec.wiring() == TargetSpec.Wiring.KERNEL, ipv6);
            t.ipv6 = ipv6;
            if (fault != null) {
                fault.apply(pid, spec.wiring() == TargetSpec.Wiring.KERNEL);
            }
            long wired = System.nanoTime();
            TargetInstance running = t;
            await("agent of target " + spec.name() + " opens its control socket").atMost(AGENT_START)
                    .pollInterval(Duration.ofMillis(10))
                    .failFast("the agent exited: " + running.log.toString().strip(), () -> !running.running())
                    .until(() -> Files.exists(running.controlSocket()));
            t.startTimes = new StartTimes(created - t0, started - created, wired - started, System.nanoTime() - wired);
            return t;
        } catch (RuntimeException e) {
            if (t != null) {
                t.close();
            } else {
                removeQuietly(docker, cid);
            }
            if (e instanceof TargetException te) {
                throw te;
            }
            throw new TargetException("target " + spec.name() + " did not start (" + e.getMessage() + ")", e);
        }
    }

    private void followLog() {
        docker.logContainerCmd(containerId).withFollowStream(true).withStdOut(true).withStdErr(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        log.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                });
    }

    /**
     * Learns how the container ends: the engine's wait answers with the exit code. When that stream breaks
     * instead, the engine is asked again; no answer means the engine itself went away.
     */
    private void watchExit() {
        docker.waitContainerCmd(containerId).exec(new ResultCallback.Adapter<WaitResponse>() {
            private volatile boolean answered;

            @Override
            public void onNext(WaitResponse r) {
                answered = true;
                Integer code = r.getStatusCode();
                end("exited (" + code + ")" + (code != null && code > 128 && code < 160 ? ", killed by signal " + (code - 128)
                        + (code == 137 ? " (SIGKILL)" : code == 143 ? " (SIGTERM)" : "") : ""));
            }

            @Override
            public void onError(Throwable e) {
                if (!answered) {
                    streamBroke(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                }
            }

            @Override
            public void onComplete() {
                if (!answered) {
                    streamBroke("the engine closed the wait");
                }
            }
        });
    }

    private void streamBroke(String why) {
        if (closing || ended != null) {
            return;
        }
        try {
            InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(containerId).exec().getState();
            if (Boolean.TRUE.equals(s.getRunning())) {
                watchExit(); // only the stream timed out: the container lives on
            } else {
                end("exited (" + s.getExitCodeLong() + ")");
            }
        } catch (NotFoundException e) {
            end("is gone (removed after it exited; exit code unknown)");
        } catch (RuntimeException e) {
            end("was lost with the Docker engine, which stopped answering (" + why + ")");
        }
    }

    private void end(String how) {
        ended = how;
        onEnd.forEach(Runnable::run);
    }

    /**
     * Runs {@code action} once the container is known to have ended (or the engine went away): the lab
     * closes its agent connection then, so that a call waiting on an agent that can no longer answer
     * (frozen with its engine) fails at once instead of at its timeout.
     */
    public void onEnd(Runnable action) {
        onEnd.add(action);
        if (ended != null) {
            action.run();
        }
    }

    /** The container's name, e.g. {@code tcpct-linux-0031a700}. */
    public String name() {
        return name;
    }

    /** Whether the engine said the container ended (or the engine itself went away); cheap, for polling. */
    public boolean ended() {
        return ended != null;
    }

    /** How long each step of this target's start took. */
    public StartTimes startTimes() {
        return startTimes;
    }

    public TargetSpec spec() {
        return spec;
    }

    public String image() {
        return image;
    }

    public Path controlSocket() {
        return controlDir.resolve(CONTROL_SOCKET);
    }

    public VethPair veth() {
        return veth;
    }

    /**
     * Runs {@code argv} (ip, sh writing a namespaced sysctl) in the target's network namespace, for a scenario that
     * changes the target's own addressing (a second address, a route's preferred source, a neighbour entry,
     * accept_source_route); only for a kernel stack, whose eth0 the container's kernel owns. Returns its output.
     */
    public String inNetns(String... argv) {
        if (!kernelStack()) {
            throw new IllegalStateException("target " + spec.name() + " is a user-space stack (\"wiring\": \"raw\"): its addresses are its own, "
                    + "not the container kernel's");
        }
        return HostCommand.inNetns(pid, argv);
    }

    /** Whether the stack under test is the container's kernel (target.json {@code "wiring": "kernel"}). */
    public boolean kernelStack() {
        return spec.wiring() == TargetSpec.Wiring.KERNEL;
    }

    /** Whether the target's wire carries IPv6 beside IPv4 (the run asked for it). */
    public boolean ipv6() {
        return ipv6;
    }

    /** Process id of the agent on the host, for commands inside its network namespace. */
    public long pid() {
        return pid;
    }

    /**
     * Runs a packetdrill shell line in this target's network namespace ({@link NetnsShell}), from folder {@code cwd}
     * with {@code tmp} as its {@code /tmp}; only for a target whose target.json says {@code "shell": "netns"}.
     */
    public NetnsShell.Result shell(String command, Path cwd, Path tmp) {
        if (!spec.runsShellLines()) {
            throw new IllegalStateException("target " + spec.name() + " does not run shell lines (its target.json has no \"shell\")");
        }
        if (!deviceAliased) {
            NetnsShell.aliasDevice(pid);
            deviceAliased = true;
        }
        return NetnsShell.run(pid, command, cwd, tmp);
    }

    /** Characters of agent log so far; pass to {@link #logSince} to get what a scenario added. */
    public int logLength() {
        return log.length();
    }

    public String logSince(int offset) {
        return log.substring(Math.min(offset, log.length()));
    }

    public boolean running() {
        try {
            InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(containerId).exec().getState();
            return Boolean.TRUE.equals(s.getRunning());
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Why the agent may be unreachable, in a clause: how the container ended and the agent's last log line.
     * An agent that just vanished gives the engine up to {@link #EXIT_NEWS} to report the container's exit.
     */
    public String diagnosis() {
        String last = log.toString().strip().lines().reduce((a, b) -> b).orElse("(no log)");
        if (last.length() > LAST_LINE_MAX) {
            last = last.substring(0, LAST_LINE_MAX) + "...";
        }
        try {
            await("the engine reports how target container " + name + " ended").atMost(EXIT_NEWS)
                    .pollInterval(Duration.ofMillis(10)).until(() -> ended != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // still running as far as the engine knows: said below
        }
        String state = ended;
        if (state == null) {
            state = Engine.answers(docker) ? "is still running" : "is unknown: the Docker engine is not answering";
        }
        String cause = (state.startsWith("was lost with the Docker engine") ? "the Docker engine stopped answering while target container "
                + name + " ran" : "target container " + name + " " + state);
        return cause + "; agent's last log line: " + last;
    }

    @Override
    public void close() {
        closing = true;
        if (veth != null) {
            veth.close();
        }
        removeQuietly(docker, containerId);
        try {
            TargetImage.deleteTree(controlDir);
        } catch (IOException e) {
            // the folder lies under the run's work dir, which the runner removes too
        }
    }

    static void removeQuietly(DockerClient docker, String containerId) {
        try {
            docker.removeContainerCmd(containerId).withForce(true).exec();
        } catch (NotFoundException e) {
            // auto-removed already when the agent exited
        } catch (RuntimeException e) {
            // engine gone: the Reaper removes it at the next start
        }
    }
}
