package tcpct.cli;

/** The run cannot be made as asked (bad option, unknown target or scenario, no root, no engine): exit 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
