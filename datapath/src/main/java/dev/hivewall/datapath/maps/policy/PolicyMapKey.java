package dev.hivewall.datapath.maps.policy;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Key of the {@code hw_policy} LPM trie: a core {@link PolicyKey} of one endpoint slot. The LPM
 * prefix counts the 32 bits of the (slot-tagged) endpoint id, then the core key's own prefix.
 */
public record PolicyMapKey(int policyId, PolicyKey key) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U32.withName("prefixlen"),
              U32.withName("endpoint_id"),
              U32.withName("identity"),
              U8.withName("direction"),
              U8.withName("protocol"),
              BE16.withName("dport"))
          .withName("hw_policy_key");
  private static final long PREFIXLEN = Layouts.offset(LAYOUT, "prefixlen");
  private static final long ENDPOINT = Layouts.offset(LAYOUT, "endpoint_id");
  private static final long IDENTITY = Layouts.offset(LAYOUT, "identity");
  private static final long DIRECTION = Layouts.offset(LAYOUT, "direction");
  private static final long PROTOCOL = Layouts.offset(LAYOUT, "protocol");
  private static final long DPORT = Layouts.offset(LAYOUT, "dport");

  public int lpmPrefixLength() {
    return 32 + key.lpmPrefixLength();
  }

  public static final Codec<PolicyMapKey> CODEC =
      StructCodec.of(
          LAYOUT,
          (k, s) -> {
            s.set(U32, PREFIXLEN, k.lpmPrefixLength());
            s.set(U32, ENDPOINT, k.policyId);
            s.set(U32, IDENTITY, k.key.identity().id());
            s.set(U8, DIRECTION, (byte) TrafficDirection.of(k.key.direction()).code());
            s.set(U8, PROTOCOL, (byte) k.key.protocol().number());
            s.set(BE16, DPORT, (short) k.key.port());
          },
          s -> {
            int prefix = s.get(U32, PREFIXLEN) - 32 - 40;
            Protocol protocol =
                prefix <= 0
                    ? Protocol.ANY
                    : Protocol.ofNumber(Byte.toUnsignedInt(s.get(U8, PROTOCOL)));
            int portPrefix = Math.max(0, prefix - 8);
            return new PolicyMapKey(
                s.get(U32, ENDPOINT),
                new PolicyKey(
                    TrafficDirection.of(Byte.toUnsignedInt(s.get(U8, DIRECTION))).direction(),
                    new Identity(s.get(U32, IDENTITY)),
                    protocol,
                    protocol == Protocol.ANY ? 0 : Short.toUnsignedInt(s.get(BE16, DPORT)),
                    portPrefix));
          });
}
