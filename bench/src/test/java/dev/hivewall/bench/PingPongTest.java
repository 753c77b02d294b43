package dev.hivewall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.datapath.host.Command;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ping-pong tool on loopback: answers are counted, errors are clear, nothing hangs. */
class PingPongTest {
  private static final Duration RUN = Duration.ofSeconds(30);
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Process p : servers) {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void tcpAndUdpRoundTripsReportOneWayPercentiles() throws Exception {
    for (String transport : List.of("--tcp", "--udp")) {
      int port = freePort();
      serve(transport, port);
      Command.Result r = client(transport, port, "-m", "4096", "-w", "0");
      assertThat(r.ok()).as(r.stderr()).isTrue();
      JsonNode result = new ObjectMapper().readTree(r.stdout());
      assertThat(result.path("samples").asLong()).as(transport).isGreaterThan(100);
      assertThat(result.path("lost").asLong()).isZero();
      double p50 = result.path("p50_us").asDouble();
      assertThat(p50).isPositive().isLessThanOrEqualTo(result.path("p99_us").asDouble());
      assertThat(result.path("p99_us").asDouble())
          .isLessThanOrEqualTo(result.path("max_us").asDouble());
    }
  }

  @Test
  void aServerTakesSeveralConnectionsAtOnce() throws Exception {
    int port = freePort();
    serve("--tcp", port);
    List<Process> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(
          new ProcessBuilder(
                  PingPong.binary().toString(),
                  "client",
                  "--tcp",
                  "-i",
                  "127.0.0.1",
                  "-p",
                  "" + port,
                  "-t",
                  "1")
              .start());
    }
    for (Process c : clients) {
      assertThat(c.waitFor()).isZero();
      assertThat(new String(c.getInputStream().readAllBytes())).contains("\"p50_us\":");
    }
  }

  @Test
  void aRefusedConnectionIsAClearErrorNotAHang() throws Exception {
    Command.Result r = client("--tcp", freePort());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("cannot connect to 127.0.0.1").contains("Connection refused");
  }

  @Test
  void badUsageNamesTheProblem() {
    Command.Result r =
        Command.run(RUN, List.of(PingPong.binary().toString(), "client", "--tcp", "-p", "99999"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("the port (-p) must be a number from 1 to 65535");
  }

  private void serve(String transport, int port) throws Exception {
    servers.add(
        new ProcessBuilder(
                PingPong.binary().toString(),
                "server",
                transport,
                "-i",
                "127.0.0.1",
                "-p",
                "" + port)
            .start());
    Thread.sleep(200); // bound before the client starts
  }

  private static Command.Result client(String transport, int port, String... more) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                PingPong.binary().toString(),
                "client",
                transport,
                "-i",
                "127.0.0.1",
                "-p",
                "" + port,
                "-t",
                "1"));
    argv.addAll(List.of(more));
    return Command.run(RUN, argv);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
