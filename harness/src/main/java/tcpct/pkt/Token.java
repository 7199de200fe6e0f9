package tcpct.pkt;

/** One lexical token of a packetdrill script, with the line it starts on. */
record Token(Kind kind, String text, int line) {

    enum Kind {
        /** {@code --name}, a command-line option written at the top of a script. */
        OPTION,
        INTEGER,
        HEX_INTEGER,
        FLOAT,
        WORD,
        STRING,
        /** A backquoted shell command, its text without the quotes. */
        BACK_QUOTED,
        /** A {@code %{ ... }%} block, its text without the delimiters. */
        CODE,
        IPV4_ADDR,
        IPV6_ADDR,
        ELLIPSIS,
        /** Any other single character: {@code < > . , : ( ) [ ] { } = | + * ~ -}. */
        PUNCT,
        END
    }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isPunct(char c) {
        return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }

    /** The token as an error message shows it: {@code 'ack'}, {@code end of file}. */
    String describe() {
        return switch (kind) {
            case END -> "end of file";
            case STRING -> "string \"" + text + "\"";
            case BACK_QUOTED -> "shell command `" + text + "`";
            case CODE -> "%{ }% block";
            default -> "'" + text + "'";
        };
    }
}
