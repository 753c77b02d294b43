package dev.hivewall.core.policy.api;

/** A policy's key: namespace ("" for cluster-wide policies) and name. */
public record PolicyName(String namespace, String name) implements Comparable<PolicyName> {
  public boolean clusterwide() {
    return namespace.isEmpty();
  }

  @Override
  public int compareTo(PolicyName o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return clusterwide() ? name : namespace + "/" + name;
  }
}
