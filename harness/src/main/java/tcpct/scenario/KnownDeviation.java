package tcpct.scenario;

import org.testng.SkipException;

/**
 * A verdict other than PASSED that the target's baseline (expected.json) expects, with its reason. Allure
 * shows it as skipped, in the category "Known deviations", never among the red conformance failures:
 * a run whose every verdict is as expected (exit 0) has no red in its report. The verdict itself
 * (FAILED, NON_STRICT, UNIMPLEMENTED) stays what the scenario found, in summary.json and junit.xml.
 */
public final class KnownDeviation extends SkipException {

    /** What every known deviation's message starts with (the report's category matches it). */
    public static final String PREFIX = "known deviation";

    public KnownDeviation(Verdict verdict, String reason, String observed) {
        super(PREFIX + " (" + verdict + ", as expected.json says: " + reason + "): " + observed);
    }

    @Override
    public boolean isSkip() {
        return true;
    }
}
