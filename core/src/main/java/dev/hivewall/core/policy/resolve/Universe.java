package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every identity that policies can select right now: label identities with their labels, CIDR
 * identities of the prefixes policies mention, the named ports each label identity's endpoints
 * expose (name -> port/protocol), for resolving egress rules by port name, and the addresses of
 * each label identity's endpoints (IPv4, as ints), for Kubernetes ipBlocks, which select pods by
 * address.
 */
public record Universe(
    Map<Identity, Labels> labelIdentities,
    Map<Cidr, Identity> cidrIdentities,
    Map<Identity, Map<String, Set<PortProtocol>>> namedPorts,
    Map<Identity, Set<Integer>> endpointAddresses,
    CidrIndex cidrIndex) {

  public Universe(
      Map<Identity, Labels> labelIdentities,
      Map<Cidr, Identity> cidrIdentities,
      Map<Identity, Map<String, Set<PortProtocol>>> namedPorts) {
    this(labelIdentities, cidrIdentities, namedPorts, Map.of());
  }

  public Universe(
      Map<Identity, Labels> labelIdentities,
      Map<Cidr, Identity> cidrIdentities,
      Map<Identity, Map<String, Set<PortProtocol>>> namedPorts,
      Map<Identity, Set<Integer>> endpointAddresses) {
    this(
        Map.copyOf(labelIdentities),
        Map.copyOf(cidrIdentities),
        Map.copyOf(namedPorts),
        Map.copyOf(endpointAddresses),
        new CidrIndex(cidrIdentities));
  }

  /** The CIDR identities of prefixes inside {@code outer} (outer itself included). */
  public List<Map.Entry<Cidr, Identity>> cidrsWithin(Cidr outer) {
    if (outer.length() == 32) { // nothing narrower: a lookup, not a range query
      Identity id = cidrIdentities.get(outer);
      return id == null ? List.of() : List.of(Map.entry(outer, id));
    }
    return cidrIndex.within(outer);
  }

  /**
   * CIDR identities sorted by the unsigned start address of their prefix, for range queries: two
   * arrays and a binary search (a tree of lists cost more to build than policies took to resolve).
   */
  public static final class CidrIndex {
    private final long[] starts;
    private final Cidr[] cidrs;
    private final Identity[] ids;

    CidrIndex(Map<Cidr, Identity> byCidr) {
      Cidr[] unsorted = byCidr.keySet().toArray(new Cidr[0]);
      // Sorted as primitives: start address in the high half, position in the low half.
      long[] order = new long[unsorted.length];
      for (int i = 0; i < unsorted.length; i++) {
        order[i] = start(unsorted[i]) << 32 | i;
      }
      java.util.Arrays.sort(order);
      starts = new long[unsorted.length];
      cidrs = new Cidr[unsorted.length];
      ids = new Identity[unsorted.length];
      for (int i = 0; i < order.length; i++) {
        Cidr c = unsorted[(int) order[i]];
        starts[i] = order[i] >>> 32;
        cidrs[i] = c;
        ids[i] = byCidr.get(c);
      }
    }

    private static long start(Cidr c) {
      return Integer.toUnsignedLong(c.address());
    }

    List<Map.Entry<Cidr, Identity>> within(Cidr outer) {
      long first = start(outer);
      long last = first + (1L << (32 - outer.length())) - 1;
      int i = java.util.Arrays.binarySearch(starts, first);
      if (i < 0) {
        i = -i - 1;
      } else {
        while (i > 0 && starts[i - 1] == first) {
          i--; // the first of equal starts
        }
      }
      List<Map.Entry<Cidr, Identity>> out = new ArrayList<>();
      for (; i < starts.length && starts[i] <= last; i++) {
        if (outer.contains(cidrs[i])) {
          out.add(Map.entry(cidrs[i], ids[i]));
        }
      }
      return out;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CidrIndex other
          && java.util.Arrays.equals(starts, other.starts)
          && java.util.Arrays.equals(cidrs, other.cidrs)
          && java.util.Arrays.equals(ids, other.ids);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(cidrs);
    }
  }
}
