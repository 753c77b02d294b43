package dev.hivewall.agent.endpoint;

import dev.hivewall.datapath.host.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The node's side of the overlay between nodes: one VXLAN device ({@value #DEVICE}, external mode:
 * BPF sets and reads each packet's tunnel key, so one device serves every other node; no learning,
 * no ARP), and a route through it to each other node's pod CIDR, which is what the node's own stack
 * (the L7 proxy, the node itself) uses; pods' packets are encapsulated by BPF before any route.
 *
 * <p>The device outlives the agent, like the pods' veths and their programs: an agent restart finds
 * it, keeps it, and traffic between nodes never stops. {@link #remove} is for uninstall.
 */
public final class OverlayPlumbing {
  /** The device's name in the node. */
  public static final String DEVICE = "hw_overlay";

  /** VXLAN's UDP port (Linux's default, as Cilium uses). */
  public static final int PORT = 8472;

  /** What VXLAN adds to each packet on the underlay: outer IPv4, UDP, VXLAN and Ethernet. */
  public static final int OVERHEAD = 50;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String node;

  /** {@code nodeNetns} empty: the node is this process's namespace. */
  public OverlayPlumbing(String nodeNetns) {
    this.node = nodeNetns;
  }

  /**
   * Makes the device (or keeps the one an earlier agent left) with room for {@code mtu}-byte
   * packets, up. Returns its ifindex.
   */
  public int ensure(int mtu) {
    if (!Command.run(TIMEOUT, ip("link", "show", "dev", DEVICE)).ok()) {
      Command.run(
              TIMEOUT,
              ip(
                  "link",
                  "add",
                  DEVICE,
                  "type",
                  "vxlan",
                  "external",
                  "dstport",
                  Integer.toString(PORT),
                  "nolearning"))
          .orThrow();
    }
    Command.run(
            TIMEOUT, ip("link", "set", "dev", DEVICE, "mtu", Integer.toString(mtu), "arp", "off"))
        .orThrow();
    // IPv4 only, as the pods: no router solicitations for the overlay programs to drop
    List<String> sysctl =
        new ArrayList<>(node.isEmpty() ? List.of() : List.of("ip", "netns", "exec", node));
    sysctl.addAll(List.of("sysctl", "-qw", "net.ipv6.conf." + DEVICE + ".disable_ipv6=1"));
    Command.run(TIMEOUT, sysctl);
    Command.run(TIMEOUT, ip("link", "set", "dev", DEVICE, "up")).orThrow();
    String line = Command.run(TIMEOUT, ip("-o", "link", "show", "dev", DEVICE)).stdout();
    return Integer.parseInt(line.substring(0, line.indexOf(':')).trim());
  }

  /** Routes through the device: exactly {@code cidrs} (others it had are removed). */
  public void routes(Set<String> cidrs) {
    Set<String> have = new HashSet<>();
    for (String line :
        Command.run(TIMEOUT, ip("-4", "route", "show", "dev", DEVICE)).stdout().lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 0 && !f[0].isEmpty()) {
        have.add(f[0]);
      }
    }
    for (String c : cidrs) {
      if (!have.contains(c)) {
        Command.run(TIMEOUT, ip("route", "replace", c, "dev", DEVICE, "scope", "link")).orThrow();
      }
    }
    for (String c : have) {
      if (!cidrs.contains(c)) {
        Command.run(TIMEOUT, ip("route", "delete", c, "dev", DEVICE));
      }
    }
  }

  /** The device's MTU for an underlay of {@code underlayMtu} bytes. */
  public static int mtuOver(int underlayMtu) {
    return underlayMtu - OVERHEAD;
  }

  /** Removes the device (and its routes); missing is fine. */
  public void remove() {
    Command.run(TIMEOUT, ip("link", "delete", DEVICE));
  }

  /**
   * This node's underlay: the one global IPv4 address of the node on a device that is none of
   * Hivewall's (pods' veths, the overlay) and not loopback, with its device's MTU. Throws naming
   * what it found if there is not exactly one: the caller asks for {@code --node-ip} then.
   */
  public Underlay underlay(String wanted) {
    List<Underlay> found = new ArrayList<>();
    for (String line :
        Command.run(TIMEOUT, ip("-4", "-o", "addr", "show", "scope", "global"))
            .stdout()
            .lines()
            .toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[2].equals("inet")) {
        continue;
      }
      String dev = f[1];
      String address = f[3].substring(0, f[3].indexOf('/'));
      if (dev.equals("lo") || dev.startsWith("lxc") || dev.equals(DEVICE)) {
        continue;
      }
      if (wanted.isEmpty() || wanted.equals(address)) {
        found.add(new Underlay(address, dev, mtuOf(dev)));
      }
    }
    if (found.size() != 1) {
      throw new IllegalStateException(
          (wanted.isEmpty()
              ? "cannot tell this node's underlay address (global IPv4 addresses: "
                  + found.stream().map(Underlay::address).toList()
                  + "): pass --node-ip ADDRESS"
              : "--node-ip " + wanted + " is no address of this node"));
    }
    return found.getFirst();
  }

  /** The node's address between nodes, the device holding it and that device's MTU. */
  public record Underlay(String address, String device, int mtu) {}

  private int mtuOf(String dev) {
    String line = Command.run(TIMEOUT, ip("-o", "link", "show", "dev", dev)).stdout();
    String[] f = line.trim().split("\\s+");
    for (int i = 0; i + 1 < f.length; i++) {
      if (f[i].equals("mtu")) {
        return Integer.parseInt(f[i + 1]);
      }
    }
    return 1500;
  }

  private List<String> ip(String... args) {
    List<String> argv = new ArrayList<>(List.of("ip"));
    if (!node.isEmpty()) {
      argv.addAll(List.of("-n", node));
    }
    argv.addAll(List.of(args));
    return argv;
  }
}
