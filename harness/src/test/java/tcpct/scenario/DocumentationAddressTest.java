package tcpct.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.testng.annotations.Test;

/** The peer puts only documentation addresses on its wire, and never looks a name up. */
public class DocumentationAddressTest {

    @Test
    public void documentationRangesAreTaken() {
        for (String a : new String[] {"192.0.2.255", "233.252.0.1", "2001:db8::7", "ff0e::db8:0:1", "ff02::db8:0:5"}) {
            assertThat(Peer.documentationAddress(a).getHostAddress()).as(a).isNotEmpty();
        }
    }

    @Test
    public void otherAddressesAndNamesAreRefused() {
        for (String a : new String[] {"255.255.255.255", "224.0.0.1", "127.0.0.1", "ff02::1", "2001:db9::1"}) {
            assertThatThrownBy(() -> Peer.documentationAddress(a)).as(a).hasMessageContaining("not a documentation address");
        }
        assertThatThrownBy(() -> Peer.documentationAddress("localhost")).hasMessageContaining("not an address literal");
    }
}
