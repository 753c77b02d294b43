package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_drop_reason}; {@link #label()} is how flows and metrics name it. */
public enum DropReason implements AbiEnum {
  NONE(0, "none"),
  POLICY_DENIED(1, "policy-denied"),
  POLICY_DENY(2, "policy-deny"),
  SPOOFED_SOURCE(3, "spoofed-source"),
  CT_INVALID(4, "ct-invalid"),
  NO_ROUTE(5, "no-route"),
  MALFORMED(6, "malformed"),
  FRAGMENT(7, "fragment"),
  DENIED_SOURCE(8, "denied-source"),
  UNKNOWN_ENDPOINT(9, "unknown-endpoint"),
  UNSUPPORTED_L3(10, "unsupported-l3"),
  NO_PROXY(11, "no-proxy"),
  TUNNEL_SOURCE(12, "tunnel-source"),
  NO_TUNNEL(13, "no-tunnel");

  private final int code;
  private final String label;

  DropReason(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public String cName() {
    return "HW_DROP_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public String label() {
    return label;
  }

  public static DropReason of(int code) {
    return AbiEnum.of(BY_CODE, DropReason.class, code);
  }

  private static final DropReason[] BY_CODE = AbiEnum.byCode(values());
}
