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
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * {@code scripts/bench compare OLD NEW}: is a second run within the noise the first reports? For
 * each measurement present in both result folders: both medians, their difference, and whether each
 * run's median lies inside the other's spread (min..max of its samples). Markdown on stdout.
 */
final class Compare {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Compare() {}

  /**
   * {@code withinNoise}: one run's median lies inside the other's samples (min..max), the strict
   * reading; {@code withinSpread}: the medians differ by no more than the larger of the two runs'
   * spreads ((max - min) / median), the suite's own definition of "no difference".
   */
  private record Row(
      String what, double oldMedian, double newMedian, boolean withinNoise, boolean withinSpread) {
    /** A ratio measured within each run, which a machine's slow phase moves on both sides. */
    boolean paired() {
      return what.contains("_paired ");
    }

    double diff() {
      return oldMedian == 0 ? 0 : (newMedian - oldMedian) / oldMedian;
    }
  }

  static void run(Path oldDir, Path newDir) throws IOException {
    System.out.print(report(oldDir, newDir));
  }

  /** The comparison as markdown. */
  static String report(Path oldDir, Path newDir) throws IOException {
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
    StringBuilder md = new StringBuilder(machines(oldDir, newDir));
    List<Row> paired = rows.stream().filter(Row::paired).toList();
    List<Row> absolute = rows.stream().filter(r -> !r.paired()).toList();
    md.append(
        String.format(
            "- absolute numbers: %d of %d medians inside the other run's samples (min..max);"
                + " %d differ by no more than the runs' spread%n"
                + "- ratios paired within each run (engine over the baseline of the same pass):"
                + " %d of %d inside the other run's samples; %d differ by no more than the"
                + " spread%n%n"
                + "| measurement | old | new | diff | inside samples | within spread |%n"
                + "| --- | ---: | ---: | ---: | --- | --- |%n",
            within(absolute, Row::withinNoise),
            absolute.size(),
            within(absolute, Row::withinSpread),
            within(paired, Row::withinNoise),
            paired.size(),
            within(paired, Row::withinSpread)));
    rows.stream()
        .sorted(Comparator.comparingDouble((Row r) -> -Math.abs(r.diff())))
        .forEach(
            r ->
                md.append(
                    String.format(
                        "| %s | %.4g | %.4g | %+.1f%% | %s | %s |%n",
                        r.what(),
                        r.oldMedian(),
                        r.newMedian(),
                        100 * r.diff(),
                        r.withinNoise() ? "yes" : "no",
                        r.withinSpread() ? "yes" : "no")));
    return md.toString();
  }

  private static long within(List<Row> rows, Predicate<Row> test) {
    return rows.stream().filter(test).count();
  }

  /**
   * Where and how fast each run was, per benchmark: numbers from two machine types, or from one
   * machine at two speeds, are not comparable as absolute numbers (the paired ratios still are).
   */
  private static String machines(Path oldDir, Path newDir) throws IOException {
    StringBuilder md = new StringBuilder();
    try (Stream<Path> files = Files.list(oldDir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        Path other = newDir.resolve(f.getFileName());
        if (!Files.exists(other)) {
          continue;
        }
        JsonNode a = JSON.readTree(f.toFile()).path("machine");
        JsonNode b = JSON.readTree(other.toFile()).path("machine");
        String bench = f.getFileName().toString().replace(".json", "");
        String verdict;
        if (!a.path("cpuModel").asText().equals(b.path("cpuModel").asText())) {
          verdict = "**different machine types**: compare the paired ratios only";
        } else if (MachineSpeed.of(a.path("speed")) != null
            && MachineSpeed.of(b.path("speed")) != null) {
          double factor = MachineSpeed.of(a.path("speed")).change(MachineSpeed.of(b.path("speed")));
          verdict =
              factor > MachineSpeed.SAME_SPEED
                  ? String.format(
                      "**the machine ran at another speed** (%.2fx): compare the paired ratios"
                          + " only",
                      factor)
                  : String.format("same machine speed (%.2fx)", factor);
        } else {
          verdict = "speed not recorded";
        }
        md.append(
            String.format(
                "- %s: old %s (%s), new %s (%s): %s%n",
                bench,
                a.path("cpuModel").asText(),
                speed(a.path("speed")),
                b.path("cpuModel").asText(),
                speed(b.path("speed")),
                verdict));
      }
    }
    return md.toString();
  }

  private static String speed(JsonNode s) {
    return s.has("cpuNanos")
        ? String.format(
            "speed %.3f ns/step, %.0f ns/syscall",
            s.path("cpuNanos").asDouble(), s.path("syscallNanos").asDouble())
        : "speed not recorded";
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
        double spread =
            Math.max((va[va.length - 1] - va[0]) / ma, (vb[vb.length - 1] - vb[0]) / mb);
        rows.add(new Row(path, ma, mb, within, Math.abs(mb - ma) <= spread * Math.abs(ma)));
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
