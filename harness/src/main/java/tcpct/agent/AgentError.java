package tcpct.agent;

/**
 * The agent carried out a command and the stack refused it ({@code "ok": false}): a result, not a
 * breakdown. {@code errno} is the symbolic name (ECONNREFUSED, ENOSYS for an unsupported command, ...).
 */
public final class AgentError extends RuntimeException {
    private final String command;
    private final String errno;

    public AgentError(String command, String errno, String message) {
        super(command + " failed: " + errno + " (" + message + ")");
        this.command = command;
        this.errno = errno;
    }

    public String command() {
        return command;
    }

    public String errno() {
        return errno;
    }

    /** The agent does not offer this command for its stack: the scenario is UNIMPLEMENTED for the target. */
    public boolean unsupported() {
        return "ENOSYS".equals(errno);
    }
}
