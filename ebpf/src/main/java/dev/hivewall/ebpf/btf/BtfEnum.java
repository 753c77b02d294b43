package dev.hivewall.ebpf.btf;

import java.util.Map;

/** A named enum from an object's BTF: enumerator name to value, in declaration order. */
public record BtfEnum(String name, long byteSize, Map<String, Long> values) {
  public BtfEnum {
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }
}
