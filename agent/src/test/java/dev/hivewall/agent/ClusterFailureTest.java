package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.kvstore.EtcdUnavailableException;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failures of a cluster, each observed with real traffic across the overlay: agents restarted (on
 * either end of the traffic, again and again) drop nothing; a node cut from etcd keeps enforcing,
 * refuses changes it cannot share, is forgotten by the others once its lease ends (never a guess),
 * and rejoins by itself when etcd is back.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ClusterFailureTest {
  /** app1's server: its own process in the pod, so it outlives the agents (as a container). */
  private static final List<String> SERVER =
      List.of(
          "python3",
          "-c",
          "import socket\n"
              + "s=socket.socket()\n"
              + "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
              + "s.bind(('0.0.0.0',80))\n"
              + "s.listen(256)\n"
              + "while True:\n"
              + "    c,_=s.accept()\n"
              + "    c.sendall(b'app1\\n')\n"
              + "    c.close()\n");

  @Test
  void agentsRestartedOnEitherEndDropNothingAndLetNothingIn(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2);
      Node[] nodes = {Node.start(configs.get(0)), Node.start(configs.get(1))};
      lab.own(() -> closeAll(nodes));
      for (Node n : nodes) {
        n.createNamespace("demo", Labels.EMPTY);
      }
      Pod app1 = nodes[0].runPod(server());
      Pod app2 = nodes[1].runPod(NodeTest.pod("app2", false));
      Pod app3 = nodes[1].runPod(NodeTest.pod("app3", false));
      nodes[0].applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
      ClusterDatapathTest.await(() -> "app1".equals(NodeTest.probe(app2, app1)));
      ClusterDatapathTest.await(() -> NodeTest.probe(app3, app1) == null);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger attemptsDenied = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicInteger letIn = new AtomicInteger();
      Thread allowed =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get()) {
                      if ("app1".equals(NodeTest.probe(app2, app1))) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(String.valueOf(System.nanoTime()));
                      }
                    }
                  });
      Thread denied =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (running.get()) {
                      attemptsDenied.incrementAndGet();
                      if (Probes.tcp(app3.netns(), null, app1.ip(), 80, 200).equals("connected")) {
                        letIn.incrementAndGet();
                      }
                    }
                  });
      for (int i = 0; i < 6; i++) {
        int which = i % 2; // node 1 (app1's), then node 2 (app2's and app3's), and again
        nodes[which].close();
        Thread.sleep(300);
        nodes[which] = Node.start(configs.get(which));
        Thread.sleep(1200);
      }
      running.set(false);
      allowed.join();
      denied.join();
      System.out.printf(
          "cluster restarts: 6 agent restarts (3 per node): app2 -> app1 across the overlay %d"
              + " connections ok, %d failed; app3 %d attempts, %d let in%n",
          ok.get(), failures.size(), attemptsDenied.get(), letIn.get());
      assertThat(failures).isEmpty();
      assertThat(letIn.get()).isZero();
      assertThat(ok.get()).isGreaterThan(100);
      assertThat(nodes[0].remotePods()).containsKeys(app2.ip(), app3.ip());
      assertThat(nodes[1].remotePods()).containsKey(app1.ip());
    }
  }

  @Test
  void aNodeCutFromEtcdKeepsEnforcingIsForgottenAfterItsLeaseAndRejoinsWhenEtcdIsBack(Lab lab)
      throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        Relay relay = new Relay(URI.create(etcd.endpoint()).getPort())) {
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2);
      ClusterSettings s = configs.get(0).cluster().orElseThrow();
      AgentConfig viaRelay =
          configs
              .get(0)
              .withCluster(
                  new ClusterSettings(
                      s.cluster(), s.node(), List.of(relay.endpoint()), s.nodeIp()));
      Node node1 = lab.own(Node.start(viaRelay));
      Node node2 = lab.own(Node.start(configs.get(1)));
      node1.createNamespace("demo", Labels.EMPTY);
      node2.createNamespace("demo", Labels.EMPTY);
      Pod app1 = node1.runPod(NodeTest.pod("app1", true));
      Pod app2 = node2.runPod(NodeTest.pod("app2", false));
      Pod app3 = node2.runPod(NodeTest.pod("app3", false));
      node2.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
      ClusterDatapathTest.await(() -> node1.policies().size() == 1);
      ClusterDatapathTest.await(() -> "app1".equals(NodeTest.probe(app2, app1)));

      relay.cut(); // node 1 and etcd no longer hear each other; node 2 still does
      long cutAt = System.nanoTime();
      ClusterDatapathTest.await(() -> node1.clusterHealth().orElseThrow().startsWith("degraded"));
      assertThat(node2.clusterHealth()).contains("ok");
      assertThat(NodeTest.probe(app2, app1)).as("enforced as it was").isEqualTo("app1");
      assertThat(NodeTest.probe(app3, app1)).isNull();
      long revision = node1.revision();
      assertThatThrownBy(
              () -> node1.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2_AND_APP3))
          .as("a change node 1 cannot share is refused, and undone there")
          .isInstanceOf(EtcdUnavailableException.class);
      assertThat(NodeTest.probe(app3, app1)).isNull();
      assertThat(node1.policyText(new PolicyName("demo", "app1-ingress")).orElseThrow().text())
          .isEqualTo(node2.policyText(new PolicyName("demo", "app1-ingress")).orElseThrow().text());

      // Once its lease ends, the others forget node 1's pods: not guessed, not let in.
      ClusterDatapathTest.await(() -> !node2.remotePods().containsKey(app1.ip()), 30);
      long forgottenMs = (System.nanoTime() - cutAt) / 1_000_000;
      assertThat(NodeTest.probe(app2, app1)).as("node 1's pods are unknown to node 2").isNull();

      relay.heal();
      long healAt = System.nanoTime();
      ClusterDatapathTest.await(() -> node2.remotePods().containsKey(app1.ip()), 60);
      long backMs = (System.nanoTime() - healAt) / 1_000_000;
      ClusterDatapathTest.await(() -> "app1".equals(NodeTest.probe(app2, app1)));
      ClusterDatapathTest.await(() -> node1.clusterHealth().orElseThrow().equals("ok"));
      assertThat(NodeTest.probe(app3, app1)).isNull();
      assertThat(node1.remotePods()).containsKeys(app2.ip(), app3.ip());
      System.out.printf(
          "cluster partition: node 1 cut from etcd; degraded, enforcing, a change refused"
              + " (revision %d kept); forgotten by node 2 after %d ms; rejoined %d ms after etcd"
              + " was back%n",
          revision, forgottenMs, backMs);
    }
  }

  private static PodSpec server() {
    return new PodSpec("demo", "app1", Labels.of("app", "app1"), Map.of(), List.of(), SERVER);
  }

  private static void closeAll(Node[] nodes) {
    for (Node n : nodes) {
      n.close();
    }
  }

  /**
   * A TCP relay on loopback to etcd that a test can cut (every connection closed, new ones closed
   * at once) and heal: a partition between one node and etcd, nobody else touched.
   */
  static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    Relay(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
      this.acceptor = Thread.ofPlatform().daemon().start(this::accept);
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    void cut() {
      cut.set(true);
      for (Socket s : open) {
        closeQuietly(s);
      }
      open.clear();
    }

    void heal() {
      cut.set(false);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket in = server.accept();
          if (cut.get()) {
            in.close();
            continue;
          }
          Socket out = new Socket();
          out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
          open.add(in);
          open.add(out);
          pump(in, out);
          pump(out, in);
        } catch (IOException e) {
          // closed, or one connection failed: the next accept goes on
        }
      }
    }

    private void pump(Socket from, Socket to) {
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                byte[] buf = new byte[16384];
                try (InputStream i = from.getInputStream();
                    OutputStream o = to.getOutputStream()) {
                  for (int n; (n = i.read(buf)) > 0; ) {
                    o.write(buf, 0, n);
                  }
                } catch (IOException e) {
                  // either end closed
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              });
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      cut();
      try {
        acceptor.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
