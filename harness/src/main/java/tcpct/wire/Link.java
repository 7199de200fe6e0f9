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
