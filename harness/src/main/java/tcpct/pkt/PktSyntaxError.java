package tcpct.pkt;

/** A script that is not packetdrill: {@code file:line: expected X, found Y}. */
public final class PktSyntaxError extends RuntimeException {

    private final String file;
    private final int line;

    PktSyntaxError(String file, int line, String expected, String found) {
        super(file + ":" + line + ": expected " + expected + ", found " + found);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
