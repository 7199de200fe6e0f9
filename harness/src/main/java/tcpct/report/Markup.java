package tcpct.report;

/** Escaping for the HTML, SVG and XML the report writes (text and attribute values alike). */
final class Markup {

    private Markup() {
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
