package dev.hivewall.datapath.lxc;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.EventsSlot;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.maps.conntrack.CtEntry;
import dev.hivewall.datapath.maps.conntrack.CtKey;
import dev.hivewall.datapath.maps.endpoints.EndpointInfo;
import dev.hivewall.datapath.maps.endpoints.EndpointKey;
import dev.hivewall.datapath.maps.endpoints.NetnsKey;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.datapath.maps.events.LostEvents;
import dev.hivewall.datapath.maps.ipcache.IpcacheEntry;
import dev.hivewall.datapath.maps.ipcache.IpcacheHostKey;
import dev.hivewall.datapath.maps.ipcache.IpcacheKey;
import dev.hivewall.datapath.maps.metrics.MetricsKey;
import dev.hivewall.datapath.maps.metrics.MetricsValue;
import dev.hivewall.datapath.maps.node.NodeConfig;
import dev.hivewall.datapath.maps.policy.PolicyMapWriter;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.LoadOptions;
import dev.hivewall.ebpf.RingBufferReader;
import dev.hivewall.ebpf.TcDirection;
import dev.hivewall.ebpf.TcFilter;
import dev.hivewall.ebpf.TypedMap;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * bpf_lxc.o loaded: the per-pod programs and the maps they read, seen through their codecs. Owns
 * the collection; the filters of {@link #attach} belong to the caller.
 */
public final class LxcDatapath implements AutoCloseable {
  public static final String FROM_POD = "hw_from_pod";
  public static final String TO_POD = "hw_to_pod";
  public static final String FROM_OVERLAY = "hw_from_overlay";
  public static final String TO_OVERLAY = "hw_to_overlay";

  /** HW_ENDPOINT_SLOTS of hivewall_abi.h (checked against the map's size at load). */
  static final int ENDPOINT_SLOTS = 4096;

  private final BpfCollection collection;
  private final TypedMap<EndpointKey, EndpointInfo> endpoints;
  private final TypedMap<Integer, EndpointInfo> endpointSlots;
  private final TypedMap<IpcacheKey, IpcacheEntry> ipcache;
  private final TypedMap<IpcacheHostKey, IpcacheEntry> ipcacheHosts;
  private final TypedMap<CtKey, CtEntry> conntrack;
  private final TypedMap<Integer, Integer> ipcacheRevision;
  private final TypedMap<MetricsKey, MetricsValue> metrics;
  private final TypedMap<Integer, MetricsValue> fwdMetrics;
  private final TypedMap<Integer, Long> eventsLost;
  private final TypedMap<Integer, NodeConfig> nodeConfig;
  private final PolicyMapWriter policy;
  private final TypedMap<NetnsKey, EndpointKey> netnsEndpoints;

  private LxcDatapath(BpfCollection c) {
    this.collection = c;
    this.endpoints = new TypedMap<>(c.map("hw_endpoints"), EndpointKey.CODEC, EndpointInfo.CODEC);
    this.endpointSlots =
        new TypedMap<>(c.map("hw_endpoint_slots"), StructCodec.U32, EndpointInfo.CODEC);
    this.ipcache = new TypedMap<>(c.map("hw_ipcache"), IpcacheKey.CODEC, IpcacheEntry.CODEC);
    this.ipcacheHosts =
        new TypedMap<>(c.map("hw_ipcache_hosts"), IpcacheHostKey.CODEC, IpcacheEntry.CODEC);
    this.conntrack = new TypedMap<>(c.map("hw_ct"), CtKey.CODEC, CtEntry.CODEC);
    this.nodeConfig = new TypedMap<>(c.map("hw_node_config"), StructCodec.U32, NodeConfig.CODEC);
    this.ipcacheRevision =
        new TypedMap<>(c.map("hw_ipcache_rev"), StructCodec.U32, StructCodec.U32);
    bumpIpcacheRevision(); // pinned maps adopted by a new agent: entries cached before are stale
    BpfMap m = c.map("hw_metrics");
    this.metrics =
        new TypedMap<>(
            m,
            MetricsKey.CODEC,
            MetricsValue.perCpuCodec((int) (m.valueStride() / MetricsValue.LAYOUT.byteSize())));
    BpfMap lost = c.map("hw_events_lost");
    this.eventsLost =
        new TypedMap<>(lost, StructCodec.U32, LostEvents.perCpuCodec(lost.valueStride() / 8));
    BpfMap fwd = c.map("hw_fwd_metrics");
    this.fwdMetrics =
        new TypedMap<>(
            fwd,
            StructCodec.U32,
            MetricsValue.perCpuCodec((int) (fwd.valueStride() / MetricsValue.LAYOUT.byteSize())));
    if (c.map("hw_endpoint_slots").maxEntries() != ENDPOINT_SLOTS) {
      throw new IllegalStateException(
          "hw_endpoint_slots has "
              + c.map("hw_endpoint_slots").maxEntries()
              + " slots, expected "
              + ENDPOINT_SLOTS);
    }
    this.policy = new PolicyMapWriter(c.map("hw_policy_exact"), c.map("hw_policy"));
    this.netnsEndpoints =
        new TypedMap<>(c.map("hw_netns_endpoints"), NetnsKey.CODEC, EndpointKey.CODEC);
  }

  /** The maps taken over from pins of an earlier agent (empty: a fresh datapath). */
  public java.util.Set<String> adoptedMaps() {
    return collection.adoptedMaps();
  }

  /** Every map of the datapath, by name: what other objects (bpf_sock.o) share. */
  public java.util.Map<String, BpfMap> maps() {
    return collection.maps();
  }

  /**
   * Tells the socket hooks that sockets of the network namespace {@code netnsCookie} are the pod
   * behind {@code ifindex}. Written after the endpoint's own entry ({@link #endpointPut}).
   */
  public void podNamespacePut(long netnsCookie, int ifindex) {
    netnsEndpoints.put(new NetnsKey(netnsCookie), new EndpointKey(ifindex));
  }

  /** Forgets a pod's namespace; before its endpoint entry goes. */
  public void podNamespaceRemove(long netnsCookie) {
    netnsEndpoints.remove(new NetnsKey(netnsCookie));
  }

  /** The pod device of each known namespace cookie. */
  public java.util.Map<Long, Integer> podNamespaces() {
    java.util.Map<Long, Integer> out = new HashMap<>();
    netnsEndpoints.entries().forEach((k, v) -> out.put(k.cookie(), v.ifindex()));
    return out;
  }

  public static LxcDatapath load() {
    return load(LoadOptions.DEFAULTS);
  }

  public static LxcDatapath load(LoadOptions options) {
    BpfCollection c = BpfCollection.load(BpfObjects.load(BpfObjects.LXC), options);
    try {
      return new LxcDatapath(c);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  public BpfProgram program(String name) {
    return collection.program(name);
  }

  /** Every program of the datapath, by name. */
  public java.util.Map<String, BpfProgram> programs() {
    return collection.programs();
  }

  /**
   * Attaches both programs to a pod's host veth: from-pod on ingress, to-pod on egress. They
   * replace programs already attached there (an agent restart), never leaving the device bare.
   */
  public AttachedDevice attach(NetworkNamespace netns, String hostDevice) {
    return attach(netns, hostDevice, FROM_POD, TO_POD);
  }

  /**
   * Attaches the overlay's programs to the node's VXLAN device (external mode): from-overlay on
   * ingress, to-overlay on egress; replaces programs already there, as {@link #attach} does.
   */
  public AttachedDevice attachOverlay(NetworkNamespace netns, String device) {
    return attach(netns, device, FROM_OVERLAY, TO_OVERLAY);
  }

  private AttachedDevice attach(
      NetworkNamespace netns, String device, String ingress, String egress) {
    TcFilter from = TcFilter.attach(netns, device, TcDirection.INGRESS, program(ingress), 1, true);
    try {
      TcFilter to = TcFilter.attach(netns, device, TcDirection.EGRESS, program(egress), 1, true);
      return new AttachedDevice(from, to);
    } catch (RuntimeException e) {
      from.close();
      throw e;
    }
  }

  /**
   * Makes {@code info} what the programs see for its device. The hash entry is written first; then
   * the device's slot of hw_endpoint_slots, when free or already its own. An array value is copied
   * in place, so a packet may read it half-written: a free slot is therefore claimed in two steps,
   * the entry with ifindex 0 (still free to every reader) and then the ifindex alone, so a reader
   * that sees the ifindex sees the whole entry. Later updates change only the flags (one byte) and
   * the identity (read for events, never for verdicts).
   */
  public void endpointPut(EndpointInfo info) {
    endpoints.put(new EndpointKey(info.ifindex()), info);
    int slot = slotOf(info.ifindex());
    int owner = endpointSlots.get(slot).map(EndpointInfo::ifindex).orElse(0);
    if (owner == 0) {
      endpointSlots.put(slot, info.withIfindex(0));
      endpointSlots.put(slot, info);
    } else if (owner == info.ifindex()) {
      endpointSlots.put(slot, info);
    }
  }

  /** Forgets a device: its slot is released (ifindex first) before the hash entry goes. */
  public void endpointRemove(int ifindex) {
    int slot = slotOf(ifindex);
    endpointSlots
        .get(slot)
        .filter(e -> e.ifindex() == ifindex)
        .ifPresent(
            e -> {
              endpointSlots.put(slot, e.withIfindex(0));
              endpointSlots.put(slot, EndpointInfo.FREE_SLOT);
            });
    endpoints.remove(new EndpointKey(ifindex));
  }

  /** Every endpoint entry (hash), e.g. as an earlier agent left them in pinned maps. */
  public List<EndpointInfo> endpoints() {
    return List.copyOf(endpoints.entries().values());
  }

  /** The live entry of a device, as the programs find it. */
  public java.util.Optional<EndpointInfo> endpoint(int ifindex) {
    return endpointSlots
        .get(slotOf(ifindex))
        .filter(e -> e.ifindex() == ifindex)
        .or(() -> endpoints.get(new EndpointKey(ifindex)));
  }

  private static int slotOf(int ifindex) {
    return Integer.remainderUnsigned(ifindex, ENDPOINT_SLOTS);
  }

  public PolicyMapWriter policy() {
    return policy;
  }

  public TypedMap<CtKey, CtEntry> conntrack() {
    return conntrack;
  }

  public TypedMap<MetricsKey, MetricsValue> metrics() {
    return metrics;
  }

  /** Maps a prefix to an identity: /32s go to the host hash, shorter prefixes to the trie. */
  public void ipcachePut(Cidr prefix, int identity) {
    if (prefix.length() == 32) {
      ipcacheHosts.put(new IpcacheHostKey(prefix.address()), new IpcacheEntry(identity));
    } else {
      ipcache.put(new IpcacheKey(prefix), new IpcacheEntry(identity));
    }
    bumpIpcacheRevision();
  }

  /** Writes many prefixes; the /32s in batched syscalls. */
  public void ipcachePutAll(java.util.Map<Cidr, Integer> entries) {
    java.util.Map<Cidr, IpcacheEntry> e = new java.util.LinkedHashMap<>();
    entries.forEach((prefix, identity) -> e.put(prefix, new IpcacheEntry(identity)));
    ipcacheWrite(e);
  }

  /** Writes many entries (a local pod's carries its host ifindex); /32s in batched syscalls. */
  public void ipcacheWrite(java.util.Map<Cidr, IpcacheEntry> entries) {
    java.util.Map<IpcacheHostKey, IpcacheEntry> hosts = new java.util.LinkedHashMap<>();
    entries.forEach(
        (prefix, entry) -> {
          if (prefix.length() == 32) {
            hosts.put(new IpcacheHostKey(prefix.address()), entry);
          } else {
            ipcache.put(new IpcacheKey(prefix), entry);
          }
        });
    ipcacheHosts.putAll(hosts);
    bumpIpcacheRevision();
  }

  /** The node-wide switches of the datapath. */
  public void nodeConfig(NodeConfig config) {
    nodeConfig.put(0, config);
  }

  /** The node's switches as the datapath has them now (a fresh map: all off, events on). */
  public NodeConfig nodeConfig() {
    return nodeConfig.get(0).orElse(new NodeConfig(false, true, 0, true, 0));
  }

  public boolean ipcacheRemove(Cidr prefix) {
    boolean removed =
        prefix.length() == 32
            ? ipcacheHosts.remove(new IpcacheHostKey(prefix.address()))
            : ipcache.remove(new IpcacheKey(prefix));
    bumpIpcacheRevision();
    return removed;
  }

  /**
   * Invalidates the peer identities conntrack entries cached (hw_ipcache_rev): called after every
   * ipcache write, once the new entries are in place. Never 0 (0 = caching off).
   */
  private void bumpIpcacheRevision() {
    int next = ipcacheRevision.get(0).orElse(0) + 1;
    ipcacheRevision.put(0, next == 0 ? 1 : next);
  }

  /** The maps whose fill {@link #pressure} reports, as the BPF objects name them. */
  private static final List<String> PRESSURE_MAPS =
      List.of(
          "hw_endpoints",
          "hw_ipcache_hosts",
          "hw_ipcache",
          "hw_policy_exact",
          "hw_policy",
          "hw_ct",
          "hw_metrics");

  /** How full one map is. */
  public record MapPressure(String map, long entries, long capacity) {}

  /** Entries and capacity of the maps that grow with pods, policies and traffic (walks them). */
  public List<MapPressure> pressure() {
    List<MapPressure> out = new ArrayList<>();
    for (String name : PRESSURE_MAPS) {
      BpfMap m = collection.map(name);
      out.add(new MapPressure(name, m.count(), m.maxEntries()));
    }
    return out;
  }

  /**
   * Packets and bytes since load per (endpoint, direction, verdict, reason), summed over CPUs: the
   * hw_metrics hash (drops, and forwarded packets of endpoints without an array slot) and the
   * forwarded counters of the hw_fwd_metrics array.
   */
  public Map<MetricsKey, MetricsValue> counters() {
    Map<MetricsKey, MetricsValue> out = new HashMap<>(metrics.entries());
    fwdMetrics
        .entries()
        .forEach(
            (slot, v) -> {
              if (v.packets() > 0) {
                MetricsKey k =
                    new MetricsKey(
                        slot / 2,
                        TrafficDirection.of(slot % 2),
                        Verdict.FORWARDED,
                        DropReason.NONE);
                out.merge(
                    k,
                    v,
                    (a, b) -> new MetricsValue(a.packets() + b.packets(), a.bytes() + b.bytes()));
              }
            });
    return out;
  }

  /** Events that did not fit the event ring since load (the reader fell behind). */
  public long eventsLost() {
    return eventsLost.get(EventsSlot.LOST.code()).orElse(0L);
  }

  /** Drop events over the node's rate limit since load (counted, not reported), all CPUs. */
  public long eventsSuppressed() {
    return eventsLost.get(EventsSlot.SUPPRESSED.code()).orElse(0L);
  }

  /** The event ring itself, for a reader that does not decode (a benchmark's floor). */
  public BpfMap eventRing() {
    return collection.map("hw_events");
  }

  /** A reader of flow events; poll it from one thread. */
  public RingBufferReader events(Consumer<FlowEvent> consumer) {
    return RingBufferReader.open(
        collection.map("hw_events"), r -> consumer.accept(FlowEvent.decode(r)));
  }

  @Override
  public void close() {
    collection.close();
  }

  /** The two filters of one pod device; closing detaches both. */
  public record AttachedDevice(TcFilter fromPod, TcFilter toPod) implements AutoCloseable {
    @Override
    public void close() {
      try {
        toPod.close();
      } finally {
        fromPod.close();
      }
    }
  }
}
