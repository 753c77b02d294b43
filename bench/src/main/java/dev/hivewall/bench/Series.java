package dev.hivewall.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Raw measurements of a benchmark by series (engine) and size, and their summaries. */
final class Series {
  private Series() {}

  /** Records one measurement {@code v} of {@code series} at size {@code n}. */
  static void add(Map<String, Map<Integer, List<Double>>> m, String series, int n, double v) {
    m.computeIfAbsent(series, k -> new LinkedHashMap<>())
        .computeIfAbsent(n, k -> new ArrayList<>())
        .add(v);
  }

  /** Each series' measurements per size as {@link Samples} in {@code unit}. */
  static Map<String, Map<Integer, Samples>> samples(
      Map<String, Map<Integer, List<Double>>> raw, String unit) {
    Map<String, Map<Integer, Samples>> out = new LinkedHashMap<>();
    raw.forEach(
        (name, byN) -> {
          Map<Integer, Samples> m = new LinkedHashMap<>();
          byN.forEach((n, values) -> m.put(n, new Samples(name + " @" + n, unit, values)));
          out.put(name, m);
        });
    return out;
  }
}
