package tcpct.agent;

import tcpct.state.TcpState;

/**
 * One TCP endpoint of the stack under test, as its agent reports it in answer to {@code states}.
 * {@code state} is null when the agent reports a state outside RFC 9293 ("UNKNOWN", a stack-internal
 * one): such an endpoint still exists, and never matches a state a scenario expects.
 */
public record Endpoint(String localAddr, int localPort, String remoteAddr, int remotePort, TcpState state) {

    /** Parses {@code "192.0.2.2:5000"} or {@code "[2001:db8::2]:5000"}. */
    static String[] splitHostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not an address:port: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new String[] {host, text.substring(colon + 1)};
    }

    public static Endpoint of(String local, String remote, String state) {
        String[] l = splitHostPort(local);
        String[] r = splitHostPort(remote);
        TcpState known = java.util.Arrays.stream(TcpState.values()).filter(x -> x.rfcName().equals(state)).findFirst().orElse(null);
        return new Endpoint(l[0], Integer.parseInt(l[1]), r[0], Integer.parseInt(r[1]), known);
    }

    @Override
    public String toString() {
        return localAddr + ":" + localPort + " <-> " + remoteAddr + ":" + remotePort + " " + state;
    }
}
