package tcpct.agent;

/** The agent could not be reached, died, or did not answer in time: the harness cannot go on (ERROR). */
public class AgentException extends RuntimeException {
    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
