package tcpct.scenario;

import io.qameta.allure.Allure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingDeque;
import tcpct.segment.SeqNum;
import tcpct.segment.SeqSpace;
import tcpct.state.Edge;
import tcpct.state.TcpState;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/**
 * What one scenario run knows about its connection: the ports (the peer's chosen fresh, the target's from
 * listen or from its SYN), both ISNs, the peer's SND.NXT and RCV.NXT, the target's frames not yet
 * expected, and the states it has seen the target in. Shared by the scenario's {@link Peer} and
 * {@link Target}; never by two scenarios.
 */
final class Session {

    private static final ThreadLocal<Session> CURRENT = new ThreadLocal<>();

    final Lab lab;
    final ScenarioInfo info;
    /** The peer's port of the connection it plays now (a scenario with two connections switches: {@link #switchConnection}). */
    int peerPort;
    final long startNanos = System.nanoTime();
    /** The same moment on the clock of the wire's kernel timestamps (CLOCK_REALTIME). */
    final long startEpochNanos = System.currentTimeMillis() * 1_000_000L;
    final LinkedBlockingDeque<Frame> fromTarget = new LinkedBlockingDeque<>();
    final List<Frame> frames = new ArrayList<>();
    final List<TcpState> observed = new ArrayList<>();
    SeqSpace space;
    /** The target's ISN in {@link #space} is a stand-in (0, a script's numbers taken as absolute) until the target's SYN says. */
    boolean targetIsnProvisional;
    /** The port the target listens on, if the scenario makes it listen: chosen fresh at the start. */
    final int listenPort;
    Integer targetPort;
    long sndNxt;
    long rcvNxt;
    String lastAction = "the start";
    /** Agent socket ids the scenario holds: a socket made for options, the listener, the connection. */
    Integer pendingSocket;
    Integer listener;
    Integer connection;
    boolean peerSentSyn;
    /** The peer's last segment put on the wire (for a duplicate), and segments held back on the wire (delay, reorder). */
    tcpct.segment.Segment lastSent;
    final List<tcpct.segment.Segment> held = new ArrayList<>();
    /** The target's segment that the scenario last expected (to tell its retransmissions from answers). */
    tcpct.segment.Segment lastExpected;
    /** Every target segment the scenario expected, to tell a timer's retransmission from an answer. */
    final java.util.Set<tcpct.segment.Segment> expectedSoFar = new java.util.HashSet<>();
    /** Named values the scenario measured (timers, in ms), for its result and summary.json. */
    final java.util.Map<String, Double> measurements = new java.util.LinkedHashMap<>();
    /** RFC tags learned while running (a grid cell's clause), added to the annotation's. */
    final List<String> extraRfc = new ArrayList<>();

    List<String> rfcTags() {
        List<String> all = new ArrayList<>(info.rfc());
        extraRfc.stream().filter(t -> !all.contains(t)).forEach(all::add);
        return all;
    }

    /** SHOULD deviations noted so far: the scenario goes on, and ends NON_STRICT if nothing worse happens. */
    final List<String> shouldViolations = new ArrayList<>();
    /**
     * Time the scenario spent waiting on the protocol: the target's answers and timers (retransmission,
     * TIME-WAIT), the scenario's reply windows and quiet periods, and state windows that ran out.
     */
    long protocolWaitNanos;

    /**
     * A state window ran out: the target was given {@code window} to reach a state and stayed where it was
     * all along. Like a reply window that ends in silence, that time is the protocol's, not the harness's.
     * A window that ends early (the state came) counts nothing: its polls are the harness's overhead.
     */
    void stateWindowRanOut(Duration window) {
        protocolWaitNanos += window.toNanos();
    }

    Session(Lab lab, ScenarioInfo info, Random random) {
        this.lab = lab;
        this.info = info;
        this.peerPort = lab.allocatePeerPort();
        this.listenPort = lab.allocateListenPort();
        this.space = SeqSpace.withPeerIsn(new SeqNum(random.nextInt()));
        this.family = tcpct.wire.IpFamily.ofId(info.id());
    }

    /** The IP version the scenario runs over (its id says: {@code @ipv6} or not). */
    final tcpct.wire.IpFamily family;

    /** The wire between peer and target over the scenario's IP version, to {@link #targetAddress} when the scenario set one. */
    tcpct.wire.Link link() {
        tcpct.wire.Link l = lab.wire().link(family);
        return targetAddress == null ? l : l.addressedTo(targetAddress);
    }

    /** Another address of the target's that the peer's frames go to ({@link Peer#talkTo}); null: the family's target address. */
    java.net.InetAddress targetAddress;

    /** What the peer knows of the connection it does not play now ({@link #switchConnection}); null until a scenario switches. */
    private Parked parked;

