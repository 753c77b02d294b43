package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Policy audit mode: with it on, what a pod's policy would drop passes and shows as an AUDIT flow
 * (once per connection) and counter, and the trace says AUDIT; with it off again the policy drops.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PolicyAuditTest {
  @Test
  void auditedDropsPassAsAuditFlowsUntilAuditIsOff(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          Pod app1 = node.runPod(NodeTest.pod("app1", true));
          node.runPod(NodeTest.pod("app2", false));
          Pod app3 = node.runPod(NodeTest.pod("app3", false));
          node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
          assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");

          assertThat(node.setPolicyAudit("demo", "app1", true)).isTrue();
          assertThat(node.policyAudit("demo", "app1")).isTrue();
          assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("connected");
          assertThat(node.trace("demo/app3", "demo/app1", Protocol.TCP, 80, Optional.empty()))
              .satisfies(
                  t -> {
                    assertThat(t.verdict()).isEqualTo("AUDIT");
                    assertThat(t.reason()).isEqualTo("policy-denied");
                  });
          List<DatapathFlow> audits = awaitAudits(node);
          assertThat(audits)
              .hasSize(1) // one connection, one event (its other packets are only counted)
              .first()
              .satisfies(
                  f -> {
                    assertThat(f.source()).isEqualTo("demo/app3");
                    assertThat(f.endpoint()).isEqualTo("demo/app1");
                    assertThat(f.direction()).isEqualTo("INGRESS");
                    assertThat(f.reason()).isEqualTo("policy-denied");
                  });
          long counted =
              node.datapath().counters().entrySet().stream()
                  .filter(
                      e ->
                          e.getKey().verdict() == Verdict.AUDIT
                              && e.getKey().reason() == DropReason.POLICY_DENIED)
                  .mapToLong(e -> e.getValue().packets())
                  .sum();
          assertThat(counted).as("every packet of the connection is counted").isGreaterThan(1);

          assertThat(node.setPolicyAudit("demo", "app1", false)).isTrue();
          assertThat(node.setPolicyAudit("demo", "app1", false)).isFalse();
          assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
          assertThat(
                  node.trace("demo/app3", "demo/app1", Protocol.TCP, 80, Optional.empty())
                      .verdict())
              .isEqualTo("DROPPED");
        });
  }

  private static List<DatapathFlow> awaitAudits(Node node) throws InterruptedException {
    long deadline = System.nanoTime() + 2_000_000_000L;
    List<DatapathFlow> audits = List.of();
    while (audits.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      audits = node.datapathFlows().last(1000, f -> f.verdict().equals("AUDIT"));
    }
    Thread.sleep(200); // and no more come for the same connection
    return node.datapathFlows().last(1000, f -> f.verdict().equals("AUDIT"));
  }
}
