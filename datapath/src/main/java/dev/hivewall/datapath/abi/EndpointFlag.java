package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_endpoint_flags} (bits of hw_endpoint_info.flags). */
public enum EndpointFlag implements AbiEnum {
  INGRESS_ENFORCED(1),
  EGRESS_ENFORCED(2),
  POLICY_SLOT_B(4),
  POLICY_RANGES(8),
  INGRESS_RULES(16),
  EGRESS_RULES(32),
  ANY_PEER_RULES(64),
  AUDIT(128);

  private final int code;

  EndpointFlag(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_EP_" + name();
  }

  @Override
  public int code() {
    return code;
  }
}
