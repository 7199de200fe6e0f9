package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tcpct.agent.AgentClient;
import tcpct.target.TargetInstance;
import tcpct.target.VethPair;
import tcpct.wire.IpFamily;
import tcpct.wire.Link;
import tcpct.wire.PcapWire;

/**
 * Everything one worker needs to run scenarios against one target: the running container, the wire on
 * its veth, and the agent connection. Made once and reused by every scenario of the worker; each
 * scenario gets fresh ports so that what an earlier one left (a TIME-WAIT, say) never meets it.
 */
public final class Lab implements AutoCloseable {

    private final TargetInstance instance;
    private final PcapWire wire;
    private final AgentClient agent;
    private final JsonNode hello;
    private final Path outDir;
    private final tcpct.report.ExpectedVerdicts expected;
    /** hello's hiddenStates, read once: every state assertion asks for them. */
    private final java.util.Set<tcpct.state.TcpState> hiddenStates;
    private final AtomicInteger nextListenPort = new AtomicInteger(5001);
    private final AtomicInteger nextPeerPort = new AtomicInteger(20001);

    private Lab(TargetInstance instance, PcapWire wire, AgentClient agent, JsonNode hello, Path outDir) {
        this.instance = instance;
        this.wire = wire;
        this.agent = agent;
        this.hello = hello;
        this.outDir = outDir;
        this.expected = tcpct.report.ExpectedVerdicts.forTarget(instance.spec());
        java.util.Set<tcpct.state.TcpState> hidden = java.util.EnumSet.noneOf(tcpct.state.TcpState.class);
        hello.path("hiddenStates").forEach(n -> hidden.add(tcpct.state.TcpState.fromRfcName(n.asText())));
        this.hiddenStates = java.util.Collections.unmodifiableSet(hidden);
    }

    /** Opens the wire and the agent of a started target; closes the target if either fails. */
    public static Lab open(TargetInstance instance, Path outDir) {
        PcapWire wire = null;
        AgentClient agent = null;
        try {
            VethPair v = instance.veth();
            Link link = new Link(Link.parseMac(v.hostMac()), IpFamily.IPV4.peerAddress(), Link.parseMac(v.targetMac()),
                    IpFamily.IPV4.targetAddress());
            wire = instance.ipv6() ? PcapWire.open(v.hostInterface(), link, link.over(IpFamily.IPV6)) : PcapWire.open(v.hostInterface(), link);
            agent = AgentClient.connect(instance.controlSocket(), instance::diagnosis);
            AgentClient connected = agent;
            instance.onEnd(connected::close);
            JsonNode hello = agent.call("hello", Map.of());
            wire.sendRaw(tcpct.wire.FrameCodec.arpRequest(link)); // the peer announces itself, as a host coming up does
            return new Lab(instance, wire, agent, hello, outDir);
        } catch (RuntimeException e) {
            if (agent != null) {
                agent.close();
            }
            if (wire != null) {
                wire.close();
            }
            instance.close();
            throw e;
        }
    }

    /**
     * Whether the agent has sockets of {@code family}: hello's {@code families} lists it (an agent that names
     * none has IPv4 only, as every agent before IPv6 came).
     */
    public boolean agentHas(IpFamily family) {
        JsonNode f = hello.path("families");
        if (!f.isArray()) {
            return family == IpFamily.IPV4;
        }
        for (JsonNode n : f) {
            if (n.asText().equals(family.agentName)) {
                return true;
            }
        }
        return false;
    }

    public TargetInstance instance() {
        return instance;
    }

    public PcapWire wire() {
        return wire;
    }

    public AgentClient agent() {
        return agent;
    }

    /** The agent's answer to {@code hello}: its name, protocol version, and the stack with its version. */
    public JsonNode hello() {
        return hello;
    }

    /** Stack and version as the agent reports it, e.g. {@code Linux 6.1.0}. */
    public String stack() {
        return hello.path("stack").asText(instance.spec().stack());
    }

    /**
     * The states the agent says it cannot show (hello's {@code hiddenStates}, e.g. slirp's LISTEN): a scenario's
     * assertion of one is inferred from the wire instead of observed ({@link TargetAssert}).
     */
    public java.util.Set<tcpct.state.TcpState> hiddenStates() {
        return hiddenStates;
    }

    public String probe() {
        return hello.path("probe").asText(instance.spec().probe());
    }

    /** The target's expected verdicts (its baseline), read when the lab opened. */
    public tcpct.report.ExpectedVerdicts expected() {
        return expected;
    }

    /**
     * Whether the lab can still serve scenarios: its container runs, its agent is connected, and it answered
     * the reset after the last scenario. Cheap, for polling.
     */
    public boolean alive() {
        return !broken && !instance.ended() && !agent.gone();
    }

    /**
     * Throws {@link LabLost} (an ERROR verdict) when the container or the agent went away, so that waits on
     * the wire end at once instead of timing out into a FAILED that the stack did not earn.
     */
    void requireAlive() {
        if (!alive()) {
            throw new LabLost(instance.diagnosis());
        }
    }

    public Path outDir() {
        return outDir;
    }

    private volatile boolean broken;

    /** The lab's agent failed to reset after a scenario (dead, or hung with the stack it drives): not to be reused. */
    void markBroken() {
        broken = true;
    }

    int allocateListenPort() {
        return nextListenPort.getAndIncrement();
    }

    /** Why the lab must not serve another scenario (a scenario changed the target beyond a connection), or null. */
    private volatile String spoiled;

    /**
     * Marks the lab as changed by its scenario in a way the next scenario would see (a path MTU the target learned,
     * say): the pool replaces it instead of reusing it.
     */
    void spoil(String why) {
        spoiled = why;
    }

    String spoiled() {
        return spoiled;
    }

    int allocatePeerPort() {
        return nextPeerPort.getAndIncrement();
    }

    /**
     * Closes a lab whose agent is dead or hung: the container and its veth go first, so that the capture
     * (blocked in libpcap on a quiet wire) ends at once, then the wire. No goodbye to an agent that cannot answer.
     */
    void discard() {
        agent.close();
        instance.close();
        wire.close();
    }

    @Override
    public void close() {
        try {
            agent.call("bye", Map.of());
        } catch (RuntimeException e) {
            // the agent is gone already; the container goes below
        }
        agent.close();
        // The container and its veth go first: a capture waiting for a frame lets go of its handle only
        // when its interface disappears, and a frozen target (its engine gone) would never send one.
        instance.close();
        wire.close();
    }
}
