package tcpct.segment;

/** One field of a segment that differs from what a scenario expected. */
public record FieldMismatch(String field, String expected, String actual) {

    @Override
    public String toString() {
        return field + ": expecting " + expected + ", but was " + actual;
    }
}
