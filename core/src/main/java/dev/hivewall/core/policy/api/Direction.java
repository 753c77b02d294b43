package dev.hivewall.core.policy.api;

/** Traffic direction as seen from the selected endpoint. */
public enum Direction {
  INGRESS,
  EGRESS;

  public String label() {
    return name().toLowerCase();
  }
}
