package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.testng.annotations.Test;

public class HelpTest {

    /** What {@code Main.execute(args)} printed and returned; the catalog fails the test if anything asks for it. */
    record Said(int exit, String out, String err) {
    }

    static Said execute(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.execute(args, () -> {
                throw new AssertionError("this command must not scan the scenarios, let alone run them");
            });
            return new Said(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    public void everyCommandHasHelpThatRunsNothing() {
        for (Help.Command c : Help.COMMANDS) {
            Said viaHelp = execute("help", c.name());
            assertThat(viaHelp.exit()).as(c.name()).isZero();
            assertThat(viaHelp.out()).startsWith("usage: ./tcpct " + c.name()).contains(c.what());
            c.options().forEach(o -> assertThat(viaHelp.out()).as(c.name()).contains(o.name()).contains(o.what()));
            if (!c.name().equals("help")) {
                Said viaOption = execute(c.name(), "--help");
                assertThat(viaOption).isEqualTo(viaHelp);
                assertThat(execute(c.name(), "--target", "x", "-h").out()).isEqualTo(viaHelp.out());
            }
        }
    }

    @Test
    public void usageListsEveryCommandOnStdoutWhenAskedAndOnStderrWithExit2WhenNot() {
        Said asked = execute("--help");
        assertThat(asked.exit()).isZero();
        Help.COMMANDS.forEach(c -> assertThat(asked.out()).contains("  " + c.name() + " "));
        assertThat(asked.err()).isEmpty();
        Said bare = execute();
        assertThat(bare.exit()).isEqualTo(2);
        assertThat(bare.out()).isEmpty();
        assertThat(bare.err().strip()).isEqualTo(asked.out().strip());
    }

    @Test
    public void versionAndUnknownCommands() {
        Said v = execute("--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("tcpct ");
        Said unknown = execute("help", "nosuch");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("tcpct: unknown command 'nosuch': use " + Help.names() + ""
                + " (./tcpct --help)");
    }

    @Test
    public void theOptionParsersTakeTheirNamesFromTheTable() {
        assertThat(Soak.OPTIONS).isEqualTo(Help.of("soak").optionNames());
        assertThat(Bench.OPTIONS).isEqualTo(Help.of("bench").optionNames());
        assertThat(Help.of("run").flagNames()).containsExactly("--update-baseline");
        assertThat(Help.of("run").optionNames()).contains("--history", "--baseline", "--fault");
    }
}
