package tcpct.target;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;

/** The local Docker engine, reached on its Unix socket with docker-java. */
public final class Engine {

    /** The engine's socket: {@code DOCKER_HOST} when it names a Unix socket (as for the docker CLI), else Docker's default. */
    public static final String SOCKET = socket(System.getenv("DOCKER_HOST"));

    private Engine() {
    }

    /** A client for the engine that answers a ping, or a one-line error that says how to start one. */
    public static DockerClient connect() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(SOCKET).build();
        DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .maxConnections(100).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofMinutes(5)).build();
        DockerClient docker = DockerClientImpl.getInstance(config, http);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new TargetException("no Docker engine answers at " + SOCKET + " (" + e.getMessage()
                    + "): start one with ./tcpct (it installs and starts dockerd) or `dockerd --iptables=false --bridge=none &`", e);
        }
        return docker;
    }

    static String socket(String dockerHost) {
        return dockerHost != null && dockerHost.startsWith("unix://") ? dockerHost : "unix:///var/run/docker.sock";
    }

    /** Whether the engine answers a ping now (false while it is down or restarting). */
    public static boolean answers(DockerClient docker) {
        try {
            docker.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
