package dev.hivewall.cli.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hivewall.agent.PinDirectory;
import dev.hivewall.cli.Main;
import dev.hivewall.cli.client.AgentClient;
import dev.hivewall.datapath.host.Command;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A lab of several nodes on this machine: node namespaces {@code hw-mn-nodeN} joined by an underlay
 * (a bridge in namespace {@code hw-mn-underlay}, addresses from 192.0.2.0/24, TEST-NET-1: no route
 * anywhere else), a real etcd on 127.0.0.1 (Debian's etcd-server, data under the lab's folder), one
 * agent per node in cluster mode (cluster "lab", node "nodeN": identities agreed through the etcd;
 * its own socket, pod CIDR 198.18.N.0/24, pod namespace prefix and pin folder; pods of different
 * nodes talk through the overlay, VXLAN over the underlay). What it made is written to {@code
 * lab.json} in its folder, which {@link #down} reads back.
 */
final class MultiNodeLab {
  static final String PREFIX = "hw-mn-";
  static final String UNDERLAY = PREFIX + "underlay";
  private static final Duration IP = Duration.ofSeconds(10);

  /** Every node's pod CIDR is a /24 of this: the pods' route to the other nodes' pods. */
  static final String PODS = "198.18.0.0/16";

  /**
   * The underlay's MTU: room for VXLAN's 50 bytes around a 1500-byte pod packet, as clouds with
   * jumbo frames give (on a 1500-byte underlay the agent would make pods of 1450).
   */
  static final int UNDERLAY_MTU = 1550;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One node of the lab. */
  record NodeInfo(
      String name,
      String netns,
      String underlayIp,
      String podCidr,
      String socket,
      String stateDir,
      String pinDir,
      long agentPid) {}

  /** What {@code lab up} made. */
  record State(String etcdEndpoint, long etcdPid, List<NodeInfo> nodes) {}

  private MultiNodeLab() {}

  static State up(Path dir, int nodes) throws IOException, InterruptedException {
    if (nodes < 1 || nodes > 16) {
      throw new IllegalArgumentException("--nodes " + nodes + ": use 1 to 16");
    }
    if (Files.exists(dir.resolve("lab.json"))) {
      throw new IllegalStateException(
          "a lab is up (" + dir.resolve("lab.json") + "): `hivewall lab down` first");
    }
    Files.createDirectories(dir);
    List<NodeInfo> made = new ArrayList<>();
    long etcdPid = 0;
    String etcd = "";
    try {
      ip("netns", "add", UNDERLAY);
      ipIn(UNDERLAY, "link", "set", "lo", "up");
      ipIn(UNDERLAY, "link", "add", "br0", "mtu", Integer.toString(UNDERLAY_MTU), "type", "bridge");
      ipIn(UNDERLAY, "link", "set", "br0", "up");
      int client = freePort();
      int peer = freePort();
      etcd = "http://127.0.0.1:" + client;
      Process e =
          new ProcessBuilder(
                  "etcd",
                  "--name",
                  "hw-lab",
                  "--data-dir",
                  dir.resolve("etcd").toString(),
                  "--listen-client-urls",
                  etcd,
                  "--advertise-client-urls",
                  etcd,
                  "--listen-peer-urls",
                  "http://127.0.0.1:" + peer,
                  "--initial-advertise-peer-urls",
                  "http://127.0.0.1:" + peer,
                  "--initial-cluster",
                  "hw-lab=http://127.0.0.1:" + peer)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("etcd.log").toFile())
              .start();
      etcdPid = e.pid();
      awaitHealthy(etcd); // the agents join the cluster through it
      for (int i = 1; i <= nodes; i++) {
        String netns = PREFIX + "node" + i;
        String hostSide = PREFIX + "u" + i;
        String address = "192.0.2." + (10 + i);
        ip("netns", "add", netns);
        ipIn(netns, "link", "set", "lo", "up");
        ip(
            "link",
            "add",
            hostSide,
            "mtu",
            Integer.toString(UNDERLAY_MTU),
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "mtu",
            Integer.toString(UNDERLAY_MTU),
            "netns",
            netns);
        ip("link", "set", hostSide, "netns", UNDERLAY);
        ipIn(UNDERLAY, "link", "set", hostSide, "master", "br0", "up");
        ipIn(netns, "addr", "add", address + "/24", "dev", "eth0");
        ipIn(netns, "link", "set", "eth0", "up");
        Path nodeDir = dir.resolve("node" + i);
        Files.createDirectories(nodeDir);
        String socket = nodeDir.resolve("api.sock").toString();
        String pins = "/sys/fs/bpf/hivewall/" + PREFIX + "node" + i;
        String cidr = "198.18." + i + ".0/24";
        ProcessBuilder starting =
            new ProcessBuilder(
                    agentCommand(
                        "--node-netns",
                        netns,
                        "--state-dir",
                        nodeDir.resolve("state").toString(),
                        "--socket",
                        socket,
                        "--pod-cidr",
                        cidr,
                        "--pod-netns-prefix",
                        PREFIX + "n" + i + "-",
                        "--bpf-dir",
                        pins,
                        "--proxy-port",
                        Integer.toString(15000 + i),
                        "--cluster",
                        "lab",
                        "--node",
                        "node" + i,
                        "--etcd",
                        etcd,
                        "--node-ip",
                        address,
                        "--pod-route",
                        PODS))
                .redirectErrorStream(true)
                .redirectOutput(nodeDir.resolve("agent.log").toFile());
        // the launcher picks an agent's JVM settings, not this CLI's
        starting.environment().remove("HIVEWALL_JVM_OPTS");
        starting.environment().remove("HIVEWALL_NETTY");
        Process agent = starting.start();
        made.add(
            new NodeInfo(
                "node" + i,
                netns,
                address,
                cidr,
                socket,
                nodeDir.resolve("state").toString(),
                pins,
                agent.pid()));
      }
      State state = new State(etcd, etcdPid, List.copyOf(made));
      JSON.writeValue(dir.resolve("lab.json").toFile(), state);
      for (NodeInfo n : made) {
        awaitAgent(Path.of(n.socket()), dir.resolve(n.name()).resolve("agent.log"));
      }
      return state;
    } catch (IOException | RuntimeException | InterruptedException e) {
      State partial = new State(etcd, etcdPid, List.copyOf(made));
      JSON.writeValue(dir.resolve("lab.json").toFile(), partial);
      down(dir);
      throw e;
    }
  }

  /** Stops the agents and etcd, removes namespaces, pins and the lab's folder. */
  static State down(Path dir) throws IOException {
    Path file = dir.resolve("lab.json");
    if (!Files.exists(file)) {
      return null;
    }
    State s = JSON.readValue(file.toFile(), State.class);
    for (NodeInfo n : s.nodes()) {
      ProcessHandle.of(n.agentPid()).ifPresent(MultiNodeLab::stop);
      PinDirectory.remove(Path.of(n.pinDir()));
      for (String line : Command.run(IP, "ip", "netns", "list").stdout().lines().toList()) {
        String ns = line.split("\\s+")[0];
        if (ns.startsWith(PREFIX + "n" + n.name().substring(4) + "-")) {
          Command.run(IP, "ip", "netns", "delete", ns);
        }
      }
      Command.run(IP, "ip", "netns", "delete", n.netns());
    }
    if (s.etcdPid() != 0) {
      ProcessHandle.of(s.etcdPid()).ifPresent(MultiNodeLab::stop);
    }
    Command.run(IP, "ip", "netns", "delete", UNDERLAY);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    return s;
  }

  private static void stop(ProcessHandle p) {
    p.destroy();
    try {
      p.onExit().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
    }
  }

  /**
   * The agent as `hivewall agent` runs it: through the launcher that started this process (its JVM
   * options and module path for an agent), else (tests) this JVM's java and class path.
   */
  private static List<String> agentCommand(String... args) {
    List<String> c = new ArrayList<>();
    String launcher = System.getenv("HIVEWALL_LAUNCHER");
    if (launcher != null && Files.isExecutable(Path.of(launcher))) {
      c.addAll(List.of(launcher, "agent"));
      c.addAll(List.of(args));
      return c;
    }
    c.add(ProcessHandle.current().info().command().orElse("java"));
    c.add("--enable-native-access=ALL-UNNAMED");
    c.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent"));
    c.addAll(List.of(args));
    return c;
  }

  private static void awaitAgent(Path socket, Path log) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.exists(socket)) {
        try {
          new AgentClient(socket).get("/v1/status");
          return;
        } catch (RuntimeException starting) {
          // not yet
        }
      }
      Thread.sleep(50);
    }
    String tail = "";
    try {
      List<String> lines = Files.readAllLines(log);
      tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
    } catch (IOException e) {
      tail = "(no log: " + e.getMessage() + ")";
    }
    throw new IllegalStateException(
        "the agent at " + socket + " did not answer within 60 s; its log ends:\n  " + tail);
  }

  private static void awaitHealthy(String endpoint) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(endpoint + "/health").toURL().openConnection();
        c.setConnectTimeout(200);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("etcd did not become healthy within 20 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void ip(String... args) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    Command.run(IP, argv).orThrow();
  }

  private static void ipIn(String netns, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", netns));
    argv.addAll(List.of(args));
    Command.run(IP, argv).orThrow();
  }
}
