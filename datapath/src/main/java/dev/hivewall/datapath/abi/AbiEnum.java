package dev.hivewall.datapath.abi;

/** A Java enum mirroring a C enum of hivewall_abi.h: each constant knows its C name and value. */
public interface AbiEnum {
  /** The C enumerator, e.g. {@code HW_DROP_POLICY_DENIED}. */
  String cName();

  /** The enumerator's value. */
  int code();
}
