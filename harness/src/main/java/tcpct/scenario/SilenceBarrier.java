package tcpct.scenario;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tcpct.segment.Flag;
import tcpct.segment.Flags;
import tcpct.segment.SeqNum;
import tcpct.segment.Segment;
import tcpct.wire.Direction;
import tcpct.wire.Frame;

/**
 * A proof of silence that does not wait it out (issue 13): right after a segment whose answer may be
 * nothing, the peer sends, from a port of its own to a port of the target's that no socket holds, an ACK
 * whose answer RFC 9293 fixes, {@code <SEQ=SEG.ACK><CTL=RST>} (3.10.7.1, "If the ACK bit is on"). A stack
 * that takes segments in the order they arrive and answers each at once has sent everything it will send
 * in answer to the first segment by the time its RST for the barrier is on the wire, so the wait for the
 * answer ends there. The barrier's own ports are fresh for every barrier (the lab's port counters), so
 * neither its ACK nor the RST touches any connection of the scenario, and the scenario's pcap (which keeps
 * its own connection only) does not show them; its Allure step does.
 *
 * <p>Whether a target may be trusted with it is the target's own declaration ({@link tcpct.target.SilenceProof}):
 * it holds only where the before/after comparison of the whole suite showed the same verdicts.
 */
final class SilenceBarrier implements AutoCloseable {

    private static final java.util.Random NONCES = new java.security.SecureRandom();

    private final CountDownLatch answered = new CountDownLatch(1);
    /** System.nanoTime() when the RST was seen, 0 before. */
    private final AtomicLong answeredAt = new AtomicLong();
    private final AutoCloseable listening;
    private final long sentNanos;
    final int peerPort;
    final int targetPort;
    final long nonce;

    private SilenceBarrier(Session s, long nonce) {
        this.peerPort = s.lab.allocatePeerPort();
        this.targetPort = s.lab.allocateListenPort(); // a port no scenario listens on
        this.nonce = nonce;
        this.listening = s.lab.wire().listen(this::onFrame);
        Segment ack = new Segment(peerPort, targetPort, SeqNum.of(nonce ^ 0x5a5a5a5aL), SeqNum.of(nonce), Flags.of(Flag.ACK),
                65535, 0, List.of(), new byte[0]);
        this.sentNanos = System.nanoTime();
        s.lab.wire().send(s.link(), ack);
    }

    /** Sends a barrier over the scenario's wire and IP version; close it once its answer came or was given up. */
    static SilenceBarrier send(Session s) {
        return new SilenceBarrier(s, Integer.toUnsignedLong(NONCES.nextInt()));
    }

    private void onFrame(Frame f) {
        Segment g = f.segment();
        if (f.direction() == Direction.FROM_TARGET && g.srcPort() == targetPort && g.dstPort() == peerPort && g.flags().has(Flag.RST)
                && g.seq().unsigned() == nonce) {
            answeredAt.compareAndSet(0, System.nanoTime());
            answered.countDown();
        }
    }

    /** Whether the target's RST for the barrier came, waiting up to {@code within}. */
    boolean await(Duration within) throws InterruptedException {
        return answered.await(Math.max(0, within.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** The time from sending the barrier until this JVM saw the target's RST for it (null before it came). */
    Duration roundTrip() {
        long at = answeredAt.get();
        return at == 0 ? null : Duration.ofNanos(at - sentNanos);
    }

    @Override
    public void close() {
        try {
            listening.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop listening for the silence barrier: " + e.getMessage(), e);
        }
    }
}
