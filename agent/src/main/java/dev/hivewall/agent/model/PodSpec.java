package dev.hivewall.agent.model;

import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.List;
import java.util.Map;

/** What a user asked for: a pod in a namespace, with labels, named ports, ports to serve. */
public record PodSpec(
    String namespace,
    String name,
    Labels labels,
    Map<String, PortProtocol> namedPorts,
    List<ServePort> serve,
    List<String> command) {
  public PodSpec {
    command = List.copyOf(command);
    Names.check("namespace", namespace);
    Names.check("pod", name);
    namedPorts = Map.copyOf(namedPorts);
    serve = List.copyOf(serve);
  }

  /** A pod without a process of its own. */
  public PodSpec(
      String namespace,
      String name,
      Labels labels,
      Map<String, PortProtocol> namedPorts,
      List<ServePort> serve) {
    this(namespace, name, labels, namedPorts, serve, List.of());
  }

  public String key() {
    return namespace + "/" + name;
  }
}
