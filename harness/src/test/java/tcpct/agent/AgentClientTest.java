package tcpct.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.Test;

public class AgentClientTest {

    /** A bound of 200 ms instead of {@link AgentClient#CALL_TIMEOUT}'s 15 s, to keep the test short. */
    private static final Duration SHORTER = Duration.ofMillis(200).minus(AgentClient.CALL_TIMEOUT);

    @Test
    public void aLateAnswerToACallThatTimedOutDoesNotBreakTheNextCall() throws Exception {
        Path dir = Files.createTempDirectory("tcpct-agent-test");
        Path sock = dir.resolve("agent.sock");
        CountDownLatch firstGaveUp = new CountDownLatch(1);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<Void> agent = CompletableFuture.runAsync(() -> {
                try (SocketChannel ch = server.accept();
                        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8))) {
                    assertThat(in.readLine()).contains("\"id\":1");
                    if (!firstGaveUp.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the first call never gave up");
                    }
                    write(ch, "{\"id\":1,\"ok\":true,\"endpoints\":[]}\n"); // too late for call 1
                    assertThat(in.readLine()).contains("\"id\":2");
                    write(ch, "{\"id\":2,\"ok\":true,\"endpoints\":[]}\n");
                    in.readLine(); // until the client hangs up
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (AgentClient client = AgentClient.connect(sock, () -> "test agent")) {
                assertThatThrownBy(() -> client.call("states", Map.of(), SHORTER)).isInstanceOf(AgentException.class)
                        .hasMessageContaining("did not answer states within 200 ms");
                firstGaveUp.countDown();
                assertThat(client.call("states", Map.of(), SHORTER).path("id").asInt()).isEqualTo(2);
            }
            agent.get(10, TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    private static void write(SocketChannel ch, String line) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
