package dev.hivewall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code SUMMARY.md} beside the results: one section per benchmark's JSON (when, which commit,
 * which machine), its measurements as tables of medians with their spread, and its ratios. Reads
 * the two shapes the benchmarks write: {@code results} (name -> samples, see {@link Report}) and
 * series (series -> size -> samples, see {@link Series}).
 */
final class Summary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Summary() {}

  static void write(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    StringBuilder md =
        new StringBuilder(
            "# Benchmark results\n\nMedians of the runs (spread = (max - min) / median; a"
                + " difference inside the spread is no difference). Made by `make bench` (see"
                + " bench/README.md); each section says when and at which commit it ran.\n");
    for (Path f : files) {
      JsonNode doc = JSON.readTree(f.toFile());
      JsonNode m = doc.path("machine");
      md.append("\n## ")
          .append(doc.path("benchmark").asText(f.getFileName().toString()))
          .append("\n\n");
      if (doc.has("title")) {
        md.append(doc.path("title").asText()).append(". ");
      }
      md.append(
          String.format(
              "Run %s at commit `%s` (%s, %d vCPU, kernel %s, Java %s).%n%n",
              doc.path("time").asText(),
              m.path("gitCommit").asText(),
              m.path("cpuModel").asText(),
              m.path("cpus").asInt(),
              m.path("kernel").asText(),
              m.path("java").asText()));
      md.append(speedLine(m));
      for (Map.Entry<String, JsonNode> e : fields(doc)) {
        String key = e.getKey();
        JsonNode v = e.getValue();
        if (key.equals("results")) {
          results(md, v);
        } else if (key.equals("ratios") || key.equals("phases_ms")) {
          ratios(md, key, v);
        } else if (isSeries(v)) {
          series(md, key, v);
        }
      }
    }
    Files.writeString(dir.resolve("SUMMARY.md"), md.toString());
  }

  /**
   * The machine's speed at the start and end of the benchmark ({@link MachineSpeed}); a change
   * beyond its noise marks the run as disturbed: its absolute numbers are from two machine speeds.
   */
  private static String speedLine(JsonNode machine) {
    MachineSpeed a = MachineSpeed.of(machine.path("speedAtStart"));
    MachineSpeed b = MachineSpeed.of(machine.path("speed"));
    if (a == null || b == null) {
      return "";
    }
    double factor = a.change(b);
    return String.format(
        "Machine speed at start / end: %.3f / %.3f ns a step, %.0f / %.0f ns a syscall (%s).%n%n",
        a.cpuNanos(),
        b.cpuNanos(),
        a.syscallNanos(),
        b.syscallNanos(),
        factor > MachineSpeed.SAME_SPEED
            ? String.format(
                "**disturbed: the speed changed %.2fx during the run; trust the paired ratios**",
                factor)
            : "steady");
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode n) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    n.fields().forEachRemaining(out::add);
    return out;
  }

  /** series -> size -> {values}. */
  private static boolean isSeries(JsonNode v) {
    if (!v.isObject() || v.isEmpty()) {
      return false;
    }
    JsonNode first = v.elements().next();
    return first.isObject()
        && !first.isEmpty()
        && first.elements().next().isObject()
        && first.elements().next().has("values");
  }

  private static void results(StringBuilder md, JsonNode results) {
    md.append(
        "| measurement | median | unit | spread | runs |\n| --- | ---: | --- | ---: | ---: |\n");
    for (Map.Entry<String, JsonNode> r : fields(results)) {
      JsonNode v = r.getValue();
      md.append(
          String.format(
              "| %s | %s | %s | %.0f%% | %d |%n",
              r.getKey(),
              number(v.path("median").asDouble()),
              v.path("unit").asText(),
              100 * v.path("spread").asDouble(),
              v.path("samples").size()));
    }
    md.append('\n');
  }

  private static void series(StringBuilder md, String key, JsonNode series) {
    TreeSet<Integer> sizes = new TreeSet<>();
    String unit = "";
    for (Map.Entry<String, JsonNode> s : fields(series)) {
      for (Map.Entry<String, JsonNode> size : fields(s.getValue())) {
        sizes.add(Integer.parseInt(size.getKey()));
        unit = size.getValue().path("unit").asText(unit);
      }
    }
    md.append("**").append(key).append("** (").append(unit).append(", median [spread])\n\n| |");
    sizes.forEach(n -> md.append(' ').append(n).append(" |"));
    md.append("\n| --- |");
    sizes.forEach(n -> md.append(" ---: |"));
    md.append('\n');
    for (Map.Entry<String, JsonNode> s : fields(series)) {
      md.append("| ").append(s.getKey()).append(" |");
      for (int n : sizes) {
        JsonNode values = s.getValue().path(Integer.toString(n)).path("values");
        if (values.isMissingNode() || values.isEmpty()) {
          md.append(" - |");
          continue;
        }
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = values.get(i).asDouble();
        }
        Arrays.sort(v);
        double median =
            v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        double spread = median == 0 ? 0 : (v[v.length - 1] - v[0]) / median;
        md.append(String.format(" %s [%.0f%%] |", number(median), 100 * spread));
      }
      md.append('\n');
    }
    md.append('\n');
  }

  private static void ratios(StringBuilder md, String key, JsonNode ratios) {
    if (!ratios.isObject() || ratios.isEmpty()) {
      return;
    }
    md.append("| ").append(key).append(" | |\n| --- | ---: |\n");
    for (Map.Entry<String, JsonNode> r : fields(ratios)) {
      if (r.getValue().isNumber()) {
        md.append("| ")
            .append(r.getKey())
            .append(" | ")
            .append(number(r.getValue().asDouble()))
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private static String number(double v) {
    double a = Math.abs(v);
    return a >= 1000
        ? String.format("%,.0f", v)
        : a >= 10 ? String.format("%.1f", v) : String.format("%.3f", v);
  }
}
