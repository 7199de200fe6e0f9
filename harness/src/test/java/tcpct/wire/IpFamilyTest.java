package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.testng.annotations.Test;

public class IpFamilyTest {

    @Test
    public void theIpOptionNamesOneOrBothVersionsIpv4First() {
        assertThat(IpFamily.parse("4")).containsExactly(IpFamily.IPV4);
        assertThat(IpFamily.parse("6")).containsExactly(IpFamily.IPV6);
        assertThat(IpFamily.parse("both")).isEqualTo(List.of(IpFamily.IPV4, IpFamily.IPV6));
        assertThat(IpFamily.parse("ipv6")).isNull();
    }

    @Test
    public void anIpv6RunIsNamedBySuffixAndTheIpv4IdsStayAsTheyWere() {
        assertThat(IpFamily.ofId("close/active-close@ipv6")).isEqualTo(IpFamily.IPV6);
        assertThat(IpFamily.ofId("close/active-close")).isEqualTo(IpFamily.IPV4);
        assertThat(IpFamily.baseId("grid/LISTEN/SYN/any@ipv6")).isEqualTo("grid/LISTEN/SYN/any");
        assertThat(IpFamily.baseId("grid/LISTEN/SYN/any")).isEqualTo("grid/LISTEN/SYN/any");
    }

    @Test
    public void addressesAreDocumentationOnlyAndTheDefaultMssesAreMust15s() {
        assertThat(IpFamily.IPV6.peerAddress().getAddress()).startsWith((byte) 0x20, (byte) 0x01, (byte) 0x0d, (byte) 0xb8);
        assertThat(IpFamily.IPV4.targetAddress().getHostAddress()).isEqualTo("192.0.2.2");
        assertThat(IpFamily.IPV4.defaultMss).isEqualTo(536);
        assertThat(IpFamily.IPV6.defaultMss).isEqualTo(1220);
        assertThat(IpFamily.IPV6.synMss).as("1500 less 40 of IPv6 and 20 of TCP").isEqualTo(1440);
    }

    @Test
    public void thePeerIsRecognisedInAnySpellingOfItsAddress() {
        assertThat(IpFamily.IPV6.isPeer("2001:db8::1")).isTrue();
        assertThat(IpFamily.IPV6.isPeer("2001:0db8:0000:0000:0000:0000:0000:0001")).isTrue();
        assertThat(IpFamily.IPV6.isPeer("2001:db8::2")).isFalse();
        assertThat(IpFamily.IPV6.isPeer("192.0.2.1")).isFalse();
        assertThat(IpFamily.IPV4.isPeer("192.0.2.1")).isTrue();
        assertThat(IpFamily.IPV4.isPeer("2001:db8::1")).isFalse();
    }
}
