package tcpct.pkt;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@code %{ }%} blocks of one script: the part of Python that packetdrill's scripts write over a
 * socket's tcp_info ({@code assert 5000 <= tcpi_rtt <= 20000, 'srtt=%d us' % tcpi_rtt}, {@code print(x)},
 * {@code cwnd = 10}, {@code cwnd += 10}). packetdrill runs the blocks with Python at the end of the script over
 * snapshots taken at each block's time; tcpct evaluates each block at its time over the agent's {@code tcpinfo}
 * of that moment, so a failing assertion names its own line. Names assigned in one block are seen by the later
 * ones (one Python program in packetdrill). Integers are unbounded, as in Python (tcp_info has 64-bit counters).
 * A construct outside that part ({@code if}, loops, calls other than {@code print}) is {@link Unsupported}, so
 * the script is UNIMPLEMENTED rather than misread.
 */
final class PktCode {

    /** Linux's tcpi_state codes, 1 to 11, as RFC 9293 names the states (the agent protocol's section 6 uses the same). */
    static final List<tcpct.state.TcpState> LINUX_STATES = List.of(tcpct.state.TcpState.ESTABLISHED, tcpct.state.TcpState.SYN_SENT,
            tcpct.state.TcpState.SYN_RECEIVED, tcpct.state.TcpState.FIN_WAIT_1, tcpct.state.TcpState.FIN_WAIT_2, tcpct.state.TcpState.TIME_WAIT,
            tcpct.state.TcpState.CLOSED, tcpct.state.TcpState.CLOSE_WAIT, tcpct.state.TcpState.LAST_ACK, tcpct.state.TcpState.LISTEN,
            tcpct.state.TcpState.CLOSING);

    /** The state of Linux's tcpi_state {@code code} ({@code 1}: ESTABLISHED), or "an unknown state". */
    static String stateName(String code) {
        try {
            int c = Integer.parseInt(code);
            return c >= 1 && c <= LINUX_STATES.size() ? LINUX_STATES.get(c - 1).rfcName() : "an unknown state";
        } catch (NumberFormatException e) {
            return "an unknown state";
        }
    }

    /** The names packetdrill defines before the blocks run (Linux's values: tcpi_state codes, tcpi_ca_state, tcpi_options bits). */
    static final Map<String, BigInteger> SYMBOLS = symbols();

    private static Map<String, BigInteger> symbols() {
        Map<String, BigInteger> m = new LinkedHashMap<>();
        String[] states = {"TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE",
            "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING"};
        for (int i = 0; i < states.length; i++) {
            m.put(states[i], BigInteger.valueOf(i + 1));
        }
        // FreeBSD's packetdrill names the same states TCPI_<STATE>; tcpct's tcpinfo reports Linux's codes (agent protocol, section 6)
        for (int i = 0; i < LINUX_STATES.size(); i++) {
            m.put("TCPI_" + LINUX_STATES.get(i).name(), BigInteger.valueOf(i + 1));
        }
        String[] ca = {"TCP_CA_Open", "TCP_CA_Disorder", "TCP_CA_CWR", "TCP_CA_Recovery", "TCP_CA_Loss"};
        for (int i = 0; i < ca.length; i++) {
            m.put(ca[i], BigInteger.valueOf(i));
        }
        String[] opts = {"TCPI_OPT_TIMESTAMPS", "TCPI_OPT_SACK", "TCPI_OPT_WSCALE", "TCPI_OPT_ECN", "TCPI_OPT_ECN_SEEN", "TCPI_OPT_SYN_DATA",
            "TCPI_OPT_USEC_TS", "TCPI_OPT_TFO_CHILD"};
        for (int i = 0; i < opts.length; i++) {
            m.put(opts[i], BigInteger.ONE.shiftLeft(i));
        }
        m.put("TCP_INFINITE_SSTHRESH", BigInteger.valueOf(0x7fffffffL));
        return Map.copyOf(m);
    }

    /** A construct tcpct does not evaluate: the line (of the script) and what it was. */
    static final class Unsupported extends RuntimeException {
        final int line;

