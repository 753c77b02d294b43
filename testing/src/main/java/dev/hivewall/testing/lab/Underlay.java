package dev.hivewall.testing.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The network between the nodes of a test cluster: a bridge in a namespace of its own, each node's
 * {@code eth0} on it with 192.0.2.(10 + n)/24 (TEST-NET-1; no route anywhere else) and room for
 * VXLAN around a 1500-byte packet. Everything lives in the lab's namespaces and goes with them.
 */
public final class Underlay {
  /** The underlay's MTU: a 1500-byte pod packet plus VXLAN's 50 bytes. */
  public static final int MTU = 1550;

  private Underlay() {}

  /** The underlay address of node {@code n} (1-based). */
  public static String address(int n) {
    return "192.0.2." + (10 + n);
  }

  /** Connects {@code nodes} (node n = index + 1); returns their addresses in order. */
  public static List<String> connect(Lab lab, List<LabNetns> nodes) {
    LabNetns bridge = lab.netns("underlay");
    bridge.ip("link", "add", "br0", "mtu", Integer.toString(MTU), "type", "bridge").orThrow();
    bridge.ip("link", "set", "br0", "up").orThrow();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      LabNetns node = nodes.get(i);
      String port = "u" + (i + 1);
      lab.veth(node, "eth0", bridge, port);
      node.ip("link", "set", "eth0", "mtu", Integer.toString(MTU)).orThrow();
      bridge.ip("link", "set", port, "mtu", Integer.toString(MTU)).orThrow();
      bridge.ip("link", "set", port, "master", "br0").orThrow();
      node.address("eth0", address(i + 1) + "/24");
      addresses.add(address(i + 1));
    }
    return addresses;
  }
}
