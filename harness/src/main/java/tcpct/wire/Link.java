package tcpct.wire;

import java.net.Inet4Address;

/**
 * The two ends of the test wire, at layer 2 and 3: the peer (the harness, on the host end of the veth)
 * and the target (inside its container). Addresses come from 192.0.2.0/24 (RFC 5737) only.
 */
public record Link(byte[] peerMac, Inet4Address peerIp, byte[] targetMac, Inet4Address targetIp) {

    public Link {
        if (peerMac.length != 6 || targetMac.length != 6) {
            throw new IllegalArgumentException("MAC addresses take 6 octets");
        }
        peerMac = peerMac.clone();
        targetMac = targetMac.clone();
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
