package tcpct.pkt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tcpct.pkt.Action.Direction;
import tcpct.pkt.PktScript.Event;
import tcpct.pkt.Token.Kind;

/**
 * A recursive-descent parser for the packetdrill language, written from its documented grammar: options,
 * an optional shell command, timed events (packets, system calls, shell commands, {@code %{ }%} blocks),
 * an optional closing shell command. A script that does not follow it fails with {@link PktSyntaxError}
 * ({@code file:line: expected X, found Y}).
 */
public final class PktParser {

    /** The TCP flag letters of a packet line: SYN, ACK, FIN, RST, PSH, URG, ECE, CWR. */
    public static final String FLAG_LETTERS = "S.FRPUEW";

    private final String file;
    private final List<Token> tokens;
    private int at;

    private PktParser(String file, List<Token> tokens) {
        this.file = file;
        this.tokens = tokens;
    }

    public static PktScript parse(Path path, String shownAs) throws IOException {
        return parse(path, shownAs, java.util.Set.of());
    }

    /** The script at {@code path}, with {@code defines} the names its {@code #ifdef} lines see as defined ({@code --define}). */
    public static PktScript parse(Path path, String shownAs, java.util.Set<String> defines) throws IOException {
        return parse(shownAs, Files.readString(path, StandardCharsets.UTF_8), defines);
    }

    public static PktScript parse(String file, String source) {
        return parse(file, source, java.util.Set.of());
    }

    public static PktScript parse(String file, String source, java.util.Set<String> defines) {
        return new PktParser(file, Lexer.tokens(file, conditional(file, source, defines))).script();
    }

