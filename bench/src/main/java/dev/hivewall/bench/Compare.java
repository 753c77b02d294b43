package dev.hivewall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code scripts/bench compare OLD NEW}: is a second run within the noise the first reports? For
 * each measurement present in both result folders: both medians, their difference, and whether each
 * run's median lies inside the other's spread (min..max of its samples). Markdown on stdout.
 */
final class Compare {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Compare() {}

  private record Row(String what, double oldMedian, double newMedian, boolean withinNoise) {
    double diff() {
      return oldMedian == 0 ? 0 : (newMedian - oldMedian) / oldMedian;
    }
  }

  static void run(Path oldDir, Path newDir) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(oldDir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        Path other = newDir.resolve(f.getFileName());
        if (Files.exists(other)) {
          collect(
              f.getFileName().toString().replace(".json", ""),
              JSON.readTree(f.toFile()),
              JSON.readTree(other.toFile()),
              rows);
        }
      }
    }
    long within = rows.stream().filter(Row::withinNoise).count();
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            "%d of %d medians within the other run's spread%n%n| measurement | old | new | diff |"
                + " within noise |%n| --- | ---: | ---: | ---: | --- |%n",
            within, rows.size()));
    rows.stream()
        .sorted(Comparator.comparingDouble((Row r) -> -Math.abs(r.diff())))
        .forEach(
            r ->
                md.append(
                    String.format(
                        "| %s | %.4g | %.4g | %+.1f%% | %s |%n",
                        r.what(),
                        r.oldMedian(),
                        r.newMedian(),
                        100 * r.diff(),
                        r.withinNoise() ? "yes" : "no")));
    System.out.print(md);
  }

  /** Every {"values": [...]} below the benchmark's top-level fields, by path. */
  private static void collect(String bench, JsonNode a, JsonNode b, List<Row> rows) {
    for (Map.Entry<String, JsonNode> e : a.properties()) {
      if (e.getKey().equals("machine") || e.getKey().equals("ratios")) {
        continue;
      }
      walk(bench + " " + e.getKey(), e.getValue(), b.path(e.getKey()), rows);
    }
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<Row> rows) {
    if (a.has("values") || a.has("samples")) {
      double[] va = doubles(a.has("values") ? a.path("values") : a.path("samples"));
      double[] vb = doubles(b.has("values") ? b.path("values") : b.path("samples"));
      if (va.length > 0 && vb.length > 0) {
        double ma = median(va);
        double mb = median(vb);
        boolean within =
            (mb >= va[0] && mb <= va[va.length - 1]) || (ma >= vb[0] && ma <= vb[vb.length - 1]);
        rows.add(new Row(path, ma, mb, within));
      }
      return;
    }
    if (a.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        walk(path + " " + e.getKey(), e.getValue(), b.path(e.getKey()), rows);
      }
    }
  }

  private static double[] doubles(JsonNode values) {
    double[] v = new double[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = values.get(i).asDouble();
    }
    Arrays.sort(v);
    return v;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
