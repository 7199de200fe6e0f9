package tcpct.pkt;

import java.util.ArrayList;
import java.util.List;
import tcpct.pkt.Token.Kind;

/**
 * Splits a packetdrill script into tokens the way packetdrill's lexer does (its documented token classes):
 * the longest match wins, and between equally long matches the more specific class (an IPv4 address over
 * a float, an integer over a word). Comments ({@code //} to the end of the line and C-style) and white
 * space separate tokens and are dropped.
 */
final class Lexer {

    private final String file;
    private final String src;
    private int pos;
    private int line = 1;

    private Lexer(String file, String src) {
        this.file = file;
        this.src = src;
    }

    static List<Token> tokens(String file, String src) {
        Lexer l = new Lexer(file, src);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = l.next();
            if (t.kind() == Kind.END && !out.isEmpty()) {
                t = new Token(Kind.END, "", out.get(out.size() - 1).line()); // an error at the end points at the last line written
            }
            out.add(t);
        } while (t.kind() != Kind.END);
        return out;
    }

    private Token next() {
        skipSpaceAndComments();
        if (pos >= src.length()) {
            return new Token(Kind.END, "", line);
        }
        int start = pos;
        int startLine = line;
        char c = src.charAt(pos);
        if (src.startsWith("...", pos)) {
            pos += 3;
            return new Token(Kind.ELLIPSIS, "...", startLine);
        }
        if (src.startsWith("%{", pos)) {
            int end = src.indexOf("}%", pos + 2);
            if (end < 0) {
                throw new PktSyntaxError(file, startLine, "'}%' closing the code block", "end of file");
            }
            String body = src.substring(pos + 2, end);
            advanceTo(end + 2);
            return new Token(Kind.CODE, body, startLine);
        }
        if (c == '"' || c == '`') {
            int i = pos + 1;
            StringBuilder b = new StringBuilder();
            while (i < src.length() && src.charAt(i) != c) {
                if (src.charAt(i) == '\\' && i + 1 < src.length()) {
                    // a backquoted command is kept as written (packetdrill's lexer does): the shell reads its escapes
                    // and line continuations; a string loses its backslashes
                    if (c == '`') {
                        b.append('\\');
                    }
                    b.append(src.charAt(i + 1));
                    i += 2;
                    continue;
                }
                b.append(src.charAt(i++));
            }
            if (i >= src.length()) {
                throw new PktSyntaxError(file, startLine, c == '"' ? "'\"' closing the string" : "'`' closing the shell command",
                        "end of file");
            }
            advanceTo(i + 1);
            return new Token(c == '"' ? Kind.STRING : Kind.BACK_QUOTED, b.toString(), startLine);
        }
        if (src.startsWith("--", pos) && pos + 2 < src.length() && isWordChar(src.charAt(pos + 2))) {
            int i = pos + 2;
            while (i < src.length() && isWordChar(src.charAt(i))) {
                i++;
            }
            pos = i;
            return new Token(Kind.OPTION, src.substring(start + 2, i), startLine);
        }
        // the candidates that start with a digit, '-' or '.': the longest wins
        int ipv4 = matchIpv4(pos);
        int ipv6 = matchIpv6(pos);
        int flt = matchFloat(pos);
        int integer = matchInteger(pos);
        int hex = src.startsWith("0x", pos) ? matchRun(pos + 2, Lexer::isHexDigit) : -1;
        int word = isWordChar(c) ? matchRun(pos, Lexer::isWordChar) : -1;
        int best = Math.max(Math.max(Math.max(ipv4, ipv6), Math.max(flt, integer)), Math.max(hex, word));
        if (best > pos) {
            Kind k = best == ipv6 && ipv6 > ipv4 ? Kind.IPV6_ADDR
                    : best == ipv4 ? Kind.IPV4_ADDR
                    : best == flt ? Kind.FLOAT
                    : best == integer ? Kind.INTEGER
                    : best == hex ? Kind.HEX_INTEGER
                    : Kind.WORD;
            pos = best;
            return new Token(k, src.substring(start, best), startLine);
        }
        pos++;
        return new Token(Kind.PUNCT, String.valueOf(c), startLine);
    }

    private void skipSpaceAndComments() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (src.startsWith("//", pos)) {
                int end = src.indexOf('\n', pos);
                pos = end < 0 ? src.length() : end;
            } else if (src.startsWith("/*", pos)) {
                int end = src.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw new PktSyntaxError(file, line, "'*/' closing the comment", "end of file");
                }
                advanceTo(end + 2);
            } else {
                return;
            }
        }
    }

    private void advanceTo(int end) {
        for (int i = pos; i < end; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        pos = end;
    }

    private int matchRun(int from, java.util.function.IntPredicate p) {
        int i = from;
        while (i < src.length() && p.test(src.charAt(i))) {
            i++;
        }
        return i > from ? i : -1;
    }

    private int digits(int from) {
        return matchRun(from, Character::isDigit);
    }

    /** {@code -?[0-9]*\.[0-9]+} */
    private int matchFloat(int from) {
        int i = from;
        if (i < src.length() && src.charAt(i) == '-') {
            i++;
        }
        int d = digits(i);
        if (d > 0) {
            i = d;
        }
        if (i < src.length() && src.charAt(i) == '.') {
            int frac = digits(i + 1);
            return frac;
        }
        return -1;
    }

    /** {@code -?[0-9]+} */
    private int matchInteger(int from) {
        int i = from;
        if (i < src.length() && src.charAt(i) == '-') {
            i++;
        }
        return digits(i);
    }

    /** {@code N.N.N.N} */
    private int matchIpv4(int from) {
        int i = from;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (i >= src.length() || src.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
            int d = digits(i);
            if (d < 0) {
                return -1;
            }
            i = d;
        }
        return i;
    }

    private static final java.util.regex.Pattern IPV6 =
            java.util.regex.Pattern.compile("(?:[0-9a-fA-F]{0,4}:)+(?:[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+|[0-9a-fA-F]{1,4})?");

    /**
     * An IPv6 address: hex groups and colons with a {@code ::} or eight groups, optionally ending in an
     * IPv4 address. Sequence ranges such as {@code 1:1001} have neither, so they stay integers.
     */
    private int matchIpv6(int from) {
        java.util.regex.Matcher m = IPV6.matcher(src).region(from, src.length());
        if (!m.lookingAt()) {
            return -1;
        }
        String text = m.group();
        long colons = text.chars().filter(ch -> ch == ':').count();
        if (!text.contains("::") && colons != 7) {
            return -1;
        }
        if (text.contains(":::") || text.indexOf("::") != text.lastIndexOf("::")) {
            return -1;
        }
        return m.end();
    }

    static boolean isWordChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
