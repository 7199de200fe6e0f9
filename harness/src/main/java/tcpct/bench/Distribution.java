package tcpct.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sample of measured values (ms) summed up: count, min, median, 95th percentile, max. The median of an
 * even count is the mean of the two middle values; the percentile is the nearest-rank one (the smallest
 * value that at least 95% of the sample does not exceed), so it is always a value that was measured.
 */
public record Distribution(int count, double min, double median, double p95, double max) {

    public static Distribution of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a distribution needs at least one measured value, got none");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Distribution(n, sorted.get(0), median, percentile(sorted, 95), sorted.get(n - 1));
    }

    /** Nearest-rank percentile {@code p} (1..100) of an ascending list. */
    static double percentile(List<Double> ascending, int p) {
        if (p < 1 || p > 100) {
            throw new IllegalArgumentException("a percentile lies in 1..100, got " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * ascending.size());
        return ascending.get(Math.max(rank, 1) - 1);
    }

    /** {@code median 3.1 ms, p95 7.9 ms, max 12.0 ms (n=24)}. */
    @Override
    public String toString() {
        return String.format("median %.1f ms, p95 %.1f ms, max %.1f ms (n=%d)", median, p95, max, count);
    }
}
