package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_ct_flags} (bits of hw_ct_entry.flags). */
public enum CtFlag implements AbiEnum {
  PROXIED(1);

  private final int code;

  CtFlag(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_CT_" + name();
  }

  @Override
  public int code() {
    return code;
  }
}
