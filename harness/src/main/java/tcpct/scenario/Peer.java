package tcpct.scenario;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import io.qameta.allure.Allure;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import tcpct.segment.Flag;
import tcpct.segment.FieldMismatch;
import tcpct.segment.Segment;
import tcpct.segment.SegmentTemplate;
import tcpct.wire.Frame;

/**
 * The remote TCP, played by the harness. Two verbs, as in packetdrill: {@link #send} puts a segment on
 * the wire, {@link #expect} takes the target's next segment on this connection and checks it field by
 * field. Sequence numbers are relative to each side's ISN.
 */
public final class Peer {

    /** How long the target may take to answer a segment or a socket call on the wire. */
    public static final Duration EXPECT_TIMEOUT = Duration.ofSeconds(3);

    Peer() {
    }

    /** The peer's port for this scenario: fresh, never used by another scenario of the run. */
    public int port() {
        return Session.current().peerPort;
    }

    /**
     * Starts a new connection incarnation from the same port: a fresh ISN of ours, the target's ISN
     * forgotten (learned again from its next SYN), relative counters back to zero.
     */
    public void newIncarnation() {
        Session session = Session.current();
        session.step("peer starts a new connection from the same port", () -> {
            session.space = tcpct.segment.SeqSpace.withPeerIsn(session.space.peerIsn().plus(0x10000000L));
            session.sndNxt = 0;
            session.rcvNxt = 0;
        });
    }

    /**
     * For a target with no connection (no TCB, no ISN): numbers in the target's space are taken as
     * absolute from here on (its "ISN" is 0), as a RST in answer carries SEG.ACK itself.
     */
    public void absoluteTargetNumbers() {
        Session session = Session.current();
        session.step("peer takes the target's numbers as absolute (no connection on the target)",
                () -> session.space = session.space.learnTargetIsn(new tcpct.segment.SeqNum(0)));
    }

    public void send(SegmentTemplate t) {
        Session session = Session.current();
        session.step("peer sends " + t, () -> put(session, build(session, t)));
        session.lastAction = t.toString();
    }

    /**
     * Sends {@code t} as a frame addressed to {@code address} instead of the target's own address (a broadcast or
     * multicast documentation address: 192.0.2.255, 233.252.0.1 of RFC 5771's MCAST-TEST-NET, ff0e::db8:0:1 of
     * RFC 6676), at layer 2 to the MAC that address maps to ({@link tcpct.wire.Link#addressedTo}).
     */
    public void sendTo(String address, SegmentTemplate t) {
        sendOver(address, "to", t, l -> l.addressedTo(documentationAddress(address)));
    }

    /** Sends {@code t} with {@code address} (a documentation address) as its source instead of the peer's own. */
    public void sendFrom(String address, SegmentTemplate t) {
        sendOver(address, "from", t, l -> l.from(documentationAddress(address)));
    }

    /** Sends {@code t} over the scenario's link as {@code relink} changes it for another {@code address}; the lab is spoiled. */
    private static void sendOver(String address, String toOrFrom, SegmentTemplate t,
                                 java.util.function.UnaryOperator<tcpct.wire.Link> relink) {
        Session session = Session.current();
        tcpct.wire.Link over = relink.apply(session.link()); // refuses an address outside the documentation ranges first
        spoilForOtherAddresses(session, address);
        session.step("peer sends " + t + " " + toOrFrom + " " + address, () -> put(session, over, build(session, t)));
        session.lastAction = t + " " + toOrFrom + " " + address;
    }

    /**
     * Sends the ICMP error {@code message} about {@code quoted}, a segment the target sent on this connection (as
     * {@link #expect} returned it), as a router on the path (here: the peer's host) would. Over IPv6 the message's
     * ICMPv6 counterpart goes ({@link tcpct.wire.Icmp#over}); a scenario that needs to know it asks {@link #icmpOver}.
     */
    public void sendIcmp(tcpct.wire.Icmp asked, Segment quoted) {
        Session session = Session.current();
        tcpct.wire.Icmp message = icmpOver(asked);
        if (message.setsPathMtu()) {
            // the target may keep the path MTU it learns for the peer's address, which every later scenario shares
            session.lab.spoil("its scenario sent an ICMP " + (message.family() == tcpct.wire.IpFamily.IPV4 ? "fragmentation needed" : "packet too big")
                    + ", and the target may keep the path MTU " + message.rest() + " it learned for the peer's address");
        }
        session.step("peer sends " + message + " quoting the target's " + relative(session, quoted),
                () -> session.lab.wire().sendIcmp(session.link(), message, quoted));
        session.lastAction = message + " quoting " + relative(session, quoted);
    }

