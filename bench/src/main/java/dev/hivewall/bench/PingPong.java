package dev.hivewall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.datapath.host.Command;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The suite's request/response latency tool, {@code bench/native/pingpong.c}, built by clang with
 * this module into {@code target/pingpong} (beside the module's jar or classes folder). It measures
 * what sockperf's ping-pong does (one-way latency = round trip / 2, p50 of a bounded run; the
 * server a blocking recv and send per message) without sockperf's fixed 2-second sleep after every
 * connect, which made most of the suite's running time.
 */
final class PingPong {
  private static final Duration RUN = Duration.ofMinutes(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Transport of a ping-pong. */
  enum Transport {
    TCP,
    UDP;

    String flag() {
      return this == TCP ? "--tcp" : "--udp";
    }
  }

  private PingPong() {}

  /** The tool, or a clear error when the module was not built. */
  static Path binary() {
    try {
      Path classes =
          Path.of(PingPong.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path tool = classes.getParent().resolve("pingpong");
      if (!Files.isExecutable(tool)) {
        throw new IllegalStateException(
            "the benchmark tool " + tool + " is missing: run 'make build'");
      }
      return tool;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The command that runs a server on ip:port inside netns {@code netns}, on CPU 0 when {@code pin}
   * (client and server on one CPU: the path's own cost, no cross-CPU wake-up).
   */
  static List<String> server(String netns, Transport t, String ip, int port, boolean pin) {
    List<String> argv = inNetns(netns, pin);
    argv.addAll(List.of(binary().toString(), "server", t.flag(), "-i", ip, "-p", "" + port));
    return argv;
  }

  /**
   * A {@code seconds} run of {@code size}-byte messages from netns {@code netns} to ip:port: the
   * one-way latency p50, us.
   */
  static double p50(
      String netns, Transport t, String ip, int port, boolean pin, int seconds, int size) {
    List<String> argv = inNetns(netns, pin);
    argv.addAll(
        List.of(
            binary().toString(),
            "client",
            t.flag(),
            "-i",
            ip,
            "-p",
            "" + port,
            "-t",
            "" + seconds,
            "-m",
            "" + size));
    Command.Result r = Command.run(RUN, argv);
    if (!r.ok()) {
      throw new IllegalStateException("pingpong " + t + " failed: " + r.stderr().strip());
    }
    try {
      JsonNode result = JSON.readTree(r.stdout());
      return result.get("p50_us").asDouble();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("pingpong printed no result: " + r.stdout(), e);
    }
  }

  private static List<String> inNetns(String netns, boolean pin) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    if (pin) {
      argv.addAll(List.of("taskset", "-c", "0"));
    }
    return argv;
  }
}