    /** The per-connection part of a session, kept aside while the peer plays the other connection. */
    private static final class Parked {
        int peerPort;
        Integer targetPort;
        SeqSpace space;
        long sndNxt;
        long rcvNxt;
        Integer connection;
        boolean peerSentSyn;
        tcpct.segment.Segment lastSent;
        tcpct.segment.Segment lastExpected;
        final java.util.Set<tcpct.segment.Segment> expectedSoFar = new java.util.HashSet<>();
        final List<Frame> fromTarget = new ArrayList<>();
    }

    /**
     * Sets this connection aside and takes up the other one: on first use a new connection from a fresh port of the
     * peer's, to the same target port, with an ISN of its own and the target's unknown. The target's frames for the
     * connection set aside wait for it, in order.
     */
    void switchConnection() {
        synchronized (frames) {
            Parked next = parked;
            if (next == null) {
                next = new Parked();
                next.peerPort = lab.allocatePeerPort();
                next.targetPort = targetPort;
                next.space = SeqSpace.withPeerIsn(space.peerIsn().plus(0x20000000L));
            }
            Parked now = new Parked();
            now.peerPort = peerPort;
            now.targetPort = targetPort;
            now.space = space;
            now.sndNxt = sndNxt;
            now.rcvNxt = rcvNxt;
            now.connection = connection;
            now.peerSentSyn = peerSentSyn;
            now.lastSent = lastSent;
            now.lastExpected = lastExpected;
            now.expectedSoFar.addAll(expectedSoFar);
            fromTarget.drainTo(now.fromTarget);
            peerPort = next.peerPort;
            targetPort = next.targetPort;
            space = next.space;
            sndNxt = next.sndNxt;
            rcvNxt = next.rcvNxt;
            connection = next.connection;
            peerSentSyn = peerSentSyn || next.peerSentSyn;
            lastSent = next.lastSent;
            lastExpected = next.lastExpected;
            expectedSoFar.clear();
            expectedSoFar.addAll(next.expectedSoFar);
            fromTarget.addAll(next.fromTarget);
            parked = now;
        }
    }

    /** The scenario running on this thread. */
    static Session current() {
        Session s = CURRENT.get();
        if (s == null) {
            throw new IllegalStateException("no scenario is running on this thread: target and peer work inside a scenario method");
        }
        return s;
    }

    /** The scenario running on this thread, or null on a thread that runs none. */
    static Session currentOrNull() {
        return CURRENT.get();
    }

    static void enter(Session s) {
        CURRENT.set(s);
    }

    static void leave() {
        CURRENT.remove();
    }

    /** A connection was begun: a SYN went either way. From then on, no endpoint means CLOSED. */
    boolean connectionBegun() {
        return peerSentSyn || space.knowsTargetIsn();
    }

    /** Records a measured value (a timer, in ms) and shows it as a step. */
    void measure(String name, double ms, String verdictNote) {
        measurements.put(name, ms);
        step(String.format("measured %s = %.1f ms%s", name, ms, verdictNote.isEmpty() ? "" : " (" + verdictNote + ")"), () -> { });
    }

    void shouldViolation(String sentence) {
        shouldViolations.add(sentence);
        step("NON-STRICT: " + sentence, () -> { });
    }

    /** Whether a captured frame belongs to this scenario's connection (or to the one it set aside: {@link #switchConnection}). */
    boolean ours(Frame f) {
        int port = f.direction() == Direction.FROM_TARGET ? f.segment().dstPort() : f.segment().srcPort();
        return port == peerPort || (parked != null && port == parked.peerPort);
    }

    void onFrame(Frame f) {
        synchronized (frames) {
            if (!ours(f)) {
                return;
            }
            frames.add(f);
            if (f.direction() == Direction.FROM_TARGET) {
                if (parked != null && f.segment().dstPort() == parked.peerPort) {
                    parked.fromTarget.add(f);
                } else {
                    fromTarget.add(f);
                }
            }
        }
    }

