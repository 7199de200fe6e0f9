package tcpct.bench;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tcpct.scenario.Lab;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.Segments;
import tcpct.segment.SeqNum;
import tcpct.segment.SeqSpace;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/**
 * The segment round trip through a target, inject to captured reply, both from the pcap kernel timestamps
 * on the host's veth end: a SYN to a listener until its SYN,ACK, and (on the connection that made) a data
 * segment until its ACK. One fresh connection per sample, on ports no scenario uses; each ends with our
 * RST and the agent's {@code reset}. Every wait for a frame is bounded ({@link #WAIT}). Beside them, on
 * the JVM's clock, one agent {@code states} call per sample (what every {@code assertThat(target).isIn}
 * costs at least once).
 */
public record RoundTrips(List<Double> synToSynAck, List<Double> dataToAck, List<Double> agentStatesCall) {

    /** The longest a reply is awaited, as a scenario's {@code peer.expect}. */
    public static final Duration WAIT = Duration.ofSeconds(3);
    static final int FIRST_LISTEN_PORT = 7001;
    static final int FIRST_PEER_PORT = 41001;
    private static final byte[] DATA = "tcpct bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public RoundTrips {
        synToSynAck = List.copyOf(synToSynAck);
        dataToAck = List.copyOf(dataToAck);
        agentStatesCall = List.copyOf(agentStatesCall);
    }

    public static RoundTrips measure(Lab lab, int samples) {
        if (samples > 20000) {
            throw new IllegalArgumentException("at most 20000 samples (one port each), got " + samples);
        }
        SecureRandom random = new SecureRandom();
        List<Double> syn = new ArrayList<>();
        List<Double> data = new ArrayList<>();
        List<Double> states = new ArrayList<>();
        LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = lab.wire().listen(frames::add)) {
            for (int i = 0; i < samples; i++) {
                int port = FIRST_LISTEN_PORT + i;
                int peerPort = FIRST_PEER_PORT + i;
                lab.agent().call("listen", Map.of("port", port, "backlog", 8));
                SeqSpace space = SeqSpace.withPeerIsn(new SeqNum(random.nextInt()));
                lab.wire().send(Segments.syn().toSegment(peerPort, port, space, 0, 0));
                Frame synOut = next(frames, peerPort, Direction.TO_TARGET, f -> f.segment().flags().equals(Flags.of(Flag.SYN)), "our SYN");
                Frame synAck = next(frames, peerPort, Direction.FROM_TARGET, f -> f.segment().flags().equals(Flags.of(Flag.SYN, Flag.ACK)),
                        "the target's SYN,ACK");
                syn.add(ms(synOut, synAck));
                space = space.learnTargetIsn(synAck.segment().seq());
                lab.wire().send(Segments.ack().toSegment(peerPort, port, space, 1, 1));
                lab.wire().send(Segments.ack().psh().data(DATA).toSegment(peerPort, port, space, 1, 1));
                Frame dataOut = next(frames, peerPort, Direction.TO_TARGET, f -> f.segment().payloadLength() > 0, "our data");
                SeqNum acked = space.peerAbsolute(1 + DATA.length);
                Frame ack = next(frames, peerPort, Direction.FROM_TARGET,
                        f -> f.segment().flags().has(Flag.ACK) && f.segment().ack().equals(acked), "the target's ACK of our data");
                data.add(ms(dataOut, ack));
                long t0 = System.nanoTime();
                lab.agent().states();
                states.add((System.nanoTime() - t0) / 1e6);
                lab.wire().send(Segments.rst().toSegment(peerPort, port, space, 1 + DATA.length, 0));
                lab.agent().call("reset", Map.of());
                frames.clear();
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop listening on the wire: " + e.getMessage(), e);
        }
        return new RoundTrips(syn, data, states);
    }

    static double ms(Frame from, Frame to) {
        return (to.timestampNanos() - from.timestampNanos()) / 1e6;
    }

    /** The next frame of this connection in {@code direction} that {@code wanted} accepts, within {@link #WAIT}. */
    private static Frame next(LinkedBlockingQueue<Frame> frames, int peerPort, Direction direction, Predicate<Frame> wanted, String what) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            Frame f;
            try {
                f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what);
            }
            if (f == null) {
                throw new tcpct.target.TargetException("bench: expecting " + what + " on port " + peerPort + " within " + WAIT.toMillis()
                        + " ms, but saw none: is the target healthy? (./tcpct run)", null);
            }
            int port = f.direction() == Direction.TO_TARGET ? f.segment().srcPort() : f.segment().dstPort();
            if (port == peerPort && f.direction() == direction && wanted.test(f)) {
                return f;
            }
        }
    }
}
