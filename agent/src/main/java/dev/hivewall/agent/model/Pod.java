package dev.hivewall.agent.model;

/** A running pod: its spec and what the agent gave it (pid 0: no process of its own). */
public record Pod(
    PodSpec spec,
    int endpointId,
    String ip,
    String netns,
    String hostDevice,
    int identity,
    long pid) {
  public Pod(
      PodSpec spec, int endpointId, String ip, String netns, String hostDevice, int identity) {
    this(spec, endpointId, ip, netns, hostDevice, identity, 0);
  }

  public Pod withIdentity(int id) {
    return new Pod(spec, endpointId, ip, netns, hostDevice, id, pid);
  }

  public Pod withSpec(PodSpec s) {
    return new Pod(s, endpointId, ip, netns, hostDevice, identity, pid);
  }

  public Pod withPid(long p) {
    return new Pod(spec, endpointId, ip, netns, hostDevice, identity, p);
  }
}
