package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;

public class WaitProgressTest {

    @Test
    public void aLongWaitSpeaksAfterFiveSecondsThenEveryTenAndAShortOneNever() {
        WaitProgress p = new WaitProgress(s -> { });
        List<String> said = new ArrayList<>();
        for (long ms = 0; ms <= 30_000; ms += 100) {
            String line = p.line(ms, 70_000 - ms, "TIME-WAIT to end");
            if (line != null) {
                said.add(line);
            }
        }
        assertThat(said).containsExactly("5 s into a wait of at most 70 s: TIME-WAIT to end", "15 s into a wait of at most 70 s: TIME-WAIT to end",
                "25 s into a wait of at most 70 s: TIME-WAIT to end");
        assertThat(p.line(100, 1_900, "a new, short wait")).isNull();
        assertThat(p.line(4_900, 100, "a new, short wait")).isNull();
        assertThat(p.line(5_000, Long.MAX_VALUE, "a wait without bound")).isEqualTo("5 s into a wait: a wait without bound");
    }
}
