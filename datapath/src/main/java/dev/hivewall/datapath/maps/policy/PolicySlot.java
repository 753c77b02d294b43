package dev.hivewall.datapath.maps.policy;

/**
 * One of an endpoint's two policy slots. The live one is named in the endpoint's map entry; the
 * other receives the next revision before the flip (see hivewall_abi.h, hw_endpoint_flags).
 */
public enum PolicySlot {
  A,
  B;

  public PolicySlot other() {
    return this == A ? B : A;
  }

  /** The endpoint id as policy keys of this slot carry it. */
  public int policyId(int endpointId) {
    return this == A ? endpointId : endpointId | 0x80000000;
  }
}
