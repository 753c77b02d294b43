package dev.hivewall.core.policy.api;

/** The entities of {@code fromEntities}/{@code toEntities}. */
public enum Entity {
  WORLD("world"),
  HOST("host"),
  REMOTE_NODE("remote-node"),
  CLUSTER("cluster"),
  HEALTH("health"),
  INIT("init"),
  UNMANAGED("unmanaged"),
  ALL("all");

  private final String yamlName;

  Entity(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  /** The entity of a YAML name; {@code world-ipv4} is world (IPv4 is all we route). */
  public static java.util.Optional<Entity> parse(String name) {
    if (name.equals("world-ipv4")) {
      return java.util.Optional.of(WORLD);
    }
    for (Entity e : values()) {
      if (e.yamlName.equals(name)) {
        return java.util.Optional.of(e);
      }
    }
    return java.util.Optional.empty();
  }
}
