package tcpct.pkt;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tcpct.agent.AgentError;
import tcpct.pkt.Action.Packet;
import tcpct.pkt.Action.Syscall;
import tcpct.pkt.PktScript.Event;
import tcpct.scenario.ConformanceFailure;
import tcpct.scenario.Peer;
import tcpct.scenario.ScriptSupport;
import tcpct.scenario.Unimplemented;
import tcpct.segment.Flag;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * Plays one packetdrill script over the harness's peer and the target's agent, with packetdrill's meaning of
 * time: each event has a script time (absolute, or relative to the previous event: to its script time when
 * both are inbound packets, else to the moment the previous event was done); an inbound packet is injected at
 * its time; an outbound one must come within the tolerance of its time, measured from its pcap kernel
 * timestamp; a system call starts at its time, and a blocking one ({@code +0...0.2}) runs beside the script
 * until its end time. After each line the target's state is recorded. A line tcpct cannot run ends the
 * script UNIMPLEMENTED with the line and the reason.
 */
final class PktInterpreter {

    /** How long past an outbound packet's latest moment the harness waits, to say how late it came rather than "nothing". */
    static final Duration LATE_GRACE = Duration.ofMillis(500);
    /** How long a {@code *} outbound packet may take. */
    static final Duration ANY_TIME_WAIT = Peer.EXPECT_TIMEOUT;
    /** Socket options whose values RFC 9293 leaves to the implementation: a stack without them deviates, NON_STRICT. */
    static final java.util.Set<String> BUFFER_OPTIONS = java.util.Set.of("SO_RCVBUF", "SO_SNDBUF");

    /** Whether the agent says its stack lacks the call or the option (ENOSYS, ENOPROTOOPT). */
    private static boolean lacks(AgentError err) {
        return err.unsupported() || err.errno().equals("ENOPROTOOPT");
    }

    /** Linux's file status flags, as fcntl(F_GETFL) reports a socket's. */
    static final int O_RDWR = 02;
    static final int O_NONBLOCK = 04000;
    /** Octets per agent send request (its request line holds at most 64 KiB of JSON, two hex digits per octet). */
    static final int SEND_CHUNK = 16384;

