package tcpct.segment;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One TCP option as it appears on the wire: kind, and the bytes after the length octet.
 * EOL (0) and NOP (1) are single octets and carry no data.
 */
public record TcpOption(int kind, byte[] data) {

    public static final int EOL = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final int SACK_PERMITTED = 4;
    public static final int TIMESTAMPS = 8;
    /** TCP Fast Open's cookie option (RFC 7413). */
    public static final int FAST_OPEN = 34;
    /** The experimental option kind (RFC 6994), which early Fast Open stacks use with the magic F989. */
    public static final int EXPERIMENTAL = 254;

    public TcpOption {
        data = data.clone();
    }

    public static TcpOption mss(int mss) {
        return new TcpOption(MSS, new byte[] {(byte) (mss >> 8), (byte) mss});
    }

    public static TcpOption nop() {
        return new TcpOption(NOP, new byte[0]);
    }

    /** Octets this option takes in the header. */
    public int length() {
        return kind == EOL || kind == NOP ? 1 : 2 + data.length;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOption t && t.kind == kind && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * kind + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EOL -> "eol";
            case NOP -> "nop";
            case MSS -> data.length == 2 ? "mss " + (((data[0] & 0xff) << 8) | (data[1] & 0xff)) : "mss?";
            case WINDOW_SCALE -> data.length == 1 ? "wscale " + (data[0] & 0xff) : "wscale?";
            case SACK_PERMITTED -> "sackOK";
            case TIMESTAMPS -> "TS";
            default -> "opt" + kind + "[" + HexFormat.of().formatHex(data) + "]";
        };
    }
}
