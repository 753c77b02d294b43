package dev.hivewall.agent.state;

import java.util.List;
import java.util.Map;

/**
 * What the agent persists (JSON): namespaces with labels, pods with what they were given, and every
 * applied policy as the text it was applied from. Enough to come back with the same pods, addresses
 * and policy after a restart.
 */
public record AgentState(
    int version,
    Map<String, Map<String, String>> namespaces,
    List<PodState> pods,
    List<PolicyState> policies,
    int nextEndpointId) {

  public static final int VERSION = 1;

  public static AgentState empty() {
    return new AgentState(VERSION, Map.of(), List.of(), List.of(), 1);
  }

  /** A pod: spec plus assigned endpoint id and address. */
  public record PodState(
      String namespace,
      String name,
      Map<String, String> labels,
      Map<String, String> namedPorts,
      List<String> serve,
      int endpointId,
      String ip,
      List<String> command,
      long pid,
      boolean policyAudit,
      int identity) {}

  /** One policy, as its own source text (one document). */
  public record PolicyState(String namespace, String name, String source, String text) {}
}
