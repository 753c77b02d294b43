package dev.hivewall.bench;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.MapType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Map update cost per element through the FFM layer (one syscall per element, and batched), against
 * bpftool on the same pinned map (one process per update, and `bpftool batch file`). Configurations
 * are interleaved run by run; every run overwrites the same keys.
 */
final class MapUpdateBench {
  private static final int CHUNK = 4096;

  private MapUpdateBench() {}

  static void run(Path out, boolean quick) throws IOException {
    int n = quick ? 20_000 : 200_000;
    int bpftoolSingle = quick ? 20 : 200;
    int bpftoolBatch = quick ? 2_000 : 20_000;
    int runs = quick ? 2 : 5;
    Path pinDir = Path.of("/sys/fs/bpf/hivewall/hw-bench-" + ProcessHandle.current().pid());
    Files.createDirectories(pinDir);
    Path pin = pinDir.resolve("bench_map");
    Path script = Files.createTempFile("hw-bench-bpftool", ".batch");
    List<Double> ffmSingle = new ArrayList<>();
    List<Double> ffmBatch = new ArrayList<>();
    List<Double> toolSingle = new ArrayList<>();
    List<Double> toolBatch = new ArrayList<>();
    try (BpfMap map = BpfMap.create(MapType.HASH, "hw_bench", 4, 8, n);
        Arena arena = Arena.ofConfined()) {
      map.pin(pin);
      writeBatchScript(script, pin, bpftoolBatch);
      MemorySegment keys = arena.allocate(4L * n);
      MemorySegment values = arena.allocate(8L * n);
      for (int i = 0; i < n; i++) {
        keys.setAtIndex(JAVA_INT, i, i);
        values.setAtIndex(JAVA_LONG, i, i * 31L);
      }
      single(map, keys, values, n); // warm up: JIT, and every key exists from now on
      batch(map, keys, values, n);
      for (int r = 0; r < runs; r++) {
        ffmSingle.add(single(map, keys, values, n));
        ffmBatch.add(batch(map, keys, values, n));
        toolSingle.add(bpftoolSingle(pin, bpftoolSingle));
        toolBatch.add(bpftoolBatch(script, bpftoolBatch));
        System.out.printf("map-update run %d/%d done%n", r + 1, runs);
      }
    } finally {
      Files.deleteIfExists(pin);
      Files.deleteIfExists(pinDir);
      Files.deleteIfExists(script);
    }
    List<Samples> samples =
        List.of(
            new Samples("FFM bpf_map_update_elem", "ns/elem", ffmSingle),
            new Samples("FFM bpf_map_update_batch (4096)", "ns/elem", ffmBatch),
            new Samples("bpftool map update (1 process each)", "ns/elem", toolSingle),
            new Samples("bpftool batch file", "ns/elem", toolBatch));
    Map<String, Double> ratios = new LinkedHashMap<>();
    ratios.put("bpftool_single_over_ffm_single", samples.get(2).median() / samples.get(0).median());
    ratios.put("bpftool_batch_over_ffm_batch", samples.get(3).median() / samples.get(1).median());
    ratios.put("ffm_single_over_ffm_batch", samples.get(0).median() / samples.get(1).median());
    samples.forEach(System.out::println);
    ratios.forEach((k, v) -> System.out.printf("  %-32s %10.1fx%n", k, v));
    Report.write(
        out,
        "map-update",
        "BPF hash map update, per element (lower is better)",
        samples,
        ratios,
        true);
  }

  private static double single(BpfMap map, MemorySegment keys, MemorySegment values, int n) {
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      map.update(keys.asSlice(4L * i, 4), values.asSlice(8L * i, 8));
    }
    return (System.nanoTime() - t0) / (double) n;
  }

  private static double batch(BpfMap map, MemorySegment keys, MemorySegment values, int n) {
    long t0 = System.nanoTime();
    for (int start = 0; start < n; start += CHUNK) {
      int c = Math.min(CHUNK, n - start);
      map.updateBatch(keys.asSlice(4L * start, 4L * c), values.asSlice(8L * start, 8L * c), c);
    }
    return (System.nanoTime() - t0) / (double) n;
  }

  private static double bpftoolSingle(Path pin, int count) {
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      Command.run(Duration.ofSeconds(10), updateArgs("bpftool", pin, i).toArray(String[]::new))
          .orThrow();
    }
    return (System.nanoTime() - t0) / (double) count;
  }

  private static double bpftoolBatch(Path script, int count) {
    long t0 = System.nanoTime();
    Command.run(Duration.ofMinutes(2), "bpftool", "batch", "file", script.toString()).orThrow();
    return (System.nanoTime() - t0) / (double) count;
  }

  private static void writeBatchScript(Path script, Path pin, int count) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(String.join(" ", updateArgs(null, pin, i))).append('\n');
    }
    Files.writeString(script, sb);
  }

  /** {@code [bpftool] map update pinned PIN key hex .. value hex ..} for key i, value 31*i. */
  private static List<String> updateArgs(String tool, Path pin, int i) {
    List<String> a = new ArrayList<>();
    if (tool != null) {
      a.add(tool);
    }
    a.addAll(List.of("map", "update", "pinned", pin.toString(), "key", "hex"));
    a.addAll(hexBytes(i, 4));
    a.add("value");
    a.add("hex");
    a.addAll(hexBytes(i * 31L, 8));
    return a;
  }

  private static List<String> hexBytes(long v, int n) {
    List<String> bytes = new ArrayList<>(n);
    for (int b = 0; b < n; b++) {
      bytes.add(
          String.format("%02x", (v >>> (8 * b)) & 0xff)); // little endian, as the kernel sees it
    }
    return bytes;
  }
}
