package dev.hivewall.datapath.abi;

import dev.hivewall.ebpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** A {@link Codec} for one ABI struct: its layout gives the size; the lambdas move the fields. */
public final class StructCodec {
  private StructCodec() {}

  /** A host-order u32 key or value (array indexes, small counters). */
  public static final Codec<Integer> U32 =
      of(
          java.lang.foreign.MemoryLayout.structLayout(Layouts.U32.withName("v")),
          (v, s) -> s.set(Layouts.U32, 0, v),
          s -> s.get(Layouts.U32, 0));

  /** A host-order u64 value (a socket cookie, a counter). */
  public static final Codec<Long> U64 =
      of(
          java.lang.foreign.MemoryLayout.structLayout(Layouts.U64.withName("v")),
          (v, s) -> s.set(Layouts.U64, 0, v),
          s -> s.get(Layouts.U64, 0));

  public static <T> Codec<T> of(
      StructLayout layout, BiConsumer<T, MemorySegment> encode, Function<MemorySegment, T> decode) {
    return new Codec<>() {
      @Override
      public long byteSize() {
        return layout.byteSize();
      }

      @Override
      public void encode(T value, MemorySegment into) {
        into.fill((byte) 0); // padding is always zero: keys compare byte for byte
        encode.accept(value, into);
      }

      @Override
      public T decode(MemorySegment from) {
        return decode.apply(from);
      }
    };
  }
}
