package tcpct.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;

public class DistributionTest {

    @Test
    public void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        Distribution d = Distribution.of(List.of(9.0, 1.0, 5.0));
        assertThat(d.median()).isEqualTo(5.0);
        assertThat(d.min()).isEqualTo(1.0);
        assertThat(d.max()).isEqualTo(9.0);
        assertThat(d.count()).isEqualTo(3);
    }

    @Test
    public void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(Distribution.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
    }

    @Test
    public void p95IsTheNearestRankSoAlwaysAMeasuredValue() {
        List<Double> hundred = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            hundred.add((double) i);
        }
        assertThat(Distribution.of(hundred).p95()).isEqualTo(95.0);
        // 20 values: rank ceil(0.95*20) = 19
        List<Double> twenty = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            twenty.add(i * 10.0);
        }
        assertThat(Distribution.of(twenty).p95()).isEqualTo(190.0);
        // 3 values: rank ceil(2.85) = 3, the max
        assertThat(Distribution.of(List.of(1.0, 2.0, 30.0)).p95()).isEqualTo(30.0);
        assertThat(Distribution.of(List.of(7.0)).p95()).isEqualTo(7.0);
    }

    @Test
    public void anEmptySampleIsRefused() {
        assertThatThrownBy(() -> Distribution.of(List.of())).hasMessageContaining("at least one measured value");
    }

    @Test
    public void percentileOutsideOneToHundredIsRefused() {
        assertThatThrownBy(() -> Distribution.percentile(List.of(1.0), 0)).hasMessageContaining("1..100");
    }
}