    /** Runs {@code body} as an Allure step named with the time since the scenario began. */
    void step(String name, Allure.ThrowableRunnableVoid body) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        Allure.step(String.format("+%d ms  %s", ms, name), body);
    }

    /** Assertions of states the agent cannot show, each waiting for the wire's word on it. */
    final List<Inference> inferences = new ArrayList<>();
    /** Whether the scenario made the target listen (with LISTEN hidden, its CLOSED then looks the same). */
    boolean listened;

    int frameCount() {
        synchronized (frames) {
            return frames.size();
        }
    }

    /** Where {@link #frames} stood when the peer last put a segment on the wire. */
    int lastSentMark;

    /** How long {@link #capturedToTarget} waits for the capture of a frame the peer sent: the capture thread is behind by microseconds on a quiet machine, by more than 50 ms under load (seen: a whole-suite run beside other suites). */
    static final Duration CAPTURED_WITHIN = Duration.ofMillis(1000);

    /**
     * The first frame the peer sent after {@code mark} (a {@link #frameCount}) as the wire captured it, with the kernel
     * timestamp at which it really passed; empty if its capture did not come within {@link #CAPTURED_WITHIN}.
     */
    java.util.Optional<Frame> capturedToTarget(int mark) {
        Frame[] seen = {null};
        try {
            org.awaitility.Awaitility.await("the capture of the frame the peer just sent").pollInSameThread().atMost(CAPTURED_WITHIN)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> {
                        synchronized (frames) {
                            for (int i = mark; i < frames.size(); i++) {
                                if (frames.get(i).direction() == Direction.TO_TARGET) {
                                    seen[0] = frames.get(i);
                                    return true;
                                }
                            }
                        }
                        return false;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(seen[0]);
    }

    /** The scenario acts on the target or asserts again: what the wire shows next is about a new state. */
    void closeInferenceWindows() {
        int n = frameCount();
        inferences.forEach(i -> i.close(n));
    }

    /** What the wire said of each state the agent could not show, in the order they were asserted. */
    List<Inference.Evidence> judgeInferences() {
        closeInferenceWindows();
        List<Frame> copy;
        synchronized (frames) {
            copy = new ArrayList<>(frames);
        }
        return inferences.stream().map(i -> i.judge(copy, startEpochNanos)).toList();
    }

    /** States the probe confirmed, with the (realtime) moment, for the ladder diagram. */
    final List<tcpct.report.Ladder.Event> stateMarks = new ArrayList<>();

    void noteObserved(TcpState s) {
        synchronized (stateMarks) {
            stateMarks.add(new tcpct.report.Ladder.Event(System.currentTimeMillis() * 1_000_000L, s.rfcName(), tcpct.report.Ladder.Kind.STATE));
        }
        if (observed.isEmpty() || observed.get(observed.size() - 1) != s) {
            observed.add(s);
        }
    }

    /** An expected segment never came: shown on the ladder at the moment the wait gave up. */
    void missed(String expected, Duration waited) {
        synchronized (stateMarks) {
            stateMarks.add(new tcpct.report.Ladder.Event(System.currentTimeMillis() * 1_000_000L, expected, tcpct.report.Ladder.Kind.MISSING,
                    "waited " + waited.toMillis() + " ms after " + lastAction, false));
        }
    }

    /** The scenario as a ladder diagram: every frame of its connection, every confirmed state, every expected segment that never came. */
    String ladder() {
        List<tcpct.report.Ladder.Event> events;
        synchronized (stateMarks) {
            events = new ArrayList<>(stateMarks);
        }
        java.util.Set<String> sent = new java.util.HashSet<>();
        synchronized (frames) {
            for (Frame f : frames) {
                tcpct.segment.Segment seg = f.segment();
                boolean toTarget = f.direction() == Direction.TO_TARGET;
                String label = toTarget ? peerView(seg) : Peer.relative(this, seg);
                events.add(new tcpct.report.Ladder.Event(f.timestampNanos(), label,
                        toTarget ? tcpct.report.Ladder.Kind.TO_TARGET : tcpct.report.Ladder.Kind.FROM_TARGET,
                        f.direction().arrow() + " " + seg.flags() + " " + WireText.numbers(seg, space, toTarget), WireText.retransmission(f, sent)));
            }
        }
        return tcpct.report.Ladder.svg(info.id(), events);
    }

    /** The scenario's frames as text, one line each (see {@link WireText}). */
    String wireText() {
        synchronized (frames) {
            return WireText.of(info.id(), new ArrayList<>(frames), space);
        }
    }

    /** A segment of the peer's in relative numbers: {@code FIN,ACK seq 1 ack 2}. */
    String peerView(tcpct.segment.Segment s) {
        StringBuilder b = new StringBuilder(s.flags().toString()).append(" seq ").append(space.peerRelative(s.seq()));
        if (s.flags().has(tcpct.segment.Flag.ACK)) {
            b.append(" ack ").append(space.targetRelative(s.ack()));
        }
        if (s.payloadLength() > 0) {
            b.append(" len ").append(s.payloadLength());
        }
        return b.toString();
    }

    /**
     * Whether any edge of the diagram counts as observed, not only the declared ones: a script (a .pkt) declares
     * none, and its edges are whatever its states went through ({@link ScriptSupport#observe}).
     */
    boolean anyEdge;

    /** The declared edges whose two ends were observed one right after the other. */
    List<Edge> observedEdges() {
        List<Edge> out = new ArrayList<>();
        List<Edge> candidates = anyEdge ? List.of(Edge.values()) : info.declaredEdges();
        for (int i = 0; i + 1 < observed.size(); i++) {
            Edge.between(observed.get(i), observed.get(i + 1), candidates).filter(e -> !out.contains(e)).ifPresent(out::add);
        }
        return out;
    }
}
