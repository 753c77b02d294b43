package dev.hivewall.ebpf;

import dev.hivewall.ebpf.btf.BtfTypes;
import dev.hivewall.ebpf.internal.ffm.BtfReader;
import dev.hivewall.ebpf.internal.ffm.LibBpf;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An immutable BPF object file (ELF with BTF), not yet in the kernel. {@link BpfCollection#load}
 * turns it into live maps and programs; {@link #btf()} reads its types without loading anything (no
 * privileges needed).
 */
public final class ObjectSpec {
  private final String name;
  private final byte[] elf;

  private ObjectSpec(String name, byte[] elf) {
    this.name = name;
    this.elf = elf;
  }

  public static ObjectSpec of(String name, byte[] elf) {
    return new ObjectSpec(name, elf.clone());
  }

  public static ObjectSpec fromFile(Path path) {
    try {
      return new ObjectSpec(path.getFileName().toString(), Files.readAllBytes(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read BPF object " + path, e);
    }
  }

  /** Reads a class path resource, e.g. {@code dev/hivewall/bpf/selftest.o}. */
  public static ObjectSpec fromResource(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "BPF object "
                + resource
                + " is not on the class path: build it with `make build` (clang compiles bpf/*.c)");
      }
      String file = resource.substring(resource.lastIndexOf('/') + 1);
      return new ObjectSpec(file, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read BPF object " + resource, e);
    }
  }

  public String name() {
    return name;
  }

  /** Copies the ELF into {@code arena}: libbpf reads it in place until the object is loaded. */
  MemorySegment copyTo(Arena arena) {
    MemorySegment seg = arena.allocate(elf.length, 8);
    MemorySegment.copy(MemorySegment.ofArray(elf), 0, seg, 0, elf.length);
    return seg;
  }

  /** The named structs and enums of this object's BTF. */
  public BtfTypes btf() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment obj = LibBpf.objectOpenMem(name, copyTo(arena));
      try {
        MemorySegment btf = LibBpf.objectBtf(obj);
        if (btf.equals(MemorySegment.NULL)) {
          throw new IllegalStateException(name + " has no BTF: compile it with clang -g");
        }
        return BtfReader.read(btf);
      } finally {
        LibBpf.objectClose(obj);
      }
    }
  }

  @Override
  public String toString() {
    return name + " (" + elf.length + " bytes)";
  }
}
