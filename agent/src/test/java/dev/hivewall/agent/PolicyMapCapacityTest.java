package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A policy the datapath's maps cannot hold is refused whole, with the counts, before any entry is
 * written: what was enforced stays enforced, and the repository does not keep the refused policy.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PolicyMapCapacityTest {
  @Test
  void aPolicyThatDoesNotFitIsRefusedWithCountsAndTheOldOneStaysEnforced(Lab lab) throws Exception {
    // 64 entries per map: the seed policy needs 2 (one key, kept in both slots).
    Node node = lab.own(Node.start(NodeTest.config(lab, lab.dir("cap")).withPolicyMapEntries(64)));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    long revision = node.revision();

    // 40 ports from app2: 40 exact keys, 80 with both slots > 64.
    String ports =
        IntStream.range(0, 40)
            .mapToObj(i -> "{port: \"" + (8000 + i) + "\", protocol: TCP}")
            .collect(Collectors.joining(", "));
    String huge =
        SeedPolicies.APP1_FROM_APP2
            .replace("app1-ingress", "app1-many-ports")
            .replace("[{port: \"80\", protocol: TCP}]", "[" + ports + "]");
    assertThatThrownBy(() -> node.applyPolicies("huge.yaml", huge))
        .isInstanceOf(Node.PolicyMapFullException.class)
        .hasMessageContaining("policy map full")
        .hasMessageContaining("82 exact entries")
        .hasMessageContaining("the maps hold 64 each")
        .hasMessageContaining("nothing was changed");

    assertThat(node.policies()).containsOnlyKeys(new PolicyName("demo", "app1-ingress"));
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 8000)).isEqualTo("timeout");
    assertThat(node.revision()).isGreaterThanOrEqualTo(revision);

    // A change that fits still applies after the refusal.
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2_AND_APP3);
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("connected");
    node.deleteNamespace("demo");
  }
}
