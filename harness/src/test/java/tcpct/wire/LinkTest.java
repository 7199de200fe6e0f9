package tcpct.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.HexFormat;
import org.testng.annotations.Test;

/** The peer's frames addressed to a broadcast or multicast address carry the MAC that address maps to. */
public class LinkTest {

    private static final Link V4 = new Link(Link.parseMac("02:00:00:00:00:01"), IpFamily.IPV4.peerAddress(),
            Link.parseMac("02:00:00:00:00:02"), IpFamily.IPV4.targetAddress());

    @Test
    public void broadcastAndMulticastAddressesMapToTheirMacs() throws Exception {
        assertThat(V4.broadcast()).isEqualTo(InetAddress.getByName("192.0.2.255"));
        assertThat(mac(V4.addressedTo(V4.broadcast()))).isEqualTo("ffffffffffff");
        assertThat(mac(V4.addressedTo(InetAddress.getByName("233.252.0.1")))).isEqualTo("01005e7c0001"); // low 23 bits: 252 & 0x7f = 0x7c
        Link v6 = V4.over(IpFamily.IPV6);
        assertThat(mac(v6.addressedTo(InetAddress.getByName("ff0e::db8:0:1")))).isEqualTo("333300000001");
        assertThat(mac(V4.addressedTo(InetAddress.getByName("192.0.2.7")))).isEqualTo("020000000002"); // unicast: the target's MAC
        assertThat(V4.from(V4.broadcast()).peerIp()).isEqualTo(V4.broadcast());
        assertThatThrownBy(v6::broadcast).hasMessageContaining("no broadcast");
    }

    private static String mac(Link l) {
        return HexFormat.of().formatHex(l.targetMac());
    }
}
