package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_node_flags} (bits of hw_node_config.flags). */
public enum NodeFlag implements AbiEnum {
  L7_INGRESS(1),
  NO_CONNECTION_EVENTS(2),
  STACK_ROUTING(4);

  private final int code;

  NodeFlag(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_NODE_" + name();
  }

  @Override
  public int code() {
    return code;
  }
}
