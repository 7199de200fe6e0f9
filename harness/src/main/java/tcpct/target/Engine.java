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

    public static final String SOCKET = "unix:///var/run/docker.sock";

    private Engine() {
    }

    /** A client for the engine that answers a ping, or a one-line error that says how to start one. */
    public static DockerClient connect() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(SOCKET).build();
        DockerHttpClient http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .maxConnections(16).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofMinutes(5)).build();
        DockerClient docker = DockerClientImpl.getInstance(config, http);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new TargetException("no Docker engine answers at " + SOCKET + " (" + e.getMessage()
                    + "): start one with ./tcpct (it installs and starts dockerd) or `dockerd --iptables=false --bridge=none &`", e);
        }
        return docker;
    }
}