    /** The ICMP message {@code message} is over this scenario's IP version: itself over IPv4, its ICMPv6 counterpart over IPv6. */
    public tcpct.wire.Icmp icmpOver(tcpct.wire.Icmp message) {
        return message.over(Session.current().family);
    }

    /**
     * A target that takes a segment to or from another address keeps what came of it (ns-3 kept a half-open connection
     * with 192.0.2.255 as its peer, and its simulator later stalled for 20 s answering {@code states}): the lab is not
     * reused after the scenario.
     */
    private static void spoilForOtherAddresses(Session session, String address) {
        session.lab.spoil("its scenario sent segments to or from " + address + ", and what the target made of them (a half-open "
                + "connection with that address, say) would stay for the next scenario");
    }

    /**
     * From here on the peer's frames go to {@code address}, another address of the target's (a documentation address the
     * scenario gave the target with {@link Target#secondAddress}), at layer 2 to the target's MAC. The lab is not reused.
     */
    public void talkTo(String address) {
        Session session = Session.current();
        java.net.InetAddress a = documentationAddress(address);
        if (tcpct.wire.IpFamily.of(a) != session.family) {
            throw new IllegalArgumentException(address + " is not an " + session.family + " address, the scenario's family");
        }
        spoilForOtherAddresses(session, address);
        session.step("peer talks to the target's address " + address + " from now on", () -> session.targetAddress = a);
        session.lastAction = "the switch to " + address;
    }

    /**
     * The peer sets the connection it plays aside and plays the scenario's other one: on first use a new connection from a
     * second port of its own to the same target port (its own ISN, the target's unknown), then back and forth. Every verb
     * of peer and target (state, accept, send, close) acts on the connection played; the other's segments wait for it.
     */
    public void otherConnection() {
        Session session = Session.current();
        session.step("peer switches to its other connection", session::switchConnection);
        session.step("peer now plays the connection from its port " + session.peerPort, () -> { });
        session.lastAction = "the switch to the connection from port " + session.peerPort;
    }

    /** The broadcast address of the test wire's IPv4 prefix, 192.0.2.255. */
    public String broadcastAddress() {
        return Session.current().link().broadcast().getHostAddress();
    }

