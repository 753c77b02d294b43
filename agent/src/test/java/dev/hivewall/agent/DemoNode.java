package dev.hivewall.agent;

import dev.hivewall.core.labels.Labels;
import dev.hivewall.testing.lab.Lab;
import java.nio.file.Path;

/** A node of a lab with namespace demo, for tests that need one (removed afterwards). */
final class DemoNode {
  private DemoNode() {}

  /** Work on a node in the lab with namespace demo; the namespace and the node go afterwards. */
  interface NodeWork {
    void run(Node node) throws Exception;
  }

  static void with(Lab lab, NodeWork work) throws Exception {
    Path dir = lab.dir("l7");
    Node node = Node.start(NodeTest.config(lab, dir));
    try {
      node.createNamespace("demo", Labels.EMPTY);
      work.run(node);
    } finally {
      node.deleteNamespace("demo");
      node.close();
    }
  }
}
