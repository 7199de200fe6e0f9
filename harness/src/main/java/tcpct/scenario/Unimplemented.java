package tcpct.scenario;

import org.testng.SkipException;

/** The target gives no way to drive this scenario: verdict UNIMPLEMENTED (Allure shows it as skipped, with the reason). */
public final class Unimplemented extends SkipException {
    public Unimplemented(String reason) {
        super(reason);
    }

    @Override
    public boolean isSkip() {
        return true;
    }
}
