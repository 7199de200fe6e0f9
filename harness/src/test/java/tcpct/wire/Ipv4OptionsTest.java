package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;

public class Ipv4OptionsTest {

    @Test
    public void noOperationOctetsAreSkippedAndEndOfListEndsTheArea() {
        byte[] area = {1, (byte) 0x83, 7, 4, (byte) 192, 0, 2, 9, 0, (byte) 0x89, 3, 0};
        assertThat(Ipv4Options.parse(area)).containsExactly(new byte[] {(byte) 0x83, 7, 4, (byte) 192, 0, 2, 9});
        assertThat(Ipv4Options.first(area, Ipv4Options.LSRR)).containsExactly((byte) 0x83, 7, 4, (byte) 192, 0, 2, 9);
        assertThat(Ipv4Options.first(area, Ipv4Options.SSRR)).isNull();
    }

    @Test
    public void aLengthBelowTwoOrPastTheAreaEndsIt() {
        assertThat(Ipv4Options.parse(new byte[] {(byte) 0x9e, 4, 0, 0, (byte) 0x83, 1, 0, 0})).hasSize(1);
        assertThat(Ipv4Options.parse(new byte[] {(byte) 0x83, 9, 4, 0})).isEmpty();
        assertThat(Ipv4Options.parse(new byte[] {(byte) 0x83})).isEmpty();
    }
}
