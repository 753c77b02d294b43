package dev.hivewall.datapath.abi;

import dev.hivewall.ebpf.btf.BtfEnum;
import dev.hivewall.ebpf.btf.BtfMember;
import dev.hivewall.ebpf.btf.BtfStruct;
import dev.hivewall.ebpf.btf.BtfTypes;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares Java layouts with what clang laid out (the object's BTF), as cilium's alignchecker does:
 * same struct size, same member names at the same offsets with the same sizes, same enum values.
 * Padding members count: they are explicit ({@code _pad*}) on both sides.
 */
public final class AbiCheck {
  private AbiCheck() {}

  /** The mismatches of one struct layout (named as its C struct), empty when it matches. */
  public static List<String> compare(BtfTypes btf, StructLayout layout) {
    String name = layout.name().orElseThrow(() -> new IllegalArgumentException("unnamed layout"));
    Optional<BtfStruct> found = btf.struct(name);
    if (found.isEmpty()) {
      return List.of("struct " + name + ": not in the object's BTF");
    }
    BtfStruct c = found.get();
    List<String> out = new ArrayList<>();
    if (c.byteSize() != layout.byteSize()) {
      out.add(
          "struct " + name + ": size " + layout.byteSize() + " in Java, " + c.byteSize() + " in C");
    }
    Map<String, BtfMember> cMembers = new HashMap<>();
    c.members().forEach(m -> cMembers.put(m.name(), m));
    long offset = 0;
    int javaMembers = 0;
    for (MemoryLayout member : layout.memberLayouts()) {
      Optional<String> memberName = member.name();
      if (memberName.isPresent()) {
        javaMembers++;
        BtfMember cm = cMembers.get(memberName.get());
        String where = "struct " + name + "." + memberName.get();
        if (cm == null) {
          out.add(where + ": in Java, not in C");
        } else if (cm.isBitfield()) {
          out.add(where + ": is a bitfield in C; the ABI has no bitfields");
        } else {
          if (cm.byteOffset() != offset) {
            out.add(where + ": offset " + offset + " in Java, " + cm.byteOffset() + " in C");
          }
          if (cm.byteSize() != member.byteSize()) {
            out.add(where + ": size " + member.byteSize() + " in Java, " + cm.byteSize() + " in C");
          }
          if (member instanceof GroupLayout) {
            out.add(where + ": nested structs are not supported by the check");
          }
        }
      }
      offset += member.byteSize();
    }
    if (javaMembers != c.members().size()) {
      for (BtfMember cm : c.members()) {
        if (layout.memberLayouts().stream()
            .noneMatch(m -> m.name().equals(Optional.of(cm.name())))) {
          out.add("struct " + name + "." + cm.name() + ": in C, not in Java");
        }
      }
    }
    return out;
  }

  /** The mismatches of a Java enum mirroring C enum {@code cName}. */
  public static <E extends Enum<E> & AbiEnum> List<String> compare(
      BtfTypes btf, String cName, Class<E> javaEnum) {
    Optional<BtfEnum> found = btf.enumeration(cName);
    if (found.isEmpty()) {
      return List.of("enum " + cName + ": not in the object's BTF");
    }
    Map<String, Long> c = found.get().values();
    List<String> out = new ArrayList<>();
    Map<String, Integer> java = new HashMap<>();
    for (E constant : javaEnum.getEnumConstants()) {
      java.put(constant.cName(), constant.code());
    }
    c.forEach(
        (enumerator, value) -> {
          Integer j = java.get(enumerator);
          if (j == null) {
            out.add(
                "enum " + cName + "." + enumerator + ": in C, not in " + javaEnum.getSimpleName());
          } else if (j.longValue() != value) {
            out.add("enum " + cName + "." + enumerator + ": " + j + " in Java, " + value + " in C");
          }
        });
    java.keySet().stream()
        .filter(e -> !c.containsKey(e))
        .forEach(e -> out.add("enum " + cName + "." + e + ": in Java, not in C"));
    return out;
  }
}
