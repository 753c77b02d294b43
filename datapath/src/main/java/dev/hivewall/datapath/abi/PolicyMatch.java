package dev.hivewall.datapath.abi;

import dev.hivewall.core.policy.resolve.MatchClass;

/** Mirror of {@code enum hw_policy_match}: which kind of rule decided a policy verdict. */
public enum PolicyMatch implements AbiEnum {
  NONE(0, MatchClass.NONE),
  L3_ONLY(1, MatchClass.L3_ONLY),
  L3_PROTO(2, MatchClass.L3_PROTO),
  L3_L4(3, MatchClass.L3_L4),
  ALL(4, MatchClass.ALL),
  PROTO_ONLY(5, MatchClass.PROTO_ONLY),
  L4_ONLY(6, MatchClass.L4_ONLY);

  private final int code;
  private final MatchClass match;

  PolicyMatch(int code, MatchClass match) {
    this.code = code;
    this.match = match;
  }

  @Override
  public String cName() {
    return "HW_MATCH_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  /** The class's name for people and metrics ({@code l3-l4}, ...). */
  public String label() {
    return match.label();
  }

  public static PolicyMatch of(MatchClass m) {
    return BY_CLASS[m.ordinal()];
  }

  public static PolicyMatch of(int code) {
    return AbiEnum.of(BY_CODE, PolicyMatch.class, code);
  }

  private static final PolicyMatch[] BY_CODE = AbiEnum.byCode(values());
  private static final PolicyMatch[] BY_CLASS = new PolicyMatch[MatchClass.values().length];

  static {
    for (PolicyMatch p : values()) {
      BY_CLASS[p.match.ordinal()] = p;
    }
  }
}