    /**
     * {@code literal} as an address, when it is one of the documentation ranges the harness may put on its wire
     * (192.0.2.0/24, 2001:db8::/32, and the multicast ones: 233.252.0.0/24, ff0X::db8:0:0/96).
     */
    static java.net.InetAddress documentationAddress(String literal) {
        java.net.InetAddress a;
        try {
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                throw new java.net.UnknownHostException(literal); // never a name: that would be a lookup
            }
            a = java.net.InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal);
        }
        byte[] b = a.getAddress();
        boolean doc = b.length == 4
                ? (b[0] & 0xff) == 192 && b[1] == 0 && b[2] == 2 || (b[0] & 0xff) == 233 && (b[1] & 0xff) == 252 && b[2] == 0
                : (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8
                        || (b[0] & 0xff) == 0xff && java.util.Arrays.equals(java.util.Arrays.copyOfRange(b, 2, 12),
                                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0x0d, (byte) 0xb8});
        if (!doc) {
            throw new IllegalArgumentException(literal + " is not a documentation address: the harness puts only 192.0.2.0/24, 233.252.0.0/24, "
                    + "2001:db8::/32 and ff0X::db8:0:0/96 on its wire");
        }
        return a;
    }

    // ---- faults on the peer's own wire: the harness is the peer, so it decides what the network does to its segments

    /**
     * The segment is lost on the wire: built and counted in the peer's sequence space (what follows carries
     * the numbers it would after sending it), but never sent. The scenario may send it later with {@link #send}.
     */
    public void lose(SegmentTemplate t) {
        Session session = Session.current();
        session.step("peer's " + t + " is lost on the wire (fault: not sent)", () -> build(session, t));
        session.lastAction = t + " (lost)";
    }

    /**
     * The segment is delayed on the wire: built and counted now, held back, and sent by {@link #release}, after
     * what the scenario sends in between (reordering) or after the target's timers have run (delay).
     */
    public void hold(SegmentTemplate t) {
        Session session = Session.current();
        session.step("peer's " + t + " is held back on the wire (fault: delayed)", () -> session.held.add(build(session, t)));
        session.lastAction = t + " (held back)";
    }

    /** Sends the segments {@link #hold} held back, in the order they were held. */
    public void release() {
        Session session = Session.current();
        if (session.held.isEmpty()) {
            throw new IllegalStateException("release without a held segment: call peer.hold(...) first");
        }
        List<Segment> out = List.copyOf(session.held);
        session.held.clear();
        session.step("the wire delivers the " + out.size() + " held-back segment(s) of the peer: "
                + out.stream().map(x -> session.peerView(x)).collect(Collectors.joining(", ")), () -> out.forEach(x -> put(session, x)));
        session.lastAction = "the held-back " + session.peerView(out.get(out.size() - 1));
    }

    /** The wire duplicates the peer's last segment: it arrives again, byte for byte. */
    public void duplicate() {
        Session session = Session.current();
        Segment last = session.lastSent;
        if (last == null) {
            throw new IllegalStateException("duplicate before the peer sent anything: call peer.send(...) first");
        }
        session.step("the wire duplicates the peer's " + session.peerView(last) + " (fault)", () -> put(session, last));
        session.lastAction = "a duplicate of " + session.peerView(last);
    }

    private static Segment build(Session session, SegmentTemplate t) {
        if (session.targetPort == null) {
            throw new IllegalStateException("send before the target has a port: call target.listen() or target.connect() first");
        }
        if (session.family == tcpct.wire.IpFamily.IPV6 && t.malformation().ipOptions() != null) {
            throw new Unimplemented("the scenario sends IPv4 options, which IPv6 does not have (RFC 8200 4): "
                    + "mark it @Scenario(ipv4Only = ...) so that it runs over IPv4 only");
        }
        if (session.family == tcpct.wire.IpFamily.IPV6 && t.malformation().badIpChecksum()) {
            throw new Unimplemented("the scenario spoils the IPv4 header checksum, and IPv6 has no header checksum (RFC 8200 3): "
                    + "mark it @Scenario(ipv4Only = ...) so that it runs over IPv4 only");
        }
        Segment s = t.toSegment(session.peerPort, session.targetPort, session.space, session.sndNxt, session.rcvNxt, session.family.synMss);
        long end = session.space.peerRelative(s.seq()) + s.seqLength();
        session.sndNxt = Math.max(session.sndNxt, end);
        if (t.flags().has(Flag.SYN)) {
            session.peerSentSyn = true;
        }
        return s;
    }

    private static void put(Session session, Segment s) {
        put(session, session.link(), s);
    }

    private static void put(Session session, tcpct.wire.Link over, Segment s) {
        session.lastSentMark = session.frameCount();
        session.lab.wire().send(over, s);
        session.lastSent = s;
    }

    /**
     * The peer's last segment as the wire captured it: its kernel timestamp is the moment it really left, the start of
     * any time the target takes to answer it (the harness's own latency before the frame left is not the target's).
     */
    public Frame lastSentFrame() {
        Session session = Session.current();
        if (session.lastSent == null) {
            throw new IllegalStateException("lastSentFrame before the peer sent anything: call peer.send(...) first");
        }
        return session.capturedToTarget(session.lastSentMark).orElseThrow(() -> new tcpct.wire.WireException(
                "the capture did not show the peer's " + session.peerView(session.lastSent) + " within "
                        + Session.CAPTURED_WITHIN.toMillis() + " ms of sending it", null));
    }

    /** Waits for the target's next segment on this connection and checks it against {@code t}. */
    public Frame expect(SegmentTemplate t) {
        return expect(t, EXPECT_TIMEOUT);
    }

    /**
     * The same, waiting up to {@code within}: the frame, with its kernel timestamp, for timer checks.
     * The time until the target sent the frame (its kernel timestamp) counts as the protocol's wait
     * ({@link ProtocolWait}); what the harness took to notice and check it counts as its own overhead.
     */
    public Frame expect(SegmentTemplate t, Duration within) {
        return expect(t, within, true, "target sends " + t);
    }

    /**
     * The target's next segment is lost on its way to the peer (a fault on the wire): it is checked against
     * {@code t} like {@link #expect}, but the peer does not take it in (its RCV.NXT stays), so the target
     * must retransmit it. Waits up to {@link #EXPECT_TIMEOUT}.
     */
    public Frame miss(SegmentTemplate t) {
        return expect(t, EXPECT_TIMEOUT, false, "target sends " + t + ", which the wire loses (fault: the peer does not take it in)");
    }

    /**
     * A segment the target MAY send (an ACK of an out-of-order segment, MAY-13, say): when one comes within
     * {@code within}, it must match {@code t}; when none comes, that is fine too, and the step says so.
     */
    public java.util.Optional<Frame> expectMaybe(SegmentTemplate t, Duration within) {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        ProtocolWait.Clock clock = ProtocolWait.start();
        try {
            session.step("target may send " + t + " within " + within.toMillis() + " ms", () -> {
                if (waitForAnswer(session, t, within, "target may send " + t + " after " + after) == null) {
                    Allure.step("it sent nothing (allowed)");
                    return;
                }
                seen[0] = expect(t, Duration.ofMillis(50), true, "the segment it sent is " + t);
            });
        } finally {
            // the window the scenario allows the target (a MAY), up to the frame's kernel timestamp when one came
            session.protocolWaitNanos += clock.share(seen[0], within);
        }
        return java.util.Optional.ofNullable(seen[0]);
    }

    private Frame expect(SegmentTemplate t, Duration within, boolean take, String stepName) {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        ProtocolWait.Clock clock = ProtocolWait.start();
        try {
            session.step(stepName, () -> {
                Frame f;
                if (waitForAnswer(session, t, within, "target sends " + t + " after " + after) == null) {
                    session.missed(t.toString(), within);
                    throw new ConformanceFailure("expected " + t + " from target after " + after + ", saw nothing within "
                            + within.toMillis() + " ms");
                }
                f = session.fromTarget.poll();
                Segment s = f.segment();
                if (session.targetPort == null) {
                    session.targetPort = s.srcPort(); // active open: the target chose its port
                }
                if (s.flags().has(Flag.SYN) && !session.space.knowsTargetIsn()) {
                    session.space = session.space.learnTargetIsn(s.seq());
                }
                List<FieldMismatch> diff = t.compare(s, session.space);
                if (!f.checksumOk()) {
                    diff = new java.util.ArrayList<>(diff);
                    diff.add(new FieldMismatch("checksum", "valid", "invalid"));
                }
                if (!f.optionsProblem().isEmpty()) {
                    diff = new java.util.ArrayList<>(diff);
                    diff.add(new FieldMismatch("options", "a well-formed options area (RFC 9293 3.1)", f.optionsProblem()));
                }
                if (!diff.isEmpty()) {
                    throw new ConformanceFailure("expected " + t + " from target after " + after + ", saw " + relative(session, s) + " ("
                            + diff.stream().map(FieldMismatch::toString).collect(Collectors.joining("; ")) + ")");
                }
                if (take) {
                    session.rcvNxt = Math.max(session.rcvNxt, session.space.targetRelative(s.seq()) + s.seqLength());
                }
                session.lastExpected = s;
                session.expectedSoFar.add(s);
                seen[0] = f;
            });
        } finally {
            session.protocolWaitNanos += clock.share(seen[0]);
        }
        session.lastAction = t.toString();
        return seen[0];
    }

    /**
     * Waits, at most {@code within} and under the Awaitility alias {@code alias}, for the target's next answer on
     * this connection ({@link #nextAnswer}): the frame, left in the queue for the caller to take, or null when
     * none came. A lab that died meanwhile ends the wait at once as ERROR ({@link Lab#requireAlive}).
     */
    private static Frame waitForAnswer(Session session, SegmentTemplate t, Duration within, String alias) {
        try {
            await(alias).pollInSameThread().atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).until(() -> {
                session.lab.requireAlive();
                return nextAnswer(session, t) != null;
            });
            return session.fromTarget.peek();
        } catch (ConditionTimeoutException e) {
            return null;
        }
    }

    /**
     * The next frame from the target that is not a timer's retransmission of what the scenario already
     * expected (such frames are dropped here, on purpose, unless {@code t} itself describes them).
     */
    private static Frame nextAnswer(Session session, SegmentTemplate t) {
        Frame f;
        while ((f = session.fromTarget.peek()) != null) {
            Segment s = f.segment();
            if (isRetransmission(session, s) && (t == null || !t.compare(s, session.space).isEmpty())) {
                session.fromTarget.poll();
                continue;
            }
            return f;
        }
        return null;
    }

    /**
     * Waits up to {@code within} for the target's next segment on this connection and shows it without
     * taking it: for a step the RFC lets end in more than one way (MUST-7: process, drop or reset), so the
     * scenario can tell which way it went and then take the segment with {@link #expect}, which checks it.
     * Empty when the target stayed silent. Retransmissions are passed over as {@link #expect} does.
     */
    public java.util.Optional<Segment> awaitAnswer(Duration within) {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        session.step("peer waits up to " + within.toMillis() + " ms for the target's answer", () -> {
            // silence (null) is one of the answers the caller tells apart
            seen[0] = waitForAnswer(session, null, within, "target answers (or not) after " + after);
        });
        return java.util.Optional.ofNullable(seen[0]).map(Frame::segment);
    }

    /**
     * Waits up to {@code within} for a segment of the target's that starts at relative SEQ {@code seq}, a retransmission
     * included (a resend is what the caller is after), and takes it as {@link #expect} would; segments at other SEQs
     * that come first (the rest of a first transmission) are passed over, each named in the step. Empty when none
     * comes; the caller checks what it got.
     */
    public java.util.Optional<Segment> awaitAt(long seq, Duration within) {
        Session session = Session.current();
        String after = session.lastAction;
        Segment[] seen = new Segment[1];
        ProtocolWait.Clock clock = ProtocolWait.start();
        Frame[] taken = new Frame[1];
        try {
            session.step("peer waits up to " + within.toMillis() + " ms for the target's segment at seq " + seq, () -> {
                long end = System.nanoTime() + within.toNanos();
                long left;
                while ((left = end - System.nanoTime()) > 0) {
                    session.lab.requireAlive();
                    Frame f = session.fromTarget.poll(Math.min(left, 20_000_000L), java.util.concurrent.TimeUnit.NANOSECONDS);
                    if (f == null) {
                        continue;
                    }
                    Segment x = f.segment();
                    if (session.space.targetRelative(x.seq()) != seq) {
                        Allure.step("passed over " + relative(session, x));
                        continue;
                    }
                    session.rcvNxt = Math.max(session.rcvNxt, seq + x.seqLength());
                    session.lastExpected = x;
                    session.expectedSoFar.add(x);
                    taken[0] = f;
                    seen[0] = x;
                    Allure.step("it is " + relative(session, x));
                    return;
                }
            });
        } finally {
            session.protocolWaitNanos += clock.share(taken[0]);
        }
        session.lastAction = seen[0] == null ? after : relative(session, seen[0]) + " from the target";
        return java.util.Optional.ofNullable(seen[0]);
    }

    /**
     * The target's next segment on this connection, whatever it is (timer retransmissions of what the scenario
     * already expected left out), for a scenario that branches on the target's choice; it then checks it
     * with {@link #matches}. Nothing within {@link #EXPECT_TIMEOUT} fails the scenario.
     */
    public Segment next() {
        Session session = Session.current();
        String after = session.lastAction;
        Frame[] seen = new Frame[1];
        ProtocolWait.Clock clock = ProtocolWait.start();
        try {
            session.step("target sends its next segment", () -> {
                if (waitForAnswer(session, null, EXPECT_TIMEOUT, "target sends a segment after " + after) == null) {
                    session.missed("a segment", EXPECT_TIMEOUT);
                    throw new ConformanceFailure("expected a segment from target after " + after + ", saw nothing within "
                            + EXPECT_TIMEOUT.toMillis() + " ms");
                }
                seen[0] = session.fromTarget.poll();
                Allure.step("it is " + relative(session, seen[0].segment()));
            });
        } finally {
            session.protocolWaitNanos += clock.share(seen[0]);
        }
        session.lastAction = relative(session, seen[0].segment()) + " from the target";
        return seen[0].segment();
    }

    /** Whether the target's segment {@code s} is what {@code t} describes, in this scenario's relative numbers. */
    public boolean matches(SegmentTemplate t, Segment s) {
        return t.compare(s, Session.current().space).isEmpty();
    }

    /** {@code s} in this scenario's relative numbers, for failure sentences: {@code ACK seq 1 ack 6}. */
    public String describe(Segment s) {
        return relative(Session.current(), s);
    }

    /** The MSS to assume when the target announced none (MUST-15: 536 over IPv4, 1220 over IPv6). */
    public int defaultMss() {
        return Session.current().family.defaultMss;
    }

    /** Where the target's segment {@code s} starts in the target's numbers, relative (its SEQ field; 1 is the first octet after its SYN). */
    public long sequence(Segment s) {
        return Session.current().space.targetRelative(s.seq());
    }

    /** What the target's segment {@code s} acknowledges of the peer's octets, relative (its ACK field; 1 is the peer's SYN acknowledged). */
    public long acknowledged(Segment s) {
        return Session.current().space.peerRelative(s.ack());
    }

    /** The last segment the target sent on this connection that a scenario expected, or null. */
    public Segment lastExpected() {
        return Session.current().lastExpected;
    }

    /**
     * Every segment the target sends on this connection during {@code window}, in order. Retransmissions
     * of a SYN, FIN or data segment the scenario already expected are left out on purpose (a timer, not an
     * answer), unless {@code keepRetransmissions}; a repeated pure ACK is an answer and is kept.
     */
    public List<Segment> collect(Duration window, boolean keepRetransmissions) {
        Session session = Session.current();
        List<Segment> out = new java.util.ArrayList<>();
        long collectStart = System.nanoTime();
        try {
            session.step("peer collects what the target sends for " + window.toMillis() + " ms", () -> {
                long end = System.nanoTime() + window.toNanos();
                long left;
                while ((left = end - System.nanoTime()) > 0) {
                    Frame f = session.fromTarget.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                    if (f == null) {
                        break;
                    }
                    keep(session, f, out, keepRetransmissions);
                }
                take(session, out, keepRetransmissions); // what was queued when the window ended
            });
        } finally {
            session.protocolWaitNanos += Math.min(System.nanoTime() - collectStart, window.toNanos()); // the scenario's own reply window
        }
        return out;
    }

    /**
     * The target's whole answer on this connection to the segment the peer just sent, which arrived in
     * {@code arrivedIn}: what {@link #collect collect(window, false)} gathers, but where the target declares a
     * {@link SilenceBarrier} trustworthy in that state ({@code "silence"} in its target.json), the wait ends when
     * the target answers the barrier instead of when the window ends. The barrier is waited for up to
     * {@link #BARRIER_BOUND} (at least {@code window}): a target slowed by load answers both late, and what it
     * sent before the barrier's RST is still the whole answer. A barrier unanswered for that long leaves the
     * collection as it is then, and its step says so.
     */
    public Answer collectAnswer(tcpct.state.TcpState arrivedIn, Duration window) {
        Session session = Session.current();
        tcpct.target.SilenceProof proof = session.lab.instance().spec().silence();
        if (!proof.barrierIn(arrivedIn.rfcName())) {
            session.step("the reply window is waited out: " + proof.windowReason(arrivedIn.rfcName()), () -> { });
            return new Answer(collect(window, false), false);
        }
        List<Segment> out = new java.util.ArrayList<>();
        boolean[] proven = new boolean[1];
        Duration bound = window.compareTo(BARRIER_BOUND) > 0 ? window : BARRIER_BOUND;
        long start = System.nanoTime();
        try (SilenceBarrier barrier = SilenceBarrier.send(session)) {
            session.step("peer sends a barrier, ACK " + barrier.peerPort + " > " + barrier.targetPort + " ack " + barrier.nonce
                    + " (a port without a socket: RFC 9293 3.10.7.1 fixes the answer, a RST), and collects until it is answered", () -> {
                        proven[0] = barrier.await(bound);
                        take(session, out, false); // what came before the barrier's answer is queued by now (one capture thread, in order)
                        Duration rtt = barrier.roundTrip();
                        Allure.step(rtt == null ? "the barrier went unanswered for " + bound.toMillis() + " ms: what came by then is the answer"
                                : String.format("the target answered the barrier after %.1f ms: it sent nothing more in answer", rtt.toNanos() / 1e6));
                    });
        } finally {
            session.protocolWaitNanos += Math.min(System.nanoTime() - start, bound.toNanos());
        }
        return new Answer(out, proven[0]);
    }

    /** How long {@link #collectAnswer} waits for a barrier's answer at most. */
    public static final Duration BARRIER_BOUND = Duration.ofSeconds(1);

    /**
     * What {@link #collectAnswer} gathered: the target's segments, and whether a barrier proved that the target had
     * finished answering (and so had also moved to the state the segment took it to) when the collection ended.
     */
    public record Answer(List<Segment> segments, boolean proven) {
        public Answer {
            segments = List.copyOf(segments);
        }
    }

    /** Moves the frames queued for this connection into {@code out} ({@link #keep} decides which). */
    private static void take(Session session, List<Segment> out, boolean keepRetransmissions) {
        Frame f;
        while ((f = session.fromTarget.poll()) != null) {
            keep(session, f, out, keepRetransmissions);
        }
    }

    /** Adds {@code f}'s segment to {@code out} unless it is a timer resending SYN, FIN or data the scenario already expected. */
    private static void keep(Session session, Frame f, List<Segment> out, boolean keepRetransmissions) {
        if (keepRetransmissions || !isRetransmission(session, f.segment())) {
            out.add(f.segment());
        }
    }

    /**
     * Whether {@code s} resends sequence space (SYN, FIN or data) that a segment the scenario already
     * expected occupied: same SEQ, length and control bits (its ACK field may have moved on). A SYN,ACK
     * after a SYN with the same SEQ (simultaneous open) is an answer, not a retransmission.
     */
    static boolean isRetransmission(Session session, Segment s) {
        if (s.seqLength() == 0) {
            return false;
        }
        for (Segment e : session.expectedSoFar) {
            if (e.seq().equals(s.seq()) && e.seqLength() == s.seqLength() && e.flags().equals(s.flags())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that the target sends nothing on this connection for {@code quiet} (e.g. no segment on a
     * CLOSE in SYN-SENT). Ends the wait at the first segment, which fails the scenario.
     */
    public void expectNothing(Duration quiet) {
        Session session = Session.current();
        String after = session.lastAction;
        long quietStart = System.nanoTime();
        try {
            session.step("target sends nothing for " + quiet.toMillis() + " ms", () -> {
                try {
                    await("target stays silent after " + after).pollInSameThread().during(quiet).atMost(quiet.plusMillis(500))
                            .pollInterval(Duration.ofMillis(5)).until(() -> {
                                session.lab.requireAlive();
                                return session.fromTarget.isEmpty();
                            });
                } catch (ConditionTimeoutException e) {
                    Frame f = session.fromTarget.peek();
                    throw new ConformanceFailure("expected no segment from target after " + after + " for " + quiet.toMillis()
                            + " ms, saw " + (f == null ? "one" : relative(session, f.segment())));
                }
            });
        } finally {
            session.protocolWaitNanos += Math.min(System.nanoTime() - quietStart, quiet.toNanos()); // the scenario's own quiet period
        }
    }

    /** A segment from the target in the scenario's relative numbers: {@code RST,ACK seq 0 ack 1}. */
    static String relative(Session session, Segment s) {
        StringBuilder b = new StringBuilder(s.flags().toString());
        b.append(" seq ").append(session.space.targetRelative(s.seq()));
        if (s.flags().has(Flag.ACK)) {
            b.append(" ack ").append(session.space.peerRelative(s.ack()));
        }
        if (s.payloadLength() > 0) {
            b.append(" len ").append(s.payloadLength());
        }
        return b.toString();
    }
}
