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

    /**
     * For a data-driven scenario (a TestNG data provider that passes the id as its first argument): the
     * class that lists every id the method runs under, e.g. one per cell of the state x segment grid.
     * Each id is then a scenario of its own for selection, baselines and reports.
     */
    Class<? extends java.util.function.Supplier<java.util.List<String>>> expand() default NoExpansion.class;

    /**
     * Why the scenario has no IPv6 form (e.g. it spoils the IPv4 header checksum, which IPv6 does not have), or empty:
     * {@code --ip 6|both} then runs it over IPv4 only, and there is no {@code @ipv6} id of it.
     */
    String ipv4Only() default "";

    /** The default of {@link #expand}: the method is one scenario with {@link #id}. */
    final class NoExpansion implements java.util.function.Supplier<java.util.List<String>> {
        @Override
        public java.util.List<String> get() {
            return java.util.List.of();
        }
    }
}
