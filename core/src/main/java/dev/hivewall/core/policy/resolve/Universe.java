package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every identity that policies can select right now: label identities with their labels, CIDR
 * identities of the prefixes policies mention, and the named ports each label identity's endpoints
 * expose (name -> port/protocol), for resolving egress rules by port name.
 */
public record Universe(
    Map<Identity, Labels> labelIdentities,
    Map<Cidr, Identity> cidrIdentities,
    Map<Identity, Map<String, Set<PortProtocol>>> namedPorts,
    NavigableMap<Long, List<Map.Entry<Cidr, Identity>>> cidrsByAddress) {

  public Universe(
      Map<Identity, Labels> labelIdentities,
      Map<Cidr, Identity> cidrIdentities,
      Map<Identity, Map<String, Set<PortProtocol>>> namedPorts) {
    this(
        Map.copyOf(labelIdentities),
        Map.copyOf(cidrIdentities),
        Map.copyOf(namedPorts),
        index(cidrIdentities));
  }

  /** CIDR identities by the unsigned start address of their prefix, for range queries. */
  private static NavigableMap<Long, List<Map.Entry<Cidr, Identity>>> index(
      Map<Cidr, Identity> cidrs) {
    TreeMap<Long, List<Map.Entry<Cidr, Identity>>> idx = new TreeMap<>();
    cidrs.forEach(
        (c, id) ->
            idx.computeIfAbsent(Integer.toUnsignedLong(c.address()), k -> new ArrayList<>())
                .add(Map.entry(c, id)));
    return Collections.unmodifiableNavigableMap(idx);
  }

  /** The CIDR identities of prefixes inside {@code outer} (outer itself included). */
  public List<Map.Entry<Cidr, Identity>> cidrsWithin(Cidr outer) {
    long first = Integer.toUnsignedLong(outer.address());
    long last = first + (1L << (32 - outer.length())) - 1;
    List<Map.Entry<Cidr, Identity>> out = new ArrayList<>();
    for (List<Map.Entry<Cidr, Identity>> at :
        cidrsByAddress.subMap(first, true, last, true).values()) {
      for (Map.Entry<Cidr, Identity> e : at) {
        if (outer.contains(e.getKey())) {
          out.add(e);
        }
      }
    }
    return out;
  }
}
