package dev.hivewall.ebpf;

import java.lang.foreign.MemorySegment;

/**
 * Encodes a Java value into the exact bytes the kernel sees and back. Each map's package owns the
 * codecs of its key and value; their layouts are checked against the object's BTF.
 */
public interface Codec<T> {
  /** Bytes of one encoded value. */
  long byteSize();

  void encode(T value, MemorySegment into);

  T decode(MemorySegment from);
}
