package dev.hivewall.agent.endpoint;

import dev.hivewall.datapath.host.Command;
import dev.hivewall.ebpf.netns.NetworkNamespace;
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
    return Files.exists(Path.of("/run/netns", netns)) && nodeNamespace().hasDevice(hostDevice);
  }

  /**
   * Creates the namespace and veth with addresses and routes, links still down. Leftovers under the
   * same names (a half-made pod, an agent that crashed before saving) are removed first: the names
   * belong to this pod.
   *
   * <p>Two processes (each costs ~10 ms of fork and exec on a small VM, most of a pod's set-up;
   * {@link #activate} takes two more): {@code ip netns add}, then one {@code ip -batch} in the pod
   * that makes the veth (its host end straight into the node) and the addresses; sysctls are
   * written from a thread in the namespace.
   */
  public void create(String netns, String hostDevice, String ip) {
    delete(netns, hostDevice);
    try {
      Command.run(TIMEOUT, "ip", "netns", "add", netns).orThrow();
      // Pods are IPv4 (the datapath drops IPv6 as unsupported-l3): no IPv6 on either end, so no
      // router solicitations or neighbour discovery to drop. Set before the veth exists, so eth0
      // is made without it. Best effort: a kernel without IPv6 has nothing to turn off.
      NetworkNamespace pod = NetworkNamespace.named(netns);
      bestEffort(() -> pod.sysctl("net/ipv6/conf/all/disable_ipv6", "1"));
      bestEffort(() -> pod.sysctl("net/ipv6/conf/default/disable_ipv6", "1"));
      String mtuOption = mtu > 0 ? " mtu " + mtu : "";
      batch(
          List.of("-n", netns),
          "link add eth0%s type veth peer name %s%s netns %s"
              .formatted(mtuOption, hostDevice, mtuOption, nodeReference()),
          "link set lo up",
          "addr add " + ip + "/32 dev eth0");
      bestEffort(
          () -> nodeNamespace().sysctl("net/ipv6/conf/" + hostDevice + "/disable_ipv6", "1"));
    } catch (RuntimeException e) {
      delete(netns, hostDevice);
      throw e;
    }
  }

  /** Brings the links up and installs the routes (after the datapath is attached). */
  public void activate(String netns, String hostDevice, String ip) {
    batch(
        node.isEmpty() ? List.of() : List.of("-n", node),
        "link set " + hostDevice + " up",
        "route replace " + ip + "/32 dev " + hostDevice + " scope link");
    List<String> inPod = new ArrayList<>();
    inPod.add("link set eth0 up");
    inPod.add("route replace " + gateway + " dev eth0 scope link");
    inPod.add("route replace " + podCidr + " via " + gateway + " dev eth0");
    for (String prefix : extraRoutes) {
      inPod.add("route replace " + prefix + " via " + gateway + " dev eth0");
    }
    batch(List.of("-n", netns), inPod.toArray(String[]::new));
  }

  /** Removes the pod's network; missing pieces are fine (and cost no process). */
  public void delete(String netns, String hostDevice) {
    if (nodeNamespace().hasDevice(hostDevice)) {
      Command.run(TIMEOUT, nodeIp("link", "delete", hostDevice));
    }
    if (Files.exists(Path.of("/run/netns", netns))) {
      Command.run(TIMEOUT, "ip", "netns", "delete", netns);
    }
  }

  private NetworkNamespace nodeNamespace() {
    return node.isEmpty() ? NetworkNamespace.current() : NetworkNamespace.named(node);
  }

  /** How {@code ip link ... netns X} names the node: by name, or this process's namespace. */
  private String nodeReference() {
    return node.isEmpty() ? Long.toString(ProcessHandle.current().pid()) : node;
  }

  /** {@code ip [options] -batch -} running {@code lines}: one process, stops at a failing line. */
  private static void batch(List<String> options, String... lines) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(options);
    argv.addAll(List.of("-batch", "-"));
    Command.run(TIMEOUT, argv, String.join("\n", lines) + "\n").orThrow();
  }

  private static void bestEffort(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException ignored) {
      // e.g. no IPv6 in this kernel: nothing to turn off
    }
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
}
