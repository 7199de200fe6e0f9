package tcpct.scenario;

/**
 * The stack under test died (its agent or container gone, or hung) from what the scenario sent it on purpose,
 * a malformed or hostile segment: that is the stack's verdict to give, FAILED, not a harness ERROR, although
 * its lab is lost ({@link LabLost} otherwise turns a lost lab into ERROR).
 */
public final class StackDied extends ConformanceFailure {

    public StackDied(String sentence) {
        super(sentence);
    }
}
