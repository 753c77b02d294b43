package dev.hivewall.datapath.sock;

import dev.hivewall.datapath.BpfObjects;
import dev.hivewall.datapath.abi.SockmapCounter;
import dev.hivewall.datapath.abi.StructCodec;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.LostEvents;
import dev.hivewall.datapath.maps.sockmap.SockConn;
import dev.hivewall.datapath.maps.sockmap.SockKey;
import dev.hivewall.ebpf.BpfCollection;
import dev.hivewall.ebpf.BpfMap;
import dev.hivewall.ebpf.CgroupLink;
import dev.hivewall.ebpf.MapAttachment;
import dev.hivewall.ebpf.TypedMap;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * bpf_sockmap.o: TCP between two local pods socket to socket, while the policy allows the pair at
 * L3/L4 (see bpf/bpf_sockmap.c). Loaded on the lxc datapath's maps; its sock_ops program attached
 * to one cgroup (the root of the cgroup2 hierarchy for an agent), its sk_msg program to the
 * sockhash. Owns both attachments: {@link #close} detaches them, after which the connections in the
 * map go back to the TCP stack. Pinned ({@code pinDir}), the sockhash, its attachment and the
 * sock_ops link outlive the agent: connections keep their path (and the bytes queued on it) while
 * no agent runs, and the next agent takes them over.
 */
public final class SockmapDatapath implements AutoCloseable {
  private final BpfCollection collection;
  private final CgroupLink sockops;
  private final MapAttachment skMsg;
  private final boolean pinned;
  private final TypedMap<Integer, Long> counters;
  private final TypedMap<SockKey, SockConn> conns;
  private final TypedMap<SockKey, Long> pairs;

  private SockmapDatapath(
      BpfCollection c,
      CgroupLink sockops,
      MapAttachment skMsg,
      TypedMap<SockKey, SockConn> conns,
      boolean pinned) {
    this.collection = c;
    this.pinned = pinned;
    this.sockops = sockops;
    this.skMsg = skMsg;
    this.conns = conns;
    // keys only are read (a value read from user space is the socket's cookie)
    this.pairs = new TypedMap<>(c.map("hw_sock_pairs"), SockKey.CODEC, StructCodec.U64);
    BpfMap m = c.map("hw_sockmap_metrics");
    this.counters = new TypedMap<>(m, StructCodec.U32, LostEvents.perCpuCodec(m.valueStride() / 8));
  }

  /** Loads the sockmap programs on {@code lxc}'s maps; sock_ops on {@code cgroup}. */
  public static SockmapDatapath attach(LxcDatapath lxc, Path cgroup) {
    return attach(lxc, cgroup, Optional.empty());
  }

  /**
   * As {@link #attach(LxcDatapath, Path)}; with {@code pinDir}, its maps (the sockhash included)
   * and the sock_ops link are pinned there and taken over when an earlier agent left them (the new
   * sk_msg program replaces the old one on the map; sockets already in it keep the one they have).
   */
  public static SockmapDatapath attach(LxcDatapath lxc, Path cgroup, Optional<Path> pinDir) {
    BpfCollection c = Pins.load(BpfObjects.SOCKMAP, lxc, pinDir);
    MapAttachment skMsg = null;
    try {
      // The message program first: a socket put in the map by sock_ops is redirected at once.
      skMsg = c.program("hw_sk_msg").attachSkMsg(c.map("hw_sock_pairs"));
      CgroupLink sockops = Pins.attach(c.program("hw_sockops"), cgroup, pinDir);
      return new SockmapDatapath(
          c,
          sockops,
          skMsg,
          new TypedMap<>(c.map("hw_sock_conns"), SockKey.CODEC, SockConn.CODEC),
          pinDir.isPresent());
    } catch (RuntimeException e) {
      if (skMsg != null) {
        skMsg.close();
      }
      c.close();
      throw e;
    }
  }

  /**
   * Undoes what an earlier agent left in {@code pinDir} (the sockmap was turned off): no new
   * connection enters the sockhash, and those in it go back to the stack.
   */
  public static void removePinned(Path pinDir, LxcDatapath lxc) {
    Pins.delete(Pins.link(pinDir, "hw_sockops"));
    TypedMap<SockKey, SockConn> conns =
        new TypedMap<>(lxc.maps().get("hw_sock_conns"), SockKey.CODEC, SockConn.CODEC);
    TypedMap<SockKey, Long> pairs =
        new TypedMap<>(lxc.maps().get("hw_sock_pairs"), SockKey.CODEC, StructCodec.U64);
    conns.keys().forEach(conns::remove);
    pairs.keys().forEach(pairs::remove);
  }

  /** The counters, summed over CPUs. */
  public Map<SockmapCounter, Long> counters() {
    Map<SockmapCounter, Long> out = new EnumMap<>(SockmapCounter.class);
    for (SockmapCounter k : SockmapCounter.values()) {
      out.put(k, counters.get(k.code()).orElse(0L));
    }
    return out;
  }

  /** The ends of local connections the programs know (open sockets of hw_sock_pairs). */
  public Map<SockKey, SockConn> connections() {
    return conns.entries();
  }

  /**
   * Takes every connection of the pod at {@code ip} out of the sockmap (a pod being removed): its
   * ends go back to the stack, where the veth programs judge them. Returns how many ends.
   */
  public int forgetPod(int ip) {
    int n = 0;
    for (SockKey k : pairs.keys()) {
      if (k.localIp() == ip || k.remoteIp() == ip) {
        conns.remove(k); // first: an end in hw_sock_conns is always in hw_sock_pairs
        pairs.remove(k);
        n++;
      }
    }
    for (SockKey k : conns.entries().keySet()) {
      if (k.localIp() == ip || k.remoteIp() == ip) {
        conns.remove(k);
      }
    }
    return n;
  }

  /** Lets go; unpinned, the programs are detached first (connections back to the stack). */
  @Override
  public void close() {
    sockops.close();
    if (pinned) {
      skMsg.release(); // stays on the pinned sockhash for the next agent
    } else {
      skMsg.close();
    }
    collection.close();
  }
}
