package tcpct.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The options area of an IPv4 header (RFC 791 3.1): End of Option List and No Operation are one octet, every other
 * option is type, length (counting both) and data. Read by the wire (a source route's final destination) and by the
 * scenarios that look at the target's options.
 */
public final class Ipv4Options {

    /** Loose source and record route (RFC 791 3.1). */
    public static final int LSRR = 0x83;
    /** Strict source and record route (RFC 791 3.1). */
    public static final int SSRR = 0x89;

    private Ipv4Options() {
    }

    /**
     * The options of {@code area} in order, each as its octets (type, length, data), up to End of Option List or the first
     * option whose length is below 2 or runs past the area; No Operation octets are left out.
     */
    public static List<byte[]> parse(byte[] area) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < area.length) {
            int type = area[i] & 0xff;
            if (type == 0) {
                break;
            }
            if (type == 1) {
                i++;
                continue;
            }
            if (i + 1 >= area.length) {
                break;
            }
            int len = area[i + 1] & 0xff;
            if (len < 2 || i + len > area.length) {
                break;
            }
            out.add(Arrays.copyOfRange(area, i, i + len));
            i += len;
        }
        return out;
    }

    /** The first option of {@code type} in {@code area} (its octets), or null when there is none. */
    public static byte[] first(byte[] area, int type) {
        return parse(area).stream().filter(o -> (o[0] & 0xff) == type).findFirst().orElse(null);
    }
}
