package dev.hivewall.agent.api;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import dev.hivewall.core.policy.resolve.PolicyKey;
import dev.hivewall.core.policy.resolve.PolicyVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON shapes of the API (see docs/api.md); records, so Jackson writes their components. */
final class Views {
  private Views() {}

  record PodView(
      String namespace,
      String name,
      Map<String, String> labels,
      String ip,
      int identity,
      int endpointId,
      String netns,
      String hostDevice,
      List<String> serve,
      Map<String, String> ports) {
    static PodView of(Pod p) {
      Map<String, String> ports = new TreeMap<>();
      p.spec()
          .namedPorts()
          .forEach((k, v) -> ports.put(k, v.port() + "/" + v.protocol().name().toLowerCase()));
      return new PodView(
          p.spec().namespace(),
          p.spec().name(),
          p.spec().labels().asMap(),
          p.ip(),
          p.identity(),
          p.endpointId(),
          p.netns(),
          p.hostDevice(),
          p.spec().serve().stream().map(Object::toString).toList(),
          ports);
    }
  }

  record PolicyView(String namespace, String name, String kind, String description, int rules) {
    static PolicyView of(Policy p) {
      return new PolicyView(
          p.name().namespace(), p.name().name(), p.kind(), p.description(), p.rules().size());
    }
  }

  record PolicyEntryView(
      String direction, int identity, String protocol, String ports, String verdict) {}

  record EndpointPolicyView(
      boolean ingressEnforced,
      boolean egressEnforced,
      List<String> selectedBy,
      List<PolicyEntryView> entries) {
    static EndpointPolicyView of(EndpointPolicy ep) {
      List<PolicyEntryView> entries = new ArrayList<>();
      ep.mapState().entries().entrySet().stream()
          .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(PolicyKey::toString)))
          .forEach(e -> entries.add(entry(e.getKey(), e.getValue())));
      return new EndpointPolicyView(
          ep.ingressEnforced(),
          ep.egressEnforced(),
          ep.selectedBy().stream().map(Object::toString).toList(),
          entries);
    }

    private static PolicyEntryView entry(PolicyKey k, PolicyVerdict v) {
      String l4 =
          k.toString().substring(k.toString().indexOf(' ', k.toString().indexOf(' ') + 1) + 1);
      String protocol = l4.contains("/") ? l4.substring(0, l4.indexOf('/')) : l4;
      String ports = l4.contains("/") ? l4.substring(l4.indexOf('/') + 1) : "*";
      return new PolicyEntryView(
          k.direction().label(), k.identity().id(), protocol, ports, v.name());
    }
  }

  /** One request the L7 proxy judged. */
  @com.fasterxml.jackson.annotation.JsonPropertyOrder({"type"})
  record L7FlowView(
      String time,
      String source,
      String destination,
      String connection,
      String method,
      String target,
      String path,
      String host,
      String verdict,
      int status,
      double latencyMs,
      String reason) {
    /** What kind of flow this is for a client that reads both kinds: a proxied request. */
    @com.fasterxml.jackson.annotation.JsonProperty("type")
    public String type() {
      return "l7";
    }

    static L7FlowView of(dev.hivewall.proxy.server.L7Flow f) {
      return new L7FlowView(
          f.time().toString(),
          f.client().getAddress().getHostAddress() + ":" + f.client().getPort(),
          f.destination().getAddress().getHostAddress() + ":" + f.destination().getPort(),
          f.connection(),
          f.method(),
          f.target(),
          f.path(),
          f.host(),
          f.verdict().name(),
          f.status(),
          f.latencyNanos() / 1e6,
          f.reason());
    }
  }

  /** A connection trace: the ends, each step's decision and the verdict. */
  record TraceView(
      EndView from,
      EndView to,
      String protocol,
      int port,
      List<StepView> steps,
      String verdict,
      String reason,
      String request) {
    record EndView(String name, int identity, boolean endpoint) {}

    record StepView(
        String endpoint,
        String direction,
        boolean enforced,
        String outcome,
        String cause,
        List<String> decidedBy) {}

    static TraceView of(dev.hivewall.core.policy.eval.ConnectionTrace.Trace t) {
      return new TraceView(
          end(t.from()),
          end(t.to()),
          t.protocol().name(),
          t.port(),
          t.steps().stream()
              .map(
                  s ->
                      new StepView(
                          s.endpoint(),
                          s.direction().name(),
                          s.enforced(),
                          s.decision().outcome().name(),
                          s.decision().cause().name(),
                          s.decision().decidedBy().stream().map(Object::toString).toList()))
              .toList(),
          t.verdict(),
          t.reason(),
          t.request().orElse(""));
    }

    private static EndView end(dev.hivewall.core.policy.eval.ConnectionTrace.End e) {
      return new EndView(e.name(), e.identity().id(), e.policy().isPresent());
    }
  }
}
