package tcpct.scenario;

/** The target broke only a SHOULD of RFC 9293: verdict NON_STRICT. */
public final class NonStrictDeviation extends ConformanceFailure {
    public NonStrictDeviation(String sentence) {
        super(sentence);
    }
}
