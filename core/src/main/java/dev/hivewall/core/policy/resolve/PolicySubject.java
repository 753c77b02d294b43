package dev.hivewall.core.policy.resolve;

import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.Map;

/** The endpoint a policy is resolved for: its security labels and its named ports. */
public record PolicySubject(Labels labels, Map<String, PortProtocol> namedPorts) {
  public PolicySubject {
    namedPorts = Map.copyOf(namedPorts);
  }
}
