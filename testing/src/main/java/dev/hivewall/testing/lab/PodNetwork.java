package dev.hivewall.testing.lab;

import dev.hivewall.core.net.Ipv4Address;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node namespace routing between pod namespaces, as the agent will build them: each pod has a
 * veth (host end in the node, {@code eth0} in the pod) and a /32 address; the node owns the gateway
 * 198.18.0.1 on lo and a /32 route per pod; a pod routes 198.18.0.0/16 via the gateway and nothing
 * else (no default route). Addresses from 198.18.0.0/15 (RFC 2544).
 */
public final class PodNetwork {
  public static final String GATEWAY = "198.18.0.1";
  public static final String POD_CIDR = "198.18.0.0/16";

  private final Lab lab;
  private final LabNetns node;
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private int nextHost = 11;

  /** One pod: its namespace, its host-side device, its address. */
  public record Pod(String name, LabNetns netns, String hostDevice, String ip) {
    public int ipv4() {
      return Ipv4Address.parse(ip);
    }
  }

  public PodNetwork(Lab lab) {
    this.lab = lab;
    this.node = lab.netns("node");
    node.ip("addr", "add", GATEWAY + "/32", "dev", "lo");
    node.exec(java.time.Duration.ofSeconds(5), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        .orThrow();
  }

  public LabNetns node() {
    return node;
  }

  public Pod pod(String name) {
    Pod p = pods.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no pod " + name);
    }
    return p;
  }

  /** Creates pod {@code name} with the next free address. */
  public Pod addPod(String name) {
    LabNetns ns = lab.netns(name);
    String host = lab.name("p" + (nextHost - 10));
    String ip = "198.18.0." + nextHost++;
    lab.veth(node, host, ns, "eth0");
    node.ip("route", "add", ip + "/32", "dev", host, "scope", "link");
    ns.ip("addr", "add", ip + "/32", "dev", "eth0");
    ns.ip("route", "add", GATEWAY, "dev", "eth0", "scope", "link");
    ns.ip("route", "add", POD_CIDR, "via", GATEWAY, "dev", "eth0");
    Pod pod = new Pod(name, ns, host, ip);
    pods.put(name, pod);
    return pod;
  }
}
