package tcpct.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.testng.annotations.Test;

public class MachineFactsTest {

    @Test
    public void loadAveragesAreTheFirstThreeFieldsOfProcLoadavg() {
        assertThat(MachineFacts.parseLoadAverage("11.54 7.02 3.43 9/812 31228\n")).containsExactly(11.54, 7.02, 3.43);
    }

    @Test
    public void aShortLineIsRefusedWithWhatWasRead() {
        assertThatThrownBy(() -> MachineFacts.parseLoadAverage("0.5")).hasMessageContaining("but was '0.5'");
    }

    @Test
    public void thisMachinesFactsAreRead() {
        MachineFacts m = MachineFacts.now();
        assertThat(m.cpus()).isPositive();
        assertThat(m.kernel()).isNotBlank();
        assertThat(m.loadAverageAtStart()).hasSize(3);
    }
}
