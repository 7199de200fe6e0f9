package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.agent.AgentClient;
import tcpct.agent.Endpoint;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SeqSpace;
import tcpct.state.TcpState;
import tcpct.wire.Frame;

/**
 * What a scenario written as a script (a packetdrill {@code .pkt}, tcpct.pkt) needs beyond {@link Peer} and
 * {@link Target}: every frame of the target as it came (retransmissions included: a script expects them
 * line by line), the connection's sequence space, waits until a moment of the script's clock, the agent
 * for calls that run beside the script, and the target's state recorded after each line without asserting
 * it. Acts on the scenario running on the calling thread, like peer and target.
 */
public final class ScriptSupport {

    private ScriptSupport() {
    }

    /** Now, on the clock of the wire's kernel timestamps (CLOCK_REALTIME), in ns since the epoch. */
    public static long realtimeNanos() {
        return ProtocolWait.realtimeNanos();
    }

    public static int listenPort() {
        return Session.current().listenPort;
    }

    /** The target's port of the scenario's latest connection, or -1 before it has one. */
    public static int targetPort() {
        Integer p = Session.current().targetPort;
        return p == null ? -1 : p;
    }

    public static int peerPort() {
        return Session.current().peerPort;
    }

    /** The peer's address over the scenario's IP version (192.0.2.1, or 2001:db8::1 for an {@code @ipv6} run). */
    public static String peerAddress() {
        return Session.current().family.peerIp;
    }

    /** The IP version the scenario runs over. */
    public static tcpct.wire.IpFamily family() {
        return Session.current().family;
    }

    /** Whether the target's agent has sockets of the scenario's IP version (hello's families). */
    public static boolean agentHasFamily() {
        Session s = Session.current();
        return s.lab.agentHas(s.family);
    }

    /** The connection's sequence space: relative numbers from each side's ISN (the target's once its SYN was seen). */
    public static SeqSpace space() {
        return Session.current().space;
    }

    /** The agent of the scenario's target, for a call that runs on another thread while the script goes on. */
    public static AgentClient agent() {
        return Session.current().lab.agent();
    }

    /** Whether the target's agent names {@code command} in its hello (protocol 2 adds bind and poll). */
    public static boolean agentHas(String command) {
        for (var c : Session.current().lab.hello().path("commands")) {
            if (c.asText().equals(command)) {
                return true;
            }
        }
        return false;
    }

    /** The stack's name as its agent says it, e.g. {@code Linux 6.18.44}. */
    public static String stack() {
        return Session.current().lab.stack();
    }

    /** Whether the scenario's target runs packetdrill shell lines (target.json {@code "shell": "netns"}). */
    public static boolean runsShellLines() {
        return Session.current().lab.instance().spec().runsShellLines();
    }

    /**
     * Runs a script's shell line on the scenario's target ({@link tcpct.target.NetnsShell}), from {@code cwd} with
     * {@code tmp} as its {@code /tmp}. What it changed in the target's namespace stays there, so the lab is
     * spoiled: no other scenario runs on this container after this one.
     */
    public static tcpct.target.NetnsShell.Result shell(String command, java.nio.file.Path cwd, java.nio.file.Path tmp) {
        Session s = Session.current();
        s.lab.spoil("a packetdrill shell line ran in its namespace (`" + command.strip().lines().findFirst().orElse("") + "`)");
        return s.lab.instance().shell(command, cwd, tmp);
    }

    /** The target listens with agent socket {@code sock} on {@link #listenPort}: the peer's segments go there. */
    public static void listening(int sock) {
        Session s = Session.current();
        s.listener = sock;
        s.targetPort = s.listenPort;
        s.listened = true;
    }

    /** The target's connection is agent socket {@code sock} (null: it was closed). */
    public static void connection(Integer sock) {
        Session.current().connection = sock;
    }

    /** The peer aims at {@link #listenPort} although nothing listens there (yet). */
    public static void aimAtListenPort() {
        Session s = Session.current();
        if (s.targetPort == null) {
            s.targetPort = s.listenPort;
        }
    }

