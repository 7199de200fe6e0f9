package tcpct.segment;

/** The TCP header's control bits, with their bit values (RFC 9293 section 3.1, RFC 3168 for ECE/CWR). */
public enum Flag {
    FIN(0x01), SYN(0x02), RST(0x04), PSH(0x08), ACK(0x10), URG(0x20), ECE(0x40), CWR(0x80);

    public final int bit;

    Flag(int bit) {
        this.bit = bit;
    }
}
