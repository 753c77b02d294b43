package dev.hivewall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent restarted ten times, half of them with kill -9, while pods talk: the datapath is pinned
 * (maps, socket hook links, sockmap), so pods stay enforced while no agent runs and each new agent
 * takes the state over. A prober counts: requests on long-lived connections, a stream of new
 * connections (both allowed: none may fail), and connection attempts of a denied pod (none may
 * succeed, at any moment).
 */
@Privileged
@ExtendWith(LabExtension.class)
class AgentRestartTest {
  private static final int RESTARTS = 10;
  private static final String NS = "restart";

  /**
   * Echo servers (lines on 80/tcp, datagrams on 53/udp; "push" makes it send numbered datagrams to
   * the sender every 5 ms, unasked): what app1 runs in its pod, independent of the agent's process.
   */
  private static final String ECHO_SERVER =
      """
      import socketserver, threading, time
      class H(socketserver.StreamRequestHandler):
          def handle(self):
              for line in self.rfile:
                  self.wfile.write(line)
      def push(sock, addr):
          i = 0
          while True:
              sock.sendto(str(i).encode(), addr)
              i += 1
              time.sleep(0.005)
      class U(socketserver.BaseRequestHandler):
          def handle(self):
              data, sock = self.request
              if data == b"push":
                  threading.Thread(target=push, args=(sock, self.client_address), daemon=True).start()
              else:
                  sock.sendto(data, self.client_address)
      class S(socketserver.ThreadingTCPServer):
          allow_reuse_address = True
          daemon_threads = True
      udp = socketserver.UDPServer(("0.0.0.0", 53), U)
      threading.Thread(target=udp.serve_forever, daemon=True).start()
      S(("0.0.0.0", 80), H).serve_forever()
      """;

  /** app1 lets app2 in on 80/tcp and 53/udp. */
  private static final String APP1_FROM_APP2 =
      SeedPolicies.APP1_TCP_AND_UDP_FROM_APP2.replace("namespace: demo", "namespace: " + NS);

  /**
   * app2 accepts nothing but app1 on port 9: app1's answers reach it only as replies of tracked
   * connections, so the conntrack state must survive each restart too (the datagrams show it: TCP
   * between local pods rides the sockmap, which keeps its sockets anyway).
   */
  private static final String APP2_LOCKED_DOWN =
      SeedPolicies.APP2_LOCKED_DOWN.replace("namespace: demo", "namespace: " + NS);

  private Path socket;

