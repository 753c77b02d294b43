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

  /** Addresses in {@code cidr} but in none of {@code except} (each inside cidr). */
  record Cidrs(Cidr cidr, List<Cidr> except) implements Peer {
    public Cidrs {
      except = List.copyOf(except);
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
      return except.isEmpty() ? "cidr " + cidr : "cidr " + cidr + " except " + except;
    }
  }

  record Entities(Entity entity) implements Peer {
    @Override
    public String toString() {
      return "entity " + entity.yamlName();
    }
  }
}
