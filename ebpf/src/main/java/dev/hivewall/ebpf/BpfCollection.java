package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import dev.hivewall.ebpf.internal.ffm.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live maps and programs of one loaded {@link ObjectSpec}. Owns every fd of the object: {@link
 * #close()} releases them all (maps and programs stay in the kernel only while something else holds
 * them: a pin, an attachment, another fd).
 */
public final class BpfCollection implements AutoCloseable {
  private final String name;
  private final Arena arena;
  private final MemorySegment object;
  private final Map<String, BpfMap> maps;
  private final Map<String, BpfProgram> programs;
  private final Set<String> adopted;
  private final AtomicBoolean closed = new AtomicBoolean();

  private BpfCollection(String name, Arena arena, MemorySegment object, Set<String> adopted) {
    this.name = name;
    this.adopted = Set.copyOf(adopted);
    this.arena = arena;
    this.object = object;
    Map<String, BpfMap> m = new LinkedHashMap<>();
    for (MemorySegment map = LibBpf.objectNextMap(object, MemorySegment.NULL);
        !map.equals(MemorySegment.NULL);
        map = LibBpf.objectNextMap(object, map)) {
      String mapName = LibBpf.mapName(map);
      m.put(mapName, new BpfMap(mapName, LibBpf.mapInfo(map), LibBpf.mapFd(map), false));
    }
    Map<String, BpfProgram> p = new LinkedHashMap<>();
    for (MemorySegment prog = LibBpf.objectNextProgram(object, MemorySegment.NULL);
        !prog.equals(MemorySegment.NULL);
        prog = LibBpf.objectNextProgram(object, prog)) {
      BpfProgram program = new BpfProgram(this, prog);
      p.put(program.name(), program);
    }
    this.maps = Collections.unmodifiableMap(m);
    this.programs = Collections.unmodifiableMap(p);
  }

  public static BpfCollection load(ObjectSpec spec) {
    return load(spec, LoadOptions.DEFAULTS);
  }

  /**
   * Opens and loads {@code spec} into the kernel (verifier included). With a pin directory, each of
   * the object's own maps (not shared, not global data) is the map pinned there under its name when
   * that one has the same type, key, value and size (its entries kept: an agent restart adopts the
   * live state); a pin that differs (a new version changed the map) is replaced; new maps are
   * pinned after the load.
   */
  public static BpfCollection load(ObjectSpec spec, LoadOptions options) {
    Arena arena = Arena.ofShared();
    MemorySegment object = MemorySegment.NULL;
    try {
      object = LibBpf.objectOpenMem(spec.name(), spec.copyTo(arena));
      for (Map.Entry<String, Integer> e : options.maxEntries().entrySet()) {
        LibBpf.mapSetMaxEntries(findMap(object, spec.name(), e.getKey()), e.getValue());
      }
      Set<String> adopted = new HashSet<>();
      Map<String, Path> toPin = new LinkedHashMap<>();
      for (MemorySegment map = LibBpf.objectNextMap(object, MemorySegment.NULL);
          !map.equals(MemorySegment.NULL);
          map = LibBpf.objectNextMap(object, map)) {
        String mapName = LibBpf.mapName(map);
        BpfMap shared = options.sharedMaps().get(mapName);
        if (shared != null) {
          LibBpf.mapReuseFd(map, shared.fd()); // libbpf dups the fd: the object owns its copy
        } else if (options.pinDir().isPresent() && !mapName.contains(".")) {
          Path pin = options.pinDir().get().resolve(mapName);
          if (adoptPinned(map, pin)) {
            adopted.add(mapName);
          } else {
            toPin.put(mapName, pin);
          }
        }
      }
      LibBpf.objectLoad(spec.name(), object);
      BpfCollection c = new BpfCollection(spec.name(), arena, object, adopted);
      try {
        toPin.forEach((mapName, pin) -> LibBpf.objPin(c.map(mapName).fd(), pin.toString()));
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
      return c;
    } catch (RuntimeException | Error e) {
      if (!object.equals(MemorySegment.NULL)) {
        LibBpf.objectClose(object);
      }
      arena.close();
      throw e;
    }
  }

  /** Makes {@code map} the one pinned at {@code pin} if it matches; false if none (or removed). */
  private static boolean adoptPinned(MemorySegment map, Path pin) {
    if (!Files.exists(pin)) {
      return false;
    }
    int fd = LibBpf.objGet(pin.toString());
    try {
      if (Arrays.equals(LibBpf.mapInfoByFd(fd), LibBpf.mapInfo(map))) {
        LibBpf.mapReuseFd(map, fd); // libbpf dups it
        return true;
      }
    } finally {
      Libc.close(fd);
    }
    try {
      Files.delete(pin); // another shape: this version's map replaces it, empty
    } catch (IOException e) {
      throw new UncheckedIOException("cannot replace pinned map " + pin, e);
    }
    return false;
  }

  private static MemorySegment findMap(MemorySegment object, String objectName, String mapName) {
    for (MemorySegment map = LibBpf.objectNextMap(object, MemorySegment.NULL);
        !map.equals(MemorySegment.NULL);
        map = LibBpf.objectNextMap(object, map)) {
      if (LibBpf.mapName(map).equals(mapName)) {
        return map;
      }
    }
    throw new NoSuchElementException("no map " + mapName + " in " + objectName);
  }

  public String name() {
    return name;
  }

  /** The maps taken over from their pins (their entries are an earlier load's). */
  public Set<String> adoptedMaps() {
    return adopted;
  }

  public BpfMap map(String mapName) {
    checkOpen();
    BpfMap map = maps.get(mapName);
    if (map == null) {
      throw new NoSuchElementException(
          "no map " + mapName + " in " + name + " (has " + maps.keySet() + ")");
    }
    return map;
  }

  public BpfProgram program(String programName) {
    checkOpen();
    BpfProgram program = programs.get(programName);
    if (program == null) {
      throw new NoSuchElementException(
          "no program " + programName + " in " + name + " (has " + programs.keySet() + ")");
    }
    return program;
  }

  public Map<String, BpfMap> maps() {
    return maps;
  }

  public Map<String, BpfProgram> programs() {
    return programs;
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("BPF collection " + name + " is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      maps.values().forEach(BpfMap::markClosed);
      LibBpf.objectClose(object);
      arena.close();
    }
  }
}