        Unsupported(int line, String what) {
            super(what);
            this.line = line;
        }
    }

    /** A name the block reads that nothing defined: a tcpi_ field the stack does not report, or the script's own mistake. */
    static final class Undefined extends RuntimeException {
        final int line;
        final String name;

        Undefined(int line, String name) {
            super("name " + name + " is not defined");
            this.line = line;
            this.name = name;
        }
    }

    /** An {@code assert} that did not hold: its line, its text, the tcp_info and script names it read with their values, its message. */
    record Failed(int line, String assertion, Map<String, String> read, String message) {
        /** {@code tcpi_snd_cwnd was 12}, one per name read. */
        String readText() {
            List<String> parts = new ArrayList<>();
            read.forEach((k, v) -> parts.add(k + " was " + v));
            return String.join(", ", parts);
        }
    }

    /** What one block did: what it printed, and the first assertion that failed (null when all held). */
    record Outcome(List<String> printed, Failed failed) {
    }

    private final Map<String, Object> vars = new HashMap<>();

    /**
     * Runs {@code source} (a block's text, starting on script line {@code line}) over {@code info}, the socket's
     * tcp_info fields. Stops at the first assertion that fails.
     */
    Outcome run(String source, int line, Map<String, BigInteger> info) {
        Parser p = new Parser(tokens(source, line), info);
        List<String> printed = new ArrayList<>();
        while (!p.at(Kind.END)) {
            if (p.at(Kind.SEP)) {
                p.next();
                continue;
            }
            Failed f = p.statement(printed);
            if (f != null) {
                return new Outcome(printed, f);
            }
        }
        return new Outcome(printed, null);
    }

    // ---- tokens

    private enum Kind { NUM, STR, NAME, OP, SEP, END }

    private record Tok(Kind kind, String text, int line, int start, int end) {
    }

    private static final List<String> OPS = List.of("**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "(", ")", ",", "+", "-",
            "*", "/", "%", "&", "|", "^", "~", "<", ">", "=", "[", "]", "{", "}", ":", ".");

