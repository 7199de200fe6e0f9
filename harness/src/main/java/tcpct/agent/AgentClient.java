package tcpct.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The harness's side of the agent protocol (targets/AGENT-PROTOCOL.md): line-delimited JSON over a Unix
 * socket that is bind-mounted into the target container, so control never uses the network under test.
 * Calls are synchronous; each waits for its answer at most {@link #CALL_TIMEOUT}.
 */
public final class AgentClient implements AutoCloseable {

    /**
     * Bound on one command's answer. Commands that wait inside the agent add their own timeout to it. A bound for a
     * dead or hung agent, not a timing check: 15 s, since on 2 cores at a load average of 10 to 14 (two soaks and
     * stress-ng, 2026-12-04) answers that took more than the 5 s it used to be turned into ERRORs.
     */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode EOF = JSON.createObjectNode().put("eof", true);

    private final SocketChannel channel;
    private final LinkedBlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Supplier<String> diagnosis;
    private int nextId = 1;
    private volatile String readFailure;
    private volatile boolean gone;

    private AgentClient(SocketChannel channel, Supplier<String> diagnosis) {
        this.channel = channel;
        this.diagnosis = diagnosis;
        this.reader = new Thread(this::readLoop, "tcpct-agent-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Connects to the agent's control socket. {@code diagnosis} says, when the agent is gone, why
     * (for example the container's exit code and last log line), for the one-line error.
     */
    public static AgentClient connect(Path socket, Supplier<String> diagnosis) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new AgentClient(ch, diagnosis);
        } catch (IOException e) {
            throw new AgentException("cannot reach the agent at " + socket + " (" + e.getMessage() + "): " + diagnosis.get(), e);
        }
    }

    /** Sends one command and returns its answer; throws {@link AgentError} when the agent says ok=false. */
    public synchronized JsonNode call(String cmd, Map<String, ?> args, Duration extraWait) {
        ObjectNode req = JSON.createObjectNode();
        int id = nextId++;
        req.put("id", id);
        req.put("cmd", cmd);
        args.forEach((k, v) -> req.set(k, JSON.valueToTree(v)));
        try {
            byte[] line = (JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new AgentException("the agent exited (cannot send " + cmd + ": " + why + "): " + diagnosis.get(), e);
        }
        Duration bound = CALL_TIMEOUT.plus(extraWait);
        long deadline = System.nanoTime() + bound.toNanos();
        JsonNode answer;
        try {
            do {
                answer = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                // Calls are sequential, so an answer with a smaller id is the late answer to an earlier call
                // that gave up waiting for it: discard it rather than take it for this call's answer.
            } while (answer != null && answer != EOF && answer.path("id").isInt() && answer.path("id").asInt() < id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted while waiting for the agent's answer to " + cmd);
        }
        if (answer == null) {
            throw new AgentException("the agent did not answer " + cmd + " within " + bound.toMillis() + " ms: " + diagnosis.get());
        }
        if (answer == EOF) {
            answers.add(EOF); // every later call fails the same way
            throw new AgentException("the agent exited" + (readFailure != null ? " (" + readFailure + ")" : "")
                    + " while answering " + cmd + ": " + diagnosis.get());
        }
        if (answer.path("id").asInt(-1) != id) {
            throw new AgentException("the agent answered request " + answer.path("id") + " to request " + id + " (" + cmd + "): protocol broken");
        }
        if (!answer.path("ok").asBoolean(false)) {
            throw new AgentError(cmd, answer.path("errno").asText("E?"), answer.path("error").asText(""));
        }
        long[] first = firstBegan.get();
        if (first[0] == 0 && answer.path("at").canConvertToLong()) {
            first[0] = answer.path("at").asLong();
        }
        return answer;
    }

    /** Per calling thread: the {@code at} of the first successful call since {@link #startTiming} (0: none yet). */
    private final ThreadLocal<long[]> firstBegan = ThreadLocal.withInitial(() -> new long[1]);

    /** Starts timing a step of several calls on this thread: {@link #firstBegan} then tells when the agent began the first. */
    public void startTiming() {
        firstBegan.get()[0] = 0;
    }

    /**
     * When the agent began the first call this thread made since {@link #startTiming}, in ns on CLOCK_REALTIME
     * (the reply's {@code at}, protocol 2); empty for an agent that does not say.
     */
    public java.util.OptionalLong firstBegan() {
        long at = firstBegan.get()[0];
        return at == 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
    }

    public JsonNode call(String cmd, Map<String, ?> args) {
        return call(cmd, args, Duration.ZERO);
    }

    /** Every TCP endpoint the stack has now. */
    public List<Endpoint> states() {
        JsonNode a = call("states", Map.of());
        List<Endpoint> out = new ArrayList<>();
        for (JsonNode e : a.path("endpoints")) {
            out.add(Endpoint.of(e.path("local").asText(), e.path("remote").asText(), e.path("state").asText()));
        }
        return out;
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    answers.add(JSON.readTree(line));
                } catch (IOException e) {
                    readFailure = "unparsable answer: " + line;
                    break;
                }
            }
        } catch (IOException e) {
            readFailure = e.getMessage();
        } finally {
            gone = true;
            answers.add(EOF);
        }
    }

    /** Whether the agent closed its end of the control socket (it exited, or its container did). */
    public boolean gone() {
        return gone;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a socket whose peer is gone: nothing left to release
        }
    }

    /** A request's arguments from name, value pairs, in order: {@code args("sock", 5, "how", "wr")}. */
    public static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
