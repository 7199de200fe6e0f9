package tcpct.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcpct.wire.IpFamily;

/**
 * The test wire of one target: a veth pair the harness creates, one end moved into the target container
 * as {@code eth0} with the target's address, the other left on the host with no address (so the host
 * kernel never answers) for the harness to inject and capture on. The host end carries an alias naming
 * the harness process, so a later run can tell its own leftovers from another run's live wires.
 */
public final class VethPair implements AutoCloseable {

    /** 192.0.2.0/24 is TEST-NET-1 (RFC 5737): documentation only, never routed. */
    public static final String TARGET_IP = IpFamily.IPV4.targetIp;
    public static final String PEER_IP = IpFamily.IPV4.peerIp;
    static final String ALIAS_PREFIX = "tcpct-run-";

    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private final String hostIf;
    private final String hostMac;
    private final String targetMac;

    private VethPair(String hostIf, String hostMac, String targetMac) {
        this.hostIf = hostIf;
        this.hostMac = hostMac;
        this.targetMac = targetMac;
    }

    /**
     * Creates the pair and wires its far end into the network namespace of {@code containerPid}. With
     * {@code kernelOwnsAddress} the container's kernel gets the target's address; without, eth0 stays
     * unnumbered for a user-space stack that owns the address through a raw socket.
     */
    public static VethPair wire(long containerPid, String id, boolean kernelOwnsAddress) {
        return wire(containerPid, id, kernelOwnsAddress, false);
    }

    /**
     * The same; with {@code ipv6} a kernel target's eth0 gets 2001:db8::2/64 beside its IPv4 address and a permanent
     * neighbour entry for the peer's 2001:db8::1, and as little of IPv6's own traffic as the kernel allows: no
     * link-local address (addr_gen_mode 1: no DAD for one), no duplicate address detection for its address ({@code
     * nodad}, accept_dad 0), no router solicitations, router advertisements ignored. What stays: the target kernel's
     * two MLDv2 reports (from ::) for its solicited-node group ff02::1:ff00:2 when eth0 comes up, before any scenario
     * (a capture of a whole run shows them; no sysctl turns them off, and the harness leaves the target's own frames
     * alone). The host end keeps IPv6 off either way: it sends nothing. A user-space stack's eth0 keeps the kernel's
     * IPv6 off: the stack owns its address itself.
     */
    public static VethPair wire(long containerPid, String id, boolean kernelOwnsAddress, boolean ipv6) {
        String host = Labels.VETH_PREFIX + id;
        String peer = host + "t";
        try {
            // inside the try: an `ip link add` that ran out of its bound may still have made the pair, which then goes too
            HostCommand.run("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
            HostCommand.run("ip", "link", "set", host, "alias", ALIAS_PREFIX + ProcessHandle.current().pid());
            writeSysctl(Path.of("/proc/sys/net/ipv6/conf", host, "disable_ipv6"), "1"); // no router solicitations, no MLD
            HostCommand.run("ip", "link", "set", peer, "netns", Long.toString(containerPid));
            HostCommand.run("ip", "link", "set", host, "up");
            HostCommand.inNetns(containerPid, "ip", "link", "set", peer, "name", "eth0");
            HostCommand.inNetns(containerPid, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6");
            if (kernelOwnsAddress) {
                HostCommand.inNetns(containerPid, "ip", "addr", "add", TARGET_IP + "/24", "dev", "eth0");
            }
            boolean kernelIpv6 = kernelOwnsAddress && ipv6;
            if (kernelIpv6) {
                String conf = "/proc/sys/net/ipv6/conf/eth0/";
                HostCommand.inNetns(containerPid, "sh", "-c", "echo 0 > " + conf + "accept_ra && echo 0 > " + conf + "router_solicitations"
                        + " && echo 0 > " + conf + "accept_dad && echo 0 > " + conf + "dad_transmits && echo 1 > " + conf + "addr_gen_mode"
                        + " && echo 0 > " + conf + "disable_ipv6");
                HostCommand.inNetns(containerPid, "ip", "-6", "addr", "add", IpFamily.IPV6.targetIp + "/" + IpFamily.IPV6.prefixLength,
                        "dev", "eth0", "nodad");
            }
            HostCommand.inNetns(containerPid, "ip", "link", "set", "lo", "up");
            HostCommand.inNetns(containerPid, "ip", "link", "set", "eth0", "up");
            // The Linux target leaves TCP checksums to the (virtual) NIC: switch that off so frames on the
            // wire carry real checksums, which the harness checks.
            HostCommand.inNetns(containerPid, "ethtool", "-K", "eth0", "tx", "off");
            String hostMac = Files.readString(Path.of("/sys/class/net", host, "address")).trim();
            if (kernelOwnsAddress) {
                HostCommand.inNetns(containerPid, "ip", "neigh", "replace", PEER_IP, "lladdr", hostMac, "nud", "permanent", "dev", "eth0");
            }
            if (kernelIpv6) {
                HostCommand.inNetns(containerPid, "ip", "-6", "neigh", "replace", IpFamily.IPV6.peerIp, "lladdr", hostMac, "nud", "permanent",
                        "dev", "eth0");
            }
            Matcher m = MAC.matcher(HostCommand.inNetns(containerPid, "ip", "-o", "link", "show", "eth0"));
            if (!m.find()) {
                throw new TargetException("cannot read the MAC address of eth0 in the target's namespace");
            }
            return new VethPair(host, hostMac, m.group(1));
        } catch (RuntimeException | IOException e) {
            delete(host);
            throw e instanceof TargetException t ? t : new TargetException("wiring " + host + " failed: " + e.getMessage(), e);
        }
    }

    private static void writeSysctl(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            Files.writeString(file, value);
        }
    }

    public String hostInterface() {
        return hostIf;
    }

    public String hostMac() {
        return hostMac;
    }

    public String targetMac() {
        return targetMac;
    }

    /** Removes the pair (both ends go together). Already gone, with its container, is fine. */
    static void delete(String hostIf) {
        if (Files.exists(Path.of("/sys/class/net", hostIf))) {
            try {
                HostCommand.run("ip", "link", "del", hostIf);
            } catch (TargetException e) {
                // removed meanwhile by the container's exit
            }
        }
    }

    @Override
    public void close() {
        delete(hostIf);
    }
}
