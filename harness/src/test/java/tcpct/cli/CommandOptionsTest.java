package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.testng.annotations.Test;

public class CommandOptionsTest {

    private static CommandOptions parse(String... args) {
        return CommandOptions.parse(args, "soak", Soak.OPTIONS);
    }

    @Test
    public void knownOptionsAndDefaults() {
        CommandOptions o = parse("soak", "--times", "3", "--group", "close");
        assertThat(o.number("--times", 20, 2, 1000)).isEqualTo(3);
        assertThat(o.number("--workers", 6, 1, 32)).isEqualTo(6);
        assertThat(o.text("--group", null)).isEqualTo("close");
        assertThat(o.singleTarget()).isEqualTo("linux");
    }

    @Test
    public void badInputIsOneLineNamingTheCauseAndTheFix() {
        assertThatThrownBy(() -> parse("soak", "--tims", "3")).isInstanceOf(UsageException.class)
                .hasMessage("unknown option '--tims' for soak: options are --target, --times, --group, --scenario, --workers, --load, --out (./tcpct soak --help)");
        assertThatThrownBy(() -> parse("soak", "--times")).hasMessage("--times needs a value (./tcpct soak --help)");
        assertThatThrownBy(() -> parse("soak", "--times", "1").number("--times", 20, 2, 1000))
                .hasMessage("--times of soak takes a number from 2 to 1000, got '1'");
        assertThatThrownBy(() -> parse("soak", "--times", "x").number("--times", 20, 2, 1000)).hasMessageContaining("got 'x'");
        assertThatThrownBy(() -> parse("soak", "--target", "all").singleTarget()).hasMessageContaining("one target at a time");
        assertThatThrownBy(() -> parse("soak", "--group", "a", "--group", "b")).hasMessageContaining("given twice");
        for (Throwable t : List.of(catchIt(() -> parse("soak", "--x", "1")))) {
            assertThat(t.getMessage()).doesNotContain("\n");
        }
    }

    private static Throwable catchIt(Runnable r) {
        try {
            r.run();
            return new AssertionError("expecting a UsageException, but none was thrown");
        } catch (UsageException e) {
            return e;
        }
    }
}