    /**
     * The script with its conditional lines resolved, as FreeBSD's tcp-testsuite writes them: {@code #ifdef NAME},
     * {@code #ifndef NAME}, {@code #else}, {@code #endif}, each on a line of its own, nested; a line left out
     * becomes an empty line, so that line numbers stay those of the file.
     */
    static String conditional(String file, String source, java.util.Set<String> defines) {
        if (!source.contains("#")) {
            return source;
        }
        StringBuilder out = new StringBuilder();
        java.util.Deque<boolean[]> open = new java.util.ArrayDeque<>(); // per #if: {this branch taken, the enclosing one active}
        java.util.Deque<Integer> openedAt = new java.util.ArrayDeque<>();
        int lineNo = 0;
        for (String line : source.split("\n", -1)) {
            lineNo++;
            String t = line.strip();
            boolean active = open.isEmpty() || open.peek()[0] && open.peek()[1];
            if (t.startsWith("#ifdef ") || t.startsWith("#ifndef ")) {
                boolean want = t.startsWith("#ifdef ");
                String name = t.substring(t.indexOf(' ') + 1).strip();
                open.push(new boolean[] {defines.contains(name) == want, active});
                openedAt.push(lineNo);
                line = "";
            } else if (t.equals("#else")) {
                if (open.isEmpty()) {
                    throw new PktSyntaxError(file, lineNo, "#else after an #ifdef", "#else without one");
                }
                open.peek()[0] = !open.peek()[0];
                line = "";
            } else if (t.equals("#endif")) {
                if (open.isEmpty()) {
                    throw new PktSyntaxError(file, lineNo, "#endif after an #ifdef", "#endif without one");
                }
                open.pop();
                openedAt.pop();
                line = "";
            } else if (!active) {
                line = "";
            }
            out.append(line).append('\n');
        }
        if (!open.isEmpty()) {
            throw new PktSyntaxError(file, openedAt.peek(), "#endif closing this #ifdef", "end of file");
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    private PktScript script() {
        List<PktScript.Setting> options = new ArrayList<>();
        while (peek().kind() == Kind.OPTION) {
            Token o = take();
            String value = null;
            if (peek().isPunct('=')) {
                take();
                Token v = take();
                if (v.kind() == Kind.END || v.kind() == Kind.PUNCT) {
                    throw error("a value for --" + o.text(), v);
                }
                value = v.text();
                if (v.kind() == Kind.WORD && peek().isPunct('=')) {
                    take();
                    value = value + "=" + take().text();
                }
            }
            options.add(new PktScript.Setting(o.line(), o.text(), value));
        }
        List<Event> events = new ArrayList<>();
        while (peek().kind() != Kind.END) {
            Token first = peek();
            if (first.kind() == Kind.BACK_QUOTED) {
                events.add(new Event(first.line(), EventTime.NONE, new Action.Shell(take().text())));
                continue;
            }
            EventTime time = eventTime();
            events.add(new Event(first.line(), time, action()));
        }
        if (events.isEmpty()) {
            throw error("an event (a time, then a packet, a system call or a command)", peek());
        }
        return new PktScript(file, options, events);
    }

    private EventTime eventTime() {
        Token t = peek();
        if (t.isPunct('*')) {
            take();
            return EventTime.ANY;
        }
        boolean relative = false;
        if (t.isPunct('+')) {
            take();
            relative = true;
        }
        double start = time("an event time (e.g. 0, +0.1, *)");
        double end = start;
        if (peek().isPunct('~')) {
            take();
            if (relative) {
                expectPunct('+', "'+' starting the end of a relative time range");
            }
            end = time("the end of the time range");
            if (end < start) {
                throw new PktSyntaxError(file, t.line(), "a time range whose end is not before its start", start + "~" + end);
            }
        }
        return new EventTime(relative ? EventTime.Kind.RELATIVE : EventTime.Kind.ABSOLUTE, start, end);
    }

    private double time(String what) {
        Token t = peek();
        if ((t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT) && !t.text().startsWith("-")) {
            take();
            return Double.parseDouble(t.text());
        }
        throw error(what, t);
    }

    private Action action() {
        Token t = peek();
        if (t.isPunct('<') || t.isPunct('>')) {
            return packet();
        }
        if (t.kind() == Kind.BACK_QUOTED) {
            return new Action.Shell(take().text());
        }
        if (t.kind() == Kind.CODE) {
            return new Action.Code(take().text());
        }
        if (t.kind() == Kind.ELLIPSIS || t.kind() == Kind.WORD) {
            return syscall();
        }
        throw error("a packet ('<' or '>'), a system call, a `shell command` or a %{ }% block", t);
    }

    // ---- packets

    private Action packet() {
        Direction dir = take().text().equals("<") ? Direction.INBOUND : Direction.OUTBOUND;
        String encapsulation = null;
        while (peek().kind() == Kind.WORD && List.of("ipv4", "ipv6", "gre", "GREv0", "mpls").contains(peek().text())) {
            StringBuilder b = new StringBuilder();
            while (!peek().isPunct(':') || b.isEmpty() || peek().kind() == Kind.END) {
                if (peek().kind() == Kind.END) {
                    throw error("':' ending the encapsulation header", peek());
                }
                b.append(take().text()).append(' ');
            }
            take();
            encapsulation = (encapsulation == null ? "" : encapsulation + " ") + b.toString().trim() + ":";
        }
        String ipInfo = bracketed();
        Integer srcPort = null;
        Integer dstPort = null;
        if (peek().kind() == Kind.WORD && (peek().text().equals("udp") || peek().text().equals("icmp"))) {
            String protocol = peek().text();
            int line = peek().line();
            StringBuilder b = new StringBuilder();
            while (peek().kind() != Kind.END && peek().line() == line) {
                b.append(take().text()).append(' ');
            }
            return new Action.OtherPacket(dir, protocol, b.toString().trim());
        }
        if (peek().kind() == Kind.INTEGER && peekAt(1).isPunct('>')) {
            srcPort = (int) integer("a source port");
            take();
            dstPort = (int) integer("a destination port");
        }
        String flags = flags();
        long seq = integer("a sequence number (start:end(length))");
        expectPunct(':', "':' in start:end(length)");
        long end = integer("the end sequence number in start:end(length)");
        expectPunct('(', "'(' in start:end(length)");
        Token lenTok = peek();
        long len = integer("the payload length in start:end(length)");
        expectPunct(')', "')' closing start:end(length)");
        if (end - seq != len && !((end - seq) % (1L << 32) == len)) {
            throw new PktSyntaxError(file, lenTok.line(), "a length equal to end - start (" + (end - seq) + ")", "(" + len + ")");
        }
        Long ack = null;
        Integer win = null;
        Integer urg = null;
        if (peek().is(Kind.WORD, "ack")) {
            take();
            ack = integer("the acknowledgement number after 'ack'");
        }
        if (peek().is(Kind.WORD, "win")) {
            take();
            win = (int) integer("the window after 'win'");
        }
        if (peek().is(Kind.WORD, "urg")) {
            take();
            urg = (int) integer("the urgent pointer after 'urg'");
        }
        List<TcpOpt> options = null;
        boolean anyOptions = false;
        if (peek().isPunct('<')) {
            take();
            if (peek().kind() == Kind.ELLIPSIS) {
                take();
                anyOptions = true;
            } else {
                options = new ArrayList<>();
                options.add(option());
                while (peek().isPunct(',')) {
                    take();
                    options.add(option());
                }
            }
            expectPunct('>', "',' or '>' in the TCP options");
        }
        return new Action.Packet(dir, flags, seq, end, (int) len, ack, win, urg, options, anyOptions, ipInfo, srcPort, dstPort,
                encapsulation);
    }

    /** An {@code (ect0)} or {@code [tos 0x1]} part, as written, or null. */
    private String bracketed() {
        Token t = peek();
        if (!t.isPunct('(') && !t.isPunct('[')) {
            return null;
        }
        char close = t.isPunct('(') ? ')' : ']';
        take();
        StringBuilder b = new StringBuilder(t.text());
        while (!peek().isPunct(close)) {
            if (peek().kind() == Kind.END) {
                throw error("'" + close + "' closing the IP information", peek());
            }
            b.append(take().text());
        }
        take();
        return b.append(close).toString();
    }

    private String flags() {
        Token t = peek();
        if (t.isPunct('-')) {
            take();
            return "-";
        }
        if (t.isPunct('.')) {
            take();
            return ".";
        }
        if (t.kind() == Kind.WORD && t.text().chars().allMatch(c -> FLAG_LETTERS.indexOf(c) >= 0)) {
            take();
            if (peek().isPunct('.')) {
                take();
                return t.text() + ".";
            }
            return t.text();
        }
        throw error("TCP flags (letters of " + FLAG_LETTERS + ", or '-')", t);
    }

    private TcpOpt option() {
        Token t = peek();
        if (t.kind() != Kind.WORD) {
            throw error("a TCP option (nop, eol, mss N, wscale N, sackOK, sack A:B, TS val N ecr N, ...)", t);
        }
        take();
        switch (t.text()) {
            case "nop":
                return new TcpOpt.Nop();
            case "eol":
                return new TcpOpt.Eol();
            case "sackOK":
                return new TcpOpt.SackOk();
            case "mss":
                return new TcpOpt.Mss((int) integer("the MSS value after 'mss'"));
            case "wscale":
                return new TcpOpt.WScale((int) integer("the shift count after 'wscale'"));
            case "sack": {
                List<long[]> blocks = new ArrayList<>();
                do {
                    long a = integer("a SACK block start:end");
                    expectPunct(':', "':' in the SACK block");
                    long b = integer("the end of the SACK block");
                    blocks.add(new long[] {a, b});
                } while (peek().kind() == Kind.INTEGER);
                return new TcpOpt.Sack(blocks);
            }
            case "TS": {
                expectWord("val", "'val' after 'TS'");
                long val = integer("the timestamp value after 'val'");
                expectWord("ecr", "'ecr' after the timestamp value");
                return new TcpOpt.Timestamp(val, integer("the echoed timestamp after 'ecr'"));
            }
            default: {
                StringBuilder b = new StringBuilder();
                while (!peek().isPunct(',') && !peek().isPunct('>')) {
                    if (peek().kind() == Kind.END) {
                        throw error("',' or '>' in the TCP options", peek());
                    }
                    b.append(b.isEmpty() ? "" : " ").append(take().text());
                }
                String value = b.toString().replace(" ", "");
                if ((t.text().equals("FO") || t.text().equals("FOEXP")) && value.matches("([0-9A-Fa-f]{2})*")) {
                    return new TcpOpt.FastOpen(t.text().equals("FOEXP"), value);
                }
                return new TcpOpt.Other(t.text(), b.isEmpty() ? null : b.toString());
            }
        }
    }

    // ---- system calls

    private Action syscall() {
        Double blockingEnd = null;
        if (peek().kind() == Kind.ELLIPSIS) {
            take();
            blockingEnd = time("the end time of a blocking call after '...'");
        }
        Token name = peek();
        if (name.kind() != Kind.WORD) {
            throw error("a system call name", name);
        }
        take();
        expectPunct('(', "'(' after " + name.text());
        List<Expr> args = peek().isPunct(')') ? List.of() : exprList(')');
        expectPunct(')', "',' or ')' in the arguments of " + name.text());
        expectPunct('=', "'=' and the result of " + name.text());
        Expr result = expr();
        String errno = null;
        String note = null;
        if (peek().kind() == Kind.WORD && peek().text().matches("E[A-Z0-9]+")) {
            errno = take().text();
        }
        if (peek().isPunct('(')) {
            int line = take().line();
            StringBuilder b = new StringBuilder();
            while (!peek().isPunct(')')) {
                if (peek().kind() == Kind.END) {
                    throw new PktSyntaxError(file, line, "')' closing the note", "end of file");
                }
                b.append(b.isEmpty() ? "" : " ").append(take().text());
            }
            take();
            note = b.toString();
        }
        return new Action.Syscall(name.text(), args, result, errno, note, blockingEnd);
    }

    private List<Expr> exprList(char close) {
        List<Expr> out = new ArrayList<>();
        out.add(expr());
        while (peek().isPunct(',')) {
            take();
            out.add(expr());
        }
        return out;
    }

    private Expr expr() {
        Expr left = unary();
        while (peek().isPunct('|')) {
            take();
            left = new Expr.Binary("|", left, unary());
        }
        return left;
    }

    private Expr unary() {
        Token t = peek();
        switch (t.kind()) {
            case ELLIPSIS -> {
                take();
                return new Expr.Ellipsis();
            }
            case INTEGER -> {
                take();
                return new Expr.Int(Long.parseLong(t.text()), t.text());
            }
            case HEX_INTEGER -> {
                take();
                return new Expr.Int(Long.parseUnsignedLong(t.text().substring(2), 16), t.text());
            }
            case FLOAT, IPV4_ADDR, IPV6_ADDR -> {
                take();
                return new Expr.Word(t.text());
            }
            case STRING -> {
                take();
                boolean more = peek().kind() == Kind.ELLIPSIS;
                if (more) {
                    take();
                }
                return new Expr.Str(t.text(), more);
            }
            case WORD -> {
                take();
                Expr e = new Expr.Word(t.text());
                if (peek().isPunct('(')) {
                    take();
                    List<Expr> args = peek().isPunct(')') ? List.of() : exprList(')');
                    expectPunct(')', "',' or ')' closing " + t.text() + "(");
                    e = new Expr.Call(t.text(), args);
                }
                if (peek().isPunct('=')) {
                    take();
                    e = new Expr.Binary("=", e, expr());
                }
                return e;
            }
            case PUNCT -> {
                if (t.isPunct('[') || t.isPunct('{')) {
                    char close = t.isPunct('[') ? ']' : '}';
                    take();
                    List<Expr> items = peek().isPunct(close) ? List.of() : exprList(close);
                    expectPunct(close, "',' or '" + close + "'");
                    return close == ']' ? new Expr.Array(items) : new Expr.Struct(items);
                }
                if (t.isPunct('-') && peekAt(1).kind() == Kind.INTEGER) {
                    take();
                    Token n = take();
                    return new Expr.Int(-Long.parseLong(n.text()), "-" + n.text());
                }
                throw error("an expression", t);
            }
            default -> throw error("an expression", t);
        }
    }

    // ---- tokens

    private Token peek() {
        return tokens.get(at);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token take() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.END) {
            at++;
        }
        return t;
    }

    private long integer(String what) {
        Token t = peek();
        if (t.kind() == Kind.INTEGER) {
            take();
            return Long.parseLong(t.text());
        }
        if (t.kind() == Kind.HEX_INTEGER) {
            take();
            return Long.parseUnsignedLong(t.text().substring(2), 16);
        }
        throw error(what, t);
    }

    private void expectPunct(char c, String what) {
        if (!peek().isPunct(c)) {
            throw error(what, peek());
        }
        take();
    }

    private void expectWord(String w, String what) {
        if (!peek().is(Kind.WORD, w)) {
            throw error(what, peek());
        }
        take();
    }

    private PktSyntaxError error(String expected, Token found) {
        return new PktSyntaxError(file, found.line(), expected, found.describe());
    }
}
