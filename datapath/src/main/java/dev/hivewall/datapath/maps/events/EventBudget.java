package dev.hivewall.datapath.maps.events;

import static dev.hivewall.datapath.abi.Layouts.U64;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The value of {@code hw_drop_event_budget}, per CPU: the drop events reported in the current
 * one-second window. Written by BPF only; the layout is here for the ABI check.
 */
public final class EventBudget {
  private EventBudget() {}

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(U64.withName("window_start_ns"), U64.withName("reported"))
          .withName("hw_event_budget");
}
