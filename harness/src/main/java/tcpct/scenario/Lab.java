package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tcpct.agent.AgentClient;
import tcpct.target.TargetInstance;
import tcpct.target.VethPair;
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
    private final AtomicInteger nextListenPort = new AtomicInteger(5001);
    private final AtomicInteger nextPeerPort = new AtomicInteger(20001);

    private Lab(TargetInstance instance, PcapWire wire, AgentClient agent, JsonNode hello, Path outDir) {
        this.instance = instance;
        this.wire = wire;
        this.agent = agent;
        this.hello = hello;
        this.outDir = outDir;
        this.expected = tcpct.report.ExpectedVerdicts.load(instance.spec().folder().resolve(tcpct.report.ExpectedVerdicts.FILE));
    }

    /** Opens the wire and the agent of a started target; closes the target if either fails. */
    public static Lab open(TargetInstance instance, Path outDir) {
        PcapWire wire = null;
        AgentClient agent = null;
        try {
            VethPair v = instance.veth();
            Link link = new Link(Link.parseMac(v.hostMac()), ipv4(VethPair.PEER_IP), Link.parseMac(v.targetMac()), ipv4(VethPair.TARGET_IP));
            wire = PcapWire.open(v.hostInterface(), link);
            agent = AgentClient.connect(instance.controlSocket(), instance::diagnosis);
            JsonNode hello = agent.call("hello", Map.of());
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

    static Inet4Address ipv4(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(dotted, e);
        }
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
        java.util.Set<tcpct.state.TcpState> out = java.util.EnumSet.noneOf(tcpct.state.TcpState.class);
        hello.path("hiddenStates").forEach(n -> out.add(tcpct.state.TcpState.fromRfcName(n.asText())));
        return out;
    }

    public String probe() {
        return hello.path("probe").asText(instance.spec().probe());
    }

    /** The target's expected verdicts (its baseline), read when the lab opened. */
    public tcpct.report.ExpectedVerdicts expected() {
        return expected;
    }

    public Path outDir() {
        return outDir;
    }

    int allocateListenPort() {
        return nextListenPort.getAndIncrement();
    }

    int allocatePeerPort() {
        return nextPeerPort.getAndIncrement();
    }

    @Override
    public void close() {
        try {
            agent.call("bye", Map.of());
        } catch (RuntimeException e) {
            // the agent is gone already; the container goes below
        }
        agent.close();
        wire.close();
        instance.close();
    }
}
