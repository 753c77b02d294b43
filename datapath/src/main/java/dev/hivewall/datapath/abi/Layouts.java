package dev.hivewall.datapath.abi;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Value layouts for ABI fields. Access goes through the unaligned variants: records in a ring
 * buffer or a heap array carry no alignment guarantee that FFM can see.
 */
public final class Layouts {
  /** A {@code __be16} field. */
  public static final ValueLayout.OfShort BE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  /** A {@code __be32} field. */
  public static final ValueLayout.OfInt BE32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
  public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
  public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
  public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

  private Layouts() {}

  /** Byte offset of member {@code name}: offsets come from the layout, never typed twice. */
  public static long offset(StructLayout layout, String name) {
    return layout.byteOffset(PathElement.groupElement(name));
  }
}
