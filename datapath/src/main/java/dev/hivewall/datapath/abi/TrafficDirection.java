package dev.hivewall.datapath.abi;

import dev.hivewall.core.policy.api.Direction;

/** Mirror of {@code enum hw_direction}. */
public enum TrafficDirection implements AbiEnum {
  INGRESS(0),
  EGRESS(1);

  private final int code;

  TrafficDirection(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_DIR_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public static TrafficDirection of(Direction d) {
    return d == Direction.INGRESS ? INGRESS : EGRESS;
  }

  public static TrafficDirection of(int code) {
    return AbiEnum.of(BY_CODE, TrafficDirection.class, code);
  }

  private static final TrafficDirection[] BY_CODE = AbiEnum.byCode(values());

  public Direction direction() {
    return this == INGRESS ? Direction.INGRESS : Direction.EGRESS;
  }
}
