package dev.hivewall.bench;

import java.util.Arrays;
import java.util.List;

/** Repeated measurements of one configuration: raw values plus median and spread. */
public record Samples(String name, String unit, List<Double> values) {
  public Samples {
    values = List.copyOf(values);
  }

  public double median() {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  public double min() {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  public double max() {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** (max - min) / median: the noise of this configuration. */
  public double spread() {
    return (max() - min()) / median();
  }

  @Override
  public String toString() {
    return String.format(
        "%-34s median %12.3f %-8s (min %.3f, max %.3f, n=%d)",
        name, median(), unit, min(), max(), values.size());
  }

  static double[] sorted(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
