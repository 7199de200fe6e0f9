package tcpct.target;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A target's image, built on this machine with no registry: the target's build script writes a build
 * context (a Dockerfile FROM scratch and the agent), whose content hash becomes the image tag, so an
 * unchanged target is never rebuilt and a changed one always is.
 */
public final class TargetImage {

    static final long BUILD_SCRIPT_TIMEOUT_S = 600;

    private TargetImage() {
    }

    /** The image tag for {@code spec}, building the image first when this machine lacks it. */
    public static String ensure(DockerClient docker, TargetSpec spec, Path workDir) {
        Path context = workDir.resolve("image-" + spec.name());
        try {
            deleteTree(context);
            Files.createDirectories(context);
            runBuildScript(spec, context);
            if (!Files.isRegularFile(context.resolve("Dockerfile"))) {
                throw new TargetException(spec.buildScript() + " made no Dockerfile in its output folder: it must write a complete build context");
            }
            String tag = "tcpct-target-" + spec.name() + ":" + contentHash(context);
            try {
                docker.inspectImageCmd(tag).exec();
                return tag;
            } catch (NotFoundException absent) {
                // first run with this content: build below
            }
            StepImages steps = new StepImages();
            try {
                docker.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withLabels(Map.of(Labels.OWNER, "1"))
                        .withPull(false).withRemove(true).withForcerm(true)
                        .exec(steps).awaitImageId(BUILD_SCRIPT_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                steps.removeAll(docker); // what the failed build made before its failing step: no half-built image stays
                throw new TargetException("building image " + tag + " from " + spec.buildScript() + "'s output failed ("
                        + e.getMessage() + "): fix the target's Dockerfile", e);
            }
            return tag;
        } catch (IOException e) {
            throw new TargetException("cannot prepare the build context of target " + spec.name() + " in " + context + ": " + e.getMessage(), e);
        } finally {
            try {
                deleteTree(context);
            } catch (IOException e) {
                // a leftover temporary folder under the run's work dir: removed with it
            }
        }
    }

    /**
     * Follows a build's output and keeps the id of every step image the build itself made (not those it
     * took from the cache), so that a build that fails half way can remove them.
     */
    private static final class StepImages extends BuildImageResultCallback {
        private static final java.util.regex.Pattern STEP_IMAGE = java.util.regex.Pattern.compile("^ ---> ([0-9a-f]{12,64})\\s*$");
        private final java.util.List<String> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean cached;

        @Override
        public void onNext(com.github.dockerjava.api.model.BuildResponseItem item) {
            String text = item.getStream();
            if (text != null) {
                for (String line : text.split("\n")) {
                    if (line.contains("---> Using cache")) {
                        cached = true;
                    }
                    java.util.regex.Matcher m = STEP_IMAGE.matcher(line);
                    if (m.matches()) {
                        if (!cached) {
                            made.add(m.group(1));
                        }
                        cached = false;
                    }
                }
            }
            super.onNext(item);
        }

        void removeAll(DockerClient docker) {
            for (int i = made.size() - 1; i >= 0; i--) {
                try {
                    docker.removeImageCmd(made.get(i)).exec();
                } catch (RuntimeException e) {
                    // in use by another build (its cache), or removed with its child already
                }
            }
        }
    }

    private static void runBuildScript(TargetSpec spec, Path context) throws IOException {
        Path log = context.getParent().resolve("build-" + spec.name() + ".log");
        Process p = new ProcessBuilder("bash", spec.buildScript().toString(), context.toString())
                .directory(spec.folder().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(BUILD_SCRIPT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TargetException(spec.buildScript() + " ran longer than " + BUILD_SCRIPT_TIMEOUT_S + " s: see " + log);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while building target " + spec.name());
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
            // the run's work folder goes when the run ends: the log the message points at must outlive it
            Path kept = Path.of(System.getProperty("java.io.tmpdir"), "tcpct-build-" + spec.name() + ".log");
            Files.copy(log, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            throw new TargetException(spec.buildScript() + " failed with exit " + p.exitValue() + " (" + last + "): see " + kept);
        }
    }

    static String contentHash(Path dir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(f));
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
