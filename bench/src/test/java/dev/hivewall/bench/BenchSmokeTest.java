package dev.hivewall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.testing.junit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks at tiny sizes: they still run, and still write JSON + PNG. Not a speed test. */
@Privileged
class BenchSmokeTest {
  @Test
  void quickBenchmarksWriteResultsAndPlots(@TempDir Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    BenchMain.main(new String[] {"--quick", "--out", out.toString(), "all"});

    for (String name : new String[] {"map-update", "ringbuf", "observer"}) {
      assertThat(out.resolve(name + ".png")).isNotEmptyFile();
      JsonNode doc = new ObjectMapper().readTree(out.resolve(name + ".json").toFile());
      assertThat(doc.path("machine").path("kernel").asText()).isNotBlank();
      assertThat(doc.path("results").size()).isGreaterThanOrEqualTo(2);
      doc.path("results").forEach(r -> assertThat(r.path("median").asDouble()).isPositive());
    }
    if (ObserveClientBench.launcher() != null) { // built: the client is the real CLI
      JsonNode client = new ObjectMapper().readTree(out.resolve("observe-client.json").toFile());
      assertThat(client.path("results").path("client, flood").path("median").asDouble())
          .isPositive();
    }
    assertThat(Files.readString(out.resolve("SUMMARY.md")))
        .contains("## map-update")
        .contains("## netpol-scale")
        .contains("| measurement | median | unit | spread | runs |");
    JsonNode l7 = new ObjectMapper().readTree(out.resolve("l7-proxy.json").toFile());
    assertThat(l7.path("requests_per_second").path("hivewall L7 proxy").size()).isEqualTo(2);
    assertThat(out.resolve("l7-proxy-latency.png")).isNotEmptyFile();
    JsonNode pods = new ObjectMapper().readTree(out.resolve("pod-latency.json").toFile());
    for (String workload :
        new String[] {
          "pinned_us_p50",
          "udp_rr_pinned_us_p50",
          "tcp_crr_connections_per_second",
          "throughput_gbit_per_second"
        }) {
      assertThat(pods.path(workload).path("hivewall").path("10").path("values").path(0).asDouble())
          .as(workload)
          .isPositive();
    }
    // each engine over the baseline of the same pass, and the machine's speed around the run
    for (String workload : new String[] {"tcp_rr_pinned", "udp_rr", "tcp_crr", "throughput"}) {
      assertThat(
              pods.path(workload + "_rate_ratio_paired")
                  .path("hivewall")
                  .path("10")
                  .path("values")
                  .path(0)
                  .asDouble())
          .as(workload)
          .isPositive();
    }
    for (String when : new String[] {"speedAtStart", "speed"}) {
      assertThat(pods.path("machine").path(when).path("cpuNanos").asDouble()).isPositive();
      assertThat(pods.path("machine").path(when).path("syscallNanos").asDouble()).isPositive();
    }
    assertThat(Files.readString(out.resolve("SUMMARY.md")))
        .contains("Machine speed at start / end")
        .contains("tcp_rr_pinned_rate_ratio_paired");
    JsonNode paths = new ObjectMapper().readTree(out.resolve("socket-path.json").toFile());
    assertThat(paths.path("ratios").path("sockmap_over_veth_pinned@64").asDouble()).isPositive();
    JsonNode map = new ObjectMapper().readTree(out.resolve("map-update.json").toFile());
    assertThat(map.path("ratios").path("bpftool_single_over_ffm_single").asDouble()).isPositive();
    assertThat(
            Files.list(Path.of("/sys/fs/bpf/hivewall"))
                .filter(p -> p.getFileName().toString().startsWith("hw-bench")))
        .as("benchmark pins removed")
        .isEmpty();
  }
}
