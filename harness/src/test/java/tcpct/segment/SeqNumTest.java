package tcpct.segment;

import static org.assertj.core.api.Assertions.assertThat;

import org.testng.annotations.Test;

public class SeqNumTest {

    @Test
    public void plusWrapsAroundAt2To32() {
        SeqNum top = SeqNum.of(0xffff_fffeL);
        assertThat(top.plus(3).unsigned()).isEqualTo(1L);
        assertThat(top.plus(2).unsigned()).isZero();
    }

    @Test
    public void comparisonIsModular() {
        SeqNum a = SeqNum.of(0xffff_fff0L);
        SeqNum b = SeqNum.of(0x10);
        assertThat(a.lt(b)).as("0xfffffff0 lies before 0x10 across the wrap").isTrue();
        assertThat(b.gt(a)).isTrue();
        assertThat(b.minus(a)).isEqualTo(0x20);
        assertThat(a.minus(b)).isEqualTo(-0x20);
        assertThat(a.le(a)).isTrue();
        assertThat(a.lt(a)).isFalse();
    }

    @Test
    public void halfTheSpaceAheadCountsAsBehind() {
        SeqNum zero = SeqNum.of(0);
        assertThat(SeqNum.of(0x7fff_ffffL).gt(zero)).isTrue();
        assertThat(SeqNum.of(0x8000_0000L).gt(zero)).as("2^31 ahead is ambiguous: RFC arithmetic calls it behind").isFalse();
    }

    @Test
    public void withinIsHalfOpenAndWraps() {
        SeqNum lo = SeqNum.of(0xffff_ff00L);
        SeqNum hi = lo.plus(0x200);
        assertThat(SeqNum.of(0xffff_ff00L).within(lo, hi)).isTrue();
        assertThat(SeqNum.of(0x50).within(lo, hi)).isTrue();
        assertThat(hi.within(lo, hi)).isFalse();
        assertThat(lo.plus(-1).within(lo, hi)).isFalse();
    }

    @Test
    public void printsUnsigned() {
        assertThat(SeqNum.of(0xffff_ffffL)).hasToString("4294967295");
    }
}
