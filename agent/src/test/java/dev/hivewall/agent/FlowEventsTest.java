package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The flow-events knob: a node that reports drops only (--flow-events drops, for a busy node)
 * reports no connection it lets through, and still every drop.
 */
@Privileged
@ExtendWith(LabExtension.class)
class FlowEventsTest {
  @Test
  void aNodeReportingDropsOnlyReportsNoAllowedConnectionAndEveryDrop(Lab lab) throws Exception {
    Path dir = Files.createTempDirectory("hw-events");
    AgentConfig base = NodeTest.config(lab, dir);
    AgentConfig dropsOnly =
        new AgentConfig(
            base.stateDir(),
            base.socket(),
            Cidr.parse("198.18.0.0/24"),
            base.nodeNetns(),
            base.podNetnsPrefix(),
            List.of(),
            base.l7(),
            AgentConfig.NO_METRICS,
            false);
    Node node = lab.own(Node.start(dropsOnly));
    node.createNamespace("demo", Labels.EMPTY);
    Pod app1 = node.runPod(NodeTest.pod("app1", true));
    Pod app2 = node.runPod(NodeTest.pod("app2", false));
    Pod app3 = node.runPod(NodeTest.pod("app3", false));
    node.applyPolicies("seed.yaml", SeedPolicies.APP1_FROM_APP2);
    assertThat(Probes.tcp(app2.netns(), app1.ip(), 80)).isEqualTo("connected");
    assertThat(Probes.tcp(app3.netns(), app1.ip(), 80)).isEqualTo("timeout");

    long deadline = System.nanoTime() + 3_000_000_000L;
    List<DatapathFlow> flows = List.of();
    while (flows.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      flows = node.datapathFlows().last(1000);
    }
    Thread.sleep(200);
    flows = node.datapathFlows().last(1000);
    assertThat(flows).isNotEmpty().allMatch(f -> f.verdict().equals("DROPPED"));
    assertThat(flows).anyMatch(f -> f.source().equals("demo/app3"));
    node.deleteNamespace("demo");
  }
}
