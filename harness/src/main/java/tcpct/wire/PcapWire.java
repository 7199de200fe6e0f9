package tcpct.wire;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import tcpct.segment.Segment;

/**
 * The test wire: the host end of one target's veth pair, opened with libpcap through pcap4j (the only
 * class of the project that touches pcap4j). One handle injects the harness's frames; a second one
 * captures both directions with kernel timestamps on a thread of its own, hands each TCP frame to the
 * listeners and writes it to the open recordings (pcap files). It answers ARP requests and IPv6 neighbour
 * solicitations for the peer's addresses, as the peer would, for user-space stacks that resolve it.
 */
public final class PcapWire implements AutoCloseable {

    private static final String DEBIAN_LIBPCAP = "/usr/lib/x86_64-linux-gnu/libpcap.so.0.8";
    private static final int SNAPLEN = 65_536;
    private static final int READ_TIMEOUT_MS = 5;

    static {
        // Debian ships libpcap.so.0.8 without the bare libpcap.so link unless the -dev package is installed.
        if (System.getProperty("org.pcap4j.core.pcapLibName") == null && Files.exists(Path.of(DEBIAN_LIBPCAP))) {
            System.setProperty("org.pcap4j.core.pcapLibName", DEBIAN_LIBPCAP);
        }
    }

    private final String ifName;
    private final Link link;
    /** One link per IP version the wire carries, {@link #link} first. */
    private final java.util.List<Link> links;
    private final PcapHandle inject;
    private final PcapHandle capture;
    private final Thread reader;
    private final CopyOnWriteArrayList<Consumer<Frame>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Recording> recordings = new CopyOnWriteArrayList<>();
    private final AtomicInteger ipId = new AtomicInteger(1);
    private volatile boolean open = true;
    private volatile Throwable readerFailure;

    private PcapWire(String ifName, java.util.List<Link> links, PcapHandle inject, PcapHandle capture) {
        this.ifName = ifName;
        this.link = links.get(0);
        this.links = links;
        this.inject = inject;
        this.capture = capture;
        this.reader = new Thread(this::readLoop, "tcpct-capture-" + ifName);
        this.reader.setDaemon(true);
    }

    /**
     * Opens {@code ifName} (a veth end the harness created) for injection and capture of TCP over {@code link}'s
     * IP version and those of {@code more} (the same wire, one {@link Link} per IP version).
     */
    public static PcapWire open(String ifName, Link link, Link... more) {
        java.util.List<Link> links = new java.util.ArrayList<>(java.util.List.of(link));
        links.addAll(java.util.List.of(more));
        PcapHandle inject = null;
        try {
            inject = new PcapHandle.Builder(ifName).snaplen(SNAPLEN).promiscuousMode(PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MS).build();
            PcapHandle capture = new PcapHandle.Builder(ifName).snaplen(SNAPLEN)
                    .promiscuousMode(PromiscuousMode.PROMISCUOUS).timeoutMillis(READ_TIMEOUT_MS).immediateMode(true)
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO).build();
            capture.setFilter("arp or (ip and tcp) or (ip6 and (tcp or icmp6))", BpfProgram.BpfCompileMode.OPTIMIZE);
            PcapWire wire = new PcapWire(ifName, java.util.List.copyOf(links), inject, capture);
            wire.reader.start();
            return wire;
        } catch (PcapNativeException | NotOpenException e) {
            if (inject != null) {
                inject.close();
            }
            throw new WireException("cannot open " + ifName + " with libpcap (" + e.getMessage()
                    + "); run as root with libpcap0.8 installed", e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new WireException("libpcap is not loadable (" + e.getMessage() + "); install Debian's libpcap0.8", e);
        }
    }

    public Link link() {
        return link;
    }

    /** The wire's link over {@code family}; an error when the wire was not opened for it. */
    public Link link(IpFamily family) {
        return links.stream().filter(l -> l.family() == family).findFirst()
                .orElseThrow(() -> new WireException("the wire on " + ifName + " carries no " + family + ": the target was wired without it", null));
    }

    public String interfaceName() {
        return ifName;
    }

    /** Puts {@code segment} on the wire as a frame from the peer to the target. */
    public void send(Segment segment) {
        send(link, segment);
    }

    /** Puts {@code segment} on the wire as a frame from the peer to the target over {@code over} (one of {@link #link(IpFamily)}). */
    public void send(Link over, Segment segment) {
        sendRaw(FrameCodec.encode(over, segment, ipId.getAndIncrement() & 0xffff));
    }

