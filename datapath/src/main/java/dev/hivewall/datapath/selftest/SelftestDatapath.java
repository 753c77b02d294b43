package dev.hivewall.datapath.selftest;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.LoadOptions;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TcDirection;
import dev.hivewall.ebpf.TcFilter;
import dev.hivewall.ebpf.TypedMap;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.util.function.Consumer;

/**
 * The selftest object loaded: a source-address deny list enforced by a TC filter, with a drop event
 * per denied packet. Used by {@code hivewall lab selftest}, the kernel tests and benchmarks. Owns
 * its collection; filters and readers it hands out are owned by the caller.
 */
public final class SelftestDatapath implements AutoCloseable {
  public static final String FILTER = "selftest_filter";
  public static final String EMITTER = "selftest_emit";
  public static final String CONNECT4 = "selftest_connect4";

  private final BpfCollection collection;
  private final TypedMap<DenyKey, DenyEntry> deny;
  private final TypedMap<Integer, SelftestStats> stats;

  private SelftestDatapath(BpfCollection collection) {
    this.collection = collection;
    this.deny = new TypedMap<>(collection.map("st_deny"), DenyKey.CODEC, DenyEntry.CODEC);
    BpfMap statsMap = collection.map("st_stats");
    int cpus = (int) (statsMap.valueStride() / SelftestStats.LAYOUT.byteSize());
    this.stats = new TypedMap<>(statsMap, StructCodec.U32, SelftestStats.perCpuCodec(cpus));
  }

  public static SelftestDatapath load() {
    return load(LoadOptions.DEFAULTS);
  }

  /** Loads with a ring buffer of {@code ringBytes} (a power of two, multiple of the page size). */
  public static SelftestDatapath load(int ringBytes) {
    return load(LoadOptions.DEFAULTS.withMaxEntries("st_events", ringBytes));
  }

  private static SelftestDatapath load(LoadOptions options) {
    BpfCollection collection = BpfCollection.load(BpfObjects.load(BpfObjects.SELFTEST), options);
    try {
      return new SelftestDatapath(collection);
    } catch (RuntimeException e) {
      collection.close();
      throw e;
    }
  }

  public BpfCollection collection() {
    return collection;
  }

  public BpfProgram program(String name) {
    return collection.program(name);
  }

  /** Attaches the deny filter to {@code device} in {@code netns}. */
  public TcFilter attachFilter(NetworkNamespace netns, String device, TcDirection direction) {
    return TcFilter.attach(netns, device, direction, collection.program(FILTER), 1);
  }

  public void deny(String sourceAddress) {
    deny.put(DenyKey.of(sourceAddress), new DenyEntry(0));
  }

  /** Removes a source from the deny list; false if it was not there. */
  public boolean allow(String sourceAddress) {
    return deny.remove(DenyKey.of(sourceAddress));
  }

  /** Packets dropped for {@code sourceAddress} so far, or -1 if it is not denied. */
  public long hits(String sourceAddress) {
    return deny.get(DenyKey.of(sourceAddress)).map(DenyEntry::hits).orElse(-1L);
  }

  public SelftestStats stats() {
    return stats.get(0).orElseThrow();
  }

  /** Denies a port to connect() from processes of a cgroup the connect4 program is attached to. */
  public void denyConnectPort(int port) {
    new TypedMap<>(collection.map("st_ports"), StructCodec.U32, StructCodec.U32).put(port, 1);
  }

  /** Opens a reader of the drop events; poll it from one thread. */
  public RingBufferReader events(Consumer<SelftestEvent> consumer) {
    return RingBufferReader.open(
        collection.map("st_events"), record -> consumer.accept(SelftestEvent.decode(record)));
  }

  @Override
  public void close() {
    collection.close();
  }
}
