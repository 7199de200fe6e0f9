package tcpct.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testng.annotations.Test;
import tcpct.state.Edge;

public class StateDiagramTest {

    private static Map<String, double[]> labels(String svg) {
        Map<String, double[]> at = new HashMap<>();
        Matcher m = Pattern.compile("<text x=\"(-?\\d+)\" y=\"(-?\\d+)\" fill=\"[^\"]+\" font-size=\"11\"[^>]*>(E\\d+)</text>").matcher(svg);
        while (m.find()) {
            at.put(m.group(3), new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return at;
    }

    @Test
    public void noTwoEdgeLabelsShareASpot() {
        Map<String, double[]> at = labels(StateDiagram.svg(Set.of(), Set.of(), Set.of()));
        assertThat(at).hasSize(Edge.values().length);
        for (var a : at.entrySet()) {
            for (var b : at.entrySet()) {
                if (a.getKey().compareTo(b.getKey()) < 0) {
                    // a label is about 22 x 11 px: closer than that in both directions, they overlap
                    boolean overlap = Math.abs(a.getValue()[0] - b.getValue()[0]) < 24 && Math.abs(a.getValue()[1] - b.getValue()[1]) < 12;
                    assertThat(overlap).as(a.getKey() + " at " + java.util.Arrays.toString(a.getValue()) + " and " + b.getKey() + " at "
                            + java.util.Arrays.toString(b.getValue())).isFalse();
                }
            }
        }
    }

    @Test
    public void unimplementedEdgesHaveTheirOwnColour() {
        assertThat(StateDiagram.colour("E5", Set.of(), Set.of(), Set.of("E5"))).isEqualTo(StateDiagram.PURPLE);
        assertThat(StateDiagram.colour("E5", Set.of(), Set.of("E5"), Set.of("E5"))).isEqualTo(StateDiagram.RED);
        assertThat(StateDiagram.colour("E5", Set.of("E5"), Set.of("E5"), Set.of())).isEqualTo(StateDiagram.GREEN);
        assertThat(StateDiagram.colour("E5", Set.of(), Set.of(), Set.of())).isEqualTo(StateDiagram.GREY);
        assertThat(StateDiagram.svg(Set.of(), Set.of(), Set.of("E5"))).contains("purple: unimplemented");
    }
}
