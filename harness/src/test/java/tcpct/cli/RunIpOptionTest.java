package tcpct.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.testng.annotations.Test;
import tcpct.wire.IpFamily;

public class RunIpOptionTest {

    private static final Path HOME = Path.of("/nonexistent/tcpct");

    @Test
    public void runsOverIpv4UnlessTold() throws Exception {
        assertThat(Main.parseRun(new String[] {"run"}, HOME).ip()).containsExactly(IpFamily.IPV4);
        assertThat(Main.parseRun(new String[] {"run", "--ip", "6"}, HOME).ip()).containsExactly(IpFamily.IPV6);
        assertThat(Main.parseRun(new String[] {"run", "--ip", "both"}, HOME).ip()).containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    }

    @Test
    public void aWrongIpVersionIsOneLineNamingTheChoices() {
        assertThatThrownBy(() -> Main.parseRun(new String[] {"run", "--ip", "v6"}, HOME)).isInstanceOf(UsageException.class)
                .hasMessage("--ip v6 is none of 4, 6, both: give the IP version(s) to run each scenario over");
    }
}
