package tcpct.wire;

/** The wire could not be opened, written or read: a harness error, never a verdict on the target. */
public final class WireException extends RuntimeException {
    public WireException(String message, Throwable cause) {
        super(message, cause);
    }
}
