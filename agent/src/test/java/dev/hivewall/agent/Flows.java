package dev.hivewall.agent;

import dev.hivewall.agent.observe.DatapathFlow;
import java.util.List;
import java.util.function.Predicate;

/** Datapath flows as the observer reads them: asynchronously, so tests wait for them. */
final class Flows {
  private Flows() {}

  /** The node's last flows that match, once at least one arrived (at most 3 s). */
  static List<DatapathFlow> await(Node node, Predicate<DatapathFlow> filter)
      throws InterruptedException {
    long deadline = System.nanoTime() + 3_000_000_000L;
    List<DatapathFlow> flows = node.datapathFlows().last(1000, filter);
    while (flows.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      flows = node.datapathFlows().last(1000, filter);
    }
    Thread.sleep(100); // the rest of a burst
    return node.datapathFlows().last(1000, filter);
  }
}
