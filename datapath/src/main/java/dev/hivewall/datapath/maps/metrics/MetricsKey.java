package dev.hivewall.datapath.maps.metrics;

import static dev.hivewall.datapath.abi.Layouts.U16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/** Key of the per-CPU {@code hw_metrics}: packets per endpoint, direction, verdict and reason. */
public record MetricsKey(
    int endpointId, TrafficDirection direction, Verdict verdict, DropReason reason) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U32.withName("endpoint_id"),
              U8.withName("direction"),
              U8.withName("verdict"),
              U16.withName("reason"))
          .withName("hw_metrics_key");

  public static final Codec<MetricsKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(U32, 0, k.endpointId);
            s.set(U8, 4, (byte) k.direction.code());
            s.set(U8, 5, (byte) k.verdict.code());
            s.set(U16, 6, (short) k.reason.code());
          },
          s ->
              new MetricsKey(
                  s.get(U32, 0),
                  TrafficDirection.of(Byte.toUnsignedInt(s.get(U8, 4))),
                  Verdict.of(Byte.toUnsignedInt(s.get(U8, 5))),
                  DropReason.of(Short.toUnsignedInt(s.get(U16, 6)))));
}
