package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_verdict}. */
public enum Verdict implements AbiEnum {
  FORWARDED(1),
  DROPPED(2),
  REDIRECTED(3),
  AUDIT(4);

  private final int code;

  Verdict(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_VERDICT_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public static Verdict of(int code) {
    return AbiEnum.of(BY_CODE, Verdict.class, code);
  }

  private static final Verdict[] BY_CODE = AbiEnum.byCode(values());
}
