package dev.hivewall.testing.lab;

/**
 * The smallest topology: a node namespace and a pod namespace joined by a veth, the host end
 * ({@code hostDevice}, in the node) and eth0 (in the pod). Addresses from the benchmarking range
 * 198.18.0.0/15 (RFC 2544), on-link routes only.
 */
public record NodeAndPod(LabNetns node, LabNetns pod, String hostDevice) {
  public static final String NODE_IP = "198.18.0.1";
  public static final String POD_IP = "198.18.0.2";

  public static NodeAndPod create(Lab lab) {
    LabNetns node = lab.netns("node");
    LabNetns pod = lab.netns("pod");
    String host = lab.name("h0");
    lab.veth(node, host, pod, "eth0");
    node.address(host, NODE_IP + "/24");
    pod.address("eth0", POD_IP + "/24");
    return new NodeAndPod(node, pod, host);
  }

  /** One ICMP echo from the pod to the node, waiting at most 1 s. */
  public boolean podPingsNode() {
    return pod.exec(java.time.Duration.ofSeconds(5), "ping", "-c", "1", "-W", "1", "-q", NODE_IP)
        .ok();
  }
}
