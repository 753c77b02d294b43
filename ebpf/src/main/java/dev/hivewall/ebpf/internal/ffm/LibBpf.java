package dev.hivewall.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.hivewall.ebpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into libbpf.so.1 (libbpf 1.x). libbpf 1.x returns {@code -errno} from int functions and
 * NULL plus errno from pointer functions; every wrapper here turns a failure into a {@link
 * BpfException} naming the operation. Callers own the memory they pass in.
 */
public final class LibBpf {
  private static final SymbolLookup LIB = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());

  private static MethodHandle h(String name, FunctionDescriptor fd) {
    return Native.downcall(LIB, name, fd);
  }

  private static MethodHandle he(String name, FunctionDescriptor fd) {
    return Native.downcallErrno(LIB, name, fd);
  }

  // --- objects -------------------------------------------------------------------------------
  private static final MethodHandle OBJECT_OPEN_MEM =
      he("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle OBJECT_LOAD =
      h("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle OBJECT_CLOSE =
      h("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
  private static final MethodHandle OBJECT_BTF =
      h("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final MethodHandle OBJECT_NEXT_MAP =
      h("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle OBJECT_NEXT_PROGRAM =
      h("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

  // --- struct bpf_map accessors --------------------------------------------------------------
  private static final MethodHandle MAP_NAME =
      h("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final MethodHandle MAP_FD =
      h("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_TYPE =
      h("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_KEY_SIZE =
      h("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_VALUE_SIZE =
      h("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_MAX_ENTRIES =
      h("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_SET_MAX_ENTRIES =
      h("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle MAP_REUSE_FD =
      h("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

  // --- struct bpf_program accessors ----------------------------------------------------------
  private static final MethodHandle PROGRAM_NAME =
      h("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final MethodHandle PROGRAM_SECTION =
      h("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final MethodHandle PROGRAM_FD =
      h("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle PROGRAM_TYPE =
      h("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle PROGRAM_ATTACH_CGROUP =
      he("bpf_program__attach_cgroup", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  private static final MethodHandle LINK_DESTROY =
      h("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle LINK_FD =
      h("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle LINK_UPDATE =
      h("bpf_link_update", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle PROG_ATTACH =
      h("bpf_prog_attach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle PROG_DETACH2 =
      h("bpf_prog_detach2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

  // --- low-level bpf(2) wrappers -------------------------------------------------------------
  private static final MethodHandle MAP_CREATE =
      h(
          "bpf_map_create",
          FunctionDescriptor.of(
              JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_UPDATE_ELEM =
      h(
          "bpf_map_update_elem",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle MAP_LOOKUP_ELEM =
      h("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle MAP_DELETE_ELEM =
      h("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle MAP_GET_NEXT_KEY =
      h("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle MAP_UPDATE_BATCH =
      h(
          "bpf_map_update_batch",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle MAP_LOOKUP_BATCH =
      h(
          "bpf_map_lookup_batch",
          FunctionDescriptor.of(
              JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle MAP_DELETE_BATCH =
      h(
          "bpf_map_delete_batch",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle OBJ_PIN =
      h("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle OBJ_GET =
      h("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle OBJ_GET_INFO_BY_FD =
      h("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle ENABLE_STATS =
      h("bpf_enable_stats", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle PROG_TEST_RUN_OPTS =
      h("bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle NUM_POSSIBLE_CPUS =
      h("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));

  // --- TC ------------------------------------------------------------------------------------
  private static final MethodHandle TC_HOOK_CREATE =
      h("bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle TC_HOOK_DESTROY =
      h("bpf_tc_hook_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle TC_ATTACH =
      h("bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle TC_DETACH =
      h("bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

  // --- ring buffer ---------------------------------------------------------------------------
  private static final MethodHandle RING_BUFFER_NEW =
      he("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle RING_BUFFER_POLL =
      h("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle RING_BUFFER_CONSUME =
      h("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle RING_BUFFER_FREE =
      h("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

  // --- probes and logging --------------------------------------------------------------------
  private static final MethodHandle PROBE_PROG_TYPE =
      h("libbpf_probe_bpf_prog_type", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle PROBE_MAP_TYPE =
      h("libbpf_probe_bpf_map_type", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle PROBE_HELPER =
      h("libbpf_probe_bpf_helper", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  static final MethodHandle SET_PRINT =
      h("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));

  static {
    LibbpfLog.install();
  }

  private LibBpf() {}

  private static int check(String op, int rc) {
    if (rc < 0) {
      throw new BpfException(op, -rc, LibbpfLog.drainFor(op));
    }
    return rc;
  }

  private static MemorySegment checkPtr(String op, MemorySegment ptr, MemorySegment err) {
    if (ptr.equals(MemorySegment.NULL)) {
      throw new BpfException(op, Native.errno(err), LibbpfLog.drainFor(op));
    }
    return ptr;
  }

  // --- objects -------------------------------------------------------------------------------

  /** Opens an ELF object held in {@code elf}; the segment must stay alive until load returns. */
  public static MemorySegment objectOpenMem(String name, MemorySegment elf) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      LibbpfLog.begin();
      MemorySegment obj =
          (MemorySegment) OBJECT_OPEN_MEM.invokeExact(err, elf, elf.byteSize(), MemorySegment.NULL);
      return checkPtr("open BPF object " + name, obj, err);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void objectLoad(String name, MemorySegment obj) {
    try {
      LibbpfLog.begin();
      check("load BPF object " + name, (int) OBJECT_LOAD.invokeExact(obj));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void objectClose(MemorySegment obj) {
    try {
      OBJECT_CLOSE.invokeExact(obj);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static MemorySegment objectBtf(MemorySegment obj) {
    try {
      return (MemorySegment) OBJECT_BTF.invokeExact(obj);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static MemorySegment objectNextMap(MemorySegment obj, MemorySegment prev) {
    try {
      return (MemorySegment) OBJECT_NEXT_MAP.invokeExact(obj, prev);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static MemorySegment objectNextProgram(MemorySegment obj, MemorySegment prev) {
    try {
      return (MemorySegment) OBJECT_NEXT_PROGRAM.invokeExact(obj, prev);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- struct bpf_map ------------------------------------------------------------------------

  public static String mapName(MemorySegment map) {
    try {
      return Native.cString((MemorySegment) MAP_NAME.invokeExact(map));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapFd(MemorySegment map) {
    try {
      return (int) MAP_FD.invokeExact(map);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** type, key size, value size, max entries of a map of an opened object. */
  public static int[] mapInfo(MemorySegment map) {
    try {
      return new int[] {
        (int) MAP_TYPE.invokeExact(map),
        (int) MAP_KEY_SIZE.invokeExact(map),
        (int) MAP_VALUE_SIZE.invokeExact(map),
        (int) MAP_MAX_ENTRIES.invokeExact(map)
      };
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void mapSetMaxEntries(MemorySegment map, int maxEntries) {
    try {
      check("set max_entries", (int) MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** The object's map becomes the existing map {@code fd} (shared between objects). */
  public static void mapReuseFd(MemorySegment map, int fd) {
    try {
      check("reuse map fd", (int) MAP_REUSE_FD.invokeExact(map, fd));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- struct bpf_program --------------------------------------------------------------------

  public static String programName(MemorySegment prog) {
    try {
      return Native.cString((MemorySegment) PROGRAM_NAME.invokeExact(prog));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static String programSection(MemorySegment prog) {
    try {
      return Native.cString((MemorySegment) PROGRAM_SECTION.invokeExact(prog));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int programFd(MemorySegment prog) {
    try {
      return (int) PROGRAM_FD.invokeExact(prog);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int programType(MemorySegment prog) {
    try {
      return (int) PROGRAM_TYPE.invokeExact(prog);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** Returns a {@code struct bpf_link *}; release it with {@link #linkDestroy}. */
  public static MemorySegment programAttachCgroup(String op, MemorySegment prog, int cgroupFd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      LibbpfLog.begin();
      MemorySegment link = (MemorySegment) PROGRAM_ATTACH_CGROUP.invokeExact(err, prog, cgroupFd);
      return checkPtr(op, link, err);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** bpf_prog_attach(2) of a program to a map or cgroup fd (no link: undone by progDetach). */
  public static void progAttach(String op, int progFd, int targetFd, int attachType) {
    try {
      check(op, (int) PROG_ATTACH.invokeExact(progFd, targetFd, attachType, 0));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void progDetach(String op, int progFd, int targetFd, int attachType) {
    try {
      check(op, (int) PROG_DETACH2.invokeExact(progFd, targetFd, attachType));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int linkFd(MemorySegment link) {
    try {
      return check("BPF link fd", (int) LINK_FD.invokeExact(link));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /**
   * Replaces the program of link {@code linkFd} by {@code progFd}, atomically (bpf_link_update).
   */
  public static void linkUpdate(String op, int linkFd, int progFd) {
    try {
      check(op, (int) LINK_UPDATE.invokeExact(linkFd, progFd, MemorySegment.NULL));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void linkDestroy(MemorySegment link) {
    try {
      check("destroy BPF link", (int) LINK_DESTROY.invokeExact(link));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- maps by fd ----------------------------------------------------------------------------

  public static int mapCreate(int type, String name, int keySize, int valueSize, int maxEntries) {
    try (Arena arena = Arena.ofConfined()) {
      return check(
          "create map " + name,
          (int)
              MAP_CREATE.invokeExact(
                  type,
                  arena.allocateFrom(name),
                  keySize,
                  valueSize,
                  maxEntries,
                  MemorySegment.NULL));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** Returns 0, or -errno for the caller to interpret (ENOENT is not always an error). */
  public static int mapUpdateElem(int fd, MemorySegment key, MemorySegment value, long flags) {
    try {
      return (int) MAP_UPDATE_ELEM.invokeExact(fd, key, value, flags);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapLookupElem(int fd, MemorySegment key, MemorySegment value) {
    try {
      return (int) MAP_LOOKUP_ELEM.invokeExact(fd, key, value);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapDeleteElem(int fd, MemorySegment key) {
    try {
      return (int) MAP_DELETE_ELEM.invokeExact(fd, key);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapGetNextKey(int fd, MemorySegment key, MemorySegment nextKey) {
    try {
      return (int) MAP_GET_NEXT_KEY.invokeExact(fd, key, nextKey);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** {@code count} is an in/out u32: elements given, elements done. */
  public static int mapUpdateBatch(
      int fd, MemorySegment keys, MemorySegment values, MemorySegment count) {
    try {
      return (int) MAP_UPDATE_BATCH.invokeExact(fd, keys, values, count, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapLookupBatch(
      int fd,
      MemorySegment inBatch,
      MemorySegment outBatch,
      MemorySegment keys,
      MemorySegment values,
      MemorySegment count) {
    try {
      return (int)
          MAP_LOOKUP_BATCH.invokeExact(
              fd, inBatch, outBatch, keys, values, count, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int mapDeleteBatch(int fd, MemorySegment keys, MemorySegment count) {
    try {
      return (int) MAP_DELETE_BATCH.invokeExact(fd, keys, count, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void objPin(int fd, String path) {
    try (Arena arena = Arena.ofConfined()) {
      check("pin " + path, (int) OBJ_PIN.invokeExact(fd, arena.allocateFrom(path)));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int objGet(String path) {
    try (Arena arena = Arena.ofConfined()) {
      return check("open pinned " + path, (int) OBJ_GET.invokeExact(arena.allocateFrom(path)));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /**
   * type, key size, value size, max entries of the map behind {@code fd} (struct bpf_map_info:
   * type@0 id@4 key_size@8 value_size@12 max_entries@16).
   */
  public static int[] mapInfoByFd(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(64);
      MemorySegment len = arena.allocateFrom(JAVA_INT, 64);
      check("read map info", (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, len));
      return new int[] {
        info.get(JAVA_INT, 0), info.get(JAVA_INT, 8), info.get(JAVA_INT, 12), info.get(JAVA_INT, 16)
      };
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** BPF_STATS_RUN_TIME of {@code enum bpf_stats_type}. */
  public static final int STATS_RUN_TIME = 0;

  /**
   * Turns on the kernel's per-program run statistics while the returned fd stays open (system wide,
   * counted once however many holders): {@code bpf_enable_stats}.
   */
  public static int enableStats(int type) {
    try {
      return check("enable BPF run statistics", (int) ENABLE_STATS.invokeExact(type));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // struct bpf_prog_info (UAPI: offsets of existing fields never change): run_time_ns@192,
  // run_cnt@200; the whole struct is 232 bytes on 6.x kernels, older ones fill less.
  private static final int PROG_INFO_SIZE = 256;
  private static final long PROG_RUN_TIME_NS = 192;
  private static final long PROG_RUN_CNT = 200;

  /**
   * {run count, run time ns} of the program behind {@code fd}, counted while statistics are on
   * ({@link #enableStats}); both 0 on a kernel whose bpf_prog_info ends before them.
   */
  public static long[] progRunStats(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(PROG_INFO_SIZE, 8);
      MemorySegment len = arena.allocateFrom(JAVA_INT, PROG_INFO_SIZE);
      check("read program info", (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, len));
      if (len.get(JAVA_INT, 0) < PROG_RUN_CNT + 8) {
        return new long[] {0, 0};
      }
      return new long[] {info.get(JAVA_LONG, PROG_RUN_CNT), info.get(JAVA_LONG, PROG_RUN_TIME_NS)};
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void progTestRun(String op, int progFd, MemorySegment opts) {
    try {
      check(op, (int) PROG_TEST_RUN_OPTS.invokeExact(progFd, opts));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int numPossibleCpus() {
    try {
      return check("count possible CPUs", (int) NUM_POSSIBLE_CPUS.invokeExact());
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- TC ------------------------------------------------------------------------------------

  /** Returns 0 or -errno ({@code -EEXIST} when the clsact qdisc is already there). */
  public static int tcHookCreate(MemorySegment hook) {
    try {
      return (int) TC_HOOK_CREATE.invokeExact(hook);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int tcHookDestroy(MemorySegment hook) {
    try {
      return (int) TC_HOOK_DESTROY.invokeExact(hook);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void tcAttach(String op, MemorySegment hook, MemorySegment opts) {
    try {
      check(op, (int) TC_ATTACH.invokeExact(hook, opts));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** Returns 0 or -errno. */
  public static int tcDetach(MemorySegment hook, MemorySegment opts) {
    try {
      return (int) TC_DETACH.invokeExact(hook, opts);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- ring buffer ---------------------------------------------------------------------------

  public static MemorySegment ringBufferNew(int mapFd, MemorySegment callback) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = Native.errnoSegment(arena);
      MemorySegment rb =
          (MemorySegment)
              RING_BUFFER_NEW.invokeExact(
                  err, mapFd, callback, MemorySegment.NULL, MemorySegment.NULL);
      return checkPtr("open ring buffer", rb, err);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  /** Returns the number of records consumed; EINTR counts as 0. */
  public static int ringBufferPoll(MemorySegment rb, int timeoutMs) {
    try {
      int rc = (int) RING_BUFFER_POLL.invokeExact(rb, timeoutMs);
      return rc == -4 ? 0 : check("poll ring buffer", rc);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int ringBufferConsume(MemorySegment rb) {
    try {
      return check("consume ring buffer", (int) RING_BUFFER_CONSUME.invokeExact(rb));
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static void ringBufferFree(MemorySegment rb) {
    try {
      RING_BUFFER_FREE.invokeExact(rb);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  // --- probes --------------------------------------------------------------------------------

  /** 1 supported, 0 not supported, negative errno when the probe itself failed. */
  public static int probeProgType(int progType) {
    try {
      return (int) PROBE_PROG_TYPE.invokeExact(progType, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int probeMapType(int mapType) {
    try {
      return (int) PROBE_MAP_TYPE.invokeExact(mapType, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }

  public static int probeHelper(int progType, int helperId) {
    try {
      return (int) PROBE_HELPER.invokeExact(progType, helperId, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Rethrow.of(t);
    }
  }
}
