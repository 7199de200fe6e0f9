package tcpct.scenario;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** What a scenario checks: RFC 9293 sections, Appendix B requirement IDs (MUST-n, SHLD-n, MAY-n), diagram edges. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Rfc9293 {
    String[] section() default {};

    String[] requirements() default {};

    String[] edges() default {};
}
