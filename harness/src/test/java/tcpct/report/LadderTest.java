package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testng.annotations.Test;

public class LadderTest {

    private static int attr(String svg, String name) {
        Matcher m = Pattern.compile("<svg[^>]* " + name + "=\"(\\d+)\"").matcher(svg);
        assertThat(m.find()).as(name).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    public void thePictureIsAsWideAndTallAsWhatItDraws() {
        String longLabel = "SYN,ACK seq 0 ack 1 len 1460 and a great deal more text than the old fixed width had room for";
        List<Ladder.Event> events = List.of(new Ladder.Event(0, "SYN seq 0", Ladder.Kind.TO_TARGET),
                new Ladder.Event(1_000_000, longLabel, Ladder.Kind.FROM_TARGET), new Ladder.Event(2_000_000, "TIME-WAIT", Ladder.Kind.STATE));
        String svg = Ladder.svg("close/x", events);
        int width = attr(svg, "width");
        int height = attr(svg, "height");
        assertThat(width).as("the long label ends inside").isGreaterThanOrEqualTo(Ladder.PEER_X + 10 + (int) (longLabel.length() * Ladder.CHAR_W));
        assertThat(width).as("the state box and its time fit").isGreaterThanOrEqualTo(Ladder.TARGET_X + 8 + 130 + 8 + 80);
        assertThat(svg).contains("viewBox=\"0 0 " + width + " " + height + "\"");
        Matcher y = Pattern.compile(" y=\"(\\d+)\"").matcher(svg);
        while (y.find()) {
            assertThat(Integer.parseInt(y.group(1))).as("every row is above the bottom edge").isLessThan(height);
        }
    }

    @Test
    public void retransmissionsAndMissingSegmentsAreMarkedAndSegmentsShowTheirDetailOnHover() {
        String svg = Ladder.svg("establish/simultaneous-open", List.of(
                new Ladder.Event(0, "SYN seq 0", Ladder.Kind.FROM_TARGET, "target > peer SYN seq 0 (6509) win 65535 len 0 options [mss 1460]", false),
                new Ladder.Event(3_000_000_000L, "SYN seq 0", Ladder.Kind.FROM_TARGET, "", true),
                new Ladder.Event(3_100_000_000L, "SYN,ACK seq 0 ack 1", Ladder.Kind.MISSING, "waited 3000 ms after SYN seq 0", false)));
        assertThat(svg).contains("<title>target &gt; peer SYN seq 0 (6509) win 65535 len 0 options [mss 1460]</title>")
                .contains("SYN seq 0  (retransmission)").contains("stroke-dasharray=\"6,3\"")
                .contains("\u2717 SYN,ACK seq 0 ack 1: never came").contains("<title>waited 3000 ms after SYN seq 0</title>")
                .contains("expected, never came");
        assertThat(Ladder.svg("a/b", List.of(new Ladder.Event(0, "SYN seq 0", Ladder.Kind.TO_TARGET))))
                .as("no legend without marks").doesNotContain("retransmission").doesNotContain("never came");
    }
}
