package dev.hivewall.agent.model;

/** Names of namespaces and pods: DNS labels, as in Kubernetes. */
public final class Names {
  private Names() {}

  public static void check(String what, String name) {
    if (name == null || name.length() > 63 || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      throw new IllegalArgumentException(
          what
              + " name '"
              + name
              + "' is invalid: up to 63 lowercase"
              + " letters, digits and '-', starting and ending with a letter or digit");
    }
  }
}