    /** Puts the ICMP (ICMPv6 over an IPv6 link) error {@code message} about the target's segment {@code quoted} on the wire over {@code over}. */
    public void sendIcmp(Link over, Icmp message, Segment quoted) {
        sendRaw(FrameCodec.icmpError(over, message, quoted, ipId.getAndIncrement() & 0xffff));
    }

    /**
     * Puts an arbitrary frame on the wire. (Malformed segments go through {@link #send}: a segment's
     * {@link tcpct.segment.Malformation} is applied by {@link FrameCodec}.) The capture tells the peer's
     * frames from the target's by source address, so a malformed frame of ours is never taken for an
     * answer, and it is still written to the pcap (decoded leniently when its Data Offset is wrong).
     */
    public void sendRaw(byte[] frame) {
        checkReader();
        try {
            inject.sendPacket(frame);
        } catch (PcapNativeException | NotOpenException e) {
            throw new WireException("cannot send on " + ifName + ": " + e.getMessage(), e);
        }
    }

    /** Calls {@code listener} for every TCP frame captured until the returned handle is closed. */
    public AutoCloseable listen(Consumer<Frame> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Writes every captured frame that {@code filter} accepts to a pcap file, until closed. */
    public AutoCloseable record(Path file, Predicate<Frame> filter) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Recording r = new Recording(capture.dumpOpen(file.toString()), filter);
            recordings.add(r);
            return () -> {
                recordings.remove(r);
                synchronized (r) {
                    r.dumper.flush();
                    r.dumper.close();
                }
            };
        } catch (Exception e) {
            throw new WireException("cannot write pcap " + file + ": " + e.getMessage(), e);
        }
    }

    private record Recording(PcapDumper dumper, Predicate<Frame> filter) {
    }

    private void readLoop() {
        while (open) {
            byte[] raw;
            Timestamp ts;
            try {
                raw = capture.getNextRawPacketEx();
                ts = capture.getTimestamp();
            } catch (TimeoutException e) {
                continue;
            } catch (EOFException | NotOpenException e) {
                break;
            } catch (PcapNativeException e) {
                if (open) {
                    readerFailure = e;
                }
                break;
            }
            Optional<byte[]> arp = FrameCodec.arpReply(link, raw);
            for (Link l : links) {
                if (arp.isEmpty() && l.family() == IpFamily.IPV6) {
                    arp = FrameCodec.neighborAdvertisement(l, raw);
                }
            }
            if (arp.isPresent()) {
                try {
                    inject.sendPacket(arp.get());
                } catch (PcapNativeException | NotOpenException e) {
                    readerFailure = e;
                }
                continue;
            }
            Optional<FrameCodec.Decoded> d = FrameCodec.decode(raw);
            if (d.isEmpty()) {
                continue;
            }
            FrameCodec.Decoded f = d.get();
            // the target's by its source address, or by its MAC: an answer to a segment the peer sent to a broadcast or
            // multicast address may carry that address as its source
            Direction dir = links.stream().anyMatch(l -> f.src().equals(l.targetIp()) || Arrays.equals(f.srcMac(), l.targetMac()))
                    ? Direction.FROM_TARGET : Direction.TO_TARGET;
            long nanos = ts.getTime() / 1000 * 1_000_000_000L + ts.getNanos();
            Frame frame = new Frame(nanos, dir, f.segment(), f.checksumOk(), f.ttl(), f.tos(), f.optionsProblem(), f.src(), f.dst(),
                    f.ipOptions());
            for (Recording r : recordings) {
                if (r.filter.test(frame)) {
                    synchronized (r) {
                        try {
                            r.dumper.dumpRaw(raw, ts);
                        } catch (NotOpenException e) {
                            // closed between the lookup and the write: the scenario has ended
                        }
                    }
                }
            }
            if (dir == Direction.FROM_TARGET && !f.headerOk()) {
                continue; // a target frame whose Data Offset makes no sense: in the pcap, but never taken as an answer
            }
            for (Consumer<Frame> l : listeners) {
                l.accept(frame);
            }
        }
    }

    private void checkReader() {
        if (readerFailure != null) {
            throw new WireException("capture on " + ifName + " failed: " + readerFailure.getMessage(), readerFailure);
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        capture.close();
        inject.close();
    }
}
