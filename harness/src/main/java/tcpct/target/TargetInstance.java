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

    private final DockerClient docker;
    private final TargetSpec spec;
    private final String image;
    private final String containerId;
    private final Path controlDir;
    private final StringBuffer log = new StringBuffer();
    private final long pid;
    private VethPair veth;
    private StartTimes startTimes;

    private TargetInstance(DockerClient docker, TargetSpec spec, String image, String containerId, Path controlDir, long pid) {
        this.docker = docker;
        this.spec = spec;
        this.image = image;
        this.containerId = containerId;
        this.controlDir = controlDir;
        this.pid = pid;
    }

    /** Creates, starts and wires a container of {@code image}; {@code id} (8 hex digits) names its veth. */
    public static TargetInstance start(DockerClient docker, TargetSpec spec, String image, Path controlDir, String id) {
        return start(docker, spec, image, controlDir, id, null);
    }

    /** The same, with {@code fault} (or null) injected into the target's namespace once it is wired. */
    public static TargetInstance start(DockerClient docker, TargetSpec spec, String image, Path controlDir, String id, Fault fault) {
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
            t = new TargetInstance(docker, spec, image, cid, controlDir, pid);
            t.followLog();
            t.veth = VethPair.wire(pid, id, spec.wiring() == TargetSpec.Wiring.KERNEL);
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

    /** Process id of the agent on the host, for commands inside its network namespace. */
    public long pid() {
        return pid;
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

    /** Why the agent may be unreachable, in a clause: container state and the agent's last log line. */
    public String diagnosis() {
        String last = log.toString().strip().lines().reduce((a, b) -> b).orElse("(no log)");
        String state;
        try {
            InspectContainerResponse.ContainerState s = docker.inspectContainerCmd(containerId).exec().getState();
            state = Boolean.TRUE.equals(s.getRunning()) ? "container still running" : "container exited with " + s.getExitCodeLong();
        } catch (NotFoundException e) {
            state = "container gone";
        } catch (RuntimeException e) {
            state = "engine not answering (" + e.getMessage() + ")";
        }
        return "target " + spec.name() + ": " + state + "; agent's last log line: " + last;
    }

    @Override
    public void close() {
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
