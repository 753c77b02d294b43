/**
 * Hivewall's binding to libbpf and libc through the FFM API. This is the only module that calls
 * native code (restricted methods live in {@code dev.hivewall.ebpf.internal.ffm} only); everything
 * it exports is a typed, owned, {@link java.lang.AutoCloseable} Java API.
 */
module dev.hivewall.ebpf {
  exports dev.hivewall.ebpf;
  exports dev.hivewall.ebpf.btf;
  exports dev.hivewall.ebpf.netns;
}
