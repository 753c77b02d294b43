package dev.hivewall.testing.kernel;

import dev.hivewall.testing.lab.Lab;
import dev.hivewall.testing.lab.LabNetns;

/**
 * node netns <-veth-> pod netns. The host end ({@code hostDevice}) is in the node; the pod's end is
 * eth0. Addresses from the benchmarking range 198.18.0.0/15 (RFC 2544), routes only on-link.
 */
record SelftestTopology(LabNetns node, LabNetns pod, String hostDevice) {
  static final String NODE_IP = "198.18.0.1";
  static final String POD_IP = "198.18.0.2";

  static SelftestTopology create(Lab lab) {
    LabNetns node = lab.netns("node");
    LabNetns pod = lab.netns("pod");
    String host = lab.name("h0");
    lab.veth(node, host, pod, "eth0");
    node.address(host, NODE_IP + "/24");
    pod.address("eth0", POD_IP + "/24");
    return new SelftestTopology(node, pod, host);
  }
}