    /**
     * Waits until the moment {@code realtimeNanos} of the script's clock (bounded by the moment itself, named
     * {@code alias}); the target's frames meanwhile stay queued for the script's next outbound line. The time
     * counts as the protocol's (the script's own pacing).
     */
    public static void waitUntil(long realtimeNanos, String alias) {
        Session s = Session.current();
        long left = realtimeNanos - realtimeNanos();
        if (left <= 0) {
            return;
        }
        Duration d = Duration.ofNanos(left);
        long t0 = System.nanoTime();
        try {
            await(alias).pollInSameThread().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> {
                s.lab.requireAlive();
                return true;
            });
        } finally {
            s.protocolWaitNanos += Math.min(System.nanoTime() - t0, d.toNanos());
        }
    }

    /**
     * The target's next frame on this connection, whatever it is (a retransmission too), waiting at most
     * {@code within} under the alias {@code alias}; empty when none came. The target's port and ISN are
     * learned from it as {@link Peer#expect} learns them; the peer's RCV.NXT moves past it.
     */
    public static Optional<Frame> nextFrame(Duration within, String alias) {
        Session s = Session.current();
        ProtocolWait.Clock clock = ProtocolWait.start();
        Frame[] seen = new Frame[1];
        try {
            try {
                if (s.fromTarget.isEmpty()) { // a frame already queued is taken at once, without starting a wait
                    await(alias).pollInSameThread().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
                    s.lab.requireAlive();
                    return !s.fromTarget.isEmpty();
                    });
                }
            } catch (ConditionTimeoutException e) {
                return Optional.empty();
            }
            Frame f = s.fromTarget.poll();
            seen[0] = f;
            var seg = f.segment();
            if (s.targetPort == null) {
                s.targetPort = seg.srcPort();
            }
            if (seg.flags().has(Flag.SYN) && (!s.space.knowsTargetIsn() || s.targetIsnProvisional)) {
                s.space = s.space.learnTargetIsn(seg.seq());
                s.targetIsnProvisional = false;
            }
            s.rcvNxt = Math.max(s.rcvNxt, s.space.targetRelative(seg.seq()) + seg.seqLength());
            s.lastExpected = seg;
            s.expectedSoFar.add(seg);
            return Optional.of(f);
        } finally {
            s.protocolWaitNanos += clock.share(seen[0], within);
        }
    }

    /**
     * The target's SYN (or SYN,ACK) {@code syn} starts a connection's sequence space anew, as packetdrill counts: the
     * target's later numbers are relative to this SYN's sequence number (a script may open several connections).
     */
    public static void targetSynIs(Segment syn) {
        Session s = Session.current();
        s.space = s.space.learnTargetIsn(syn.seq());
        s.targetIsnProvisional = false;
        s.rcvNxt = syn.seqLength();
        s.targetPort = syn.srcPort(); // a new connection of the script's: the peer answers the port it came from
    }

    /** The peer's SYN just sent had sequence number {@code isn}: its later numbers are relative to it (packetdrill's remote ISN). */
    public static void peerSynIs(tcpct.segment.SeqNum isn) {
        Session s = Session.current();
        s.space = new SeqSpace(isn, s.space.targetIsn());
    }

    /**
     * Before the target has sent a SYN, a script's numbers about the target's side (an inbound ACK, an outbound
     * RST's SEQ) are taken as absolute, as packetdrill takes them: the target's ISN stands at 0 until its SYN comes.
     */
    public static void assumeTargetIsnUntilItsSyn() {
        Session s = Session.current();
        if (!s.space.knowsTargetIsn()) {
            s.space = s.space.learnTargetIsn(tcpct.segment.SeqNum.of(0));
            s.targetIsnProvisional = true;
        }
    }

    /** How many frames of the scenario the wire has captured so far: a mark for {@link #injectedAt}. */
    public static int frameMark() {
        return Session.current().frameCount();
    }

    /**
     * The kernel timestamp at which the first frame the peer sent after {@code mark} passed the wire, or
     * {@code fallbackNanos} if its capture did not come in time: the moment an inbound packet really happened, which
     * the harness's own latency between deciding to send and the frame leaving would otherwise add to the target's
     * answer time.
     */
    public static long injectedAt(int mark, long fallbackNanos) {
        return Session.current().capturedToTarget(mark).map(Frame::timestampNanos).orElse(fallbackNanos);
    }

    /**
     * Records the state of the scenario's connection (or its listener) as the agent reports it now, without
     * asserting anything: a script's states and edges are what the target went through. Returns the state
     * (empty: the scenario has no endpoint and never had a connection).
     */
    public static Optional<TcpState> observe() {
        Session s = Session.current();
        List<Endpoint> all = s.lab.agent().states();
        Optional<TcpState> st = all.stream().filter(e -> e.remotePort() == s.peerPort && s.family.isPeer(e.remoteAddr()))
                .map(Endpoint::state).filter(java.util.Objects::nonNull).findFirst();
        if (st.isEmpty()) {
            st = all.stream().filter(e -> e.localPort() == s.listenPort && e.remotePort() == 0).map(Endpoint::state).filter(java.util.Objects::nonNull).findFirst();
        }
        if (st.isEmpty() && (s.connectionBegun() || s.listened)) {
            st = Optional.of(TcpState.CLOSED);
        }
        st.ifPresent(s::noteObserved);
        s.anyEdge = true;
        return st;
    }

    /** Shows {@code what} as a step of the scenario (with the time since it began). */
    public static void step(String what, io.qameta.allure.Allure.ThrowableRunnableVoid body) {
        Session.current().step(what, body);
    }

    /** Notes a SHOULD-level deviation: the scenario goes on and ends NON_STRICT unless something worse happens. */
    public static void nonStrict(String sentence) {
        Session.current().shouldViolation(sentence);
    }

    /** What the scenario did last, for the failure sentences of peer and target. */
    public static void lastAction(String what) {
        Session.current().lastAction = what;
    }
}
