package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pod is born enforced: its endpoint entry and policy are in the maps before its device carries a
 * packet, so a denied peer hammering its address from before it exists never gets an answer from it
 * (no SYN-ACK, no RST), while the allowed peer gets in as soon as it serves.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PodStartupTest {
  @Test
  void aNewPodGetsNoTrafficBeforeItsPolicyIsInPlace(Lab lab) throws Exception {
    Node node = lab.own(Node.start(NodeTest.config(lab, lab.dir("birth"))));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2); // before app1 exists
    // The address app1 will get (the lowest free one): held by a pod that goes away again.
    Pod placeholder = node.runPod(NodeTest.pod("placeholder", false));
    String next = placeholder.ip();
    node.deletePod("demo", "placeholder");

    AtomicBoolean running = new AtomicBoolean(true);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    Thread hammer =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (running.get()) {
                    String r = Probes.tcp(app3.netns(), null, next, 80, 50);
                    outcomes.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet();
                  }
                });
    Thread.sleep(200);
    Pod app1 = node.runPod(NodeTest.pod("app1", true)); // gets the address app3 hammers
    assertThat(app1.ip()).isEqualTo(next);
    long deadline = System.nanoTime() + 3_000_000_000L;
    String allowed = null;
    while (allowed == null && System.nanoTime() < deadline) {
      allowed = NodeTest.probe(app2, app1);
    }
    Thread.sleep(500);
    running.set(false);
    hammer.join();

    assertThat(allowed).as("app2 gets in once app1 serves").isEqualTo("app1");
    assertThat(outcomes)
        .as("app3's attempts: %s", outcomes)
        .doesNotContainKeys("connected", "refused");
    assertThat(outcomes.getOrDefault("timeout", new AtomicInteger()).get())
        .as("attempts dropped after app1 was born")
        .isPositive();
    node.deleteNamespace("demo");
  }
}
