package tcpct.scenario;

/** The target broke a MUST of RFC 9293 or the state diagram: verdict FAILED. */
public class ConformanceFailure extends AssertionError {
    public ConformanceFailure(String sentence) {
        super(sentence);
    }
}
