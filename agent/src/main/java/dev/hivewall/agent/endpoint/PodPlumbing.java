package dev.hivewall.agent.endpoint;

import dev.hivewall.datapath.host.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes and removes a pod's network: a namespace {@code <prefix><ns>.<name>}, a veth pair (host end
 * {@code lxc<hash>} in the node, {@code eth0} in the pod), the pod's /32 address, a route to it on
 * the node, and in the pod only a route to the pod CIDR via the gateway: no default route. The node
 * is the namespace the agent runs in. Devices come up last, after the caller attached the datapath
 * (until then nothing flows; with the programs but no endpoint entry, everything drops).
 */
public final class PodPlumbing {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String gateway;
  private final String podCidr;
  private final String node;
  private final List<String> extraRoutes;

  /** The MTU of pods made from now on (0: the kernel's default, 1500). */
  private volatile int mtu;

  /** {@code nodeNetns} empty: the node is this process's namespace. */
  public PodPlumbing(String gateway, String podCidr, String nodeNetns, List<String> extraRoutes) {
    this.gateway = gateway;
    this.podCidr = podCidr;
    this.node = nodeNetns;
    this.extraRoutes = List.copyOf(extraRoutes);
  }

  /** Pods made from now on get links of {@code bytes} (an overlay leaves less room than 1500). */
  public void mtu(int bytes) {
    this.mtu = bytes;
  }

  public static String netnsName(String prefix, String namespace, String pod) {
    return prefix + namespace + "." + pod;
  }

  /** lxc + 8 hex digits of a hash of ns/name: fits the 15-character limit of device names. */
  public static String hostDevice(String namespace, String pod) {
    return String.format("lxc%08x", (namespace + "/" + pod).hashCode());
  }

  /** The routing table holding the one "local" route of packets handed to the L7 proxy. */
  static final String PROXY_TABLE = "2005";

  /**
   * Prepares the node: the gateway address on lo, IPv4 forwarding, and local delivery of packets
   * the datapath handed to the L7 proxy ({@code mark/mask}: an ip rule to a table whose only route
   * is "local 0.0.0.0/0 dev lo", so the socket bpf_sk_assign chose can take them whatever their
   * destination). Idempotent.
   */
  public void prepareNode(int proxyMark, int markMask) {
    String fwmark = String.format("0x%x/0x%x", proxyMark, markMask);
    if (!Command.run(TIMEOUT, nodeIp("rule", "show", "fwmark", fwmark))
        .stdout()
        .contains("lookup")) {
      onNode("rule", "add", "fwmark", fwmark, "lookup", PROXY_TABLE, "pref", "90");
    }
    onNode("route", "replace", "local", "0.0.0.0/0", "dev", "lo", "table", PROXY_TABLE);
    Command.Result has = Command.run(TIMEOUT, nodeIp("-o", "addr", "show", "dev", "lo"));
    if (!has.stdout().contains(" " + gateway + "/32")) {
      onNode("addr", "add", gateway + "/32", "dev", "lo");
    }
    List<String> sysctl =
        new ArrayList<>(node.isEmpty() ? List.of() : List.of("ip", "netns", "exec", node));
    sysctl.addAll(List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
    Command.run(TIMEOUT, sysctl).orThrow();
  }

  public boolean exists(String netns, String hostDevice) {
    return Files.exists(Path.of("/run/netns", netns))
        && Command.run(TIMEOUT, nodeIp("link", "show", "dev", hostDevice)).ok();
  }

  /**
   * Creates the namespace and veth with addresses and routes, links still down. Leftovers under the
   * same names (a half-made pod, an agent that crashed before saving) are removed first: the names
   * belong to this pod.
   */
  public void create(String netns, String hostDevice, String ip) {
    delete(netns, hostDevice);
    List<Runnable> undo = new ArrayList<>();
    try {
      ip("netns", "add", netns);
      undo.add(() -> Command.run(TIMEOUT, "ip", "netns", "delete", netns));
      // Pods are IPv4 (the datapath drops IPv6 as unsupported-l3): no IPv6 on either end, so no
      // router solicitations or neighbour discovery to drop. Best effort: a kernel without IPv6
      // has nothing to turn off.
      Command.run(
          TIMEOUT,
          "ip",
          "netns",
          "exec",
          netns,
          "sysctl",
          "-qw",
          "net.ipv6.conf.all.disable_ipv6=1",
          "net.ipv6.conf.default.disable_ipv6=1");
      List<String> add = new ArrayList<>(List.of("link", "add", hostDevice));
      List<String> peer = new ArrayList<>(List.of("peer", "name", "eth0"));
      if (mtu > 0) {
        add.addAll(List.of("mtu", Integer.toString(mtu)));
        peer.addAll(List.of("mtu", Integer.toString(mtu)));
      }
      add.addAll(List.of("type", "veth"));
      add.addAll(peer);
      add.addAll(List.of("netns", netns));
      onNode(add.toArray(String[]::new));
      undo.add(() -> Command.run(TIMEOUT, nodeIp("link", "delete", hostDevice)));
      List<String> sysctl =
          new ArrayList<>(node.isEmpty() ? List.of() : List.of("ip", "netns", "exec", node));
      sysctl.addAll(List.of("sysctl", "-qw", "net.ipv6.conf." + hostDevice + ".disable_ipv6=1"));
      Command.run(TIMEOUT, sysctl);
      ip("-n", netns, "link", "set", "lo", "up");
      ip("-n", netns, "addr", "add", ip + "/32", "dev", "eth0");
    } catch (RuntimeException e) {
      for (int i = undo.size() - 1; i >= 0; i--) {
        undo.get(i).run();
      }
      throw e;
    }
  }

  /** Brings the links up and installs the routes (after the datapath is attached). */
  public void activate(String netns, String hostDevice, String ip) {
    onNode("link", "set", hostDevice, "up");
    ip("-n", netns, "link", "set", "eth0", "up");
    onNode("route", "replace", ip + "/32", "dev", hostDevice, "scope", "link");
    ip("-n", netns, "route", "replace", gateway, "dev", "eth0", "scope", "link");
    ip("-n", netns, "route", "replace", podCidr, "via", gateway, "dev", "eth0");
    for (String prefix : extraRoutes) {
      ip("-n", netns, "route", "replace", prefix, "via", gateway, "dev", "eth0");
    }
  }

  /** Removes the pod's network; missing pieces are fine. */
  public void delete(String netns, String hostDevice) {
    Command.run(TIMEOUT, nodeIp("link", "delete", hostDevice));
    Command.run(TIMEOUT, "ip", "netns", "delete", netns);
  }

  /** {@code ip [-n NODE] args}. */
  private List<String> nodeIp(String... args) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    if (!node.isEmpty()) {
      argv.addAll(List.of("-n", node));
    }
    argv.addAll(List.of(args));
    return argv;
  }

  private void onNode(String... args) {
    Command.run(TIMEOUT, nodeIp(args)).orThrow();
  }

  private static void ip(String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "ip";
    System.arraycopy(args, 0, argv, 1, args.length);
    Command.run(TIMEOUT, argv).orThrow();
  }
}
