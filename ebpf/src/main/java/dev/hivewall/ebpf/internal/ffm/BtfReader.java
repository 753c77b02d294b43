package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hivewall.ebpf.btf.BtfEnum;
import dev.hivewall.ebpf.btf.BtfMember;
import dev.hivewall.ebpf.btf.BtfStruct;
import dev.hivewall.ebpf.btf.BtfTypes;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the named structs and enums out of a libbpf {@code struct btf} into plain Java records.
 * Layout of the raw records (include/uapi/linux/btf.h): {@code struct btf_type {u32 name_off; u32
 * info; u32 size_or_type;}} followed by {@code vlen} members ({@code btf_member {name_off, type,
 * offset}}) or enumerators ({@code btf_enum {name_off, s32 val}}).
 */
public final class BtfReader {
  private static final int KIND_STRUCT = 4;
  private static final int KIND_ENUM = 6;
  private static final SymbolLookup LIB = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
  private static final MethodHandle TYPE_CNT =
      Native.downcall(LIB, "btf__type_cnt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle TYPE_BY_ID =
      Native.downcall(LIB, "btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  private static final MethodHandle NAME_BY_OFFSET =
      Native.downcall(
          LIB, "btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  private static final MethodHandle RESOLVE_SIZE =
      Native.downcall(
          LIB, "btf__resolve_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));

  private BtfReader() {}

  public static BtfTypes read(MemorySegment btf) {
    Map<String, BtfStruct> structs = new LinkedHashMap<>();
    Map<String, BtfEnum> enums = new LinkedHashMap<>();
    try {
      int count = (int) TYPE_CNT.invokeExact(btf);
      for (int id = 1; id < count; id++) {
        MemorySegment type = (MemorySegment) TYPE_BY_ID.invokeExact(btf, id);
        type = type.reinterpret(12);
        int info = type.get(JAVA_INT, 4);
        int kind = (info >>> 24) & 0x1f;
        int vlen = info & 0xffff;
        boolean kflag = info < 0;
        String name = name(btf, type.get(JAVA_INT, 0));
        if (name.isEmpty() || (kind != KIND_STRUCT && kind != KIND_ENUM)) {
          continue;
        }
        int size = type.get(JAVA_INT, 8);
        MemorySegment rest = type.reinterpret(12 + 12L * vlen).asSlice(12);
        if (kind == KIND_STRUCT) {
          structs.putIfAbsent(name, struct(btf, name, size, vlen, kflag, rest));
        } else {
          Map<String, Long> values = new LinkedHashMap<>();
          for (int i = 0; i < vlen; i++) {
            values.put(
                name(btf, rest.get(JAVA_INT, 8L * i)), (long) rest.get(JAVA_INT, 8L * i + 4));
          }
          enums.putIfAbsent(name, new BtfEnum(name, size, values));
        }
      }
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
    return new BtfTypes(structs, enums);
  }

  private static BtfStruct struct(
      MemorySegment btf, String name, int size, int vlen, boolean kflag, MemorySegment members)
      throws Throwable {
    List<BtfMember> list = new ArrayList<>(vlen);
    for (int i = 0; i < vlen; i++) {
      String member = name(btf, members.get(JAVA_INT, 12L * i));
      int typeId = members.get(JAVA_INT, 12L * i + 4);
      int offset = members.get(JAVA_INT, 12L * i + 8);
      int bitOffset = kflag ? offset & 0xffffff : offset;
      int bitfieldSize = kflag ? offset >>> 24 : 0;
      long memberSize = (long) RESOLVE_SIZE.invokeExact(btf, typeId);
      list.add(new BtfMember(member, bitOffset, bitfieldSize, memberSize));
    }
    return new BtfStruct(name, size, list);
  }

  private static String name(MemorySegment btf, int offset) throws Throwable {
    return Native.cString((MemorySegment) NAME_BY_OFFSET.invokeExact(btf, offset));
  }
}
