package dev.hivewall.agent.model;

/** A running pod: its spec and what the agent gave it. */
public record Pod(
    PodSpec spec, int endpointId, String ip, String netns, String hostDevice, int identity) {
  public Pod withIdentity(int id) {
    return new Pod(spec, endpointId, ip, netns, hostDevice, id);
  }

  public Pod withSpec(PodSpec s) {
    return new Pod(s, endpointId, ip, netns, hostDevice, identity);
  }
}
