package dev.hivewall.cli.lab;

import dev.hivewall.datapath.selftest.SelftestDatapath;
import dev.hivewall.datapath.selftest.SelftestEvent;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TcDirection;
import dev.hivewall.ebpf.TcFilter;
import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.NodeAndPod;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code hivewall lab selftest}: proves, with real packets, that this node can load, attach and
 * drive Hivewall's BPF programs from Java. Narrates each step; cleans up everything.
 */
@Command(
    name = "selftest",
    mixinStandardHelpOptions = true,
    description =
        "Builds a node and a pod namespace joined by a veth, attaches a BPF filter to the"
            + " pod's veth, and shows a ping pass, get dropped in the kernel after one map update"
            + " (with the drop events), and pass again after the entry is removed.")
public final class LabSelftestCommand implements Callable<Integer> {
  private static final String NODE_IP = NodeAndPod.NODE_IP;
  private static final String POD_IP = NodeAndPod.POD_IP;

  private int failures;

  @Override
  public Integer call() {
    try (Lab lab = Lab.create()) {
      say(
          "1. A node and a pod: two network namespaces joined by a veth pair (lab "
              + lab.runId()
              + ").");
      NodeAndPod t = NodeAndPod.create(lab);
      say(
          "   node "
              + NODE_IP
              + " on "
              + t.hostDevice()
              + ", pod "
              + POD_IP
              + " on eth0; no route anywhere else.");

      try (SelftestDatapath dp = SelftestDatapath.load();
          TcFilter filter =
              dp.attachFilter(t.node().netns(), t.hostDevice(), TcDirection.INGRESS)) {
        say("2. Loaded selftest.o (ABI checked against its BTF) and attached " + filter + ".");
        expect(t.podPingsNode(), true, "pod pings the node: the filter lets it through");

        dp.deny(POD_IP);
        say("3. One map update: " + POD_IP + " added to the deny map st_deny.");
        List<SelftestEvent> events = new ArrayList<>();
        try (RingBufferReader reader = dp.events(events::add)) {
          expect(t.podPingsNode(), false, "pod pings the node: dropped in the kernel");
          reader.poll(500);
          reader.consume();
        }
        say(
            "   "
                + events.size()
                + " drop event(s) from the ring buffer, "
                + dp.hits(POD_IP)
                + " counted in the map:");
        events.stream().limit(3).forEach(e -> say("     " + e));

        dp.allow(POD_IP);
        say("4. Entry removed from st_deny.");
        expect(t.podPingsNode(), true, "pod pings the node again: it passes");
      }
      say("5. Cleaning up: filter detached, namespaces deleted.");
    }
    say(failures == 0 ? "selftest: passed" : "selftest: FAILED (" + failures + " step(s))");
    return failures == 0 ? 0 : 1;
  }

  private void expect(boolean actual, boolean expected, String what) {
    String outcome = actual ? "passed" : "no reply";
    if (actual == expected) {
      say("   ok:   " + what + " (" + outcome + ")");
    } else {
      failures++;
      say("   FAIL: " + what + " (" + outcome + ")");
    }
  }

  private static void say(String line) {
    System.out.println(line);
  }
}
