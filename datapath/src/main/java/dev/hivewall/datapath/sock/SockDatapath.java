package dev.hivewall.datapath.sock;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.abi.SockHook;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.LostEvents;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.CgroupLink;
import dev.hivewall.ebpf.TypedMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * bpf_sock.o: connect-time enforcement. Loaded on the lxc datapath's maps (the same endpoints,
 * ipcache, policy, events and counters: one policy, judged at the socket and again at the veth) and
 * attached at the four socket hooks of one cgroup, the root of the cgroup2 hierarchy for an agent,
 * so every process of the node is covered; the programs pick the pods' sockets by their network
 * namespace. Owns its collection and links: {@link #close} detaches the hooks, unless they are
 * pinned ({@code pinDir}): then they stay attached for the next agent, which takes them over and
 * swaps their programs in one step.
 */
public final class SockDatapath implements AutoCloseable {
  private final BpfCollection collection;
  private final List<CgroupLink> links;
  private final TypedMap<Integer, Long> verdicts;
  private final Path cgroup;

  private SockDatapath(BpfCollection collection, List<CgroupLink> links, Path cgroup) {
    this.collection = collection;
    this.links = links;
    this.cgroup = cgroup;
    BpfMap m = collection.map("hw_sock_metrics");
    this.verdicts = new TypedMap<>(m, StructCodec.U32, LostEvents.perCpuCodec(m.valueStride() / 8));
  }

  /** Loads the socket hooks on {@code lxc}'s maps and attaches them to {@code cgroup}. */
  public static SockDatapath attach(LxcDatapath lxc, Path cgroup) {
    return attach(lxc, cgroup, Optional.empty());
  }

  /**
   * As {@link #attach(LxcDatapath, Path)}; with {@code pinDir}, the hooks' links and counters are
   * pinned there and taken over when an earlier agent left them.
   */
  public static SockDatapath attach(LxcDatapath lxc, Path cgroup, Optional<Path> pinDir) {
    BpfCollection c = Pins.load(BpfObjects.SOCK, lxc, pinDir);
    List<CgroupLink> links = new ArrayList<>();
    try {
      for (SockHook hook : SockHook.values()) {
        links.add(Pins.attach(c.program(hook.program()), cgroup, pinDir));
      }
      return new SockDatapath(c, List.copyOf(links), cgroup);
    } catch (RuntimeException e) {
      links.forEach(CgroupLink::close);
      c.close();
      throw e;
    }
  }

  /** Detaches hooks an earlier agent pinned in {@code pinDir} (the hooks were turned off). */
  public static void removePinned(Path pinDir) {
    for (SockHook hook : SockHook.values()) {
      Pins.delete(Pins.link(pinDir, hook.program()));
    }
  }

  public Path cgroup() {
    return cgroup;
  }

  /** Calls each hook let through and denied (EPERM), summed over CPUs. */
  public Map<SockHook, HookCounts> counts() {
    Map<SockHook, HookCounts> out = new EnumMap<>(SockHook.class);
    for (SockHook h : SockHook.values()) {
      long allowed = verdicts.get(h.code() * 2).orElse(0L);
      long denied = verdicts.get(h.code() * 2 + 1).orElse(0L);
      out.put(h, new HookCounts(allowed, denied));
    }
    return out;
  }

  /** One hook's verdicts: connections (or datagrams) let on, and refused with EPERM. */
  public record HookCounts(long allowed, long denied) {}

  @Override
  public void close() {
    links.forEach(CgroupLink::close);
    collection.close();
  }
}
