package dev.hivewall.ebpf;

import dev.hivewall.ebpf.internal.ffm.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
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
  private final AtomicBoolean closed = new AtomicBoolean();

  private BpfCollection(String name, Arena arena, MemorySegment object) {
    this.name = name;
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

  /** Opens and loads {@code spec} into the kernel (verifier included). */
  public static BpfCollection load(ObjectSpec spec, LoadOptions options) {
    Arena arena = Arena.ofShared();
    MemorySegment object = MemorySegment.NULL;
    try {
      object = LibBpf.objectOpenMem(spec.name(), spec.copyTo(arena));
      for (Map.Entry<String, Integer> e : options.maxEntries().entrySet()) {
        LibBpf.mapSetMaxEntries(findMap(object, spec.name(), e.getKey()), e.getValue());
      }
      for (MemorySegment map = LibBpf.objectNextMap(object, MemorySegment.NULL);
          !map.equals(MemorySegment.NULL);
          map = LibBpf.objectNextMap(object, map)) {
        BpfMap shared = options.sharedMaps().get(LibBpf.mapName(map));
        if (shared != null) {
          LibBpf.mapReuseFd(map, shared.fd()); // libbpf dups the fd: the object owns its copy
        }
      }
      LibBpf.objectLoad(spec.name(), object);
      return new BpfCollection(spec.name(), arena, object);
    } catch (RuntimeException | Error e) {
      if (!object.equals(MemorySegment.NULL)) {
        LibBpf.objectClose(object);
      }
      arena.close();
      throw e;
    }
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
