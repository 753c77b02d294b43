package dev.hivewall.agent.metrics;

import dev.hivewall.agent.Node;
import dev.hivewall.datapath.abi.SockmapCounter;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.lxc.LxcDatapath;
import dev.hivewall.datapath.maps.metrics.MetricsKey;
import dev.hivewall.datapath.maps.metrics.MetricsValue;
import dev.hivewall.ebpf.BpfProgram;
import dev.hivewall.ebpf.BpfRunStatistics;
import dev.hivewall.proxy.server.L7Flow;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The node's Prometheus metrics, served as text at {@code http://127.0.0.1:PORT/metrics}.
 *
 * <p>Gauges and datapath counters are read when scraped (callbacks: nothing to keep in step, and
 * the kernel's counters are the truth); L7 requests are counted as the proxy judges them. Every
 * label has a bounded set of values (directions, verdicts, drop reasons, map names, standard HTTP
 * methods or {@code other}, status codes): no per-pod or per-path labels, so no client can grow the
 * metrics without bound. Which pod a packet belonged to is what flows are for.
 */
public final class NodeMetrics implements AutoCloseable {
  /** Methods that keep their name as a label value; any other token counts as "other". */
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Node node;
  private final Counter l7Requests;

  /** L7 flows by verdict, counted as the proxy reports them. */
  private final Map<String, java.util.concurrent.atomic.LongAdder> l7Flows =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Histogram l7Latency;
  private final HTTPServer server;

  /** What one scrape asks several families for is read from the kernel once (per second). */
  private final Sampled<List<LxcDatapath.MapPressure>> pressure;

  private final Sampled<Map<MetricsKey, MetricsValue>> counters;

  /** Keeps the kernel's per-program run statistics on while served; null: not asked, or refused. */
  private final BpfRunStatistics runStatistics;

  private final Sampled<Map<String, BpfProgram.RunStats>> programRuns;

  /** A value read at most once a second. */
  private static final class Sampled<T> {
    private final java.util.function.Supplier<T> read;
    private long takenAt;
    private T value;

    Sampled(java.util.function.Supplier<T> read) {
      this.read = read;
    }

    synchronized T get() {
      long now = System.nanoTime();
      if (value == null || now - takenAt > 1_000_000_000L) {
        value = read.get();
        takenAt = now;
      }
      return value;
    }
  }

  private NodeMetrics(Node node, int port, boolean runStats) throws IOException {
    this.node = node;
    this.pressure = new Sampled<>(() -> node.datapath().pressure());
    this.counters = new Sampled<>(() -> node.datapath().counters());
    this.runStatistics = runStats ? runStatistics() : null;
    this.programRuns =
        new Sampled<>(
            () -> {
              Map<String, BpfProgram.RunStats> m = new java.util.TreeMap<>();
              node.datapath().programs().forEach((name, p) -> m.put(name, p.runStats()));
              return m;
            });
    registerNode();
    registerDatapath();
    registerSocketHooks();
    registerSockmap();
    this.l7Requests =
        Counter.builder()
            .name("hivewall_l7_requests_total")
            .help("HTTP requests the L7 proxy judged, by method, response status and verdict")
            .labelNames("method", "status", "verdict")
            .register(registry);
    this.l7Latency =
        Histogram.builder()
            .name("hivewall_l7_request_duration_seconds")
            .help("From a request's head read by the proxy to the response head written")
            .labelNames("verdict")
            .classicOnly()
            .classicUpperBounds(
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5)
            .register(registry);
    node.l7Flows().listen(this::countRequest);
    try {
      this.server =
          HTTPServer.builder()
              .inetAddress(InetAddress.getLoopbackAddress())
              .port(port)
              .registry(registry)
              .buildAndStart();
    } catch (IOException | RuntimeException e) {
      if (runStatistics != null) {
        runStatistics.close(); // not served: nothing to count for
      }
      throw e;
    }
  }

  /**
   * Serves {@code node}'s metrics on 127.0.0.1:{@code port} (0: any free port, see {@link #port}),
   * without counting program runs.
   */
  public static NodeMetrics start(Node node, int port) {
    return start(node, port, false);
  }

  /**
   * Serves {@code node}'s metrics; with {@code runStats}, also each datapath program's runs and run
   * time (the kernel's run statistics, on while served: two clock reads a packet).
   */
  public static NodeMetrics start(Node node, int port, boolean runStats) {
    try {
      return new NodeMetrics(node, port, runStats);
    } catch (BindException e) {
      throw new IllegalStateException(
          "metrics port 127.0.0.1:"
              + port
              + " is taken: choose another with --metrics-port (or stop what listens there)",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on 127.0.0.1:" + port, e);
    }
  }

  /** The port the metrics are served on. */
  public int port() {
    return server.getPort();
  }

  private void registerNode() {
    gauge("hivewall_endpoints", "Pods (endpoints) of this node", () -> node.pods().size());
    gauge(
        "hivewall_identities",
        "Security identities in use (label identities of this node's pods)",
        () -> node.identities().size());
    gauge("hivewall_policies", "Policies in the repository", () -> node.policies().size());
    gauge(
        "hivewall_policy_revision",
        "Revision of the enforced state (bumped by every change)",
        node::revision);
    counter(
        "hivewall_flow_events_total",
        "Datapath events the observer read from the ring buffer",
        () -> node.datapathFlows().seen());
    counter(
        "hivewall_events_lost_total",
        "Datapath events that did not fit the ring buffer (the observer fell behind)",
        () -> node.datapath().eventsLost());
    counter(
        "hivewall_events_suppressed_total",
        "Drop events over the node's rate limit (--drop-events-per-second): counted, not reported",
        () -> node.datapath().eventsSuppressed());
  }

  private void registerSocketHooks() {
    CounterWithCallback.builder()
        .name("hivewall_socket_hook_calls_total")
        .help(
            "Calls of pods' sockets the socket hooks judged (connect4/6, sendmsg4/6), by verdict:"
                + " allowed, or denied with EPERM before any packet")
        .labelNames("hook", "verdict")
        .callback(
            cb ->
                node.sockHooks()
                    .ifPresent(
                        h ->
                            h.counts()
                                .forEach(
                                    (hook, c) -> {
                                      cb.call(c.allowed(), hook.label(), "allowed");
                                      cb.call(c.denied(), hook.label(), "denied");
                                    })))
        .register(registry);
  }

  private void registerSockmap() {
    counter(
        "hivewall_sockmap_sockets_total",
        "Ends of TCP connections between local pods the sockmap took (policy allows the pair)",
        () -> sockmapCounter(SockmapCounter.SOCKETS));
    CounterWithCallback.builder()
        .name("hivewall_sockmap_messages_total")
        .help(
            "Messages sent on those connections, by path: redirected socket to socket, through"
                + " the stack (the peer was not ready, L7), or revoked (the policy no longer allows"
                + " the pair)")
        .labelNames("path")
        .callback(
            cb -> {
              cb.call(sockmapCounter(SockmapCounter.REDIRECTED), "redirected");
              cb.call(sockmapCounter(SockmapCounter.STACK), "stack");
              cb.call(sockmapCounter(SockmapCounter.REVOKED), "revoked");
            })
        .register(registry);
    counter(
        "hivewall_sockmap_redirected_bytes_total",
        "Bytes redirected socket to socket",
        () -> sockmapCounter(SockmapCounter.REDIRECTED_BYTES));
  }

  private long sockmapCounter(SockmapCounter c) {
    return node.sockmap().map(s -> s.counters().get(c)).orElse(0L);
  }

  private void registerDatapath() {
    CounterWithCallback.builder()
        .name("hivewall_datapath_packets_total")
        .help("Packets the datapath judged, by direction (seen from the pod) and verdict")
        .labelNames("direction", "verdict")
        .callback(cb -> byDirectionAndVerdict(false).forEach((k, v) -> cb.call(v, k.split("/"))))
        .register(registry);
    CounterWithCallback.builder()
        .name("hivewall_datapath_bytes_total")
        .help("Bytes of the packets the datapath judged, by direction and verdict")
        .labelNames("direction", "verdict")
        .callback(cb -> byDirectionAndVerdict(true).forEach((k, v) -> cb.call(v, k.split("/"))))
        .register(registry);
    CounterWithCallback.builder()
        .name("hivewall_drops_total")
        .help("Packets the datapath dropped, by direction and reason")
        .labelNames("direction", "reason")
        .callback(
            cb -> {
              Map<String, Long> drops = new HashMap<>();
              counters
                  .get()
                  .forEach(
                      (k, v) -> {
                        if (k.verdict() == Verdict.DROPPED) {
                          drops.merge(
                              direction(k) + "/" + k.reason().label(), v.packets(), Long::sum);
                        }
                      });
              drops.forEach((k, v) -> cb.call(v, k.split("/")));
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hivewall_flows_total")
        .help(
            "Flows the observer processed, by type (l3l4: datapath verdicts; l7: requests the"
                + " proxy judged) and verdict")
        .labelNames("type", "verdict")
        .callback(
            cb -> {
              for (Verdict v : Verdict.values()) {
                long n = node.datapathFlows().policyVerdicts().flows(v);
                if (n > 0) {
                  cb.call(n, "l3l4", v.name());
                }
              }
              l7Flows.forEach((v, n) -> cb.call(n.sum(), "l7", v));
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hivewall_policy_verdicts_total")
        .help(
            "Policy verdicts from the datapath's events, by direction, rule class (match) and"
                + " action: new connections let through (forwarded), sent to the proxy"
                + " (redirected) or audited, and packets the policy dropped")
        .labelNames("direction", "match", "action")
        .callback(
            cb ->
                node.datapathFlows()
                    .policyVerdicts()
                    .forEach(
                        (d, m, v, n) ->
                            cb.call(
                                n,
                                d.direction().name().toLowerCase(Locale.ROOT),
                                m.label(),
                                v.name().toLowerCase(Locale.ROOT))))
        .register(registry);
    if (runStatistics != null) {
      CounterWithCallback.builder()
          .name("hivewall_bpf_program_runs_total")
          .help("Times the kernel ran a datapath program (a packet each), while metrics are served")
          .labelNames("program")
          .callback(cb -> programRuns.get().forEach((name, r) -> cb.call(r.runs(), name)))
          .register(registry);
      CounterWithCallback.builder()
          .name("hivewall_bpf_program_run_seconds_total")
          .help("Time the kernel spent running a datapath program, while metrics are served")
          .labelNames("program")
          .callback(
              cb -> programRuns.get().forEach((name, r) -> cb.call(r.runTimeNanos() / 1e9, name)))
          .register(registry);
    }
    GaugeWithCallback.builder()
        .name("hivewall_bpf_map_entries")
        .help("Entries in a BPF map")
        .labelNames("map")
        .callback(cb -> pressure.get().forEach(p -> cb.call(p.entries(), p.map())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hivewall_bpf_map_capacity")
        .help("Entries a BPF map can hold")
        .labelNames("map")
        .callback(cb -> pressure.get().forEach(p -> cb.call(p.capacity(), p.map())))
        .register(registry);
  }

  private Map<String, Long> byDirectionAndVerdict(boolean bytes) {
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<MetricsKey, MetricsValue> e : counters.get().entrySet()) {
      MetricsKey k = e.getKey();
      long n = bytes ? e.getValue().bytes() : e.getValue().packets();
      out.merge(direction(k) + "/" + k.verdict().name(), n, Long::sum);
    }
    return out;
  }

  private static String direction(MetricsKey k) {
    return k.direction().name().toLowerCase(Locale.ROOT);
  }

  private void countRequest(L7Flow f) {
    String method = f.method() != null && METHODS.contains(f.method()) ? f.method() : "other";
    String verdict = f.verdict().name();
    l7Flows.computeIfAbsent(verdict, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    l7Requests.labelValues(method, Integer.toString(f.status()), verdict).inc();
    l7Latency.labelValues(verdict).observe(f.latencyNanos() / 1e9);
  }

  private void gauge(String name, String help, java.util.function.LongSupplier value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  private void counter(String name, String help, java.util.function.LongSupplier value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  /**
   * Turns on the kernel's program run statistics (two clock reads per program run: tens of ns a
   * packet, paid only while metrics are served); null, and a warning, if the kernel refuses.
   */
  private static BpfRunStatistics runStatistics() {
    try {
      return BpfRunStatistics.enable();
    } catch (RuntimeException e) {
      System.getLogger("dev.hivewall.agent.metrics")
          .log(
              System.Logger.Level.WARNING,
              "no BPF program run counts in the metrics: " + e.getMessage());
      return null;
    }
  }

  @Override
  public void close() {
    server.close();
    if (runStatistics != null) {
      runStatistics.close();
    }
  }
}
