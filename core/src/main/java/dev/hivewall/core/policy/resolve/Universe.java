package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.Map;
import java.util.Set;

/**
 * Every identity that policies can select right now: label identities with their labels, CIDR
 * identities of the prefixes policies mention, and the named ports each label identity's endpoints
 * expose (name -> port/protocol), for resolving egress rules by port name.
 */
public record Universe(
    Map<Identity, Labels> labelIdentities,
    Map<Cidr, Identity> cidrIdentities,
    Map<Identity, Map<String, Set<PortProtocol>>> namedPorts) {
  public Universe {
    labelIdentities = Map.copyOf(labelIdentities);
    cidrIdentities = Map.copyOf(cidrIdentities);
    namedPorts = Map.copyOf(namedPorts);
  }
}