    /** The threads blocking calls run on while the script goes on (daemons: a run never waits for them to exit). */
    private static final java.util.concurrent.ExecutorService BLOCKING = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcpct-pkt-blocking-call");
        t.setDaemon(true);
        return t;
    });

    private final PktScripts.Entry entry;
    private final PktSettings settings;
    private final tcpct.scenario.Target target;
    private final Peer peer;
    /** The script's file descriptors and the agent's sockets they stand for. */
    private final Map<Long, Integer> fds = new HashMap<>();
    private final Map<Long, Boolean> nonBlocking = new HashMap<>();
    /** An fd bound by bind(): true when the agent bound it (protocol 2), false when listen is to bind it (protocol 1). */
    private final Map<Long, Boolean> bound = new HashMap<>();
    /** Outbound TS val as the script wrote it minus as the stack sent it: inbound ecr values are shifted by it. */
    private Long tsOffset;
    private long t0;
    private double lastScriptSecs;
    private boolean lastInbound;
    private boolean haveLast;
    /** When the previous event was done, on the script's clock: an inbound packet sent, a call returned, an outbound packet's kernel timestamp. */
    private double lastDoneSecs;
    private Pending pending;
    /** The script's socket that {@code %{ }%} blocks read tcp_info of, as packetdrill's "socket under test": the latest created or accepted. */
    private Long underTest;
    /** The {@code %{ }%} blocks' Python names, kept from one block to the next. */
    private final PktCode code = new PktCode();
    /** The scenario's own {@code /tmp} for shell lines, made by the first one and removed at the end. */
    private java.nio.file.Path shellTmp;

    /** A blocking call running beside the script: what it is, and when it must end. */
    private record Pending(Event event, CompletableFuture<Outcome> call, double endSecs, long tolUsecs) {
    }

    /** What a call returned: a value (>= 0), or an errno. */
    record Outcome(long value, String errno, long doneRealtimeNanos) {
        String text() {
            return errno == null ? Long.toString(value) : "-1 " + errno;
        }
    }

    PktInterpreter(PktScripts.Entry entry, PktSettings settings, tcpct.scenario.Target target, Peer peer) {
        this.entry = entry;
        this.settings = settings;
        this.target = target;
        this.peer = peer;
    }

    void run() {
        try {
            play();
        } finally {
            removeShellTmp();
        }
    }

    private void play() {
        if (entry.error() != null) {
            throw new IllegalArgumentException(entry.error().getMessage()); // ERROR: the script is not packetdrill
        }
        PktScript script = entry.script();
        PktSettings s = settings;
        for (PktScript.Setting o : script.options()) {
            Optional<String> gap = PktGaps.setting(o);
            if (gap.isPresent()) {
                throw unimplemented(o.line(), gap.get());
            }
            if (PktSettings.NAMES.contains(o.name())) {
                s = s.with(o.name(), o.value());
            } else {
                int line = o.line();
                ScriptSupport.step(where(line) + " --" + o.name() + (o.value() == null ? "" : "=" + o.value())
                        + ": packetdrill's own set-up; tcpct's wire has its own addresses and device", () -> { });
            }
        }
        final PktSettings active = s;
        // untimed shell lines before the first event are packetdrill's init command: they run before the script's clock starts
        int first = 0;
        while (first < script.events().size() && script.events().get(first).action() instanceof Action.Shell init
                && script.events().get(first).time().kind() == EventTime.Kind.NONE) {
            Event e = script.events().get(first++);
            reachable(e);
            ScriptSupport.step(where(e.line()) + " `" + oneLine(init.command()) + "` (before the script's time 0)", () -> shell(e.line(), init));
        }
        t0 = ScriptSupport.realtimeNanos();
        for (Event e : script.events().subList(first, script.events().size())) {
            Optional<String> gap = PktGaps.of(e.action(), ScriptSupport.family());
            if (gap.isPresent()) {
                throw unimplemented(e.line(), gap.get());
            }
            reachable(e);
            double sched = scheduled(e);
            double schedEnd = e.time().kind() == EventTime.Kind.ABSOLUTE ? e.time().end()
                    : e.time().kind() == EventTime.Kind.RELATIVE ? sched + (e.time().end() - e.time().start()) : sched;
            long tol = active.toleranceFor(haveLast ? (sched - lastScriptSecs) * 1e6 : 0);
            String label = where(e.line()) + " " + text(e);
            ScriptSupport.step(label, () -> {
                if (e.action() instanceof Packet p && p.direction() == Action.Direction.INBOUND) {
                    ScriptSupport.waitUntil(at(sched), "script time " + secs(sched) + " of " + where(e.line()));
                    int mark = ScriptSupport.frameMark();
                    long start = ScriptSupport.realtimeNanos();
                    inbound(p);
                    done(ScriptSupport.injectedAt(mark, start)); // when the frame passed the wire, by its kernel timestamp
                } else if (e.action() instanceof Packet p) {
                    outbound(e.line(), p, e.time().kind() == EventTime.Kind.ANY, sched, schedEnd, tol);
                } else if (e.action() instanceof Action.Shell || e.action() instanceof Action.Code) {
                    ScriptSupport.waitUntil(at(sched), "script time " + secs(sched) + " of " + where(e.line()));
                    long start = ScriptSupport.realtimeNanos();
                    if (e.action() instanceof Action.Shell sh) {
                        shell(e.line(), sh);
                    } else {
                        code(e.line(), (Action.Code) e.action());
                    }
                    done(start);
                } else {
                    ScriptSupport.waitUntil(at(sched), "script time " + secs(sched) + " of " + where(e.line()));
                    long start = ScriptSupport.realtimeNanos();
                    var agent = ScriptSupport.agent();
                    agent.startTiming();
                    syscall(e, (Syscall) e.action(), sched, tol);
                    // a call happens when it starts, as in packetdrill (its packets follow the start, not the agent's answer):
                    // when the agent began it, if it says, else when its request left the harness
                    done(agent.firstBegan().orElse(start));
                }
            });
            lastScriptSecs = sched;
            lastInbound = e.action() instanceof Packet p && p.direction() == Action.Direction.INBOUND;
            haveLast = true;
            ScriptSupport.lastAction(where(e.line()) + " " + text(e));
            if (pending == null && changesState(e.action())) {
                lastState = ScriptSupport.observe();
            }
        }
        finishPending();
        lastState = ScriptSupport.observe();
    }

    /**
     * Whether a line can move the connection to another state, so that the target's state is recorded after it:
     * every packet and the calls that open, close or shut down. Options, fcntl, poll, reads and writes move none,
     * and asking after them would only delay the script's next line.
     */
    static boolean changesState(Action a) {
        return a instanceof Packet || a instanceof Syscall c && List.of("listen", "accept", "connect", "close", "shutdown").contains(c.name());
    }

    // ---- time

    private double scheduled(Event e) {
        double now = (ScriptSupport.realtimeNanos() - t0) / 1e9;
        return switch (e.time().kind()) {
            case ABSOLUTE -> e.time().start();
            case RELATIVE -> {
                boolean anchored = lastInbound && e.action() instanceof Packet p && p.direction() == Action.Direction.INBOUND;
                yield (haveLast && anchored ? lastScriptSecs : haveLast ? lastDoneSecs : 0) + e.time().start();
            }
            case ANY, NONE -> now;
        };
    }

    private void done(long realtimeNanos) {
        lastDoneSecs = (realtimeNanos - t0) / 1e9;
    }

    private long at(double scriptSecs) {
        return t0 + (long) (scriptSecs * 1e9);
    }

    private static String secs(double s) {
        return String.format("%.6f s", s);
    }

    private String where(int line) {
        return entry.id() + ":" + line;
    }

    private static String text(Event e) {
        Action a = e.action();
        if (a instanceof Packet p) {
            return (p.direction() == Action.Direction.INBOUND ? "< " : "> ") + p.text();
        }
        if (a instanceof Syscall c) {
            return c.text();
        }
        if (a instanceof Action.Shell sh) {
            return "`" + oneLine(sh.command()) + "`";
        }
        if (a instanceof Action.Code block) {
            return "%{" + block.source().stripTrailing() + " }%";
        }
        return a.toString();
    }

    private Unimplemented unimplemented(int line, String reason) {
        return new Unimplemented(where(line) + ": tcpct cannot run this line: " + reason);
    }

    // ---- shell lines and %{ }% blocks

    /** A shell line or {@code %{ }%} block the target cannot run ends the script UNIMPLEMENTED before its time comes. */
    private void reachable(Event e) {
        if (e.action() instanceof Action.Shell sh && !PktScripts.skipsShellLines() && !ScriptSupport.runsShellLines()) {
            throw unimplemented(e.line(), "shell command `" + oneLine(sh.command()) + "`: the " + ScriptSupport.stack()
                    + " target runs no shell lines (a target runs them when its target.json says \"shell\": \"netns\", as linux does)");
        }
        if (e.action() instanceof Action.Code && !ScriptSupport.agentHas("tcpinfo")) {
            throw unimplemented(e.line(), "%{ }% block: the " + ScriptSupport.stack() + " agent reports no TCP_INFO (it has no tcpinfo command)");
        }
    }

    /** Runs a shell line as packetdrill does; a non-zero status ends the script, as packetdrill's "error executing" does. */
    private void shell(int line, Action.Shell sh) {
        if (PktScripts.skipsShellLines()) {
            ScriptSupport.step(where(line) + " not run: `" + oneLine(sh.command()) + "` (--shell skip)", () -> { });
            return;
        }
        if (shellTmp == null) {
            try {
                shellTmp = java.nio.file.Files.createTempDirectory("tcpct-pkt-tmp-");
            } catch (java.io.IOException ex) {
                throw new IllegalStateException("cannot create a /tmp folder for the script's shell lines: " + ex.getMessage(), ex);
            }
        }
        java.nio.file.Path cwd = entry.file().toAbsolutePath().getParent();
        tcpct.target.NetnsShell.Result r = ScriptSupport.shell(sh.command(), cwd, shellTmp);
        String out = r.output().isEmpty() ? "" : ": " + r.output().lines().reduce((a, b) -> b).orElse("");
        ScriptSupport.step(where(line) + " the shell line exited " + r.exit() + out, () -> { });
        if (r.exit() != 0) {
            // the script's own set-up failed on this target: packetdrill stops there too, and it says nothing of the stack's TCP
            throw new IllegalStateException(where(line) + ": the shell command `" + oneLine(sh.command()) + "` exited " + r.exit() + out);
        }
    }

    /** A shell command of several lines as one line of a message: {@code a; b}. */
    static String oneLine(String command) {
        return command.strip().replaceAll("\\s*\n\\s*", "; ");
    }

    private void removeShellTmp() {
        if (shellTmp == null) {
            return;
        }
        try (var files = java.nio.file.Files.walk(shellTmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException ignored) {
            // best effort: a folder under the system's temporary folder
        }
    }

    /**
     * Evaluates a {@code %{ }%} block over the tcp_info of the socket under test, now. An assertion over
     * {@code tcpi_state} that fails is the wrong state (FAILED); one over the other fields (congestion window,
     * ssthresh, RTT, counters, the options negotiated) is NON_STRICT: RFC 9293 leaves them to the implementation.
     */
    private void code(int line, Action.Code block) {
        if (underTest == null || !fds.containsKey(underTest)) {
            throw new IllegalArgumentException(where(line) + ": a %{ }% block before the script has a socket (packetdrill reads tcp_info of the"
                    + " socket under test)");
        }
        JsonNode a = ScriptSupport.agent().call("tcpinfo", args("sock", fds.get(underTest)));
        Map<String, java.math.BigInteger> info = new HashMap<>();
        a.path("info").fields().forEachRemaining(f -> info.put(f.getKey(), f.getValue().bigIntegerValue()));
        PktCode.Outcome o;
        try {
            o = code.run(block.source(), line, info);
        } catch (PktCode.Unsupported u) {
            throw unimplemented(u.line, "%{ }% block: " + u.getMessage() + " (tcpct runs assert, print and assignments over integers)");
        } catch (PktCode.Undefined u) {
            if (u.name.startsWith("tcpi_")) {
                throw unimplemented(u.line, "%{ }% block: the " + ScriptSupport.stack() + " agent's tcp_info has no " + u.name);
            }
            throw new IllegalArgumentException(where(u.line) + ": %{ }% block: " + u.getMessage()); // the script's own mistake, as Python's NameError
        }
        for (String printed : o.printed()) {
            ScriptSupport.step(where(line) + " print: " + printed, () -> { });
        }
        PktCode.Failed f = o.failed();
        if (f == null) {
            return;
        }
        String sentence = where(f.line()) + ": expected " + f.assertion() + ", saw " + (f.read().isEmpty() ? "it false" : f.readText())
                + (f.message() == null ? "" : " (message: " + f.message() + ")");
        if (f.read().containsKey("tcpi_state")) {
            throw new ConformanceFailure(sentence + " (state: tcpi_state " + f.read().get("tcpi_state") + " is "
                    + PktCode.stateName(f.read().get("tcpi_state")) + ")");
        }
        ScriptSupport.nonStrict(sentence + " (tcp_info: RFC 9293 leaves congestion control, RTT estimation and these counters to the implementation)");
    }

    // ---- packets

    private void inbound(Packet p) {
        if (!fdsHaveListenerOrConnection()) {
            ScriptSupport.aimAtListenPort();
        }
        if (p.ack() != null || p.options() != null && p.options().stream().anyMatch(o -> o instanceof TcpOpt.Sack)) {
            ScriptSupport.assumeTargetIsnUntilItsSyn();
        }
        List<Flag> flags = new ArrayList<>();
        for (char c : p.flags().toCharArray()) {
            flags.add(flag(c));
        }
        Packet q = relative(p);
        SegmentTemplate t = SegmentTemplate.of(flags.stream().filter(f -> f != null).toArray(Flag[]::new)).seq(q.seq());
        if (p.has('.')) {
            t = q.ack() != null ? t.ack(q.ack()) : t;
        }
        if (p.window() != null) {
            t = t.win(p.window());
        }
        t = t.data(new byte[p.length()]);
        if (p.urgent() != null) {
            t = t.urgentPointer(p.urgent());
        }
        t = t.options(options(p.options()));
        peer.send(t);
        // a SYN that opens a connection (to a listener, or the SYN,ACK answering the target's SYN) starts the peer's
        // numbers anew, as packetdrill's remote ISN; a SYN that arrives in a synchronized state does not
        boolean opens = p.has('.') ? awaitingSynAck
                : lastState.isEmpty() || lastState.get() == tcpct.state.TcpState.LISTEN || lastState.get() == tcpct.state.TcpState.CLOSED;
        if (p.has('S') && opens) {
            ScriptSupport.peerSynIs(peerBase().plus(p.seq())); // the peer's later numbers count from this SYN's
        }
        if (p.has('S') && p.has('.')) {
            awaitingSynAck = false;
        }
    }

    /** The target sent a SYN (a line of the script matched it) and the script's SYN,ACK has not come yet: packetdrill's active SYN-SENT. */
    private boolean awaitingSynAck;

    /** The target's state as last recorded after a line (empty before any, or when it had no endpoint). */
    private Optional<tcpct.state.TcpState> lastState = Optional.empty();

    /** The peer's sequence numbers before any SYN of the script: a SYN's number {@code X} goes on the wire as this plus X. */
    private tcpct.segment.SeqNum peerBase;
    /** The sequence number the script wrote on the target's latest SYN (packetdrill's script local ISN). */
    private long scriptLocalIsn;

    private tcpct.segment.SeqNum peerBase() {
        if (peerBase == null) {
            peerBase = ScriptSupport.space().peerIsn();
        }
        return peerBase;
    }

    /**
     * A script packet in tcpct's numbers, relative to each side's latest SYN. packetdrill counts as tcpdump does: the
     * numbers on a SYN (or SYN,ACK) are absolute in the script's space (the peer's SYN of seq X goes out as X; the
     * target's SYN written as Y stands for whatever it sent), the numbers on every other packet relative to that
     * side's latest SYN. So a SYN's own seq and the ack a SYN carries are shifted; the others are as written.
     */
    private Packet relative(Packet p) {
        if (!p.has('S')) {
            return p;
        }
        long peerShift = ScriptSupport.space().peerIsn().minus(peerBase()); // X of the peer's latest SYN
        long seq;
        Long ack = p.ack();
        if (p.direction() == Action.Direction.INBOUND) {
            seq = p.seq() - peerShift;
            ack = ack == null ? null : ack - scriptLocalIsn; // the target's SYN written as Y is its ISN
        } else {
            seq = p.seq() - scriptLocalIsn;
            ack = ack == null ? null : ack - peerShift;
        }
        return new Packet(p.direction(), p.flags(), seq, seq + p.length(), p.length(), ack, p.window(), p.urgent(), p.options(), p.anyOptions(),
                p.ipInfo(), p.srcPort(), p.dstPort(), p.encapsulation());
    }

    private boolean fdsHaveListenerOrConnection() {
        return !fds.isEmpty();
    }

    static Flag flag(char c) {
        return switch (c) {
            case 'S' -> Flag.SYN;
            case '.' -> Flag.ACK;
            case 'F' -> Flag.FIN;
            case 'R' -> Flag.RST;
            case 'P' -> Flag.PSH;
            case 'U' -> Flag.URG;
            case 'E' -> Flag.ECE;
            case 'W' -> Flag.CWR;
            default -> null; // '-': no flag
        };
    }

    private List<tcpct.segment.TcpOption> options(List<TcpOpt> opts) {
        List<tcpct.segment.TcpOption> out = new ArrayList<>();
        if (opts == null) {
            return out;
        }
        for (TcpOpt o : opts) {
            if (o instanceof TcpOpt.Nop) {
                out.add(tcpct.segment.TcpOption.nop());
            } else if (o instanceof TcpOpt.Eol) {
                out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.EOL, new byte[0]));
            } else if (o instanceof TcpOpt.Mss m) {
                out.add(tcpct.segment.TcpOption.mss(m.value()));
            } else if (o instanceof TcpOpt.WScale w) {
                out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.WINDOW_SCALE, new byte[] {(byte) w.shift()}));
            } else if (o instanceof TcpOpt.SackOk) {
                out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.SACK_PERMITTED, new byte[0]));
            } else if (o instanceof TcpOpt.Sack sack) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * sack.blocks().size());
                for (long[] blk : sack.blocks()) {
                    b.putInt(ScriptSupport.space().targetAbsolute(blk[0]).raw());
                    b.putInt(ScriptSupport.space().targetAbsolute(blk[1]).raw());
                }
                out.add(new tcpct.segment.TcpOption(5, b.array()));
            } else if (o instanceof TcpOpt.FastOpen fo) {
                byte[] cookie = java.util.HexFormat.of().parseHex(fo.cookie());
                if (fo.experimental()) {
                    byte[] d = new byte[2 + cookie.length];
                    d[0] = (byte) 0xf9;
                    d[1] = (byte) 0x89;
                    System.arraycopy(cookie, 0, d, 2, cookie.length);
                    out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.EXPERIMENTAL, d));
                } else {
                    out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.FAST_OPEN, cookie));
                }
            } else if (o instanceof TcpOpt.Timestamp ts) {
                long ecr = ts.ecr() == 0 || tsOffset == null ? ts.ecr() : (ts.ecr() + tsOffset) & 0xffffffffL;
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
                b.putInt((int) ts.val());
                b.putInt((int) ecr);
                out.add(new tcpct.segment.TcpOption(tcpct.segment.TcpOption.TIMESTAMPS, b.array()));
            }
        }
        return out;
    }

    /** Waits (bounded by the call's own end) for a blocking call that set {@link #cannotEmulate} to finish, so none outlives its scenario. */
    private void awaitQuietly(Pending p) {
        if (cannotEmulate == null) {
            return;
        }
        try {
            p.call().get(Math.max(1, (at(p.endSecs()) - ScriptSupport.realtimeNanos()) / 1_000_000) + LATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException ex) {
            // its outcome is not judged: the script is UNIMPLEMENTED at that call
        }
    }

    /** From now until {@code latestNanos} on the wire's clock (none if it has passed), and {@code grace} more. */
    private static Duration until(long latestNanos, Duration grace) {
        return Duration.ofNanos(Math.max(0, latestNanos - ScriptSupport.realtimeNanos())).plus(grace);
    }

    /** Set by a blocking call running beside the script when what the stack now does is no longer the script's to judge. */
    private volatile String cannotEmulate;

    private void outbound(int line, Packet p, boolean anyTime, double sched, double schedEnd, long tolUsecs) {
        if (cannotEmulate != null) {
            throw new Unimplemented(cannotEmulate);
        }
        long latest = anyTime ? ScriptSupport.realtimeNanos() + ANY_TIME_WAIT.toNanos() : at(schedEnd) + tolUsecs * 1000;
        Duration within = until(latest, anyTime ? Duration.ZERO : LATE_GRACE);
        String expected = "> " + p.text();
        if (!p.has('S')) {
            ScriptSupport.assumeTargetIsnUntilItsSyn();
        }
        Optional<Frame> got = ScriptSupport.nextFrame(within, "target sends " + expected + " (" + where(line) + ")");
        // a SYN that opens a new connection: what the earlier connection still sends (its FIN after close) is not this
        // line's, as packetdrill's sniffer, which looks at the socket under test, does not see it either
        int earlier = ScriptSupport.targetPort();
        while (got.isPresent() && p.has('S') && !p.has('.') && !got.get().segment().flags().has(Flag.SYN)
                && got.get().segment().srcPort() == earlier) {
            Frame other = got.get();
            ScriptSupport.step(where(line) + " not this line's: " + PktMatch.text(other.segment(), ScriptSupport.space(), false)
                    + " of the earlier connection (port " + earlier + ")", () -> { });
            got = ScriptSupport.nextFrame(until(latest, anyTime ? Duration.ZERO : LATE_GRACE), "target sends " + expected + " (" + where(line) + ")");
        }
        if (got.isPresent() && p.has('S') && got.get().segment().flags().has(Flag.SYN)) {
            ScriptSupport.targetSynIs(got.get().segment()); // each SYN of the target starts its numbers anew (packetdrill)
            scriptLocalIsn = p.seq();
            awaitingSynAck = !p.has('.');
        }
        if (got.isEmpty()) {
            throw new ConformanceFailure(where(line) + ": expected " + p.text() + ", saw nothing within " + within.toMillis()
                    + " ms (missing segment)");
        }
        Frame f = got.get();
        Segment s = coalesce(line, p, f.segment(), latest, within);
        PktMatch m = PktMatch.compare(relative(p), s, ScriptSupport.space(), settings);
        if (!m.strict().isEmpty()) {
            throw new ConformanceFailure(where(line) + ": expected " + p.text() + ", saw " + m.actualText() + " ("
                    + String.join("; ", m.strict()) + ")"
                    + (m.lenient().isEmpty() ? "" : "; also " + String.join("; ", m.lenient())));
        }
        List<String> lenient = new ArrayList<>(m.lenient());
        double actual = (f.timestampNanos() - t0) / 1e9;
        if (!anyTime && (actual < sched - tolUsecs / 1e6 || actual > schedEnd + tolUsecs / 1e6)) {
            lenient.add("time: expecting " + (schedEnd > sched ? secs(sched) + "~" + secs(schedEnd) : secs(sched)) + " (tolerance "
                    + tolUsecs + " us), but was " + secs(actual) + " (kernel timestamp)");
        }
        if (!lenient.isEmpty()) {
            ScriptSupport.nonStrict(where(line) + ": expected " + p.text() + ", saw " + m.actualText() + " (" + String.join("; ", lenient) + ")");
        }
        tsOffset = m.tsOffset() != null ? m.tsOffset() : tsOffset;
        done(f.timestampNanos());
    }

    /**
     * An outbound script line of L octets may come as several segments of the stack's MSS (packetdrill's tun
     * device sees one TSO packet where tcpct's wire sees them cut): contiguous data with the same ACK is taken
     * until L octets came, each frame by its own wait, as one segment with the last one's PSH and FIN.
     */
    private Segment coalesce(int line, Packet p, Segment first, long latest, Duration within) {
        Segment s = first;
        boolean coalesced = false;
        long want = p.length();
        var space = ScriptSupport.space();
        while (s.payloadLength() > 0 && s.payloadLength() < want && space.knowsTargetIsn() && space.targetRelative(s.seq()) == p.seq()) {
            Duration left = until(latest, LATE_GRACE);
            Optional<Frame> more = ScriptSupport.nextFrame(left, "target sends the rest of " + p.text() + " (" + where(line) + ")");
            if (more.isEmpty()) {
                return s;
            }
            Segment n = more.get().segment();
            if (!n.seq().equals(s.seq().plus(s.payloadLength())) || !n.ack().equals(s.ack()) || n.payloadLength() == 0) {
                throw new ConformanceFailure(where(line) + ": expected " + p.text() + ", saw " + PktMatch.text(s, space, false)
                        + " then " + PktMatch.text(n, space, false) + " (length: expecting " + want + " octets in contiguous segments, but was "
                        + s.payloadLength() + ")");
            }
            byte[] data = new byte[s.payloadLength() + n.payloadLength()];
            System.arraycopy(s.payload(), 0, data, 0, s.payloadLength());
            System.arraycopy(n.payload(), 0, data, s.payloadLength(), n.payloadLength());
            tcpct.segment.Flags flags = new tcpct.segment.Flags(s.flags().bits() | n.flags().bits());
            // packetdrill's one TSO packet carries the PSH its skb had; cut into MSS-sized segments on tcpct's wire (no TSO),
            // the kernel marks PSH on other boundaries: on a line that came as several segments PSH is not compared
            flags = p.has('P') ? flags.with(Flag.PSH) : flags.without(Flag.PSH);
            s = new Segment(s.srcPort(), s.dstPort(), s.seq(), n.ack(), flags, n.window(), n.urgentPointer(), s.options(), data);
            coalesced = true;
        }
        if (coalesced) {
            ScriptSupport.step(where(line) + " came as several segments of the stack's MSS, taken as one (PSH not compared)", () -> { });
        }
        return s;
    }

    // ---- system calls

    private void syscall(Event e, Syscall c, double sched, long tolUsecs) {
        if (pending != null) {
            finishPending();
            ScriptSupport.agent().startTiming(); // the call's moment is its own first agent call, not the calls that finished the pending one
        }
        if (c.blockingEnd() != null) {
            double end = e.time().kind() == EventTime.Kind.RELATIVE ? sched - e.time().start() + c.blockingEnd() : c.blockingEnd();
            long fd = fdArg(e, c, 0);
            if (!List.of("accept", "read", "recv", "recvfrom", "connect", "write", "send", "sendto").contains(c.name())) {
                throw unimplemented(e.line(), "a blocking " + c.name() + "(): tcpct runs accept, connect, read/recv and write/send blocking");
            }
            // the agent waits past the end time by LATE_GRACE, so that a late return is measured (and reported) rather than cut off
            long waitMs = Math.max(1, (long) Math.ceil((end - sched) * 1000 + tolUsecs / 1000.0)) + LATE_GRACE.toMillis();
            if (c.name().equals("connect")) {
                Outcome started = call(e, c, 0);
                if (started.errno() != null && !started.errno().equals("EINPROGRESS")) {
                    check(e, c, started, true); // refused at once: that is the call's result
                    return;
                }
                Integer sock = fds.get(fd);
                var agent = ScriptSupport.agent();
                int port = ScriptSupport.peerPort();
                pending = new Pending(e, CompletableFuture.supplyAsync(() -> awaitConnected(agent, sock, port, waitMs), BLOCKING), end, tolUsecs);
                return;
            }
            var agent = ScriptSupport.agent();
            java.util.function.Supplier<Outcome> body = blockingBody(e, c, agent, waitMs);
            pending = new Pending(e, CompletableFuture.supplyAsync(body, BLOCKING), end, tolUsecs);
            return;
        }
        boolean nb = nonBlocking.getOrDefault(c.args().isEmpty() ? -1L : fdOrMinus(c.args().get(0)), false);
        boolean expectsError = c.result() instanceof Expr.Int i && i.value() < 0;
        long waitMs = nb && expectsError ? 0 : Math.max(1, (long) Math.ceil(tolUsecs / 1000.0));
        Outcome o = call(e, c, waitMs);
        check(e, c, o, false);
    }

    /** The blocking form of a call, runnable on another thread (it uses the agent client only). */
    private java.util.function.Supplier<Outcome> blockingBody(Event e, Syscall c, tcpct.agent.AgentClient agent, long waitMs) {
        Integer sock = fds.get(fdArg(e, c, 0));
        boolean canPoll = ScriptSupport.agentHas("poll");
        boolean fastOpen = c.name().equals("sendto") && c.args().size() > 3 && PktGaps.isFastOpen(c.args().get(3));
        if (fastOpen) {
            fastOpenSocket(e, c);
        }
        String peerAddr = ScriptSupport.peerAddress();
        int peerPort = ScriptSupport.peerPort();
        int foLength = fastOpen ? (int) intArg(e, c, 2) : 0;
        return () -> {
            try {
                if (fastOpen) {
                    return sendFastOpenBlocking(agent, sock, foLength, peerAddr, peerPort, canPoll, waitMs, e.line());
                }
                switch (c.name()) {
                    case "accept" -> {
                        JsonNode a = agent.call("accept", args("sock", sock, "timeoutMs", waitMs), Duration.ofMillis(waitMs));
                        return new Outcome(a.path("sock").asInt(), null, ScriptSupport.realtimeNanos());
                    }
                    case "write", "send", "sendto" -> {
                        int length = (int) intArg(e, c, 2);
                        long first = sendAll(agent, sock, length);
                        if (first < length && agent.states().stream().anyMatch(x -> x.remotePort() == peerPort
                                && x.state() == tcpct.state.TcpState.SYN_SENT)) {
                            cannotEmulate = writerCannotWait(e.line(), c.name(), first, length);
                        }
                        return new Outcome(first + (first < length ? sendBlocking(agent, sock, (int) (length - first), canPoll, waitMs) : 0), null,
                                ScriptSupport.realtimeNanos());
                    }
                    default -> {
                        return readUpTo(agent, sock, intArg(e, c, 2), expectedValue(c), waitMs);
                    }
                }
            } catch (AgentError err) {
                return new Outcome(-1, err.errno(), ScriptSupport.realtimeNanos());
            }
        };
    }

    private static Outcome awaitConnected(tcpct.agent.AgentClient agent, Integer sock, int port, long waitMs) {
        // SO_ERROR tells a refused or reset connect; the handshake is complete once the socket is writable, which the
        // agent shows as ESTABLISHED: poll both, bounded by the call's own end time plus its tolerance
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        boolean soError = true;
        while (true) {
            if (soError) {
                try {
                    JsonNode err = agent.call("getsockopt", args("sock", sock, "name", "SO_ERROR"));
                    if (err.path("value").asInt() != 0) {
                        return new Outcome(-1, err.path("error").asText(), ScriptSupport.realtimeNanos());
                    }
                } catch (AgentError unsupported) {
                    if (!unsupported.unsupported()) {
                        throw unsupported;
                    }
                    soError = false; // an agent without getsockopt (slirp): the states alone tell when the handshake is done
                }
            }
            boolean established = agent.states().stream().anyMatch(x -> x.remotePort() == port
                    && x.state() == tcpct.state.TcpState.ESTABLISHED);
            if (established) {
                return new Outcome(0, null, ScriptSupport.realtimeNanos());
            }
            if (System.nanoTime() > deadline) {
                return new Outcome(-1, "EINPROGRESS", ScriptSupport.realtimeNanos());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // a bounded poll of the agent, on the call's own thread
        }
    }

    private void finishPending() {
        if (pending == null) {
            return;
        }
        Pending p = pending;
        pending = null;
        Syscall c = (Syscall) p.event().action();
        awaitQuietly(p);
        if (cannotEmulate != null) {
            throw new Unimplemented(cannotEmulate);
        }
        long boundMs = Math.max(0, (at(p.endSecs()) - ScriptSupport.realtimeNanos()) / 1_000_000) + p.tolUsecs() / 1000 + 6000;
        Outcome o;
        try {
            o = p.call().get(boundMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException ex) {
            throw new ConformanceFailure(where(p.event().line()) + ": expected " + c.text() + " to return by " + secs(p.endSecs())
                    + ", it was still blocked " + boundMs + " ms later");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + c.text(), ex);
        } catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
        ScriptSupport.step(where(p.event().line()) + " the blocking " + c.name() + "() returned " + o.text() + " at "
                + secs((o.doneRealtimeNanos() - t0) / 1e9), () -> { });
        if (!c.name().equals("connect")) {
            check(p.event(), c, o, true);
        } else if (!(c.result() instanceof Expr.Int i && i.value() == (o.errno() == null ? 0 : -1))) {
            throw mismatch(p.event(), c, o, "result");
        }
        // The return is seen on the harness's clock, after the agent's answer travelled back: a return up to LATE_GRACE
        // late is the harness's own latency as much as the stack's, and only shown; returning early is the stack's.
        double done = (o.doneRealtimeNanos() - t0) / 1e9;
        if (o.errno() == null && done < p.endSecs() - p.tolUsecs() / 1e6) {
            ScriptSupport.nonStrict(where(p.event().line()) + ": expected " + c.text() + " to return at " + secs(p.endSecs()) + ", it returned at "
                    + secs(done) + " (time: returned early, tolerance " + p.tolUsecs() + " us, measured on the harness's clock)");
        }
        lastState = ScriptSupport.observe();
    }

    /** Runs {@code c} (not blocking) through the agent: what it returned. */
    private Outcome call(Event e, Syscall c, long waitMs) {
        try {
            return new Outcome(callAgent(e, c, waitMs), null, ScriptSupport.realtimeNanos());
        } catch (AgentError err) {
            if (err.unsupported()) {
                throw unimplemented(e.line(), c.name() + "(): the " + ScriptSupport.stack() + " agent has no command for it (" + err.getMessage() + ")");
            }
            return new Outcome(-1, err.errno(), ScriptSupport.realtimeNanos());
        } catch (Unimplemented u) {
            if (u.getMessage().startsWith(where(e.line()) + ":")) {
                throw u; // already names the line
            }
            throw unimplemented(e.line(), c.name() + "() on " + ScriptSupport.stack() + ": " + u.getMessage());
        }
    }

    private long callAgent(Event e, Syscall c, long waitMs) {
        var agent = ScriptSupport.agent();
        switch (c.name()) {
            case "socket" -> {
                long want = expectedValue(c);
                if (!ScriptSupport.agentHasFamily()) {
                    throw unimplemented(e.line(), "socket() over " + ScriptSupport.family().agentName + ": the " + ScriptSupport.stack()
                            + " agent has no such sockets (its hello's families)");
                }
                JsonNode a = agent.call("socket", args("family", ScriptSupport.family().agentName));
                fds.put(want, a.path("sock").asInt());
                underTest = want;
                return want;
            }
            case "fcntl" -> {
                long fd = fdArg(e, c, 0);
                sock(e, c, fd);
                if (c.args().size() > 1 && c.args().get(1).text().equals("F_GETFL")) {
                    // the mode the script set (every agent socket is non-blocking), in Linux's values: O_RDWR, O_NONBLOCK
                    return O_RDWR | (nonBlocking.getOrDefault(fd, false) ? O_NONBLOCK : 0);
                }
                nonBlocking.put(fd, c.args().size() > 2 && c.args().get(2).text().contains("O_NONBLOCK"));
                return 0; // every agent socket is non-blocking (agent protocol, section 7): the interpreter keeps the script's mode
            }
            case "bind" -> {
                long fd = fdArg(e, c, 0);
                Integer sock = sock(e, c, fd);
                if (ScriptSupport.agentHas("bind")) {
                    agent.call("bind", args("sock", sock, "port", ScriptSupport.listenPort())); // protocol 2: the stack's own answer
                    bound.put(fd, true);
                    ScriptSupport.aimAtListenPort();
                    return 0;
                }
                bound.put(fd, false);
                // a bound socket that does not listen takes no segment, as no socket at all: the peer's go to that port already
                ScriptSupport.aimAtListenPort();
                return 0; // protocol 1 agents bind with listen: the listen that follows carries it out
            }
            case "listen" -> {
                long fd = fdArg(e, c, 0);
                int backlog = (int) intArg(e, c, 1);
                Map<String, Object> a = args("sock", sock(e, c, fd), "backlog", Math.max(1, backlog));
                if (!bound.getOrDefault(fd, false)) {
                    a.put("port", ScriptSupport.listenPort());
                }
                ScriptSupport.listening(agent.call("listen", a).path("sock").asInt());
                return 0;
            }
            case "accept" -> {
                long fd = fdArg(e, c, 0);
                JsonNode a = agent.call("accept", args("sock", sock(e, c, fd), "timeoutMs", waitMs), Duration.ofMillis(waitMs));
                long want = expectedValue(c);
                long scriptFd = want >= 0 ? want : 1000 + a.path("sock").asInt();
                fds.put(scriptFd, a.path("sock").asInt());
                underTest = scriptFd;
                ScriptSupport.connection(a.path("sock").asInt());
                return scriptFd;
            }
            case "connect" -> {
                long fd = fdArg(e, c, 0);
                Map<String, Object> a = args("sock", sock(e, c, fd), "addr", ScriptSupport.peerAddress(), "port", ScriptSupport.peerPort());
                JsonNode r = agent.call("connect", a);
                ScriptSupport.connection(r.path("sock").asInt());
                if (r.path("inProgress").asBoolean(false)) {
                    throw new AgentError("connect", "EINPROGRESS", "connect: Operation now in progress");
                }
                return 0;
            }
            case "sendto" -> {
                if (c.args().size() > 3 && PktGaps.isFastOpen(c.args().get(3))) {
                    return sendFastOpen(e, c, agent);
                }
                return sendAll(agent, sock(e, c, fdArg(e, c, 0)), (int) intArg(e, c, 2));
            }
            case "write", "send" -> {
                return sendAll(agent, sock(e, c, fdArg(e, c, 0)), (int) intArg(e, c, 2));
            }
            case "read", "recv", "recvfrom" -> {
                Outcome o = readUpTo(agent, sock(e, c, fdArg(e, c, 0)), intArg(e, c, 2), expectedValue(c), waitMs);
                if (o.errno() != null) {
                    throw new AgentError(c.name(), o.errno(), c.name() + ": " + o.errno());
                }
                return o.value();
            }
            case "close" -> {
                long fd = fdArg(e, c, 0);
                agent.call("close", args("sock", sock(e, c, fd)));
                fds.remove(fd);
                return 0;
            }
            case "shutdown" -> {
                String how = switch (c.args().get(1).text()) {
                    case "SHUT_RD" -> "rd";
                    case "SHUT_WR" -> "wr";
                    default -> "rdwr";
                };
                agent.call("shutdown", args("sock", sock(e, c, fdArg(e, c, 0)), "how", how));
                return 0;
            }
            case "setsockopt" -> {
                String name = c.args().get(2).text();
                Object value = optionValue(e, c, c.args().get(3));
                try {
                    agent.call("setsockopt", args("sock", sock(e, c, fdArg(e, c, 0)), "name", name, "value", value));
                } catch (AgentError err) {
                    if (!lacks(err)) {
                        throw err;
                    }
                    if (name.equals("SO_REUSEADDR") && value instanceof Long l && l == 1) {
                        // the agent protocol's listen sets SO_REUSEADDR itself: the script's call asks for what is done anyway
                        ScriptSupport.step(where(e.line()) + " SO_REUSEADDR: the " + ScriptSupport.stack() + " agent has no setsockopt for it;"
                                + " its listen sets it (agent protocol)", () -> { });
                        return 0;
                    }
                    if (BUFFER_OPTIONS.contains(name)) {
                        ScriptSupport.nonStrict(where(e.line()) + ": expected " + c.text() + ", saw the " + ScriptSupport.stack() + " stack has no "
                                + name + " (" + name + ": RFC 9293 leaves buffer sizes to the implementation; " + err.getMessage() + ")");
                        return 0;
                    }
                    throw err;
                }
                return 0;
            }
            case "getsockopt" -> {
                String name = c.args().get(2).text();
                JsonNode a;
                try {
                    a = agent.call("getsockopt", args("sock", sock(e, c, fdArg(e, c, 0)), "name", name));
                } catch (AgentError err) {
                    if (!lacks(err) || !BUFFER_OPTIONS.contains(name)) {
                        throw err;
                    }
                    ScriptSupport.nonStrict(where(e.line()) + ": expected " + c.text() + ", saw the " + ScriptSupport.stack() + " stack has no "
                            + name + " (" + name + ": RFC 9293 leaves buffer sizes to the implementation; " + err.getMessage() + ")");
                    return 0;
                }
                Expr want = c.args().size() > 3 ? c.args().get(3) : null;
                long got = a.path("value").asLong();
                if (want instanceof Expr.Array arr && arr.items().size() == 1) {
                    Expr w = arr.items().get(0);
                    boolean same = w instanceof Expr.Int i ? i.value() == got
                            : w instanceof Expr.Word word ? word.name().equals(a.path("error").asText(null)) : true;
                    if (!same) {
                        String sentence = where(e.line()) + ": expected " + c.text() + ", saw " + name + " = "
                                + (a.path("error").isTextual() ? a.path("error").asText() : Long.toString(got)) + " (value: expecting "
                                + w.text() + ", but was " + got + ")";
                        if (name.equals("SO_ERROR")) {
                            throw new ConformanceFailure(sentence);
                        }
                        ScriptSupport.nonStrict(sentence);
                    }
                }
                return 0;
            }
            case "poll" -> {
                return poll(e, c, agent, waitMs);
            }
            default -> throw unimplemented(e.line(), c.name() + "(): not mapped onto an agent command");
        }
    }

    /**
     * {@code sendto(4, ..., 1000, MSG_FASTOPEN, ..., ...)}: connect and send in one call (RFC 7413), through the
     * agent's sendto (protocol 2); the socket then connects as after connect().
     */
    private long sendFastOpen(Event e, Syscall c, tcpct.agent.AgentClient agent) {
        return fastOpenSendto(agent, fastOpenSocket(e, c), (int) intArg(e, c, 2), ScriptSupport.peerAddress(), ScriptSupport.peerPort());
    }

    /** The agent socket of a {@code sendto(MSG_FASTOPEN)}, which connects it: UNIMPLEMENTED on an agent without sendto. */
    private Integer fastOpenSocket(Event e, Syscall c) {
        if (!ScriptSupport.agentHas("sendto")) {
            throw unimplemented(e.line(), "sendto(MSG_FASTOPEN): the " + ScriptSupport.stack() + " agent has no sendto command (agent protocol 2)");
        }
        Integer sock = sock(e, c, fdArg(e, c, 0));
        ScriptSupport.connection(sock);
        return sock;
    }

    /** The agent's sendto with MSG_FASTOPEN of {@code length} octets to the peer: the octets it took. */
    private static long fastOpenSendto(tcpct.agent.AgentClient agent, Integer sock, int length, String addr, int port) {
        return agent.call("sendto", args("sock", sock, "addr", addr, "port", port, "data", HexFormat.of().formatHex(new byte[length]),
                "fastopen", true)).path("sent").asLong();
    }

    /**
     * Why a blocking {@code call} that left data behind on a connection still in SYN-SENT cannot be judged: the
     * stack's own blocking call would now wait inside it with the rest, and a stack may time its ACK of the SYN,ACK by
     * that (Linux delays it for a waiting writer, to carry the data); the agent's sockets are non-blocking, so that
     * wait cannot be shown to the stack, and what follows on the wire is not the script's.
     */
    private String writerCannotWait(int line, String call, long sent, int length) {
        return where(line) + ": tcpct cannot run this line: a blocking " + call + " on a connection still in SYN-SENT whose data does"
                + " not all go in the SYN (" + sent + " of " + length + " octets): the agent's non-blocking socket cannot show the stack a"
                + " writer waiting for the handshake";
    }

    /**
     * A blocking {@code sendto(MSG_FASTOPEN)}: what the agent's (non-blocking) sendto put in the SYN, then, as the
     * stack's blocking call would, the connection's completion and the rest of the data; the octets sent, or the
     * error (a refused or reset connect).
     */
    private Outcome sendFastOpenBlocking(tcpct.agent.AgentClient agent, Integer sock, int length, String addr, int port, boolean canPoll,
                                         long waitMs, int line) {
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        long sent;
        try {
            sent = fastOpenSendto(agent, sock, length, addr, port);
        } catch (AgentError err) {
            if (!err.errno().equals("EINPROGRESS")) {
                return new Outcome(-1, err.errno(), ScriptSupport.realtimeNanos());
            }
            sent = 0; // no cookie for the peer: the SYN asked for one, the data waits for the handshake
        }
        if (sent < length) {
            cannotEmulate = writerCannotWait(line, "sendto(MSG_FASTOPEN)", sent, length);
        }
        Outcome connected = awaitConnected(agent, sock, port, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        if (connected.errno() != null) {
            return connected;
        }
        if (sent < length) {
            sent += sendBlocking(agent, sock, (int) (length - sent), canPoll, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        }
        return new Outcome(sent, null, ScriptSupport.realtimeNanos());
    }

    /** {@code poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1}: the agent's poll (protocol 2) of that one socket. */
    private long poll(Event e, Syscall c, tcpct.agent.AgentClient agent, long waitMs) {
        if (!ScriptSupport.agentHas("poll")) {
            throw unimplemented(e.line(), "poll(): the " + ScriptSupport.stack() + " agent has no poll command (agent protocol 2)");
        }
        Map<String, Expr> fields = new HashMap<>();
        for (Expr x : ((Expr.Struct) ((Expr.Array) c.args().get(0)).items().get(0)).items()) {
            if (x instanceof Expr.Binary b && b.op().equals("=")) {
                fields.put(b.left().text(), b.right());
            }
        }
        if (!(fields.get("fd") instanceof Expr.Int fd) || fields.get("events") == null) {
            throw unimplemented(e.line(), "poll(): its pollfd needs fd=N and events=...");
        }
        long timeout = intArg(e, c, 2);
        long wait = timeout < 0 ? waitMs : Math.min(timeout, 3_600_000L);
        JsonNode a = agent.call("poll", args("sock", sock(e, c, fd.value()), "events", pollEvents(fields.get("events")), "timeoutMs", wait),
                Duration.ofMillis(wait));
        String got = a.path("revents").asText("");
        Expr want = fields.get("revents");
        if (want != null && !sameEvents(pollEvents(want), got)) {
            throw new ConformanceFailure(where(e.line()) + ": expected " + c.text() + ", saw revents " + (got.isEmpty() ? "none" : got)
                    + " (revents: expecting " + pollEvents(want) + ", but was " + (got.isEmpty() ? "none" : got) + ")");
        }
        return got.isEmpty() ? 0 : 1;
    }

    /** {@code POLLIN|POLLOUT} as the agent writes it: {@code in,out}. */
    static String pollEvents(Expr x) {
        List<String> out = new ArrayList<>();
        for (String w : x.text().split("\\|")) {
            String t = w.trim();
            if (t.equals("0")) {
                continue;
            }
            out.add(t.startsWith("POLL") ? t.substring(4).toLowerCase(java.util.Locale.ROOT) : t);
        }
        return String.join(",", out);
    }

    private static boolean sameEvents(String a, String b) {
        return new java.util.TreeSet<>(List.of(a.split(","))).equals(new java.util.TreeSet<>(List.of(b.split(","))));
    }

    private static long sendAll(tcpct.agent.AgentClient agent, Integer sock, int length) {
        long sent = 0;
        while (sent < length) {
            int n = (int) Math.min(SEND_CHUNK, length - sent);
            JsonNode a;
            try {
                a = agent.call("send", args("sock", sock, "data", HexFormat.of().formatHex(new byte[n])));
            } catch (AgentError err) {
                if (sent > 0 && err.errno().equals("EAGAIN")) {
                    break;
                }
                throw err;
            }
            int took = a.path("sent").asInt();
            sent += took;
            if (took < n) {
                break;
            }
        }
        return sent;
    }

    /**
     * A blocking write: sends until all {@code length} octets are queued, waiting (the agent's poll for "out",
     * protocol 2) while the send buffer is full, as the stack's own blocking write would; at most {@code waitMs}.
     * Without poll, what one round of sends queued.
     */
    private static long sendBlocking(tcpct.agent.AgentClient agent, Integer sock, int length, boolean canPoll, long waitMs) {
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        long sent;
        try {
            sent = sendAll(agent, sock, length);
        } catch (AgentError err) {
            if (!err.errno().equals("EAGAIN")) {
                throw err;
            }
            sent = 0; // the send buffer is full: wait for room below, as the stack's blocking write would
        }
        while (sent < length && canPoll) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            if (left == 0 || agent.call("poll", args("sock", sock, "events", "out", "timeoutMs", left), Duration.ofMillis(left))
                    .path("revents").asText("").isEmpty()) {
                break; // still full when the call's time ran out: the caller reports it as still blocked
            }
            try {
                sent += sendAll(agent, sock, (int) (length - sent));
            } catch (AgentError err) {
                if (!err.errno().equals("EAGAIN")) {
                    throw err;
                }
            }
        }
        return sent;
    }

    /** Reads until {@code want} octets came (or end of stream, or the wait ran out): the octets read, or the error. */
    private static Outcome readUpTo(tcpct.agent.AgentClient agent, Integer sock, long max, long want, long waitMs) {
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        long got = 0;
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            JsonNode a;
            try {
                a = agent.call("recv", args("sock", sock, "max", (int) Math.max(1, Math.min(max - got, 1048576)), "timeoutMs", left),
                        Duration.ofMillis(left));
            } catch (AgentError err) {
                if (got > 0) {
                    return new Outcome(got, null, ScriptSupport.realtimeNanos());
                }
                return new Outcome(-1, err.errno(), ScriptSupport.realtimeNanos());
            }
            got += a.path("data").asText("").length() / 2;
            if (a.path("eof").asBoolean(false) || got >= want || got >= max || System.nanoTime() >= deadline) {
                return new Outcome(got, null, ScriptSupport.realtimeNanos());
            }
        }
    }

    private Object optionValue(Event e, Syscall c, Expr v) {
        if (v instanceof Expr.Array a && a.items().size() == 1 && a.items().get(0) instanceof Expr.Int i) {
            return i.value();
        }
        if (v instanceof Expr.Int i) {
            return i.value();
        }
        if (v instanceof Expr.Struct s) {
            Map<String, Long> fields = new HashMap<>();
            for (Expr x : s.items()) {
                if (x instanceof Expr.Binary b && b.op().equals("=") && b.right() instanceof Expr.Int i) {
                    fields.put(b.left().text(), i.value());
                }
            }
            if (fields.containsKey("onoff") && fields.containsKey("linger")) {
                return fields.get("onoff") != 0 ? fields.get("linger") : -1;
            }
        }
        throw unimplemented(e.line(), c.name() + " value " + v.text() + ": tcpct passes [N], N or {onoff=.., linger=..}");
    }

    private void check(Event e, Syscall c, Outcome o, boolean blocking) {
        Expr want = c.result();
        if (!(want instanceof Expr.Int i)) {
            if (want instanceof Expr.Ellipsis) {
                return;
            }
            throw unimplemented(e.line(), "a result of " + want.text() + ": tcpct compares integer results");
        }
        boolean wantsError = i.value() < 0;
        if (wantsError != (o.errno() != null)) {
            throw mismatch(e, c, o, "result");
        }
        if (wantsError) {
            if (c.errno() != null && !c.errno().equals(o.errno())) {
                throw mismatch(e, c, o, "errno");
            }
            return;
        }
        boolean fdResult = List.of("socket", "accept").contains(c.name());
        if (!fdResult && i.value() != o.value()) {
            throw mismatch(e, c, o, "result");
        }
        if (c.name().equals("accept") && blocking) {
            fds.put(i.value(), (int) o.value());
            underTest = i.value();
            ScriptSupport.connection((int) o.value());
        }
    }

    private ConformanceFailure mismatch(Event e, Syscall c, Outcome o, String field) {
        String want = c.result().text() + (c.errno() == null ? "" : " " + c.errno());
        return new ConformanceFailure(where(e.line()) + ": expected " + c.text() + ", saw " + c.name() + "(...) = " + o.text() + " (" + field
                + ": expecting " + want + ", but was " + o.text() + ")");
    }

    private long fdArg(Event e, Syscall c, int index) {
        if (c.args().size() <= index || !(c.args().get(index) instanceof Expr.Int i)) {
            throw unimplemented(e.line(), c.name() + "(): argument " + (index + 1) + " must be a number (a file descriptor)");
        }
        return i.value();
    }

    private static long fdOrMinus(Expr x) {
        return x instanceof Expr.Int i ? i.value() : -1;
    }

    private long intArg(Event e, Syscall c, int index) {
        if (c.args().size() <= index || !(c.args().get(index) instanceof Expr.Int i)) {
            throw unimplemented(e.line(), c.name() + "(): argument " + (index + 1) + " must be a number");
        }
        return i.value();
    }

    private static long expectedValue(Syscall c) {
        return c.result() instanceof Expr.Int i ? i.value() : -1;
    }

    private Integer sock(Event e, Syscall c, long fd) {
        Integer s = fds.get(fd);
        if (s == null) {
            throw new AgentError(c.name(), "EBADF", c.name() + ": fd " + fd + " is not open in the script");
        }
        return s;
    }

    private static Map<String, Object> args(Object... kv) {
        return tcpct.agent.AgentClient.args(kv);
    }
}
