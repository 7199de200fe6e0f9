package tcpct.scenario;

/**
 * The scenario's lab broke under it: its container exited, its agent vanished or the Docker engine went
 * away. Not the stack's fault, so the scenario's verdict is ERROR, with the cause.
 */
public final class LabLost extends RuntimeException {

    public LabLost(String cause) {
        super(cause);
    }
}
