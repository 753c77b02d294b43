package dev.hivewall.agent.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pod's network as {@link PodPlumbing} makes it (batched {@code ip} commands, sysctls written
 * from a thread in the namespace): veth ends in the right namespaces, address, MTU, IPv6 off on
 * both ends, links down until activated, routes after, and nothing left after delete.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PodPlumbingTest {
  private static final Duration T = Duration.ofSeconds(10);

  @Test
  void makesActivatesAndRemovesAPodNetwork(Lab lab) {
    LabNetns node = lab.netns("node");
    String pod = lab.prefix("pods") + "demo.app1";
    PodPlumbing plumbing =
        new PodPlumbing("198.18.0.1", "198.18.0.0/24", node.name(), List.of("10.99.0.0/16"));
    plumbing.mtu(1450);
    String dev = PodPlumbing.hostDevice("demo", "app1");

    plumbing.create(pod, dev, "198.18.0.7");

    assertThat(plumbing.exists(pod, dev)).isTrue();
    assertThat(inPod(pod, "ip", "-o", "addr", "show", "dev", "eth0")).contains("198.18.0.7/32");
    assertThat(inPod(pod, "ip", "-o", "link", "show", "dev", "eth0"))
        .contains("mtu 1450")
        .contains("state DOWN");
    assertThat(node.ip("-o", "link", "show", "dev", dev).stdout())
        .contains("mtu 1450")
        .contains("state DOWN");
    for (String key : List.of("all", "default", "eth0")) {
      assertThat(inPod(pod, "cat", "/proc/sys/net/ipv6/conf/" + key + "/disable_ipv6").strip())
          .as("IPv6 off in the pod (%s)", key)
          .isEqualTo("1");
    }
    assertThat(
            node.exec(T, "cat", "/proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6")
                .stdout()
                .strip())
        .as("IPv6 off on the host end")
        .isEqualTo("1");

    plumbing.activate(pod, dev, "198.18.0.7");

    assertThat(node.ip("route", "show", "198.18.0.7").stdout()).contains("dev " + dev);
    String routes = inPod(pod, "ip", "route", "show");
    assertThat(routes)
        .contains("198.18.0.1 dev eth0")
        .contains("198.18.0.0/24 via 198.18.0.1 dev eth0")
        .contains("10.99.0.0/16 via 198.18.0.1 dev eth0")
        .doesNotContain("default");
    assertThat(inPod(pod, "ip", "-o", "link", "show", "dev", "eth0")).doesNotContain("state DOWN");

    // Made again over what is there (an agent that crashed mid-way): the leftovers go first.
    plumbing.create(pod, dev, "198.18.0.8");
    assertThat(inPod(pod, "ip", "-o", "addr", "show", "dev", "eth0"))
        .contains("198.18.0.8/32")
        .doesNotContain("198.18.0.7");

    plumbing.delete(pod, dev);
    assertThat(plumbing.exists(pod, dev)).isFalse();
    assertThat(Files.exists(Path.of("/run/netns", pod))).isFalse();
    assertThat(node.ip("-o", "link", "show").stdout()).doesNotContain(dev);
    plumbing.delete(pod, dev); // nothing there: fine
  }

  @Test
  void aFailedCreateLeavesNothingBehind(Lab lab) {
    LabNetns node = lab.netns("node");
    String pod = lab.prefix("pods") + "demo.bad";
    PodPlumbing plumbing = new PodPlumbing("198.18.0.1", "198.18.0.0/24", node.name(), List.of());
    String dev = PodPlumbing.hostDevice("demo", "bad");

    assertThatThrownBy(() -> plumbing.create(pod, dev, "not-an-address"))
        .hasMessageContaining("ip -n " + pod + " -batch -");

    assertThat(Files.exists(Path.of("/run/netns", pod))).isFalse();
    assertThat(node.ip("-o", "link", "show").stdout()).doesNotContain(dev);
  }

  private static String inPod(String netns, String... argv) {
    List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", netns));
    cmd.addAll(List.of(argv));
    return Command.run(T, cmd).orThrow().stdout();
  }
}
