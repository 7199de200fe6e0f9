package tcpct.scenario;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A scenario's stable id (never renumbered: baselines and CI history key on it), e.g.
 * {@code establish/passive-open}. The title is the TestNG {@code @Test(description)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Scenario {
    String id();
}
