package tcpct.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the machine was like when a measurement was made: cores, kernel, and the load averages. */
public record MachineFacts(int cpus, String kernel, String cpuModel, List<Double> loadAverageAtStart) {

    public static MachineFacts now() {
        return new MachineFacts(Runtime.getRuntime().availableProcessors(), System.getProperty("os.version"), readCpuModel(), loadAverage());
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg (empty when it cannot be read). */
    public static List<Double> loadAverage() {
        try {
            return parseLoadAverage(Files.readString(Path.of("/proc/loadavg")));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** {@code "0.52 0.58 0.59 1/467 12345"} -> [0.52, 0.58, 0.59]. */
    static List<Double> parseLoadAverage(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("expecting three load averages in /proc/loadavg, but was '" + text.trim() + "'");
        }
        return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
