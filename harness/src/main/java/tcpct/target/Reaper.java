package tcpct.target;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Removes what an earlier harness run left behind when it was killed: its containers (by label), its
 * host veth ends (by name prefix and alias) and its scratch folder, but only those whose harness process is no longer alive,
 * so two runs on one machine never tear down each other's wires. Touches nothing the harness did not create.
 */
public final class Reaper {

    /** Each run's scratch folder in java.io.tmpdir: this prefix, the run's pid, a dash, random digits. */
    public static final String WORK_DIR_PREFIX = "tcpct-run-";

    private Reaper() {
    }

    /** Returns how many leftovers it removed. */
    public static int reap(DockerClient docker) {
        int removed = 0;
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.OWNER, "1")).exec()) {
            if (!alive(c.getLabels().get(Labels.RUN))) {
                TargetInstance.removeQuietly(docker, c.getId());
                removed++;
            }
        }
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            for (Path link : links.toList()) {
                String name = link.getFileName().toString();
                if (!name.matches(Labels.VETH_PREFIX + "[0-9a-f]{8}")) {
                    continue;
                }
                String alias = readAlias(link);
                if (alias.startsWith(VethPair.ALIAS_PREFIX) && !alive(alias.substring(VethPair.ALIAS_PREFIX.length()))) {
                    VethPair.delete(name);
                    removed++;
                }
            }
        } catch (IOException e) {
            // no /sys/class/net: no veths to reap
        }
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (name.matches(WORK_DIR_PREFIX + "\\d+-\\d+") && !alive(name.split("-")[2])) {
                    try {
                        TargetImage.deleteTree(d);
                        removed++;
                    } catch (IOException e) {
                        // not ours to fight over: left for the next run
                    }
                }
            }
        } catch (IOException e) {
            // no temporary folder to look in
        }
        return removed;
    }

    private static String readAlias(Path link) {
        try {
            return Files.readString(link.resolve("ifalias")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean alive(String pid) {
        if (pid == null || !pid.matches("\\d+")) {
            return false;
        }
        long p = Long.parseLong(pid);
        return p != ProcessHandle.current().pid() ? ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false) : true;
    }
}
