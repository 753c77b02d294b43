package dev.hivewall.datapath.abi;

import dev.hivewall.core.policy.resolve.PolicyVerdict;

/** Mirror of {@code enum hw_policy_verdict}: what a policy map entry holds. */
public enum PolicyMapVerdict implements AbiEnum {
  NONE(0),
  ALLOW(1),
  REDIRECT(2),
  DENY(3);

  private final int code;

  PolicyMapVerdict(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_POLICY_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public static PolicyMapVerdict of(PolicyVerdict v) {
    return switch (v) {
      case ALLOW -> ALLOW;
      case REDIRECT -> REDIRECT;
      case DENY -> DENY;
    };
  }

  public static PolicyMapVerdict of(int code) {
    return AbiEnum.of(BY_CODE, PolicyMapVerdict.class, code);
  }

  private static final PolicyMapVerdict[] BY_CODE = AbiEnum.byCode(values());
}
