package tcpct.scenario;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.testng.annotations.Test;
import tcpct.state.Edge;

/** A scenario's identity and tags, read from its annotations. */
public record ScenarioInfo(String id, String title, List<Edge> declaredEdges, List<String> rfc, List<String> sections) {

    /** A data-driven scenario's info: its id is its first parameter. */
    public static ScenarioInfo of(Method m, Object[] parameters) {
        ScenarioInfo base = of(m);
        Scenario s = m.getAnnotation(Scenario.class);
        if (s.expand() == Scenario.NoExpansion.class || parameters == null || parameters.length == 0) {
            return base;
        }
        String id = String.valueOf(parameters[0]);
        return new ScenarioInfo(id, base.title() + ": " + id.substring(id.indexOf('/') + 1), base.declaredEdges(), base.rfc(), base.sections());
    }

    public static ScenarioInfo of(Method m) {
        Scenario s = m.getAnnotation(Scenario.class);
        if (s == null) {
            throw new IllegalStateException(m.getDeclaringClass().getSimpleName() + "." + m.getName()
                    + " has no @Scenario(id = ...): every scenario needs a stable id");
        }
        Test t = m.getAnnotation(Test.class);
        String title = t != null && !t.description().isEmpty() ? t.description() : m.getName();
        Rfc9293 r = m.getAnnotation(Rfc9293.class);
        List<Edge> edges = new ArrayList<>();
        List<String> rfc = new ArrayList<>();
        List<String> sections = new ArrayList<>();
        if (r != null) {
            Arrays.stream(r.edges()).map(Edge::valueOf).forEach(edges::add);
            sections.addAll(Arrays.asList(r.section()));
            rfc.addAll(sections);
            rfc.addAll(Arrays.asList(r.requirements()));
        }
        return new ScenarioInfo(s.id(), title, List.copyOf(edges), List.copyOf(rfc), List.copyOf(sections));
    }

    /** The scenario's run over {@code family}: the same, its id suffixed (IPv6: {@code @ipv6}; IPv4: unchanged). */
    public ScenarioInfo over(tcpct.wire.IpFamily family) {
        return family.idSuffix.isEmpty() ? this : new ScenarioInfo(id + family.idSuffix, title, declaredEdges, rfc, sections);
    }

    /** The file name of the scenario's pcap: its id with slashes made underscores. */
    public String fileStem() {
        return id.replace('/', '_');
    }
}
