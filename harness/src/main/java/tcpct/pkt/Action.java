package tcpct.pkt;

import java.util.List;

/** What an event does: a TCP packet in or out, a system call, a shell command, a {@code %{ }%} block. */
public sealed interface Action {

    /** {@code <} arrives at the stack under test (the harness injects it); {@code >} the stack must send it. */
    enum Direction { INBOUND, OUTBOUND }

    /**
     * A TCP segment: {@code < S. 0:0(0) ack 1 win 32768 <mss 1000,nop,wscale 6>}. {@code flags} as written
     * ({@code "S."}, {@code "."}, {@code "-"} for none); {@code options} null when the line has none, and
     * {@code anyOptions} for {@code <...>}. {@code ipInfo} holds an {@code (ecn)}/{@code [tos]} part as
     * written, {@code srcPort}/{@code dstPort} an explicit {@code 8080>5000}, both null when absent.
     */
    record Packet(Direction direction, String flags, long seq, long end, int length, Long ack, Integer window, Integer urgent,
                  List<TcpOpt> options, boolean anyOptions, String ipInfo, Integer srcPort, Integer dstPort, String encapsulation)
            implements Action {
        public Packet {
            options = options == null ? null : List.copyOf(options);
        }

        public boolean has(char flag) {
            return flags.indexOf(flag) >= 0;
        }

        /** As packetdrill writes it: {@code F. 1:1(0) ack 1}. */
        public String text() {
            StringBuilder b = new StringBuilder(flags).append(' ').append(seq).append(':').append(end).append('(').append(length).append(')');
            if (ack != null) {
                b.append(" ack ").append(ack);
            }
            if (window != null) {
                b.append(" win ").append(window);
            }
            if (urgent != null) {
                b.append(" urg ").append(urgent);
            }
            if (anyOptions) {
                b.append(" <...>");
            } else if (options != null) {
                b.append(" <").append(String.join(",", options.stream().map(TcpOpt::text).toList())).append('>');
            }
            return b.toString();
        }
    }

    /** A UDP or ICMP packet: parsed, kept as written (tcpct plays TCP only). */
    record OtherPacket(Direction direction, String protocol, String text) implements Action {
    }

    /**
     * {@code +0...0.2 accept(3, ..., ...) = 4}: the name, the arguments, the expected result and errno
     * ({@code = -1 EINPROGRESS (Operation now in progress)}), and {@code blockingEnd}, the end time written
     * after {@code ...} (seconds, null for a call that must not block).
     */
    record Syscall(String name, List<Expr> args, Expr result, String errno, String note, Double blockingEnd) implements Action {
        public Syscall {
            args = List.copyOf(args);
        }

        public String text() {
            return name + "(" + String.join(", ", args.stream().map(Expr::text).toList()) + ") = " + result.text()
                    + (errno == null ? "" : " " + errno);
        }
    }

    /** A backquoted shell command. */
    record Shell(String command) implements Action {
    }

    /** A {@code %{ ... }%} block (Python in packetdrill, run against the socket's tcp_info). */
    record Code(String source) implements Action {
    }
}
