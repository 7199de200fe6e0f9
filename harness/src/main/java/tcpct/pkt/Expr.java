package tcpct.pkt;

import java.util.List;

/** An argument or result of a system call line. */
public sealed interface Expr {

    String text();

    /** {@code ...}: any value. */
    record Ellipsis() implements Expr {
        public String text() {
            return "...";
        }
    }

    record Int(long value, String written) implements Expr {
        public String text() {
            return written;
        }
    }

    /** A symbol such as {@code SOCK_STREAM} or {@code O_NONBLOCK}. */
    record Word(String name) implements Expr {
        public String text() {
            return name;
        }
    }

    /** {@code "abc"}, or {@code "abc"...} when {@code more} (a prefix). */
    record Str(String value, boolean more) implements Expr {
        public String text() {
            return "\"" + value + "\"" + (more ? "..." : "");
        }
    }

    /** {@code a|b}, or {@code name=value} inside a structure. */
    record Binary(String op, Expr left, Expr right) implements Expr {
        public String text() {
            return left.text() + op + right.text();
        }
    }

    /** {@code [1]}, {@code [{...}]}. */
    record Array(List<Expr> items) implements Expr {
        public Array {
            items = List.copyOf(items);
        }

        public String text() {
            return "[" + String.join(", ", items.stream().map(Expr::text).toList()) + "]";
        }
    }

    /** {@code {onoff=1, linger=0}}, {@code {..., 1000}}. */
    record Struct(List<Expr> items) implements Expr {
        public Struct {
            items = List.copyOf(items);
        }

        public String text() {
            return "{" + String.join(", ", items.stream().map(Expr::text).toList()) + "}";
        }
    }

    /** {@code htons(8080)}, {@code inet_addr("192.0.2.1")}, {@code msg_name(...)}. */
    record Call(String name, List<Expr> args) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        public String text() {
            return name + "(" + String.join(", ", args.stream().map(Expr::text).toList()) + ")";
        }
    }
}
