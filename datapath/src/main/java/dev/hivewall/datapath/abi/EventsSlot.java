package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_events_slot}: the slots of {@code hw_events_lost}. */
public enum EventsSlot implements AbiEnum {
  /** Events the ring buffer had no room for (the agent read too slowly). */
  LOST(0),
  /** Drop events over the node's rate limit (counted, not reported). */
  SUPPRESSED(1);

  private final int code;

  EventsSlot(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_EVENTS_" + name();
  }

  @Override
  public int code() {
    return code;
  }
}
