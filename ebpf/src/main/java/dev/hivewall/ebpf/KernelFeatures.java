package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;

/**
 * Asks the kernel (through libbpf's probes, which load tiny programs and create tiny maps) what it
 * supports. Needs the privileges BPF needs; without them every probe answers {@code FAILED}.
 */
public final class KernelFeatures {
  /** The answer of one probe. */
  public enum Support {
    SUPPORTED,
    UNSUPPORTED,
    /** The probe itself failed (e.g. EPERM): nothing is known. */
    FAILED
  }

  /** Helper ids ({@code enum bpf_func_id}) Hivewall depends on. */
  public static final int HELPER_SK_ASSIGN = 124;

  public static final int HELPER_RINGBUF_OUTPUT = 130;

  private KernelFeatures() {}

  public static Support programType(ProgramType type) {
    return support(LibBpf.probeProgType(type.code()));
  }

  public static Support mapType(MapType type) {
    return support(LibBpf.probeMapType(type.code()));
  }

  public static Support helper(ProgramType type, int helperId) {
    return support(LibBpf.probeHelper(type.code(), helperId));
  }

  private static Support support(int rc) {
    return rc == 1 ? Support.SUPPORTED : rc == 0 ? Support.UNSUPPORTED : Support.FAILED;
  }
}