    private static List<Tok> tokens(String s, int line) {
        List<Tok> out = new ArrayList<>();
        int i = 0;
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i += 2;
                line++;
            } else if (c == '\n') {
                if (depth == 0) {
                    out.add(new Tok(Kind.SEP, "\n", line, i, i + 1));
                }
                line++;
                i++;
            } else if (c == ';') {
                out.add(new Tok(Kind.SEP, ";", line, i, i + 1));
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isDigit(c)) {
                int j = i;
                if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
                    j += 2;
                    while (j < s.length() && Character.digit(s.charAt(j), 16) >= 0) {
                        j++;
                    }
                } else {
                    while (j < s.length() && Character.isDigit(s.charAt(j))) {
                        j++;
                    }
                }
                if (j < s.length() && (s.charAt(j) == '.' || Character.isLetter(s.charAt(j)))) {
                    throw new Unsupported(line, "the number " + s.substring(i, Math.min(s.length(), j + 1)) + "...: tcpct evaluates integers only");
                }
                out.add(new Tok(Kind.NUM, s.substring(i, j), line, i, j));
                i = j;
            } else if (c == '\'' || c == '"') {
                int j = i + 1;
                StringBuilder b = new StringBuilder();
                while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        j++;
                        b.append(switch (s.charAt(j)) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> s.charAt(j);
                        });
                    } else {
                        b.append(s.charAt(j));
                    }
                    j++;
                }
                if (j >= s.length() || s.charAt(j) != c) {
                    throw new Unsupported(line, "a string that does not end on its line");
                }
                out.add(new Tok(Kind.STR, b.toString(), line, i, j + 1));
                i = j + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Tok(Kind.NAME, s.substring(i, j), line, i, j));
                i = j;
            } else {
                String op = null;
                for (String o : OPS) {
                    if (s.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new Unsupported(line, "the character '" + c + "'");
                }
                depth += op.equals("(") ? 1 : op.equals(")") ? -1 : 0;
                out.add(new Tok(Kind.OP, op, line, i, i + op.length()));
                i += op.length();
            }
        }
        out.add(new Tok(Kind.END, "end of block", line, s.length(), s.length()));
        return out;
    }

    // ---- statements and expressions, evaluated as they are parsed

    private final class Parser {
        private final List<Tok> toks;
        private final Map<String, BigInteger> info;
        private int at;
        /** The names the current statement read, with their values, for a failure message. */
        private final Map<String, String> read = new LinkedHashMap<>();

        Parser(List<Tok> toks, Map<String, BigInteger> info) {
            this.toks = toks;
            this.info = info;
        }

        Tok peek() {
            return toks.get(at);
        }

        boolean at(Kind k) {
            return peek().kind() == k;
        }

        boolean atOp(String op) {
            return peek().kind() == Kind.OP && peek().text().equals(op);
        }

        boolean atWord(String w) {
            return peek().kind() == Kind.NAME && peek().text().equals(w);
        }

        Tok next() {
            return toks.get(at++);
        }

        void expectOp(String op) {
            if (!atOp(op)) {
                throw new Unsupported(peek().line(), "'" + peek().text() + "' where '" + op + "' was expected");
            }
            next();
        }

        void endOfStatement() {
            if (!at(Kind.SEP) && !at(Kind.END)) {
                throw new Unsupported(peek().line(), "'" + peek().text() + "' after a complete statement");
            }
        }

        Failed statement(List<String> printed) {
            read.clear();
            Tok first = peek();
            if (atWord("assert")) {
                next();
                int from = at;
                Object test = expr();
                String text = source(from, at);
                Object message = null;
                if (atOp(",")) {
                    next();
                    message = expr();
                }
                endOfStatement();
                return truthy(test) ? null : new Failed(first.line(), "assert " + text, new LinkedHashMap<>(read),
                        message == null ? null : str(message));
            }
            if (atWord("print")) {
                next();
                expectOp("(");
                List<String> parts = new ArrayList<>();
                while (!atOp(")")) {
                    parts.add(str(expr()));
                    if (!atOp(")")) {
                        expectOp(",");
                    }
                }
                next();
                endOfStatement();
                printed.add(String.join(" ", parts));
                return null;
            }
            for (String kw : List.of("if", "for", "while", "def", "import", "from", "lambda", "with", "try", "del", "global", "class", "return")) {
                if (atWord(kw)) {
                    throw new Unsupported(first.line(), "Python's '" + kw + "': tcpct runs assert, print and assignments");
                }
            }
            if (at(Kind.NAME) && toks.get(at + 1).kind() == Kind.OP && List.of("=", "+=", "-=", "*=").contains(toks.get(at + 1).text())) {
                String name = next().text();
                String op = next().text();
                Object v = expr();
                endOfStatement();
                vars.put(name, op.equals("=") ? v : arith(op.substring(0, 1), lookup(name, first.line()), v, first.line()));
                return null;
            }
            expr(); // a bare expression: evaluated (a name it reads must exist), its value dropped as in Python
            endOfStatement();
            return null;
        }

        String source(int from, int to) {
            StringBuilder b = new StringBuilder();
            for (int i = from; i < to; i++) {
                Tok t = toks.get(i);
                if (b.length() > 0 && !(t.kind() == Kind.OP && (t.text().equals(")") || t.text().equals(",")))
                        && !(toks.get(i - 1).kind() == Kind.OP && toks.get(i - 1).text().equals("("))) {
                    b.append(' ');
                }
                b.append(t.kind() == Kind.STR ? "'" + t.text() + "'" : t.text());
            }
            return b.toString();
        }

        Object expr() {
            return logical("or", this::and);
        }

        Object and() {
            return logical("and", this::not);
        }

        /** {@code a or b} (the first true operand, else the last) and {@code a and b} (the first false one, else the last), as Python. */
        Object logical(String word, java.util.function.Supplier<Object> operand) {
            Object v = operand.get();
            while (atWord(word)) {
                next();
                Object r = operand.get();
                v = truthy(v) == word.equals("or") ? v : r;
            }
            return v;
        }

        Object not() {
            if (atWord("not")) {
                next();
                return !truthy(not());
            }
            return comparison();
        }

        Object comparison() {
            Object left = bitOr();
            boolean result = true;
            boolean any = false;
            while (peek().kind() == Kind.OP && List.of("==", "!=", "<", "<=", ">", ">=").contains(peek().text())) {
                Tok op = next();
                Object right = bitOr();
                result &= compare(op, left, right);
                left = right;
                any = true;
            }
            return any ? (Object) result : left;
        }

        boolean compare(Tok op, Object a, Object b) {
            if (a instanceof String || b instanceof String) {
                return switch (op.text()) {
                    case "==" -> a.equals(b);
                    case "!=" -> !a.equals(b);
                    default -> throw new Unsupported(op.line(), "comparing a string with " + op.text());
                };
            }
            int c = num(a, op.line()).compareTo(num(b, op.line()));
            return switch (op.text()) {
                case "==" -> c == 0;
                case "!=" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                default -> c >= 0;
            };
        }

        /** One precedence level of left-associative operators {@code ops} over operands of the next level, {@code operand}. */
        Object level(java.util.function.Supplier<Object> operand, List<String> ops) {
            Object v = operand.get();
            while (peek().kind() == Kind.OP && ops.contains(peek().text())) {
                Tok op = next();
                v = apply(op, v, operand.get());
            }
            return v;
        }

        Object bitOr() {
            return level(this::bitXor, List.of("|"));
        }

        Object bitXor() {
            return level(this::bitAnd, List.of("^"));
        }

        Object bitAnd() {
            return level(this::shift, List.of("&"));
        }

        Object shift() {
            return level(this::sum, List.of("<<", ">>"));
        }

        Object sum() {
            return level(this::term, List.of("+", "-"));
        }

        Object term() {
            return level(this::unary, List.of("*", "//", "%", "/"));
        }

        Object unary() {
            if (atOp("-")) {
                int line = next().line();
                return num(unary(), line).negate();
            }
            if (atOp("+")) {
                int line = next().line();
                return num(unary(), line);
            }
            if (atOp("~")) {
                int line = next().line();
                return num(unary(), line).not();
            }
            return atom();
        }

        Object atom() {
            Tok t = next();
            switch (t.kind()) {
                case NUM -> {
                    return t.text().startsWith("0x") || t.text().startsWith("0X") ? new BigInteger(t.text().substring(2), 16) : new BigInteger(t.text());
                }
                case STR -> {
                    return t.text();
                }
                case NAME -> {
                    if (atOp("(") || atOp("[") || atOp(".")) {
                        throw new Unsupported(t.line(), "'" + t.text() + peek().text() + "': tcpct evaluates names, not calls, indexes or attributes");
                    }
                    return switch (t.text()) {
                        case "True" -> Boolean.TRUE;
                        case "False" -> Boolean.FALSE;
                        default -> {
                            Object v = lookup(t.text(), t.line());
                            if (!SYMBOLS.containsKey(t.text())) {
                                read.put(t.text(), str(v));
                            }
                            yield v;
                        }
                    };
                }
                case OP -> {
                    if (t.text().equals("(")) {
                        Object v = expr();
                        if (atOp(",")) {
                            List<Object> tuple = new ArrayList<>(List.of(v));
                            while (atOp(",")) {
                                next();
                                if (atOp(")")) {
                                    break;
                                }
                                tuple.add(expr());
                            }
                            v = List.copyOf(tuple);
                        }
                        expectOp(")");
                        return v;
                    }
                    throw new Unsupported(t.line(), "'" + t.text() + "' where a value was expected");
                }
                default -> throw new Unsupported(t.line(), t.text() + " where a value was expected");
            }
        }

        Object lookup(String name, int line) {
            if (info.containsKey(name)) {
                return info.get(name);
            }
            if (vars.containsKey(name)) {
                return vars.get(name);
            }
            if (SYMBOLS.containsKey(name)) {
                return SYMBOLS.get(name);
            }
            throw new Undefined(line, name);
        }
    }

    private static Object apply(Tok op, Object a, Object b) {
        int line = op.line();
        return switch (op.text()) {
            case "|" -> num(a, line).or(num(b, line));
            case "^" -> num(a, line).xor(num(b, line));
            case "&" -> num(a, line).and(num(b, line));
            case "<<" -> num(a, line).shiftLeft(num(b, line).intValueExact());
            case ">>" -> num(a, line).shiftRight(num(b, line).intValueExact());
            default -> arith(op.text(), a, b, line);
        };
    }

    private static Object arith(String op, Object a, Object b, int line) {
        if (op.equals("%") && a instanceof String format) {
            return format(format, b instanceof List<?> l ? l : List.of(b), line);
        }
        if (op.equals("+") && a instanceof String s && b instanceof String t) {
            return s + t;
        }
        BigInteger x = num(a, line);
        BigInteger y = num(b, line);
        return switch (op) {
            case "+" -> x.add(y);
            case "-" -> x.subtract(y);
            case "*" -> x.multiply(y);
            case "//" -> floorDiv(x, y, line);
            case "%" -> x.subtract(floorDiv(x, y, line).multiply(y));
            case "/" -> {
                BigInteger[] qr = x.divideAndRemainder(nonZero(y, line));
                if (qr[1].signum() != 0) {
                    throw new Unsupported(line, x + " / " + y + " is not a whole number: tcpct evaluates integers only");
                }
                yield qr[0];
            }
            default -> throw new Unsupported(line, "the operator " + op);
        };
    }

    private static BigInteger floorDiv(BigInteger x, BigInteger y, int line) {
        BigInteger[] qr = x.divideAndRemainder(nonZero(y, line));
        return qr[1].signum() != 0 && (qr[1].signum() != y.signum()) ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    private static BigInteger nonZero(BigInteger y, int line) {
        if (y.signum() == 0) {
            throw new Unsupported(line, "a division by zero");
        }
        return y;
    }

    private static BigInteger num(Object v, int line) {
        if (v instanceof BigInteger b) {
            return b;
        }
        if (v instanceof Boolean b) {
            return b ? BigInteger.ONE : BigInteger.ZERO;
        }
        throw new Unsupported(line, "arithmetic on " + str(v));
    }

    private static boolean truthy(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof BigInteger b) {
            return b.signum() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        return !((List<?>) v).isEmpty();
    }

    private static String str(Object v) {
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(x -> parts.add(x instanceof String s ? "'" + s + "'" : str(x)));
            return "(" + String.join(", ", parts) + (l.size() == 1 ? ",)" : ")");
        }
        return v.toString();
    }

    /** Python's {@code format % values} for the conversions scripts use: d, i, u, x, X, s, % (flags and width kept). */
    private static String format(String f, List<?> values, int line) {
        StringBuilder b = new StringBuilder();
        int next = 0;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            int j = i + 1;
            while (j < f.length() && "-0123456789".indexOf(f.charAt(j)) >= 0) {
                j++;
            }
            if (j >= f.length()) {
                throw new Unsupported(line, "a '%' at the end of a format");
            }
            char conv = f.charAt(j);
            String spec = "%" + f.substring(i + 1, j);
            if (conv == '%') {
                b.append('%');
            } else {
                if (next >= values.size()) {
                    throw new Unsupported(line, "a format with more conversions than values");
                }
                Object v = values.get(next++);
                b.append(switch (conv) {
                    case 'd', 'i', 'u' -> String.format(spec + "d", num(v, line));
                    case 'x' -> String.format(spec + "x", num(v, line));
                    case 'X' -> String.format(spec + "X", num(v, line));
                    case 's' -> String.format(spec + "s", str(v));
                    default -> throw new Unsupported(line, "the format conversion %" + conv);
                });
            }
            i = j;
        }
        return b.toString();
    }
}
