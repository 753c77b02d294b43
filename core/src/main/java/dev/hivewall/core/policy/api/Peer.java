package dev.hivewall.core.policy.api;

import dev.hivewall.core.labels.LabelSelector;
import dev.hivewall.core.net.Cidr;
import java.util.List;

/**
 * An L3 peer of a rule: endpoints by labels, addresses by CIDR (minus exceptions), or an entity.
 */
public sealed interface Peer {
  /** Endpoints whose security labels match; already scoped to a namespace where the policy is. */
  record Endpoints(LabelSelector selector) implements Peer {
    @Override
    public String toString() {
      return "endpoints{" + selector + "}";
    }
  }

  /**
   * Addresses in {@code cidr} but in none of {@code except} (each inside cidr). With {@code pods}
   * (a Kubernetes ipBlock) also the endpoints whose address is such an address: Kubernetes selects
   * pods by address there, Cilium's CIDR rules do not (a pod is its labels' identity).
   */
  record Cidrs(Cidr cidr, List<Cidr> except, boolean pods) implements Peer {
    public Cidrs {
      except = List.copyOf(except);
    }

    /** Addresses only (Cilium's fromCIDR, fromCIDRSet): endpoints are selected by labels. */
    public Cidrs(Cidr cidr, List<Cidr> except) {
      this(cidr, except, false);
    }

    /** Whether the address {@code ip} is in the block (in cidr, in no exception). */
    public boolean contains(int ip) {
      return contains(Cidr.host(ip));
    }

    public boolean contains(Cidr prefix) {
      if (!cidr.contains(prefix)) {
        return false;
      }
      for (Cidr e : except) {
        if (e.contains(prefix)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      String s = except.isEmpty() ? "cidr " + cidr : "cidr " + cidr + " except " + except;
      return pods ? "ipBlock " + s.substring(5) : s;
    }
  }

  record Entities(Entity entity) implements Peer {
    @Override
    public String toString() {
      return "entity " + entity.yamlName();
    }
  }
}
