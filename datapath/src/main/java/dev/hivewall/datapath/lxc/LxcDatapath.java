package dev.hivewall.datapath.lxc;

import dev.hivewall.core.net.Cidr;
import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.maps.conntrack.CtEntry;
import dev.hivewall.datapath.maps.conntrack.CtKey;
import dev.hivewall.datapath.maps.endpoints.EndpointInfo;
import dev.hivewall.datapath.maps.endpoints.EndpointKey;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.datapath.maps.ipcache.IpcacheEntry;
import dev.hivewall.datapath.maps.ipcache.IpcacheHostKey;
import dev.hivewall.datapath.maps.ipcache.IpcacheKey;
import dev.hivewall.datapath.maps.metrics.MetricsKey;
import dev.hivewall.datapath.maps.metrics.MetricsValue;
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
import java.util.function.Consumer;

/**
 * bpf_lxc.o loaded: the per-pod programs and the maps they read, seen through their codecs. Owns
 * the collection; the filters of {@link #attach} belong to the caller.
 */
public final class LxcDatapath implements AutoCloseable {
  public static final String FROM_POD = "hw_from_pod";
  public static final String TO_POD = "hw_to_pod";

  private final BpfCollection collection;
  private final TypedMap<EndpointKey, EndpointInfo> endpoints;
  private final TypedMap<IpcacheKey, IpcacheEntry> ipcache;
  private final TypedMap<IpcacheHostKey, IpcacheEntry> ipcacheHosts;
  private final TypedMap<CtKey, CtEntry> conntrack;
  private final TypedMap<MetricsKey, MetricsValue> metrics;
  private final PolicyMapWriter policy;

  private LxcDatapath(BpfCollection c) {
    this.collection = c;
    this.endpoints = new TypedMap<>(c.map("hw_endpoints"), EndpointKey.CODEC, EndpointInfo.CODEC);
    this.ipcache = new TypedMap<>(c.map("hw_ipcache"), IpcacheKey.CODEC, IpcacheEntry.CODEC);
    this.ipcacheHosts =
        new TypedMap<>(c.map("hw_ipcache_hosts"), IpcacheHostKey.CODEC, IpcacheEntry.CODEC);
    this.conntrack = new TypedMap<>(c.map("hw_ct"), CtKey.CODEC, CtEntry.CODEC);
    BpfMap m = c.map("hw_metrics");
    this.metrics =
        new TypedMap<>(
            m,
            MetricsKey.CODEC,
            MetricsValue.perCpuCodec((int) (m.valueStride() / MetricsValue.LAYOUT.byteSize())));
    this.policy = new PolicyMapWriter(c.map("hw_policy_exact"), c.map("hw_policy"));
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

  /**
   * Attaches both programs to a pod's host veth: from-pod on ingress, to-pod on egress. They
   * replace programs already attached there (an agent restart), never leaving the device bare.
   */
  public AttachedDevice attach(NetworkNamespace netns, String hostDevice) {
    TcFilter from =
        TcFilter.attach(netns, hostDevice, TcDirection.INGRESS, program(FROM_POD), 1, true);
    try {
      TcFilter to =
          TcFilter.attach(netns, hostDevice, TcDirection.EGRESS, program(TO_POD), 1, true);
      return new AttachedDevice(from, to);
    } catch (RuntimeException e) {
      from.close();
      throw e;
    }
  }

  public TypedMap<EndpointKey, EndpointInfo> endpoints() {
    return endpoints;
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
  }

  /** Writes many prefixes; the /32s in batched syscalls. */
  public void ipcachePutAll(java.util.Map<Cidr, Integer> entries) {
    java.util.Map<IpcacheHostKey, IpcacheEntry> hosts = new java.util.LinkedHashMap<>();
    entries.forEach(
        (prefix, identity) -> {
          if (prefix.length() == 32) {
            hosts.put(new IpcacheHostKey(prefix.address()), new IpcacheEntry(identity));
          } else {
            ipcache.put(new IpcacheKey(prefix), new IpcacheEntry(identity));
          }
        });
    ipcacheHosts.putAll(hosts);
  }

  public boolean ipcacheRemove(Cidr prefix) {
    return prefix.length() == 32
        ? ipcacheHosts.remove(new IpcacheHostKey(prefix.address()))
        : ipcache.remove(new IpcacheKey(prefix));
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
