package dev.hivewall.datapath.abi;

/**
 * Mirror of {@code enum hw_mark}: the skb->mark bits the datapath, the node's routing and the L7
 * proxy agree on (see hivewall_abi.h).
 */
public enum Mark implements AbiEnum {
  MASK(0x0f00),
  TO_PROXY(0x0a00),
  FROM_PROXY(0x0b00),
  FROM_OVERLAY(0x0c00);

  private final int code;

  Mark(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_MARK_" + name();
  }

  @Override
  public int code() {
    return code;
  }
}
