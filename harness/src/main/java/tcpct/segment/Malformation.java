package tcpct.segment;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What is wrong, on purpose, with a segment the peer sends: the wire encodes the segment as usual and
 * then applies each of these, so that one field is malformed and every other octet is as a well-formed
 * segment would have it. Null (or false) means "as usual". Immutable; every setter returns a new value.
 *
 * <ul>
 *   <li>{@code badTcpChecksum}: the TCP checksum is computed, then changed, so it no longer verifies;</li>
 *   <li>{@code badIpChecksum}: likewise for the IPv4 header checksum;</li>
 *   <li>{@code dataOffset}: the 4-bit Data Offset field in 32-bit words (0-15), whatever the header's real length;</li>
 *   <li>{@code rawOptions}: the octets of the options area exactly (zero padded to a multiple of four),
 *       in place of the segment's option list, so that illegal lengths can be sent;</li>
 *   <li>{@code reservedBits}: the 4 reserved bits (RFC 9293 3.1, Rsrvd) between Data Offset and CWR;</li>
 *   <li>{@code ipOptions}: IPv4 options (RFC 791 3.1) after the fixed IP header, zero padded to a multiple of four,
 *       the IHL grown to match: not wrong, but rare enough that a stack may mishandle them (MUST-50).</li>
 * </ul>
 */
public record Malformation(boolean badTcpChecksum, boolean badIpChecksum, Integer dataOffset, byte[] rawOptions,
                           Integer reservedBits, byte[] ipOptions) {

    /** A well-formed segment. */
    public static final Malformation NONE = new Malformation(false, false, null, null, null, null);

    public Malformation {
        if (dataOffset != null && (dataOffset < 0 || dataOffset > 15)) {
            throw new IllegalArgumentException("data offset takes 4 bits (0-15 words), got " + dataOffset);
        }
        if (reservedBits != null && (reservedBits < 0 || reservedBits > 15)) {
            throw new IllegalArgumentException("the reserved field takes 4 bits (0-15), got " + reservedBits);
        }
        if (rawOptions != null && rawOptions.length > 40) {
            throw new IllegalArgumentException("raw options take " + rawOptions.length + " octets; at most 40 fit in the header");
        }
        if (ipOptions != null && ipOptions.length > 40) {
            throw new IllegalArgumentException("IP options take " + ipOptions.length + " octets; at most 40 fit in the IPv4 header");
        }
        rawOptions = rawOptions == null ? null : rawOptions.clone();
        ipOptions = ipOptions == null ? null : ipOptions.clone();
    }

    public Malformation withBadTcpChecksum() {
        return new Malformation(true, badIpChecksum, dataOffset, rawOptions, reservedBits, ipOptions);
    }

    public Malformation withBadIpChecksum() {
        return new Malformation(badTcpChecksum, true, dataOffset, rawOptions, reservedBits, ipOptions);
    }

    public Malformation withDataOffset(int words) {
        return new Malformation(badTcpChecksum, badIpChecksum, words, rawOptions, reservedBits, ipOptions);
    }

    public Malformation withRawOptions(byte... octets) {
        return new Malformation(badTcpChecksum, badIpChecksum, dataOffset, octets, reservedBits, ipOptions);
    }

    public Malformation withReservedBits(int bits) {
        return new Malformation(badTcpChecksum, badIpChecksum, dataOffset, rawOptions, bits, ipOptions);
    }

    public Malformation withIpOptions(byte... octets) {
        return new Malformation(badTcpChecksum, badIpChecksum, dataOffset, rawOptions, reservedBits, octets);
    }

    @Override
    public byte[] ipOptions() {
        return ipOptions == null ? null : ipOptions.clone();
    }

    @Override
    public byte[] rawOptions() {
        return rawOptions == null ? null : rawOptions.clone();
    }

    public boolean isNone() {
        return !badTcpChecksum && !badIpChecksum && dataOffset == null && rawOptions == null && reservedBits == null
                && ipOptions == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Malformation m && m.badTcpChecksum == badTcpChecksum && m.badIpChecksum == badIpChecksum
                && java.util.Objects.equals(m.dataOffset, dataOffset) && java.util.Arrays.equals(m.rawOptions, rawOptions)
                && java.util.Objects.equals(m.reservedBits, reservedBits) && java.util.Arrays.equals(m.ipOptions, ipOptions);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(badTcpChecksum, badIpChecksum, dataOffset, reservedBits) * 31 + java.util.Arrays.hashCode(rawOptions)
                + 7 * java.util.Arrays.hashCode(ipOptions);
    }

    /** As a scenario step shows it: {@code bad TCP checksum, data offset 15}; empty when well formed. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (badTcpChecksum) {
            parts.add("bad TCP checksum");
        }
        if (badIpChecksum) {
            parts.add("bad IP checksum");
        }
        if (dataOffset != null) {
            parts.add("data offset " + dataOffset);
        }
        if (rawOptions != null) {
            parts.add("options " + HexFormat.ofDelimiter(" ").formatHex(rawOptions));
        }
        if (reservedBits != null) {
            parts.add("reserved bits " + String.format("%4s", Integer.toBinaryString(reservedBits)).replace(' ', '0'));
        }
        if (ipOptions != null) {
            parts.add("IP options " + HexFormat.ofDelimiter(" ").formatHex(ipOptions));
        }
        return String.join(", ", parts);
    }
}