  @Test
  void tenRestartsIncludingKillNineFailNoRequestAndLetNothingDeniedThrough(Lab lab)
      throws Exception {
    Path dir = lab.dir("restart");
    socket = dir.resolve("api.sock");
    String node = lab.netns("node").name();
    Path pins = lab.pinDir("agent");
    List<String> agentArgs =
        List.of(
            "agent",
            "--node-netns",
            node,
            "--state-dir",
            dir.resolve("state").toString(),
            "--socket",
            socket.toString(),
            "--pod-cidr",
            "198.18.0.0/24",
            "--bpf-dir",
            pins.toString());
    AgentProcess agent = lab.own(new AgentProcess(agentArgs, dir.resolve("agent.log")));
    agent.start();
    awaitAgent();
    try {
      assertThat(cli("ns", "create", NS).exit()).isZero();
      assertThat(
              cli(
                      "pod",
                      "run",
                      "app1",
                      "-n",
                      NS,
                      "-l",
                      "app=app1",
                      "--",
                      "python3",
                      "-c",
                      ECHO_SERVER)
                  .exit())
          .isZero();
      assertThat(cli("pod", "run", "app2", "-n", NS, "-l", "app=app2").exit()).isZero();
      assertThat(cli("pod", "run", "app3", "-n", NS, "-l", "app=app3").exit()).isZero();
      Path policy = dir.resolve("policy.yaml");
      Files.writeString(policy, APP1_FROM_APP2 + APP2_LOCKED_DOWN);
      assertThat(cli("policy", "apply", "-f", policy.toString()).exit()).isZero();
      String app1 = podIp("app1");
      String app2Netns = "hw-pod-" + NS + ".app2";
      String app3Netns = "hw-pod-" + NS + ".app3";
      awaitEcho(app2Netns, app1);

      Prober prober = new Prober(app2Netns, app3Netns, app1);
      prober.start();
      Thread.sleep(500);
      List<Long> downMillis = new ArrayList<>();
      for (int i = 0; i < RESTARTS; i++) {
        long t0 = System.nanoTime();
        agent.stop(i % 2 == 1); // odd: kill -9
        agent.start();
        awaitAgent();
        downMillis.add((System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(400); // traffic with the new agent in charge
      }
      Thread.sleep(500);
      prober.stop();

      String summary =
          prober.summary()
              + ", agent down (stop to API up) ms: "
              + downMillis
              + ", "
              + prober.errors;
      System.out.println("agent restarts: " + summary);
      assertThat(prober.keptAliveFailures.get()).as(summary).isZero();
      assertThat(prober.newConnectionFailures.get()).as(summary).isZero();
      assertThat(prober.datagramFailures.get()).as(summary).isZero();
      assertThat(prober.datagrams.get()).as(summary).isGreaterThan(1000);
      assertThat(prober.pushFailures.get()).as(summary).isZero();
      assertThat(prober.pushed.get()).as(summary).isGreaterThan(1000);
      assertThat(prober.deniedLetThrough.get()).as(summary).isZero();
      assertThat(prober.keptAliveRequests.get()).as(summary).isGreaterThan(1000);
      assertThat(prober.newConnections.get()).as(summary).isGreaterThan(200);
      assertThat(prober.deniedAttempts.get()).as(summary).isGreaterThan(100);
      assertThat(prober.errors).as(summary).isEmpty();
      assertThat(cli("status").out()).contains("pods: 3, policies: 2");
    } finally {
      cli("ns", "delete", NS);
      agent.close();
      for (String line :
          Command.run(Duration.ofSeconds(5), "ip", "netns", "list").stdout().lines().toList()) {
        String ns = line.split("\\s+")[0];
        if (ns.startsWith("hw-pod-" + NS + ".")) {
          Command.run(Duration.ofSeconds(5), "ip", "netns", "delete", ns);
        }
      }
    }
  }

  /** Traffic between the pods while the agent restarts, counted. */
  private static final class Prober {
    final String clientNetns;
    final String deniedNetns;
    final String server;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong keptAliveRequests = new AtomicLong();
    final AtomicLong keptAliveFailures = new AtomicLong();
    final AtomicLong datagrams = new AtomicLong();
    final AtomicLong datagramFailures = new AtomicLong();
    final AtomicLong pushed = new AtomicLong();
    final AtomicLong pushFailures = new AtomicLong();
    final AtomicLong newConnections = new AtomicLong();
    final AtomicLong newConnectionFailures = new AtomicLong();
    final AtomicLong deniedAttempts = new AtomicLong();
    final AtomicLong deniedLetThrough = new AtomicLong();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    Prober(String clientNetns, String deniedNetns, String server) {
      this.clientNetns = clientNetns;
      this.deniedNetns = deniedNetns;
      this.server = server;
    }

    void start() throws Exception {
      for (int c = 0; c < 4; c++) {
        Socket s = connect(clientNetns, 2_000);
        threads.add(Thread.ofPlatform().name("kept-alive-" + c).start(() -> keptAlive(s)));
      }
      for (int c = 0; c < 2; c++) {
        java.net.DatagramSocket d = datagramSocket(clientNetns);
        threads.add(Thread.ofPlatform().name("datagrams-" + c).start(() -> datagrams(d)));
      }
      java.net.DatagramSocket subscriber = datagramSocket(clientNetns);
      threads.add(Thread.ofPlatform().name("pushed").start(() -> pushed(subscriber)));
      threads.add(Thread.ofPlatform().name("new-connections").start(this::newConnections));
      threads.add(Thread.ofPlatform().name("denied").start(this::denied));
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
    }

    String summary() {
      return String.format(
          "kept-alive requests %d (%d failed), datagram exchanges %d (%d failed), pushed"
              + " datagrams %d (%d failures), new connections %d (%d failed), denied attempts %d"
              + " (%d let through)",
          keptAliveRequests.get(),
          keptAliveFailures.get(),
          datagrams.get(),
          datagramFailures.get(),
          pushed.get(),
          pushFailures.get(),
          newConnections.get(),
          newConnectionFailures.get(),
          deniedAttempts.get(),
          deniedLetThrough.get());
    }

    private Socket connect(String netns, int timeoutMillis) {
      return NetworkNamespace.named(netns)
          .call(
              () -> {
                Socket s = new Socket();
                try {
                  s.connect(new InetSocketAddress(server, 80), timeoutMillis);
                  return s;
                } catch (IOException e) {
                  s.close();
                  throw e;
                }
              });
    }

    /** One connection, a request every 5 ms; a lost or late answer is a failure. */
    private void keptAlive(Socket s) {
      try (s) {
        s.setSoTimeout(3_000);
        OutputStream out = s.getOutputStream();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        for (long i = 0; running.get(); i++) {
          String msg = Thread.currentThread().getName() + " " + i;
          out.write((msg + "\n").getBytes(StandardCharsets.UTF_8));
          String answer = in.readLine();
          if (!msg.equals(answer)) {
            keptAliveFailures.incrementAndGet();
            errors.add(msg + " answered " + answer);
            return;
          }
          keptAliveRequests.incrementAndGet();
          Thread.sleep(5);
        }
      } catch (Exception e) {
        keptAliveFailures.incrementAndGet();
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }

    private java.net.DatagramSocket datagramSocket(String netns) {
      return NetworkNamespace.named(netns)
          .call(
              () -> {
                java.net.DatagramSocket d = new java.net.DatagramSocket();
                d.connect(new InetSocketAddress(server, 53));
                d.setSoTimeout(2_000);
                return d;
              });
    }

    /** One UDP flow (same ports throughout), a datagram and its echo every 5 ms. */
    private void datagrams(java.net.DatagramSocket d) {
      try (d) {
        byte[] buf = new byte[256];
        for (long i = 0; running.get(); i++) {
          byte[] msg =
              (Thread.currentThread().getName() + " " + i).getBytes(StandardCharsets.UTF_8);
          d.send(new java.net.DatagramPacket(msg, msg.length));
          java.net.DatagramPacket answer = new java.net.DatagramPacket(buf, buf.length);
          d.receive(answer);
          if (!java.util.Arrays.equals(
              msg, java.util.Arrays.copyOf(answer.getData(), answer.getLength()))) {
            throw new IOException(
                "echo of " + new String(msg, StandardCharsets.UTF_8) + " differs");
          }
          datagrams.incrementAndGet();
          Thread.sleep(5);
        }
      } catch (Exception e) {
        datagramFailures.incrementAndGet();
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }

    /**
     * Datagrams app1 sends on its own (app2 asked once): each one in sequence, none missing. They
     * pass app2's locked ingress only as replies of the flow app2 opened: its conntrack entry, and
     * app1's at the socket hook, must live through every restart.
     */
    private void pushed(java.net.DatagramSocket d) {
      try (d) {
        d.send(new java.net.DatagramPacket("push".getBytes(StandardCharsets.UTF_8), 4));
        byte[] buf = new byte[64];
        long expected = 0;
        while (running.get()) {
          java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
          d.receive(p);
          long n = Long.parseLong(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
          if (n != expected) {
            throw new IOException("pushed datagram " + n + ", expected " + expected);
          }
          expected++;
          pushed.incrementAndGet();
        }
      } catch (Exception e) {
        pushFailures.incrementAndGet();
        errors.add(Thread.currentThread().getName() + ": " + e);
      }
    }

    /** A new connection per request, every 10 ms. */
    private void newConnections() {
      while (running.get()) {
        try (Socket s = connect(clientNetns, 2_000)) {
          s.setSoTimeout(2_000);
          s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
          String answer =
              new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                  .readLine();
          if (!"hello".equals(answer)) {
            throw new IOException("answered " + answer);
          }
          newConnections.incrementAndGet();
        } catch (Exception e) {
          newConnectionFailures.incrementAndGet();
          errors.add("new connection: " + e);
        }
        sleep(10);
      }
    }

    /** app3 tries app1:80 every 10 ms: refused at the socket (EPERM) or dropped (timeout). */
    private void denied() {
      while (running.get()) {
        deniedAttempts.incrementAndGet();
        try (Socket s = connect(deniedNetns, 150)) {
          deniedLetThrough.incrementAndGet();
          errors.add("app3 connected to app1:80 from " + s.getLocalSocketAddress());
        } catch (Exception expected) {
          // EPERM (socket hooks) or a timeout (TC drop): denied either way
        }
        sleep(10);
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The agent as a process of its own, as `hivewall agent` runs; stopped and killed by the test.
   */
  private static final class AgentProcess implements AutoCloseable {
    private final List<String> args;
    private final Path log;
    private Process process;

    AgentProcess(List<String> args, Path log) {
      this.args = args;
      this.log = log;
    }

    void start() throws IOException {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElseThrow());
      command.add("--enable-native-access=ALL-UNNAMED");
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
      command.addAll(args);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    }

    /** SIGTERM (the agent closes) or SIGKILL (nothing runs after it). */
    void stop(boolean kill) throws InterruptedException {
      if (kill) {
        process.destroyForcibly();
      } else {
        process.destroy();
      }
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process != null && process.isAlive()) {
        stop(false);
      }
    }
  }

  private void awaitAgent() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(socket) && cli("status").exit() == 0) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the agent did not answer within 30 s");
  }

  private void awaitEcho(String netns, String ip) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s =
          NetworkNamespace.named(netns)
              .call(
                  () -> {
                    Socket x = new Socket();
                    x.connect(new InetSocketAddress(ip, 80), 500);
                    return x;
                  })) {
        return;
      } catch (Exception e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("app1's echo server did not start");
  }

  private String podIp(String name) throws IOException {
    for (var pod :
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(cli("pod", "list", "-o", "json").out())) {
      if (pod.path("name").asText().equals(name)) {
        return pod.path("ip").asText();
      }
    }
    throw new AssertionError("no pod " + name);
  }

  /** The CLI in this process; --socket goes before a pod's command (after "--"). */
  private SeedScenarioTest.Run cli(String... args) {
    List<String> full = new ArrayList<>(List.of(args));
    int dashes = full.indexOf("--");
    full.addAll(dashes < 0 ? full.size() : dashes, List.of("--socket", socket.toString()));
    return SeedScenarioTest.run(full.toArray(String[]::new));
  }
}
