package dev.hivewall.datapath.maps.policy;

import static dev.hivewall.datapath.abi.Layouts.BE16;
import static dev.hivewall.datapath.abi.Layouts.U32;
import static dev.hivewall.datapath.abi.Layouts.U8;

import dev.hivewall.datapath.abi.Layouts;
import dev.hivewall.datapath.abi.PolicyMapVerdict;
import dev.hivewall.datapath.abi.PolicyMatch;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * Value of {@code hw_policy}: the verdict, the kind of rule that decided it, and the proxy port of
 * a REDIRECT.
 */
public record PolicyMapEntry(PolicyMapVerdict verdict, PolicyMatch match, int proxyPort) {
  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
              U8.withName("verdict"),
              U8.withName("match"),
              BE16.withName("proxy_port"),
              U32.withName("_pad1"))
          .withName("hw_policy_entry");
  private static final long VERDICT = Layouts.offset(LAYOUT, "verdict");
  private static final long MATCH = Layouts.offset(LAYOUT, "match");
  private static final long PROXY = Layouts.offset(LAYOUT, "proxy_port");

  public static final Codec<PolicyMapEntry> CODEC =
      StructCodec.of(
          LAYOUT,
          (e, s) -> {
            s.set(U8, VERDICT, (byte) e.verdict.code());
            s.set(U8, MATCH, (byte) e.match.code());
            s.set(BE16, PROXY, (short) e.proxyPort);
          },
          s ->
              new PolicyMapEntry(
                  PolicyMapVerdict.of(Byte.toUnsignedInt(s.get(U8, VERDICT))),
                  PolicyMatch.of(Byte.toUnsignedInt(s.get(U8, MATCH))),
                  Short.toUnsignedInt(s.get(BE16, PROXY))));
}
