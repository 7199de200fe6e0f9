package tcpct.pkt;

import java.util.List;

/**
 * A parsed packetdrill script: the options written at its top ({@code --tolerance_usecs=10000}) and its
 * events in file order (a shell command before the first timed event or after the last is an event without
 * a time). Immutable.
 */
public record PktScript(String file, List<Setting> options, List<Event> events) {

    public PktScript {
        options = List.copyOf(options);
        events = List.copyOf(events);
    }

    /** {@code --name=value}, or {@code --name} alone (value null). */
    public record Setting(int line, String name, String value) {
    }

    /** One line of the script: when, and what. */
    public record Event(int line, EventTime time, Action action) {
    }
}
