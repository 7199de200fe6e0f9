package tcpct.pkt;

import java.util.List;

/** One TCP option of a packet line, as the script writes it. */
public sealed interface TcpOpt {

    String text();

    record Nop() implements TcpOpt {
        public String text() {
            return "nop";
        }
    }

    record Eol() implements TcpOpt {
        public String text() {
            return "eol";
        }
    }

    record Mss(int value) implements TcpOpt {
        public String text() {
            return "mss " + value;
        }
    }

    record WScale(int shift) implements TcpOpt {
        public String text() {
            return "wscale " + shift;
        }
    }

    record SackOk() implements TcpOpt {
        public String text() {
            return "sackOK";
        }
    }

    /** {@code sack 1:1001 2001:3001}: blocks of relative sequence numbers. */
    record Sack(List<long[]> blocks) implements TcpOpt {
        public Sack {
            blocks = blocks.stream().map(long[]::clone).toList();
        }

        public String text() {
            return "sack " + String.join(" ", blocks.stream().map(b -> b[0] + ":" + b[1]).toList());
        }
    }

    /** {@code TS val 100 ecr 0}. */
    record Timestamp(long val, long ecr) implements TcpOpt {
        public String text() {
            return "TS val " + val + " ecr " + ecr;
        }
    }

    /**
     * A TCP Fast Open option (RFC 7413): {@code FO 0123abcd} (kind 34), or {@code FOEXP ...} (kind 254 with the
     * experimental magic F989); {@code cookie} in hex, empty for a cookie request ({@code FO} alone).
     */
    record FastOpen(boolean experimental, String cookie) implements TcpOpt {
        public FastOpen {
            cookie = cookie.toLowerCase(java.util.Locale.ROOT);
        }

        public String text() {
            return (experimental ? "FOEXP" : "FO") + (cookie.isEmpty() ? "" : " " + cookie);
        }
    }

    /** Options tcpct parses but does not build: {@code md5 ...}, {@code FO TFO_COOKIE} (a symbol, not hex). */
    record Other(String name, String value) implements TcpOpt {
        public String text() {
            return value == null ? name : name + " " + value;
        }
    }
}
