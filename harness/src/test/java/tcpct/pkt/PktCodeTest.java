package tcpct.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Map;
import org.testng.annotations.Test;

public class PktCodeTest {

    private static Map<String, BigInteger> info(Object... kv) {
        java.util.Map<String, BigInteger> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], BigInteger.valueOf(((Number) kv[i + 1]).longValue()));
        }
        return m;
    }

    @Test
    public void anAssertionThatHoldsFailsNothing() {
        PktCode.Outcome o = new PktCode().run(" assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd ", 7, info("tcpi_snd_cwnd", 10));
        assertThat(o.failed()).isNull();
    }

    @Test
    public void aFailedAssertionNamesItsLineWhatItReadAndItsMessage() {
        PktCode.Outcome o = new PktCode().run("\nassert tcpi_snd_cwnd == 10, 'cwnd=%d' % tcpi_snd_cwnd\n", 7, info("tcpi_snd_cwnd", 12));
        assertThat(o.failed()).isNotNull();
        assertThat(o.failed().line()).isEqualTo(8);
        assertThat(o.failed().assertion()).isEqualTo("assert tcpi_snd_cwnd == 10");
        assertThat(o.failed().readText()).isEqualTo("tcpi_snd_cwnd was 12");
        assertThat(o.failed().message()).isEqualTo("cwnd=12");
    }

    @Test
    public void chainedComparisonsBitsAndSymbolsAreEvaluatedAsPythonDoes() {
        PktCode c = new PktCode();
        Map<String, BigInteger> i = info("tcpi_rtt", 9000, "tcpi_options", 7, "tcpi_snd_ssthresh", 0x7fffffff, "tcpi_ca_state", 3);
        assertThat(c.run("assert 5000 <= tcpi_rtt <= 20000, 'srtt=%d us' % tcpi_rtt", 1, i).failed()).isNull();
        assertThat(c.run("assert 10000 <= tcpi_rtt <= 20000", 1, i).failed()).isNotNull();
        assertThat(c.run("assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0, tcpi_options", 1, i).failed()).isNull();
        assertThat(c.run("assert (tcpi_options & TCPI_OPT_SACK) != 0", 1, i).failed()).isNull();
        assertThat(c.run("assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH; assert tcpi_ca_state == TCP_CA_Recovery", 1, i).failed()).isNull();
        assertThat(c.run("assert not tcpi_ca_state == TCP_CA_Open and tcpi_rtt > 0 or False", 1, i).failed()).isNull();
        assertThat(c.run("assert -7 // 2 == -4 and -7 % 2 == 1 and 1 << 3 == 8 and 0x10 | 1 == 17", 1, i).failed()).isNull();
    }

    @Test
    public void namesAssignedInOneBlockAreSeenByTheNext() {
        PktCode c = new PktCode();
        assertThat(c.run("print(tcpi_snd_cwnd); cwnd = 58; assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd", 1, info("tcpi_snd_cwnd", 58)).failed())
                .isNull();
        PktCode.Outcome o = c.run("print(tcpi_snd_cwnd); cwnd += 10; assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd", 2, info("tcpi_snd_cwnd", 67));
        assertThat(o.printed()).containsExactly("67");
        assertThat(o.failed().readText()).isEqualTo("tcpi_snd_cwnd was 67, cwnd was 68");
    }

    @Test
    public void commentsAndContinuationsAreSkipped() {
        PktCode.Outcome o = new PktCode().run("\n# a comment\nassert tcpi_lost == 0 \\\n   and tcpi_sacked == 0, tcpi_lost # why\n", 3,
                info("tcpi_lost", 0, "tcpi_sacked", 0));
        assertThat(o.failed()).isNull();
    }

    @Test
    public void anUnknownNameIsUndefinedAndPythonBeyondTheSubsetIsUnsupported() {
        assertThatThrownBy(() -> new PktCode().run("assert tcpi_nonesuch == 1", 4, info()))
                .isInstanceOf(PktCode.Undefined.class).hasMessage("name tcpi_nonesuch is not defined");
        assertThatThrownBy(() -> new PktCode().run("if tcpi_lost: assert False", 4, info("tcpi_lost", 1)))
                .isInstanceOf(PktCode.Unsupported.class).hasMessageContaining("'if'");
        assertThatThrownBy(() -> new PktCode().run("assert min(tcpi_lost, 2) == 1", 4, info("tcpi_lost", 1)))
                .isInstanceOf(PktCode.Unsupported.class).hasMessageContaining("min(");
        assertThatThrownBy(() -> new PktCode().run("assert tcpi_rtt / 3 == 1", 4, info("tcpi_rtt", 4)))
                .isInstanceOf(PktCode.Unsupported.class).hasMessageContaining("integers only");
    }
}
