package tcpct.wire;

import java.net.InetAddress;

/**
 * The two ends of the test wire, at layer 2 and 3: the peer (the harness, on the host end of the veth)
 * and the target (inside its container), over one IP version. Addresses come from the documentation ranges
 * only ({@link IpFamily}).
 */
public record Link(byte[] peerMac, InetAddress peerIp, byte[] targetMac, InetAddress targetIp) {

    public Link {
        if (peerMac.length != 6 || targetMac.length != 6) {
            throw new IllegalArgumentException("MAC addresses take 6 octets");
        }
        if (IpFamily.of(peerIp) != IpFamily.of(targetIp)) {
            throw new IllegalArgumentException("the peer's and the target's addresses are of two IP versions: " + peerIp + ", " + targetIp);
        }
        peerMac = peerMac.clone();
        targetMac = targetMac.clone();
    }

    /** The same wire between the same two MACs, with the addresses of {@code f}. */
    public Link over(IpFamily f) {
        return new Link(peerMac, f.peerAddress(), targetMac, f.targetAddress());
    }

    /**
     * The same wire, with the peer's frames addressed to {@code dst} (a documentation address of the link's family) at
     * layer 3, and at layer 2 to the MAC that address maps to: ff:ff:ff:ff:ff:ff for the link's IPv4 broadcast address,
     * 01:00:5e and the low 23 bits of an IPv4 multicast address (RFC 1112 6.4), 33:33 and the low 32 bits of an
     * IPv6 one (RFC 2464 7), the target's MAC for any other.
     */
    public Link addressedTo(InetAddress dst) {
        byte[] a = dst.getAddress();
        byte[] mac;
        if (dst.isMulticastAddress() && a.length == 4) {
            mac = new byte[] {0x01, 0x00, 0x5e, (byte) (a[1] & 0x7f), a[2], a[3]};
        } else if (dst.isMulticastAddress()) {
            mac = new byte[] {0x33, 0x33, a[12], a[13], a[14], a[15]};
        } else if (a.length == 4 && dst.equals(broadcast())) {
            mac = new byte[] {-1, -1, -1, -1, -1, -1};
        } else {
            mac = targetMac;
        }
        return new Link(peerMac, peerIp, mac, dst);
    }

    /** The same wire, with the peer's frames carrying {@code src} as their source address (the MACs unchanged). */
    public Link from(InetAddress src) {
        return new Link(peerMac, src, targetMac, targetIp);
    }

    /** The directed broadcast address of the IPv4 link's prefix (192.0.2.255 for 192.0.2.0/24); IPv6 has none. */
    public InetAddress broadcast() {
        if (family() != IpFamily.IPV4) {
            throw new IllegalStateException("IPv6 has no broadcast address (RFC 4291 2)");
        }
        byte[] a = targetIp.getAddress();
        int host = 32 - IpFamily.IPV4.prefixLength;
        int v = ((a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff)) | ((1 << host) - 1);
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // four octets are always an address
        }
    }

    public IpFamily family() {
        return IpFamily.of(peerIp);
    }

    @Override
    public byte[] peerMac() {
        return peerMac.clone();
    }

    @Override
    public byte[] targetMac() {
        return targetMac.clone();
    }

    public static byte[] parseMac(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }
}
