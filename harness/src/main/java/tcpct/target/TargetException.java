package tcpct.target;

/** A target could not be built, started, wired or stopped. The message names the cause and the fix. */
public final class TargetException extends RuntimeException {
    public TargetException(String message) {
        super(message);
    }

    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
