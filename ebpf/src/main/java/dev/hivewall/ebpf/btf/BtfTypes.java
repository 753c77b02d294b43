package dev.hivewall.ebpf.btf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The named structs and enums of one BPF object's BTF, copied into Java (no native handle): what
 * the compiler actually laid out, to check Java codecs against.
 */
public record BtfTypes(Map<String, BtfStruct> structs, Map<String, BtfEnum> enums) {
  public BtfTypes {
    structs = Collections.unmodifiableMap(new LinkedHashMap<>(structs));
    enums = Collections.unmodifiableMap(new LinkedHashMap<>(enums));
  }

  public Optional<BtfStruct> struct(String name) {
    return Optional.ofNullable(structs.get(name));
  }

  public Optional<BtfEnum> enumeration(String name) {
    return Optional.ofNullable(enums.get(name));
  }
}
