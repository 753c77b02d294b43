package dev.hivewall.agent;

import dev.hivewall.agent.endpoint.OverlayPlumbing;
import dev.hivewall.agent.endpoint.PodPlumbing;
import dev.hivewall.agent.endpoint.PodProcess;
import dev.hivewall.agent.endpoint.Responder;
import dev.hivewall.agent.l7.HttpAccess;
import dev.hivewall.agent.l7.L7FlowLog;
import dev.hivewall.agent.l7.L7Proxy;
import dev.hivewall.agent.l7.NodeL7Policy;
import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.agent.observe.DatapathFlow;
import dev.hivewall.agent.observe.DatapathFlows;
import dev.hivewall.agent.state.AgentState;
import dev.hivewall.agent.state.StateStore;
import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.identity.IdentityAllocator;
import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyFiles;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.PortProtocol;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.ConnectionTrace;
import dev.hivewall.core.policy.eval.ReferenceEvaluator;
import dev.hivewall.core.policy.eval.WhatIfTrace;
import dev.hivewall.core.policy.l7.HttpMatcher;
import dev.hivewall.core.policy.l7.HttpRequestFacts;
import dev.hivewall.core.policy.resolve.CidrIdentities;
import dev.hivewall.core.policy.resolve.CidrTransition;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.EndpointRules;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import dev.hivewall.core.policy.resolve.UniverseUse;
import dev.hivewall.datapath.abi.Mark;
import dev.hivewall.datapath.host.Cgroup2;
import dev.hivewall.datapath.lxc.EndpointPolicyState;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.events.FlowEvent;
import dev.hivewall.datapath.maps.ipcache.IpcacheEntry;
import dev.hivewall.datapath.maps.node.NodeConfig;
import dev.hivewall.datapath.maps.policy.PolicyMapWriter;
import dev.hivewall.datapath.sock.SockDatapath;
import dev.hivewall.datapath.sock.SockmapDatapath;
import dev.hivewall.ebpf.LoadOptions;
import dev.hivewall.ebpf.netns.NetworkNamespace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One node's Hivewall: namespaces, pods, identities, policies and the datapath that enforces them.
 * Every change is validated first, persisted, then reconciled into the kernel maps (the maps are
 * written as diffs; an endpoint's policy flips atomically).
 *
 * <p>Single writer: every public method is synchronized; the API calls them, nothing else writes.
 */
public final class Node implements AutoCloseable {
  public static final String DEFAULT_NAMESPACE = "default";
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private final AgentConfig config;
  private final StateStore store;
  private final PodPlumbing plumbing;
  private final LxcDatapath datapath;
  private final EndpointPolicyState policyState;
  private final IdentityAllocator identities = new IdentityAllocator();
  private final CidrIdentities cidrIdentities = new CidrIdentities();

  /** Pods in policy audit mode (keys): their would-be policy drops pass, reported as AUDIT. */
  private final Set<String> audited = new java.util.TreeSet<>();

  /** The last text of each policy source: an edited file is read item by item. */
  private final PolicyFiles policyFiles = new PolicyFiles();

  private final Map<String, Labels> namespaces = new TreeMap<>();
  private final Map<String, Pod> pods = new TreeMap<>();
  private final Map<String, LxcDatapath.AttachedDevice> attached = new HashMap<>();

  /** Each running pod's netns cookie, as written to hw_netns_endpoints (pod key -> cookie). */
  private final Map<String, Long> podCookies = new HashMap<>();

  /** The socket hooks (connect-time enforcement), or null when the node runs without them. */
  private volatile SockDatapath sockHooks;

  /** The sockmap programs (local pod to pod, socket to socket), or null when off. */
  private volatile SockmapDatapath sockmap;

  private final Map<String, Responder> responders = new HashMap<>();

  /**
   * Host device -> its ifindex in the node namespace. Looking one up enters that namespace on a
   * thread of its own (~1 ms); a device keeps its index until it is deleted (teardown forgets it).
   */
  private final Map<String, Integer> hostIfindex = new HashMap<>();

  /** Per pod: its policy, kept up to date policy by policy, and what the datapath was given. */
  private final Map<String, PodPolicy> podPolicies = new HashMap<>();

  /** Policies a reconcile began to resolve and did not finish (see reconcile). */
  private final Set<PolicyName> unsettled = new HashSet<>();

  /** The policies as the pods' EndpointRules last saw them (same objects: unchanged). */
  private final Map<PolicyName, Policy> reconciledPolicies = new HashMap<>();

  private Universe universe;
  private Map<Cidr, IpcacheEntry> podIpcache = Map.of();
  private Map<Cidr, Identity> ipcacheCidrs = Map.of();
  private final Map<PolicyName, AgentState.PolicyState> policyTexts = new TreeMap<>();
  private final Map<PolicyName, Policy> policies = new TreeMap<>();
  private final Map<Cidr, IpcacheEntry> ipcache = new HashMap<>();
  private final java.util.concurrent.ExecutorService housekeeping =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("hivewall-slot-catch-up").factory());

  /** Writes the state file while the datapath is being updated (two cores: the save is free). */
  private final java.util.concurrent.ExecutorService saver =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          Thread.ofPlatform().daemon().name("hivewall-state-save").factory());

  private final java.util.concurrent.atomic.AtomicBoolean catchUpPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  private boolean closed;
  private int nextEndpointId = 1;
  private long revision;

  /** The revision last committed, for readers outside the lock (the L7 proxy). */
  private volatile long publishedRevision;

  /**
   * The answers of {@link #httpAccess} at {@link #httpAccessRevision}: every connection the proxy
   * takes asks, and an answer costs the pods' rules (evaluated, their HTTP rules compiled), so
   * connections between the same ends share one until the next revision. The ipcache, which names
   * addresses that are not pods, also empties it when it changes.
   */
  private final Map<HttpAccessKey, HttpAccess> httpAccessCache = new HashMap<>();

  private long httpAccessRevision = -1;
  private static final int HTTP_ACCESS_CACHE_ENTRIES = 4096; // emptied whole when full

  private record HttpAccessKey(String client, String destination, int port) {}

  private L7Proxy proxy;
  private DatapathFlows datapathFlows;

  /** Pod names by endpoint id and by address, for naming flows off the lock (observer thread). */
  private volatile Map<Integer, String> podsByEndpoint = Map.of();

  private volatile Map<String, String> podsByIp = Map.of();

  /** Reserved and label identities' labels as flows show them ("k=v", "reserved:world"). */
  private volatile Map<Integer, List<String>> labelsById = reservedLabels();

  private Map<Identity, Labels> labelsOfIds; // what labelsById was made from

  /**
   * The CIDR identities in force, for naming flows; inverted (identity -> prefix) only when a flow
   * needs it, not on every change (a policy may mention thousands of prefixes).
   */
  private volatile Map<Cidr, Identity> cidrsForFlows = Map.of();

  private volatile CidrNames cidrNames = new CidrNames(Map.of(), Map.of());

  private record CidrNames(Map<Cidr, Identity> source, Map<Integer, List<String>> byId) {}

  private NodeConfig nodeConfig; // as last written to hw_node_config (null: not yet)

  private static final System.Logger LOG = System.getLogger("dev.hivewall.agent.node");

  /** Cluster mode: the node's membership (identities through etcd), or null on its own. */
  private ClusterMembership cluster;

  /** Cluster mode: the other nodes' pods by address (each holds a reference to its identity). */
  private final Map<String, dev.hivewall.kvstore.ClusterEndpoints.Endpoint> remoteEndpoints =
      new HashMap<>();

  /** Cluster mode: the other nodes (their addresses and pod CIDRs). */
  private final RemoteNodes remoteNodes = new RemoteNodes();

  /** Cluster mode: the overlay device's routes, and its ifindex (0: no overlay). */
  private OverlayPlumbing overlay;

  private int overlayIfindex;

  /** Cluster mode: this node's address on the underlay. */
  private String underlayAddress = "";

  /** Changes of the other nodes, their pods and the policies, waiting for the next sync. */
  private final ClusterEvents clusterEvents = new ClusterEvents(this::scheduleClusterSync);

  private final java.util.concurrent.atomic.AtomicBoolean clusterSyncPending =
      new java.util.concurrent.atomic.AtomicBoolean();

  private Node(AgentConfig config, LxcDatapath datapath) {
    this.config = config;
    this.store = new StateStore(config.stateDir());
    this.plumbing =
        new PodPlumbing(
            config.gateway(),
            config.podCidr().toString(),
            config.nodeNetns(),
            config.podRoutes().stream().map(Object::toString).toList());
    this.datapath = datapath;
    this.policyState = new EndpointPolicyState(datapath);
  }

  /** Starts the node in the calling process's network namespace, restoring saved state. */
  public static Node start(AgentConfig config) {
    LoadOptions options =
        config.datapath().policyMapEntries() == DatapathOptions.DEFAULT_POLICY_MAP_ENTRIES
            ? LoadOptions.DEFAULTS
            : LoadOptions.DEFAULTS
                .withMaxEntries("hw_policy_exact", config.datapath().policyMapEntries())
                .withMaxEntries("hw_policy", config.datapath().policyMapEntries());
    if (config.pinDir().isPresent()) {
      options = options.pinnedIn(PinDirectory.prepare(config.pinDir().get()));
    }
    LxcDatapath datapath = LxcDatapath.load(options);
    datapath.policy().proxyPort(config.l7().port());
    Node node = new Node(config, datapath);
    try {
      if (datapath.adoptedMaps().contains("hw_endpoints")) {
        // An agent before this one left pods enforced: they stay as they are until the first
        // reconcile flips each to the policy recomputed from the stored state.
        node.policyState.adopt(datapath.endpoints(), datapath.policy().keysByPolicyId());
      }
      node.plumbing.prepareNode(Mark.TO_PROXY.code(), Mark.MASK.code());
      if (config.cluster().isPresent()) {
        node.cluster = ClusterMembership.join(config.cluster().get());
        node.joinOverlay();
      }
      if (config.datapath().connectHooks()) {
        node.sockHooks = SockDatapath.attach(datapath, Cgroup2.mountPoint(), config.pinDir());
      } else {
        config.pinDir().ifPresent(SockDatapath::removePinned); // an earlier agent's hooks
      }
      if (config.datapath().sockmap()) {
        node.sockmap = SockmapDatapath.attach(datapath, Cgroup2.mountPoint(), config.pinDir());
      } else {
        config.pinDir().ifPresent(d -> SockmapDatapath.removePinned(d, datapath));
      }
      node.proxy =
          L7Proxy.start(
              config.nodeNamespace(),
              config.l7(),
              new NodeL7Policy(node::httpAccess, () -> node.publishedRevision));
      node.datapathFlows = DatapathFlows.start(datapath, 10_000, node::describe);
      // The events switch now; L7 ingress as the datapath has it (pods may be enforced by pinned
      // maps of an agent before this one) until the first reconcile says.
      node.writeNodeConfig(datapath.nodeConfig().l7Ingress());
      if (node.cluster != null) {
        // Each follow reads its table whole before it returns (queued for restore below).
        node.cluster.followNodes(node.clusterEvents.nodes());
        node.cluster.followEndpoints(node.clusterEvents.endpoints());
        node.cluster.followPolicies(node.clusterEvents.policies());
        node.cluster.watch(node::rejoined);
      }
      synchronized (node) { // cluster events may already be syncing on the housekeeping thread
        node.restore(node.store.load());
      }
      node.housekeeping.execute(Node::warmUp);
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /**
   * Cluster mode: finds the node's underlay, makes (or keeps) the overlay device with the datapath
   * on it, sizes pods to fit it, and tells the cluster where this node and its pods are.
   */
  private void joinOverlay() {
    overlay = new OverlayPlumbing(config.nodeNetns());
    OverlayPlumbing.Underlay u = overlay.underlay(cluster.settings().nodeIp());
    int mtu = Math.min(1500, OverlayPlumbing.mtuOver(u.mtu()));
    overlayIfindex = overlay.ensure(mtu);
    datapath.attachOverlay(config.nodeNamespace(), OverlayPlumbing.DEVICE); // stays with the device
    plumbing.mtu(mtu);
    underlayAddress = u.address();
    cluster.announce(u.address(), config.podCidr().toString());
  }

  /**
   * Loads and runs the policy parser once on a sample, off the request path, so that the first
   * `policy apply` a user makes does not pay for loading the YAML stack (~25 ms).
   */
  private static void warmUp() {
    PolicyParser.parse(
        "warm-up",
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: warm-up, namespace: default}
        spec:
          endpointSelector: {matchLabels: {app: a}}
          ingress:
          - fromEndpoints: [{matchLabels: {app: b}}]
            toPorts: [{ports: [{port: "80", protocol: TCP}]}]
        """,
        DEFAULT_NAMESPACE);
  }

  // ---- flows ----------------------------------------------------------------------------------

  /** The recent verdicts of the datapath (drops, with their reason). */
  public DatapathFlows datapathFlows() {
    return datapathFlows;
  }

  /** Names the ends of a datapath event (runs on the observer thread: reads snapshots only). */
  private DatapathFlow describe(FlowEvent e) {
    String src = Ipv4Address.format(e.saddr());
    String dst = Ipv4Address.format(e.daddr());
    Map<String, String> byIp = podsByIp;
    return new DatapathFlow(
        dev.hivewall.agent.observe.FlowTime.format(MONOTONIC_TO_EPOCH_NANOS + e.timestampNanos()),
        podsByEndpoint.getOrDefault(e.endpointId(), "#" + e.endpointId()),
        e.direction().direction().name(),
        byIp.getOrDefault(src, src),
        byIp.getOrDefault(dst, dst),
        e.srcIdentity(),
        e.dstIdentity(),
        protocolName(e.protocol()),
        e.sport(),
        e.dport(),
        e.verdict().name(),
        e.reason().label(),
        e.match().label(),
        e.point().label(),
        flowLabels(e.srcIdentity()),
        flowLabels(e.dstIdentity()));
  }

  /** An identity's labels for a flow; a CIDR identity's prefix as "cidr:P" (any thread). */
  private List<String> flowLabels(int id) {
    List<String> l = labelsById.get(id);
    if (l != null || id < Identity.CIDR_BASE) {
      return l == null ? List.of() : l;
    }
    Map<Cidr, Identity> cidrs = cidrsForFlows;
    CidrNames names = cidrNames;
    if (names.source() != cidrs) {
      Map<Integer, List<String>> byId = new HashMap<>();
      cidrs.forEach((c, i) -> byId.put(i.id(), List.of("cidr:" + c)));
      names = new CidrNames(cidrs, byId);
      cidrNames = names; // racy but harmless: any thread builds the same map
    }
    return names.byId().getOrDefault(id, List.of());
  }

  private static Map<Integer, List<String>> reservedLabels() {
    return Map.of(
        Identity.HOST.id(), List.of("reserved:host"),
        Identity.WORLD.id(), List.of("reserved:world"),
        Identity.UNMANAGED.id(), List.of("reserved:unmanaged"),
        Identity.HEALTH.id(), List.of("reserved:health"),
        Identity.INIT.id(), List.of("reserved:init"),
        Identity.REMOTE_NODE.id(), List.of("reserved:remote-node"));
  }

  /** CLOCK_MONOTONIC (bpf_ktime_get_ns, System.nanoTime on Linux) to the epoch, in ns. */
  private static final long MONOTONIC_TO_EPOCH_NANOS =
      java.time.Duration.between(Instant.EPOCH, Instant.now()).toNanos() - System.nanoTime();

  private static String protocolName(int number) {
    return switch (number) {
      case 1 -> "ICMP";
      case 6 -> "TCP";
      case 17 -> "UDP";
      case 132 -> "SCTP";
      default -> "ip-proto-" + number;
    };
  }

  // ---- L7 ------------------------------------------------------------------------------------

  /** The L7 proxy's port on 127.0.0.1 of the node's namespace. */
  public int proxyPort() {
    return proxy.port();
  }

  /** The kernel interface of the L7 proxy's sockets (io_uring or epoll). */
  public dev.hivewall.proxy.server.Transport proxyTransport() {
    return proxy.transport();
  }

  /** The recent requests the L7 proxy judged. */
  public L7FlowLog l7Flows() {
    return proxy.flows();
  }

  /**
   * What the policy lets through on a proxied TCP connection from {@code client} to {@code
   * destination}:{@code port}: the sender's egress rules (when it is a pod of this node) and the
   * receiver's ingress rules (likewise), both; a direction whose verdict is a plain allow lets
   * every request through, a denied one none.
   */
  public synchronized HttpAccess httpAccess(String client, String destination, int port) {
    if (httpAccessRevision != revision || httpAccessCache.size() >= HTTP_ACCESS_CACHE_ENTRIES) {
      httpAccessCache.clear();
      httpAccessRevision = revision;
    }
    return httpAccessCache.computeIfAbsent(
        new HttpAccessKey(client, destination, port),
        k -> computeHttpAccess(k.client(), k.destination(), k.port()));
  }

  private HttpAccess computeHttpAccess(String client, String destination, int port) {
    Pod src = podByIp(client);
    Pod dst = podByIp(destination);
    Identity srcId = src != null ? new Identity(src.identity()) : identityOf(client);
    Identity dstId = dst != null ? new Identity(dst.identity()) : identityOf(destination);
    List<Predicate<HttpRequestFacts>> checks = new ArrayList<>();
    if (src != null) {
      checks.add(httpRules(src, Direction.EGRESS, dstId, port));
    }
    if (dst != null) {
      checks.add(httpRules(dst, Direction.INGRESS, srcId, port));
    }
    String describe = name(src, client, srcId) + " -> " + name(dst, destination, dstId);
    // From the client's own address when the destination is a pod, local or on another node
    // (the overlay carries the client's identity then, and brings the answers back to the proxy).
    java.net.InetAddress source = null;
    if (dst != null || (src != null && remoteEndpoints.containsKey(destination))) {
      try {
        source = java.net.InetAddress.getByName(client); // a literal: no lookup
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + client, e);
      }
    }
    List<Predicate<HttpRequestFacts>> all = List.copyOf(checks);
    Predicate<HttpRequestFacts> rules =
        r -> {
          for (Predicate<HttpRequestFacts> c : all) {
            if (!c.test(r)) {
              return false;
            }
          }
          return true;
        };
    return new HttpAccess(revision, rules, describe, source);
  }

  private Predicate<HttpRequestFacts> httpRules(Pod p, Direction d, Identity peer, int port) {
    PodPolicy pp = podPolicies.get(p.spec().key());
    EndpointPolicy rules = pp == null ? EndpointPolicy.NONE : pp.rules.rulesOnly();
    return switch (ReferenceEvaluator.evaluate(rules, d, peer, Protocol.TCP, port).outcome()) {
      case FORWARD -> r -> true;
      case DROP -> r -> false;
      case REDIRECT -> new HttpMatcher(ReferenceEvaluator.httpRules(rules, d, peer, port))::allows;
    };
  }

  private Pod podByIp(String ip) {
    for (Pod p : pods.values()) {
      if (p.ip().equals(ip)) {
        return p;
      }
    }
    return null;
  }

  /** The identity the ipcache gives an address that is not a pod's: its longest prefix. */
  private Identity identityOf(String ip) {
    int addr = Ipv4Address.parse(ip);
    Cidr best = null;
    for (Cidr c : ipcache.keySet()) {
      if (c.contains(addr) && (best == null || c.length() > best.length())) {
        best = c;
      }
    }
    return best == null ? Identity.WORLD : new Identity(ipcache.get(best).identity());
  }

  private static String name(Pod p, String ip, Identity id) {
    return (p == null ? ip : p.spec().key()) + " (" + id.id() + ")";
  }

  // ---- namespaces ------------------------------------------------------------------------------

  public synchronized void createNamespace(String name, Labels labels) {
    dev.hivewall.agent.model.Names.check("namespace", name);
    if (namespaces.containsKey(name)) {
      throw new ConflictException("namespace " + name + " already exists");
    }
    namespaces.put(name, labels.with(NAMESPACE_NAME_LABEL, name));
    commit();
  }

  public synchronized void labelNamespace(String name, Labels add, Set<String> remove) {
    Labels current = namespace(name);
    Map<String, String> m = new TreeMap<>(current.with(add).asMap());
    remove.forEach(m::remove);
    m.put(NAMESPACE_NAME_LABEL, name);
    namespaces.put(name, Labels.of(m));
    commit();
  }

  /** Deletes a namespace with its pods and policies. */
  public synchronized void deleteNamespace(String name) {
    namespace(name);
    for (Pod p : List.copyOf(pods.values())) {
      if (p.spec().namespace().equals(name)) {
        removePod(p);
      }
    }
    policies.keySet().removeIf(k -> k.namespace().equals(name));
    policyTexts.keySet().removeIf(k -> k.namespace().equals(name));
    namespaces.remove(name);
    commit();
  }

  public synchronized Map<String, Labels> namespaces() {
    return Map.copyOf(namespaces);
  }

  private Labels namespace(String name) {
    Labels l = namespaces.get(name);
    if (l == null) {
      throw new NotFoundException(
          "namespace " + name + " does not exist (create it: hivewall ns create " + name + ")");
    }
    return l;
  }

  // ---- pods ------------------------------------------------------------------------------------

  public synchronized Pod runPod(PodSpec spec) {
    namespace(spec.namespace());
    if (pods.containsKey(spec.key())) {
      throw new ConflictException("pod " + spec.key() + " already exists");
    }
    Pod pod =
        new Pod(
            spec,
            nextEndpointId++,
            allocateIp(),
            PodPlumbing.netnsName(config.podNetnsPrefix(), spec.namespace(), spec.name()),
            PodPlumbing.hostDevice(spec.namespace(), spec.name()),
            0);
    try {
      start(pod, false);
    } catch (RuntimeException e) {
      Pod half = pods.get(spec.key());
      try {
        if (half != null && half.identity() != 0) {
          removePod(half); // endpoint entry, policy slots, identity, devices
        } else {
          teardown(pod);
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    commit();
    return pods.get(spec.key());
  }

  public synchronized void labelPod(String namespace, String name, Labels add, Set<String> remove) {
    Pod p = pod(namespace, name);
    Map<String, String> m = new TreeMap<>(p.spec().labels().with(add).asMap());
    remove.forEach(m::remove);
    PodSpec s = p.spec();
    pods.put(
        s.key(),
        p.withSpec(
            new PodSpec(
                s.namespace(), s.name(), Labels.of(m), s.namedPorts(), s.serve(), s.command())));
    commit();
  }

  /**
   * Turns policy audit mode of a pod on or off: in it, packets its policy would drop pass, and show
   * as AUDIT flows and counters, so a policy can be tried on live traffic before it is enforced.
   * Returns whether it changed anything.
   */
  public synchronized boolean setPolicyAudit(String namespace, String name, boolean on) {
    String key = pod(namespace, name).spec().key();
    boolean changed = on ? audited.add(key) : audited.remove(key);
    if (changed) {
      commit();
    }
    return changed;
  }

  public synchronized boolean policyAudit(String namespace, String name) {
    return audited.contains(pod(namespace, name).spec().key());
  }

  public synchronized void deletePod(String namespace, String name) {
    removePod(pod(namespace, name));
    commit();
  }

  public synchronized List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  public synchronized Pod pod(String namespace, String name) {
    Pod p = pods.get(namespace + "/" + name);
    if (p == null) {
      throw new NotFoundException(
          "pod " + namespace + "/" + name + " does not exist (see: hivewall pod list)");
    }
    return p;
  }

  /** The live policy of a pod, as resolved and written. */
  public synchronized EndpointPolicy endpointPolicy(String namespace, String name) {
    PodPolicy pp = podPolicies.get(pod(namespace, name).spec().key());
    return pp == null ? EndpointPolicy.NONE : pp.rules.snapshot();
  }

  /**
   * What a connection from {@code from} to {@code to} would get now, and why (the reference
   * evaluator on the policies in force): each end a pod ({@code ns/name}) or an address.
   */
  public synchronized ConnectionTrace.Trace trace(
      String from,
      String to,
      Protocol protocol,
      int port,
      Optional<ConnectionTrace.Request> request) {
    if (isLabelSpec(from) || isLabelSpec(to)) {
      Universe u = universe != null ? universe : new Universe(Map.of(), Map.of(), Map.of());
      return WhatIfTrace.of(
          whatIfEnd(from), whatIfEnd(to), policies.values(), u, protocol, port, request);
    }
    return ConnectionTrace.of(traceEnd(from), traceEnd(to), protocol, port, request);
  }

  /** {@code [NS/]key=value[,key=value...]}: a pod that need not exist (namespace: default). */
  private static boolean isLabelSpec(String spec) {
    return spec.contains("=");
  }

  /** A trace end for a what-if trace: a label spec's hypothetical pod, or as {@link #traceEnd}. */
  private WhatIfTrace.End whatIfEnd(String spec) {
    if (isLabelSpec(spec)) {
      int slash = spec.indexOf('/');
      boolean namespaced = slash >= 0 && slash < spec.indexOf('=');
      String ns = namespaced ? spec.substring(0, slash) : DEFAULT_NAMESPACE;
      Labels labels = Labels.parse(namespaced ? spec.substring(slash + 1) : spec);
      return new WhatIfTrace.Endpoint(
          ns + "/{" + labels + "}",
          new PolicySubject(SecurityLabels.of(labels, ns, namespace(ns)), Map.of()),
          Optional.empty(),
          false);
    }
    ConnectionTrace.End e = traceEnd(spec);
    Pod p = pods.get(e.name());
    if (p == null) {
      return new WhatIfTrace.Address(e.name(), e.identity());
    }
    return new WhatIfTrace.Endpoint(
        e.name(),
        new PolicySubject(securityLabels(p), p.spec().namedPorts()),
        Optional.of(e.identity()),
        e.audit());
  }

  private ConnectionTrace.End traceEnd(String spec) {
    Pod p = pods.get(spec);
    if (p == null && spec.matches("[0-9.]+")) {
      try {
        Ipv4Address.parse(spec);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "'" + spec + "' is neither a pod (namespace/name) nor an IPv4 address");
      }
      p = podByIp(spec);
      if (p == null) {
        return new ConnectionTrace.End(spec, identityOf(spec), Optional.empty());
      }
    }
    if (p == null) {
      throw new NotFoundException(
          "no pod " + spec + " on this node (name a pod as namespace/name, or an IPv4 address)");
    }
    PodPolicy pp = podPolicies.get(p.spec().key());
    EndpointPolicy rules = pp == null ? EndpointPolicy.NONE : pp.rules.rulesOnly();
    return new ConnectionTrace.End(
        p.spec().key(),
        new Identity(p.identity()),
        Optional.of(rules),
        audited.contains(p.spec().key()));
  }

  // ---- policies --------------------------------------------------------------------------------

  /**
   * Applies every policy of a file, all or nothing: a policy that does not parse, or names a
   * namespace that does not exist, changes nothing. Policies replace earlier ones of the same name.
   */
  public synchronized List<PolicyName> applyPolicies(String source, String text) {
    return applyPoliciesTimed(source, text).names();
  }

  /**
   * What {@link #applyPoliciesTimed} applied, when its maps were enforced (nanoTime), and what the
   * policies say that Hivewall leaves out (warnings for the user).
   */
  public record PolicyApply(
      List<PolicyName> names, long enforcedAt, List<String> warnings, long revision) {}

  /** As {@link #applyPolicies}; also says when the datapath enforced them (before the save). */
  public synchronized PolicyApply applyPoliciesTimed(String source, String text) {
    List<Policy> parsed = policyFiles.parse(source, text, DEFAULT_NAMESPACE);
    for (Policy p : parsed) {
      if (!p.name().clusterwide() && cluster == null) {
        namespace(p.name().namespace()); // in a cluster, namespaces are other nodes' too
      }
      Policy existing = policies.get(p.name());
      if (existing != null && !existing.kind().equals(p.kind())) {
        // Kubernetes keeps a NetworkPolicy and a CiliumNetworkPolicy of one name apart; Hivewall
        // names policies by namespace and name: refuse rather than replace one kind by the other.
        throw new ConflictException(
            "policy "
                + p.name()
                + " exists as a "
                + existing.kind()
                + "; this file has a "
                + p.kind()
                + " of that name: delete the other first, or rename one");
      }
    }
    List<String> docs = splitDocuments(text, parsed.size());
    Map<PolicyName, Policy> before = new TreeMap<>(policies);
    Map<PolicyName, AgentState.PolicyState> beforeTexts = new TreeMap<>(policyTexts);
    List<PolicyName> names = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      Policy p = parsed.get(i);
      policies.put(p.name(), p);
      policyTexts.put(
          p.name(),
          new AgentState.PolicyState(p.name().namespace(), p.name().name(), source, docs.get(i)));
      names.add(p.name());
    }
    long enforcedAt;
    try {
      enforcedAt = commit(3L * text.length()); // UTF-8: at most 3 bytes a char here
      if (cluster != null) {
        // Enforced here first (it fits), then to every node; etcd away: undone here too.
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
          texts.put(
              parsed.get(i).name().namespace() + "/" + parsed.get(i).name().name(), docs.get(i));
        }
        cluster.publishPolicies(texts);
      }
    } catch (RuntimeException e) {
      policies.clear();
      policies.putAll(before);
      policyTexts.clear();
      policyTexts.putAll(beforeTexts);
      try {
        commit(-1); // the datapath and the state file go back, whatever the disk says
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    List<String> warnings = new ArrayList<>();
    parsed.forEach(p -> warnings.addAll(p.warnings()));
    return new PolicyApply(names, enforcedAt, warnings, revision);
  }

  public synchronized boolean deletePolicy(PolicyName name) {
    if (!policies.containsKey(name)) {
      return false;
    }
    if (cluster != null) {
      cluster.withdrawPolicy(name.namespace(), name.name()); // etcd away: nothing changes
    }
    if (policies.remove(name) == null) {
      return false;
    }
    policyTexts.remove(name);
    commit();
    return true;
  }

  public synchronized Map<PolicyName, Policy> policies() {
    return Map.copyOf(policies);
  }

  public synchronized Optional<AgentState.PolicyState> policyText(PolicyName name) {
    return Optional.ofNullable(policyTexts.get(name));
  }

  public synchronized Map<Identity, Labels> identities() {
    return identities.snapshot();
  }

  public synchronized long revision() {
    return revision;
  }

  /** The socket hooks, if this node runs them (--connect-hooks, the default). */
  public java.util.Optional<SockDatapath> sockHooks() {
    return java.util.Optional.ofNullable(sockHooks);
  }

  /** This node's cluster, if it runs in cluster mode. */
  public Optional<ClusterSettings> cluster() {
    return Optional.ofNullable(cluster).map(ClusterMembership::settings);
  }

  /** "ok", "degraded: ..." (etcd away: enforcing what it has, new pods wait), empty on its own. */
  public Optional<String> clusterHealth() {
    return Optional.ofNullable(cluster).map(ClusterMembership::health);
  }

  /** Whether this agent took over a datapath an earlier agent left pinned. */
  public boolean adoptedDatapath() {
    return datapath.adoptedMaps().contains("hw_endpoints");
  }

  /** The sockmap programs, if this node runs them (--sockmap, the default). */
  public java.util.Optional<SockmapDatapath> sockmap() {
    return java.util.Optional.ofNullable(sockmap);
  }

  public LxcDatapath datapath() {
    return datapath;
  }

  // ---- internals -------------------------------------------------------------------------------

  private long commit() {
    return commit(0);
  }

  /**
   * Persists the state and makes the datapath match it. Both run at once (the file on another
   * thread); the call returns when both are done, and fails if either failed. First, a state that
   * grew by about {@code growth} bytes must fit on the state's disk, else nothing changes (a
   * negative growth skips the check: a rollback must always reach the datapath). Returns when
   * (nanoTime) the datapath had the new state.
   */
  private long commit(long growth) {
    if (growth >= 0) {
      store.checkRoom(growth);
    }
    AgentState state = snapshot();
    java.util.concurrent.Future<?> saved = saver.submit(() -> store.save(state));
    RuntimeException failure = null;
    long enforcedAt = 0;
    try {
      reconcile();
      enforcedAt = System.nanoTime();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      saved.get();
    } catch (java.util.concurrent.ExecutionException e) {
      RuntimeException saveFailure =
          e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      if (failure == null) {
        failure = saveFailure;
      } else {
        failure.addSuppressed(saveFailure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while saving the agent state", e);
    }
    if (failure != null) {
      throw failure;
    }
    revision++;
    publishedRevision = revision;
    return enforcedAt;
  }

  /**
   * Waits until the work queued behind the changes made so far (levelling the policy slots,
   * publishing to the cluster) is done: a benchmark measures a settled node, not the aftermath of
   * its own set-up.
   */
  public void awaitHousekeeping() {
    try {
      housekeeping.submit(() -> {}).get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: nothing is pending any more
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the node's housekeeping did not settle", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * After the caller has its answer, level the inactive policy slots with the live ones, so the
   * next change writes only what it changes (EndpointPolicyState#catchUp). Coalesced: one pending
   * run at a time; skipped once the node is closed.
   */
  private void scheduleCatchUp() {
    if (catchUpPending.compareAndSet(false, true)) {
      housekeeping.execute(
          () -> {
            catchUpPending.set(false);
            synchronized (this) {
              if (!closed) {
                policyState.catchUp();
              }
            }
          });
    }
  }

  private void start(Pod pod, boolean adopt) {
    hostIfindex.remove(pod.hostDevice());
    if (!adopt) {
      plumbing.create(pod.netns(), pod.hostDevice(), pod.ip());
    }
    pods.put(pod.spec().key(), pod);
    reconcile(); // endpoint entry and policy exist before programs see a packet
    attach(pod, adopt);
  }

  /** Programs on the pod's device (replacing an earlier agent's), then its processes. */
  private void attach(Pod pod, boolean adopt) {
    attached.put(pod.spec().key(), datapath.attach(config.nodeNamespace(), pod.hostDevice()));
    plumbing.activate(pod.netns(), pod.hostDevice(), pod.ip());
    // The socket hooks know the pod by its namespace from here on (its endpoint entry exists).
    long cookie = NetworkNamespace.named(pod.netns()).cookie();
    podCookies.put(pod.spec().key(), cookie);
    datapath.podNamespacePut(cookie, endpoint(pod).ifindex());
    if (!pod.spec().command().isEmpty()) {
      Pod current = pods.get(pod.spec().key());
      if (!(adopt && pod.pid() != 0 && PodProcess.runningIn(pod.pid(), pod.netns()))) {
        long pid =
            PodProcess.start(
                pod.netns(),
                pod.spec().command(),
                config
                    .stateDir()
                    .resolve("logs")
                    .resolve(pod.spec().namespace() + "." + pod.spec().name() + ".log"));
        pods.put(pod.spec().key(), current.withPid(pid));
      }
    }
    if (!pod.spec().serve().isEmpty()) {
      responders.put(
          pod.spec().key(),
          Responder.start(
              NetworkNamespace.named(pod.netns()), pod.spec().name(), pod.spec().serve()));
    }
  }

  private void removePod(Pod p) {
    String key = p.spec().key();
    podPolicies.remove(key);
    audited.remove(key);
    Long cookie = podCookies.remove(key);
    if (cookie != null) {
      datapath.podNamespaceRemove(cookie); // before its endpoint entry goes
    }
    if (sockmap != null) {
      sockmap.forgetPod(Ipv4Address.parse(p.ip())); // its connections back to the stack
    }
    // its device stops passing traffic first
    policyState.remove(endpoint(p));
    pods.remove(key);
    teardown(p);
    if (p.identity() != 0) {
      releaseIdentity(new Identity(p.identity()));
    }
    reconcile();
  }

  /**
   * A reference to the identity of {@code labels}: on its own, the node's next free number; in a
   * cluster, the cluster's number for them (asked of etcd the first time this node needs it; if
   * etcd does not answer, this fails and the pod is not made: never a guessed number).
   */
  private Identity allocateIdentity(Labels labels) {
    if (cluster == null) {
      return identities.allocate(labels);
    }
    Identity id = cluster.allocate(labels); // records this node's use (idempotent)
    identities.restore(id, labels); // one more local reference to the agreed number
    return id;
  }

  /**
   * Drops a local pod's reference; when no pod of this node has the identity any more, the node's
   * claim in the cluster goes too (other nodes' pods may still hold it here, as references).
   */
  private void releaseIdentity(Identity id) {
    Optional<Labels> labels = identities.labelsOf(id);
    identities.release(id);
    // Uses are recorded by labels: one that pods still have (under another number after a rejoin)
    // stays recorded.
    if (cluster != null
        && labels.isPresent()
        && pods.values().stream()
            .noneMatch(p -> p.identity() == id.id() || securityLabels(p).equals(labels.get()))) {
      cluster.release(labels.get());
    }
  }

  /**
   * The node's lease had ended (etcd could not hear from it for longer: a partition) and it took a
   * new one: everything written under the old one (the node, its pods, its identities' uses) is
   * written again; an identity collected meanwhile is allocated anew (its pods take the new number,
   * as on a relabel).
   */
  private void rejoined() {
    housekeeping.execute(
        () -> {
          synchronized (this) {
            if (closed || !stateRestored) {
              return; // (not restored yet: the restore's reconcile publishes everything)
            }
            LOG.log(
                System.Logger.Level.WARNING, "lease lost (etcd partition?): rejoining the cluster");
            try {
              cluster.announce(underlayAddress, config.podCidr().toString());
              reallocateIdentities = true;
              revision++;
              reconcile(); // re-records each identity's use, republishes the pods
              publishedRevision = revision; // open proxied connections ask again
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "rejoining the cluster failed: " + e);
            }
          }
        });
  }

  /** After a rejoin: the next reconcile asks the cluster for every pod's identity again. */
  private boolean reallocateIdentities;

  private void scheduleClusterSync() {
    if (clusterSyncPending.compareAndSet(false, true)) {
      housekeeping.execute(
          () -> {
            clusterSyncPending.set(false);
            synchronized (this) {
              // Not before the stored state is restored: a commit then would save an empty
              // state over it (the restore drains what was queued until then itself).
              if (!closed && stateRestored) {
                syncRemoteEndpoints();
              }
            }
          });
    }
  }

  /**
   * Applies queued changes of other nodes' pods: each holds a reference to its identity (labels
   * from the cluster, so policies select it), then one reconcile puts them in the ipcache and the
   * policies. A pod whose identity's labels cannot be read stays out (not guessed).
   */
  private void syncRemoteEndpoints() {
    ClusterChanges c = drainClusterEvents();
    if (c.nodes()) {
      writeIpcache(ipcacheCidrs); // the nodes' entries (and the tunnels of their pods)
    }
    if (c.policies()) {
      commit(); // a new revision, reconciled (with any pods that came) and saved
    } else if (c.endpoints()) {
      revision++;
      reconcile();
      publishedRevision = revision; // a remote pod's identity may change what a connection may do
    }
  }

  /** What a drain of the cluster's events changed. */
  private record ClusterChanges(boolean endpoints, boolean nodes, boolean policies) {}

  /**
   * Takes the queued changes of the cluster (nodes, their pods, policies) into this node's state,
   * routes included, without reconciling: the caller does, once.
   */
  private ClusterChanges drainClusterEvents() {
    boolean changed = false;
    boolean nodesChanged = false;
    boolean policiesChanged = false;
    for (Object ev; (ev = clusterEvents.poll()) != null; ) {
      if (ev instanceof ClusterEvents.Policy p) {
        policiesChanged |= takeClusterPolicy(p);
      } else if (ev instanceof ClusterEvents.PoliciesSynced s) {
        for (PolicyName n : List.copyOf(policies.keySet())) {
          if (!s.keys().contains(n.namespace() + "/" + n.name())) {
            policies.remove(n); // deleted in the cluster while this node was away
            policyTexts.remove(n);
            policiesChanged = true;
          }
        }
      } else if (ev instanceof dev.hivewall.kvstore.ClusterNodes.Member m) {
        nodesChanged |= remoteNodes.upsert(m);
      } else if (ev instanceof ClusterEvents.NodeGone g) {
        nodesChanged |= remoteNodes.remove(g.name());
      } else if (ev instanceof dev.hivewall.kvstore.ClusterEndpoints.Endpoint e) {
        var before = remoteEndpoints.get(e.ip());
        if (e.equals(before)) {
          continue;
        }
        Identity id = new Identity(e.identity());
        Optional<Labels> labels = identities.labelsOf(id).or(() -> cluster.labelsOf(id));
        if (labels.isEmpty()) {
          continue;
        }
        identities.restore(id, labels.get());
        if (before != null) {
          identities.release(new Identity(before.identity()));
        }
        remoteEndpoints.put(e.ip(), e);
        changed = true;
      } else if (ev instanceof ClusterEvents.EndpointGone(String ip)) {
        var gone = remoteEndpoints.remove(ip);
        if (gone != null) {
          identities.release(new Identity(gone.identity()));
          changed = true;
        }
      }
    }
    if (nodesChanged) {
      overlay.routes(remoteNodes.podCidrs());
    }
    return new ClusterChanges(changed, nodesChanged, policiesChanged);
  }

  /**
   * A policy from the cluster, as a local apply would take it: true if it changed anything. One
   * this node cannot parse (written by another version) is left out and logged, never half-applied.
   */
  private boolean takeClusterPolicy(ClusterEvents.Policy p) {
    PolicyName key = null;
    for (PolicyName n : policies.keySet()) {
      if (n.namespace().equals(p.namespace()) && n.name().equals(p.name())) {
        key = n;
      }
    }
    if (p.text() == null) {
      if (key == null) {
        return false;
      }
      policies.remove(key);
      policyTexts.remove(key);
      return true;
    }
    if (key != null && p.text().equals(policyTexts.get(key).text())) {
      return false; // this node's own apply, coming back
    }
    List<Policy> parsed;
    try {
      parsed = policyFiles.parse("cluster", p.text(), DEFAULT_NAMESPACE);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "policy " + p.namespace() + "/" + p.name() + " from the cluster left out: " + e);
      return false;
    }
    for (Policy q : parsed) {
      policies.put(q.name(), q);
      policyTexts.put(
          q.name(),
          new AgentState.PolicyState(q.name().namespace(), q.name().name(), "cluster", p.text()));
    }
    return !parsed.isEmpty();
  }

  /**
   * Other nodes' pods as this node's datapath has them now (address -> identity), written after
   * each ipcache update: what a benchmark of the time to enforce a new pod reads, without the lock.
   */
  public Map<String, Integer> remotePodsEnforced() {
    return remoteInIpcache;
  }

  private volatile Map<String, Integer> remoteInIpcache = Map.of();

  /** Other nodes' pods, as the ipcache has them (read by tests and status). */
  public synchronized Map<String, Integer> remotePods() {
    Map<String, Integer> out = new TreeMap<>();
    remoteEndpoints.forEach((ip, e) -> out.put(ip, e.identity()));
    return out;
  }

  private void teardown(Pod p) {
    String key = p.spec().key();
    Pod live = pods.getOrDefault(key, p);
    if (live.pid() != 0) {
      PodProcess.stop(live.pid());
    }
    Responder r = responders.remove(key);
    if (r != null) {
      r.close();
    }
    LxcDatapath.AttachedDevice a = attached.remove(key);
    if (a != null) {
      a.close();
    }
    pods.remove(key);
    plumbing.delete(p.netns(), p.hostDevice());
    hostIfindex.remove(p.hostDevice());
  }

  /** Makes identities, ipcache and every endpoint's policy match the current state. */
  private void reconcile() {
    List<Identity> release = new ArrayList<>();
    for (Pod p : List.copyOf(pods.values())) {
      Labels sec = securityLabels(p);
      Identity now = p.identity() == 0 ? null : new Identity(p.identity());
      if (now == null
          || reallocateIdentities
          || !identities.labelsOf(now).map(sec::equals).orElse(false)) {
        Identity fresh = allocateIdentity(sec); // before any release: no number reuse in flight
        if (now != null) {
          release.add(now);
        }
        pods.put(p.spec().key(), p.withIdentity(fresh.id()));
      }
    }
    reallocateIdentities = false;
    // Policies that changed since the last reconcile: new, replaced (another object) or deleted.
    Set<PolicyName> changedPolicies = new HashSet<>();
    policies.forEach(
        (name, p) -> {
          if (reconciledPolicies.get(name) != p) {
            changedPolicies.add(name);
          }
        });
    for (PolicyName name : reconciledPolicies.keySet()) {
      if (!policies.containsKey(name)) {
        changedPolicies.add(name);
      }
    }
    // A reconcile that failed part way (e.g. a policy map too small) left these resolved in
    // memory as it was asked to: resolve them again from what is in force now.
    changedPolicies.addAll(unsettled);
    unsettled.clear();
    unsettled.addAll(changedPolicies);
    changedPolicies.forEach(name -> cidrIdentities.update(name, policies.get(name)));
    Map<Cidr, Identity> cidrs = cidrIdentities.current();
    // Prefixes that came or went reach the datapath in the order of CidrTransition: maps right
    // for both ipcache states first, then the ipcache, so no packet gets a verdict neither the old
    // nor the new policies give. Pod addresses move to new identities after the maps too.
    CidrTransition transition = new CidrTransition(ipcacheCidrs, cidrs);
    Map<Identity, Labels> ids = identities.snapshot();
    Map<Identity, Map<String, Set<PortProtocol>>> namedPorts = namedPortsByIdentity();
    Universe previous = universe;
    Universe bridge = universe(ids, transition.union(), namedPorts);
    if (previous != null && !transition.added().isEmpty()) {
      // 1. the old policies with the added prefixes; 2. the added prefixes into the ipcache
      Map<PolicyName, Policy> old = new HashMap<>(reconciledPolicies);
      updateEndpoints(old, affected(old, previous, bridge), bridge, false);
      Map<Cidr, IpcacheEntry> added = new HashMap<>();
      transition
          .added()
          .forEach((c, id) -> added.put(c, IpcacheEntry.remote(id.id(), remoteNodes.tunnelFor(c))));
      added.keySet().removeIf(ipcache::containsKey); // a pod's own address stays the pod's
      if (!added.isEmpty()) {
        datapath.ipcacheWrite(added);
        ipcache.putAll(added);
        httpAccessCache.clear();
      }
    }
    // 3. the new policies (and new pods, relabeled pods) with old and new prefixes
    Set<PolicyName> toUpdate = new HashSet<>(changedPolicies);
    if (previous != null) {
      toUpdate.addAll(affected(policies, previous, bridge));
    }
    updateEndpoints(policies, toUpdate, bridge, true);
    // 4. the ipcache: removed prefixes out, pod addresses to their identities
    writeIpcache(cidrs);
    // 5. the keys of the removed prefixes' identities out (no packet carries them now)
    Universe after = universe(ids, cidrs, namedPorts);
    if (after != bridge) {
      updateEndpoints(policies, affected(policies, bridge, after), after, false);
    }
    boolean anyL7Ingress =
        podPolicies.values().stream()
            .anyMatch(pp -> pp.rules.mapState().hasRedirects(Direction.INGRESS));
    writeNodeConfig(anyL7Ingress); // senders check local receivers' L7 when some pod has it
    Map<Integer, String> byEndpoint = new HashMap<>();
    Map<String, String> byIp = new HashMap<>();
    pods.values()
        .forEach(
            p -> {
              byEndpoint.put(p.endpointId(), p.spec().key());
              byIp.put(p.ip(), p.spec().key());
            });
    remoteEndpoints.forEach( // other nodes' pods: "node/namespace/name"
        (ip, e) -> {
          if (!e.pod().isEmpty()) {
            byIp.putIfAbsent(ip, e.node() + "/" + e.pod());
          }
        });
    podsByEndpoint = Map.copyOf(byEndpoint);
    podsByIp = Map.copyOf(byIp);
    if (!ids.equals(labelsOfIds)) {
      Map<Integer, List<String>> labels = new HashMap<>(reservedLabels());
      ids.forEach(
          (id, l) ->
              labels.put(
                  id.id(),
                  l.asMap().entrySet().stream()
                      .map(e -> e.getKey() + "=" + e.getValue())
                      .toList()));
      labelsById = Map.copyOf(labels);
      labelsOfIds = ids;
    }
    cidrsForFlows = cidrs;
    reconciledPolicies.clear();
    reconciledPolicies.putAll(policies);
    unsettled.clear();
    scheduleCatchUp();
    release.forEach(this::releaseIdentity);
    if (cluster != null) {
      Map<String, ClusterMembership.LocalPod> mine = new HashMap<>();
      pods.values()
          .forEach(
              p ->
                  mine.put(
                      p.ip(),
                      new ClusterMembership.LocalPod(
                          p.identity(), p.spec().key(), namedPortsText(p.spec().namedPorts()))));
      podsToPublish = mine;
      housekeeping.execute(this::publishPods);
    }
  }

  /** This node's pods as the last reconcile saw them: what the cluster should know of. */
  private volatile Map<String, ClusterMembership.LocalPod> podsToPublish = Map.of();

  private final java.util.concurrent.atomic.AtomicBoolean publishRetryPending =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Publishes {@link #podsToPublish} (what changed only). When etcd does not answer, tries again
   * every second until it does: waiting for the next reconcile could wait forever, and meanwhile
   * the other nodes do not know this node's pods (after a restart: none of them). On the
   * housekeeping thread.
   */
  private void publishPods() {
    if (closed) {
      return;
    }
    try {
      cluster.publish(podsToPublish);
    } catch (RuntimeException e) {
      if (!closed && publishRetryPending.compareAndSet(false, true)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot publish this node's pods (trying again in 1 s): " + e);
        java.util.concurrent.CompletableFuture.delayedExecutor(
                1, java.util.concurrent.TimeUnit.SECONDS, housekeeping)
            .execute(
                () -> {
                  publishRetryPending.set(false);
                  publishPods();
                });
      }
    }
  }

  /** Writes hw_node_config when it changes: L7 ingress somewhere, and which events to report. */
  private void writeNodeConfig(boolean l7Ingress) {
    NodeConfig want =
        new NodeConfig(
            l7Ingress,
            config.datapath().connectionEvents(),
            config.datapath().dropEventsPerSecond(),
            config.datapath().bpfHostRouting(),
            overlayIfindex);
    if (!want.equals(nodeConfig)) {
      datapath.nodeConfig(want);
      nodeConfig = want;
    }
  }

  /** The universe of these parts: the current one when nothing changed (so rules are reused). */
  private Universe universe(
      Map<Identity, Labels> ids,
      Map<Cidr, Identity> cidrs,
      Map<Identity, Map<String, Set<PortProtocol>>> namedPorts) {
    Map<Identity, Set<Integer>> addresses = addressesByIdentity();
    if (universe == null
        || universe.cidrIdentities() != cidrs
        || !universe.labelIdentities().equals(ids)
        || !universe.namedPorts().equals(namedPorts)
        || !universe.endpointAddresses().equals(addresses)) {
      universe = new Universe(ids, cidrs, namedPorts, addresses);
    }
    return universe;
  }

  /** Each identity's pod addresses (Kubernetes ipBlocks select pods by address). */
  private Map<Identity, Set<Integer>> addressesByIdentity() {
    Map<Identity, Set<Integer>> out = new HashMap<>();
    for (Pod p : pods.values()) {
      out.computeIfAbsent(new Identity(p.identity()), k -> new HashSet<>())
          .add(Ipv4Address.parse(p.ip()));
    }
    remoteEndpoints.forEach( // other nodes' pods: a CIDR rule selects them by address too
        (ip, e) ->
            out.computeIfAbsent(new Identity(e.identity()), k -> new HashSet<>())
                .add(Ipv4Address.parse(ip)));
    return out;
  }

  /** Named ports as the cluster carries them: "name=port/PROTO;..." (sorted). */
  static String namedPortsText(Map<String, PortProtocol> ports) {
    return new TreeMap<>(ports)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue().port() + "/" + e.getValue().protocol())
            .collect(java.util.stream.Collectors.joining(";"));
  }

  /** The named ports of another node's pod, from {@link #namedPortsText}; bad parts are skipped. */
  static Map<String, PortProtocol> namedPortsOf(String text) {
    Map<String, PortProtocol> out = new HashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      int slash = part.lastIndexOf('/');
      if (eq > 0 && slash > eq) {
        try {
          out.put(
              part.substring(0, eq),
              PortProtocol.of(
                  Integer.parseInt(part.substring(eq + 1, slash)),
                  Protocol.valueOf(part.substring(slash + 1))));
        } catch (IllegalArgumentException skipped) {
          // written by another version: left out rather than guessed
        }
      }
    }
    return out;
  }

  /** The policies that read a part of the universe that differs between the two. */
  private static Set<PolicyName> affected(
      Map<PolicyName, Policy> policies, Universe before, Universe after) {
    Set<PolicyName> out = new HashSet<>();
    if (before != after) {
      policies.forEach(
          (name, p) -> {
            if (UniverseUse.of(p).affectedBy(before, after)) {
              out.add(name);
            }
          });
    }
    return out;
  }

  /**
   * Brings every pod's policy to {@code policies} resolved in {@code u}, re-resolving the policies
   * named in {@code toUpdate} ({@code newPods}: pods seen for the first time or with new labels are
   * built whole; otherwise they wait for the step that does).
   */
  private void updateEndpoints(
      Map<PolicyName, Policy> policies, Set<PolicyName> toUpdate, Universe u, boolean newPods) {
    // A namespaced policy selects pods of its namespace only: a pod looks at those and at the
    // cluster-wide ones, not at every changed policy of the node.
    Map<String, List<PolicyName>> byNamespace = new HashMap<>();
    for (PolicyName name : toUpdate) {
      byNamespace.computeIfAbsent(name.namespace(), k -> new ArrayList<>()).add(name);
    }
    List<PolicyName> clusterwide = byNamespace.getOrDefault("", List.of());
    // Resolve every pod first, write after: a state the maps cannot hold is refused before any
    // entry is written (the caller puts the policies back).
    List<Runnable> writes = new ArrayList<>();
    for (Pod p : pods.values()) {
      PolicySubject subject = new PolicySubject(securityLabels(p), p.spec().namedPorts());
      PodPolicy pp = podPolicies.computeIfAbsent(p.spec().key(), k -> new PodPolicy());
      if (!subject.equals(pp.subject)) {
        if (!newPods) {
          continue;
        }
        pp.rules.rebuild(policies.values(), subject, u); // new pod, or its labels changed
      } else {
        for (PolicyName name : byNamespace.getOrDefault(p.spec().namespace(), List.of())) {
          pp.rules.update(name, policies.get(name), subject, u);
        }
        for (PolicyName name : clusterwide) {
          pp.rules.update(name, policies.get(name), subject, u);
        }
      }
      pp.subject = subject;
      Set<dev.hivewall.core.policy.resolve.PolicyKey> changed = pp.rules.flush();
      EndpointPolicyState.Endpoint ep = endpoint(p);
      boolean in = pp.rules.enforced(dev.hivewall.core.policy.api.Direction.INGRESS);
      boolean eg = pp.rules.enforced(dev.hivewall.core.policy.api.Direction.EGRESS);
      Applied applied = new Applied(ep, in, eg);
      if (!changed.isEmpty() || !applied.equals(pp.applied)) {
        writes.add(
            () -> {
              policyState.apply(ep, in, eg, pp.rules.mapState(), changed);
              pp.applied = applied;
            });
      }
    }
    checkPolicyMapCapacity();
    writes.forEach(Runnable::run);
  }

  /**
   * Each endpoint's policy lives in two slots (the live one and the one the next change writes,
   * brought up to date after each answer), so the maps must hold every endpoint's state twice:
   * exact keys in hw_policy_exact, ranges and wildcards in hw_policy, each of {@link
   * AgentConfig#policyMapEntries} entries.
   */
  private void checkPolicyMapCapacity() {
    long exact = 0;
    long ranges = 0;
    for (PodPolicy pp : podPolicies.values()) {
      var state = pp.rules.mapState();
      long wide = state.keys().stream().filter(k -> !PolicyMapWriter.isExact(k)).count();
      exact += 2L * (state.size() - wide);
      ranges += 2L * wide;
    }
    long capacity = config.datapath().policyMapEntries();
    if (exact > capacity || ranges > capacity) {
      throw new PolicyMapFullException(
          String.format(
              "policy map full: the policies need %,d exact entries and %,d range entries for %d"
                  + " pod(s) (each pod's state is kept twice, for atomic updates), the maps hold"
                  + " %,d each; nothing was changed: remove policies, or select fewer peers or"
                  + " ports",
              exact, ranges, podPolicies.size(), capacity));
    }
  }

  /** A policy change the datapath's maps cannot hold; refused whole, nothing changed. */
  public static final class PolicyMapFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyMapFullException(String message) {
      super(message);
    }
  }

  /**
   * Brings the ipcache to pods + gateway + policy prefixes, writing only entries that changed; the
   * prefix part is compared only when a prefix came or went.
   */
  private void writeIpcache(Map<Cidr, Identity> cidrs) {
    Map<Cidr, IpcacheEntry> podPart = new HashMap<>();
    pods.values()
        .forEach(
            p ->
                podPart.put(
                    Cidr.parse(p.ip() + "/32"),
                    new IpcacheEntry(p.identity(), endpoint(p).ifindex())));
    podPart.put(Cidr.parse(config.gateway() + "/32"), new IpcacheEntry(Identity.HOST.id()));
    remoteEndpoints.forEach( // other nodes' pods: their identity, through the tunnel to their node
        (ip, e) ->
            podPart.putIfAbsent(
                Cidr.parse(ip + "/32"),
                IpcacheEntry.remote(e.identity(), remoteNodes.tunnelOf(e.node()))));
    remoteNodes.addIpcacheEntries(podPart);
    if (podPart.equals(podIpcache) && cidrs == ipcacheCidrs) {
      return;
    }
    Map<Cidr, IpcacheEntry> want = new HashMap<>(podPart);
    // A policy's prefix: its CIDR identity, through the tunnel if other nodes' pods are in it. It
    // takes the place of a node's whole pod CIDR (world), never of a pod's or a node's address.
    cidrs.forEach(
        (c, id) ->
            want.merge(
                c,
                IpcacheEntry.remote(id.id(), remoteNodes.tunnelFor(c)),
                (had, prefix) -> remoteNodes.isPodCidr(c) ? prefix : had));
    Map<Cidr, IpcacheEntry> puts = new HashMap<>();
    want.forEach(
        (c, e) -> {
          if (!e.equals(ipcache.get(c))) {
            puts.put(c, e);
          }
        });
    if (!puts.isEmpty()) {
      datapath.ipcacheWrite(puts);
    }
    for (Cidr gone : new HashSet<>(ipcache.keySet())) {
      if (!want.containsKey(gone)) {
        datapath.ipcacheRemove(gone);
      }
    }
    ipcache.clear();
    ipcache.putAll(want);
    httpAccessCache.clear();
    podIpcache = podPart;
    ipcacheCidrs = cidrs;
    if (cluster != null) {
      Map<String, Integer> enforced = new HashMap<>();
      remoteEndpoints.forEach((ip, e) -> enforced.put(ip, e.identity()));
      remoteInIpcache = Map.copyOf(enforced);
    }
  }

  /** A pod's policy state on this node. */
  private static final class PodPolicy {
    final EndpointRules rules = new EndpointRules();
    PolicySubject subject;
    Applied applied; // endpoint and enforcement as last given to the datapath
  }

  /** What the datapath was last told about a pod besides its policy keys. */
  private record Applied(
      EndpointPolicyState.Endpoint endpoint, boolean ingressEnforced, boolean egressEnforced) {}

  private Map<Identity, Map<String, Set<PortProtocol>>> namedPortsByIdentity() {
    Map<Identity, Map<String, Set<PortProtocol>>> out = new HashMap<>();
    for (Pod p : pods.values()) {
      Map<String, Set<PortProtocol>> m =
          out.computeIfAbsent(new Identity(p.identity()), k -> new HashMap<>());
      p.spec().namedPorts().forEach((n, pp) -> m.computeIfAbsent(n, k -> new HashSet<>()).add(pp));
    }
    remoteEndpoints.forEach( // other nodes' pods: the named ports they published
        (ip, e) -> {
          Map<String, Set<PortProtocol>> m =
              out.computeIfAbsent(new Identity(e.identity()), k -> new HashMap<>());
          namedPortsOf(e.ports())
              .forEach((n, pp) -> m.computeIfAbsent(n, k -> new HashSet<>()).add(pp));
        });
    return out;
  }

  private Labels securityLabels(Pod p) {
    return SecurityLabels.of(
        p.spec().labels(), p.spec().namespace(), namespace(p.spec().namespace()));
  }

  private EndpointPolicyState.Endpoint endpoint(Pod p) {
    return new EndpointPolicyState.Endpoint(
        hostIfindex.computeIfAbsent(p.hostDevice(), d -> config.nodeNamespace().ifIndex(d)),
        p.endpointId(),
        p.identity(),
        Ipv4Address.parse(p.ip()),
        audited.contains(p.spec().key()));
  }

  private String allocateIp() {
    Set<String> used = new HashSet<>();
    pods.values().forEach(p -> used.add(p.ip()));
    long size = 1L << (32 - config.podCidr().length());
    for (long i = 2; i < size - 1; i++) { // .0 network, .1 gateway, last broadcast
      String ip = Ipv4Address.format(config.podCidr().address() + (int) i);
      if (!used.contains(ip)) {
        return ip;
      }
    }
    throw new IllegalStateException(
        "pod CIDR " + config.podCidr() + " is full: delete pods or use a larger --pod-cidr");
  }

  /** Splits multi-document text into its documents (for storing each policy's own text). */
  private static List<String> splitDocuments(String text, int expected) {
    if (expected == 1) {
      return List.of(text); // restore picks its one policy out of it: no need to cut or copy
    }
    List<String> docs = new ArrayList<>();
    for (String d : text.split("(?m)^---\\s*$")) {
      if (!d.isBlank()) {
        docs.add(d.strip() + "\n");
      }
    }
    if (docs.size() != expected) { // JSON lists or unusual separators: keep the whole text
      docs.clear();
      for (int i = 0; i < expected; i++) {
        docs.add(text);
      }
    }
    return docs;
  }

  private AgentState snapshot() {
    Map<String, Map<String, String>> ns = new TreeMap<>();
    namespaces.forEach((k, v) -> ns.put(k, v.asMap()));
    List<AgentState.PodState> ps = new ArrayList<>();
    for (Pod p : pods.values()) {
      Map<String, String> named = new TreeMap<>();
      p.spec().namedPorts().forEach((k, v) -> named.put(k, v.port() + "/" + v.protocol()));
      ps.add(
          new AgentState.PodState(
              p.spec().namespace(),
              p.spec().name(),
              p.spec().labels().asMap(),
              named,
              p.spec().serve().stream().map(ServePort::toString).toList(),
              p.endpointId(),
              p.ip(),
              p.spec().command(),
              p.pid(),
              audited.contains(p.spec().key()),
              p.identity()));
    }
    return new AgentState(
        AgentState.VERSION, ns, ps, List.copyOf(policyTexts.values()), nextEndpointId);
  }

  private void restore(AgentState s) {
    s.namespaces().forEach((k, v) -> namespaces.put(k, Labels.of(v)));
    namespaces.putIfAbsent(DEFAULT_NAMESPACE, Labels.of(NAMESPACE_NAME_LABEL, DEFAULT_NAMESPACE));
    for (AgentState.PolicyState p : s.policies()) {
      for (Policy parsed : PolicyParser.parse(p.source(), p.text(), DEFAULT_NAMESPACE)) {
        if (parsed.name().namespace().equals(p.namespace())
            && parsed.name().name().equals(p.name())) {
          policies.put(parsed.name(), parsed);
          policyTexts.put(parsed.name(), p);
        }
      }
    }
    nextEndpointId = s.nextEndpointId();
    // Every pod first, with the identity it had: one reconcile then computes each policy with all
    // peers known, the same numbers as before, so what an earlier agent left enforced (pinned maps)
    // flips to the same verdicts, never through a state missing a peer.
    List<Pod> restored = new ArrayList<>();
    Map<String, Boolean> existed = new HashMap<>();
    for (AgentState.PodState ps : s.pods()) {
      Map<String, PortProtocol> named = new HashMap<>();
      ps.namedPorts()
          .forEach(
              (k, v) -> {
                String[] pp = v.split("/");
                named.put(k, PortProtocol.of(Integer.parseInt(pp[0]), Protocol.valueOf(pp[1])));
              });
      PodSpec spec =
          new PodSpec(
              ps.namespace(),
              ps.name(),
              Labels.of(ps.labels()),
              named,
              ps.serve().stream().map(ServePort::parse).toList(),
              ps.command() == null ? List.of() : ps.command());
      Pod pod =
          new Pod(
              spec,
              ps.endpointId(),
              ps.ip(),
              PodPlumbing.netnsName(config.podNetnsPrefix(), ps.namespace(), ps.name()),
              PodPlumbing.hostDevice(ps.namespace(), ps.name()),
              0,
              ps.pid());
      if (ps.policyAudit()) {
        audited.add(spec.key());
      }
      if (ps.identity() != 0 && cluster == null) { // in a cluster, etcd says the number
        Labels sec = securityLabels(pod);
        if (identities.lookup(sec).map(i -> i.id() == ps.identity()).orElse(true)
            && identities.labelsOf(new Identity(ps.identity())).map(sec::equals).orElse(true)) {
          identities.restore(new Identity(ps.identity()), sec);
          pod = pod.withIdentity(ps.identity());
        }
      }
      boolean exists = plumbing.exists(pod.netns(), pod.hostDevice());
      existed.put(spec.key(), exists);
      hostIfindex.remove(pod.hostDevice());
      if (!exists) {
        plumbing.create(pod.netns(), pod.hostDevice(), pod.ip());
      }
      pods.put(spec.key(), pod);
      restored.add(pod);
    }
    if (cluster != null) {
      // The cluster as it is now (read when following began): other nodes' pods, nodes and
      // policies are in this one reconcile, so a pinned ipcache never loses them on a restart.
      drainClusterEvents();
    }
    reconcile(); // endpoint entries and policies of all pods before any program is replaced
    for (Pod pod : restored) {
      attach(pods.get(pod.spec().key()), existed.get(pod.spec().key()));
    }
    store.save(snapshot());
    stateRestored = true;
  }

  /**
   * The stored state is restored: until then no commit may run (it would save this fresh node's
   * empty state over the stored one). Guarded by this.
   */
  private boolean stateRestored;

  /**
   * Stops serving: responders stop and this process lets go of the maps. Attached programs stay, so
   * pods stay enforced while no agent runs; deleting a pod or its node removes them. With a pin
   * directory the maps (conntrack included), the socket hooks and the sockmap stay too, and the
   * next agent takes them over (`hivewall uninstall` removes them).
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return; // once: a second close (an owner and a finally) has nothing left to release
    }
    closed = true;
    housekeeping.shutdown();
    saver.shutdown();
    responders.values().forEach(Responder::close);
    responders.clear();
    if (proxy != null) {
      proxy.close();
    }
    if (datapathFlows != null) {
      datapathFlows.close();
    }
    if (sockHooks != null) {
      sockHooks.close(); // connect-time checks end with the agent; TC keeps enforcing
    }
    if (sockmap != null) {
      sockmap.close(); // open local connections go back to the stack (and TC)
    }
    if (cluster != null) {
      cluster.close(); // the lease is no longer renewed: this node's claims expire with it
    }
    datapath.close();
  }

  /** A name that does not exist. */
  public static final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
      super(message);
    }
  }

  /** A name that already exists. */
  public static final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
      super(message);
    }
  }
}
