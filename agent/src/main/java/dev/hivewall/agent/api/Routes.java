package dev.hivewall.agent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hivewall.agent.Node;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.agent.observe.FlowFilter;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.PortProtocol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every API path and what it does on the node: the whole API in one table. */
final class Routes {
  private Routes() {}

  static Router of(Node node) {
    return new Router()
        .on("GET", "/v1/status", r -> status(node))
        .on(
            "GET",
            "/v1/flows/datapath",
            r -> {
              FlowFilter filter = flowFilter(r);
              return node.datapathFlows().last(last(r), filter::test);
            })
        .on(
            "GET",
            "/v1/flows/stream",
            r -> {
              String type = r.query().getOrDefault("type", "all");
              if (!List.of("all", "l3l4", "drop", "l7").contains(type)) {
                throw new ApiException(400, "type '" + type + "': use all, l3l4, drop or l7");
              }
              Map<String, String> q = new java.util.HashMap<>(r.query());
              q.remove("type");
              if (type.equals("drop")) {
                q.put("verdict", "DROPPED");
              }
              return new FlowStream(
                  node.datapathFlows(), node.l7Flows(), flowFilter(q), type, last(r));
            })
        .on("GET", "/v1/trace", r -> Views.TraceView.of(trace(node, r)))
        .on(
            "GET",
            "/v1/flows/l7",
            r -> {
              FlowFilter filter = flowFilter(r);
              return node.l7Flows().last(last(r), filter::test).stream()
                  .map(Views.L7FlowView::of)
                  .toList();
            })
        .on(
            "GET",
            "/v1/namespaces",
            r ->
                node.namespaces().entrySet().stream()
                    .map(e -> Map.of("name", e.getKey(), "labels", e.getValue().asMap()))
                    .toList())
        .on(
            "POST",
            "/v1/namespaces",
            r -> {
              JsonNode b = body(r);
              String name = text(b, "name");
              node.createNamespace(name, labels(b.path("labels")));
              return Map.of("created", name);
            })
        .on(
            "PATCH",
            "/v1/namespaces/{name}",
            r -> {
              JsonNode b = body(r);
              node.labelNamespace(
                  r.param("name"), labels(b.path("add")), strings(b.path("remove")));
              return Map.of("labeled", r.param("name"));
            })
        .on(
            "DELETE",
            "/v1/namespaces/{name}",
            r -> {
              node.deleteNamespace(r.param("name"));
              return Map.of("deleted", r.param("name"));
            })
        .on("GET", "/v1/pods", r -> node.pods().stream().map(Views.PodView::of).toList())
        .on("POST", "/v1/pods", r -> Views.PodView.of(node.runPod(podSpec(body(r)))))
        .on(
            "GET",
            "/v1/pods/{ns}/{name}",
            r -> Views.PodView.of(node.pod(r.param("ns"), r.param("name"))))
        .on(
            "PATCH",
            "/v1/pods/{ns}/{name}",
            r -> {
              JsonNode b = body(r);
              node.labelPod(
                  r.param("ns"), r.param("name"), labels(b.path("add")), strings(b.path("remove")));
              return Views.PodView.of(node.pod(r.param("ns"), r.param("name")));
            })
        .on(
            "DELETE",
            "/v1/pods/{ns}/{name}",
            r -> {
              node.deletePod(r.param("ns"), r.param("name"));
              return Map.of("deleted", r.param("ns") + "/" + r.param("name"));
            })
        .on(
            "PUT",
            "/v1/pods/{ns}/{name}/policy-audit",
            r -> {
              JsonNode b = body(r);
              if (!b.path("enabled").isBoolean()) {
                throw new ApiException(400, "body must be {\"enabled\": true|false}");
              }
              boolean changed =
                  node.setPolicyAudit(
                      r.param("ns"), r.param("name"), b.path("enabled").asBoolean());
              return Map.of(
                  "pod",
                  r.param("ns") + "/" + r.param("name"),
                  "policyAudit",
                  node.policyAudit(r.param("ns"), r.param("name")),
                  "changed",
                  changed,
                  "revision",
                  node.revision());
            })
        .on(
            "GET",
            "/v1/pods/{ns}/{name}/policy",
            r -> Views.EndpointPolicyView.of(node.endpointPolicy(r.param("ns"), r.param("name"))))
        .on(
            "POST",
            "/v1/policies",
            r -> {
              String source = r.headers().getOrDefault("x-hivewall-source", "input");
              long t0 = System.nanoTime();
              Node.PolicyApply done = node.applyPoliciesTimed(source, r.body());
              double millis = (System.nanoTime() - t0) / 1e6;
              return Map.of(
                  "applied",
                  done.names().stream().map(PolicyName::toString).toList(),
                  "revision",
                  done.revision(), // this apply's, even if another one followed it already
                  "enforcedMillis",
                  (done.enforcedAt() - t0) / 1e6,
                  "millis",
                  millis,
                  "warnings",
                  done.warnings());
            })
        .on(
            "GET",
            "/v1/policies",
            r -> node.policies().values().stream().map(Views.PolicyView::of).toList())
        .on(
            "GET",
            "/v1/policies/{ns}/{name}",
            r -> {
              PolicyName n = policyName(r);
              var text =
                  node.policyText(n)
                      .orElseThrow(() -> new ApiException(404, "policy " + n + " does not exist"));
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("namespace", n.namespace());
              out.put("name", n.name());
              out.put("source", text.source());
              out.put("text", text.text());
              return out;
            })
        .on(
            "DELETE",
            "/v1/policies/{ns}/{name}",
            r -> {
              PolicyName n = policyName(r);
              if (!node.deletePolicy(n)) {
                throw new ApiException(
                    404, "policy " + n + " does not exist (see: hivewall policy list)");
              }
              return Map.of("deleted", n.toString());
            })
        .on(
            "GET",
            "/v1/identities",
            r ->
                node.identities().entrySet().stream()
                    .map(e -> Map.of("identity", e.getKey().id(), "labels", e.getValue().asMap()))
                    .toList())
        .on(
            "GET",
            "/v1/endpoints",
            r ->
                node.pods().stream()
                    .map(
                        p -> {
                          var ep = node.endpointPolicy(p.spec().namespace(), p.spec().name());
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("id", p.endpointId());
                          m.put("pod", p.spec().key());
                          m.put("identity", p.identity());
                          m.put("ip", p.ip());
                          m.put("ingressEnforced", ep.ingressEnforced());
                          m.put("egressEnforced", ep.egressEnforced());
                          m.put("policyEntries", ep.mapState().size());
                          return m;
                        })
                    .toList())
        .on(
            "GET",
            "/v1/conntrack",
            r ->
                node.datapath().conntrack().entries().entrySet().stream()
                    .map(
                        e -> {
                          var k = e.getKey();
                          var v = e.getValue();
                          String pod =
                              dev.hivewall.core.net.Ipv4Address.format(k.podAddr())
                                  + ":"
                                  + k.podPort();
                          String peer =
                              dev.hivewall.core.net.Ipv4Address.format(k.peerAddr())
                                  + ":"
                                  + k.peerPort();
                          boolean podOpened =
                              v.opener() == dev.hivewall.datapath.abi.TrafficDirection.EGRESS;
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("endpoint", k.endpointId());
                          m.put("direction", v.opener().name().toLowerCase());
                          m.put("protocol", k.protocol());
                          m.put("source", podOpened ? pod : peer);
                          m.put("destination", podOpened ? peer : pod);
                          m.put("replies", e.getValue().replyCount());
                          return m;
                        })
                    .toList());
  }

  private static Map<String, Object> status(Node node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "running");
    m.put("revision", node.revision());
    m.put("namespaces", node.namespaces().size());
    m.put("pods", node.pods().size());
    m.put("policies", node.policies().size());
    m.put("identities", node.identities().size());
    Map<String, Object> flows = new LinkedHashMap<>();
    flows.put("read", node.datapathFlows().seen());
    flows.put("lost", node.datapath().eventsLost());
    flows.put("suppressed", node.datapath().eventsSuppressed());
    flows.put("followers", node.datapathFlows().subscribers());
    m.put("flows", flows);
    m.put("connectHooks", connectHooks(node));
    m.put("sockmap", sockmap(node));
    m.put("hostRouting", node.datapath().nodeConfig().bpfHostRouting() ? "bpf" : "stack");
    Map<String, Object> l7 = new LinkedHashMap<>();
    l7.put("port", node.proxyPort());
    l7.put("io", node.proxyTransport().flag());
    l7.put("requests", node.l7Flows().seen());
    m.put("l7Proxy", l7);
    node.cluster()
        .ifPresent(
            c ->
                m.put(
                    "cluster",
                    Map.of(
                        "name",
                        c.cluster(),
                        "node",
                        c.node(),
                        "etcd",
                        c.etcd(),
                        "health",
                        node.clusterHealth().orElse("ok"))));
    return m;
  }

  /** The sockmap: the ends of local connections it carries now, and its counters. */
  private static Map<String, Object> sockmap(Node node) {
    Map<String, Object> m = new LinkedHashMap<>();
    node.sockmap()
        .ifPresentOrElse(
            s -> {
              m.put("enabled", true);
              m.put("connectionEnds", s.connections().size());
              s.counters().forEach((k, v) -> m.put(camel(k.label()), v));
            },
            () -> m.put("enabled", false));
    return m;
  }

  /** redirected_bytes -> redirectedBytes */
  private static String camel(String label) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char ch : label.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return sb.toString();
  }

  /** The socket hooks: where they are attached and what each decided, or that they are off. */
  private static Map<String, Object> connectHooks(Node node) {
    Map<String, Object> m = new LinkedHashMap<>();
    node.sockHooks()
        .ifPresentOrElse(
            h -> {
              m.put("enabled", true);
              m.put("cgroup", h.cgroup().toString());
              Map<String, Object> hooks = new LinkedHashMap<>();
              h.counts()
                  .forEach(
                      (hook, c) ->
                          hooks.put(
                              hook.label(), Map.of("allowed", c.allowed(), "denied", c.denied())));
              m.put("hooks", hooks);
            },
            () -> m.put("enabled", false));
    return m;
  }

  /** {@code _} stands for "no namespace" (cluster-wide policies). */
  /** A trace of {@code from}, {@code to}, {@code port}, {@code protocol} and an HTTP request. */
  private static dev.hivewall.core.policy.eval.ConnectionTrace.Trace trace(
      Node node, Router.Request r) {
    Map<String, String> q = r.query();
    for (String required : List.of("from", "to", "port")) {
      if (!q.containsKey(required)) {
        throw new ApiException(400, "missing query parameter '" + required + "'");
      }
    }
    dev.hivewall.core.policy.api.Protocol protocol;
    try {
      protocol =
          dev.hivewall.core.policy.api.Protocol.valueOf(
              q.getOrDefault("protocol", "TCP").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiException(
          400, "protocol '" + q.get("protocol") + "': use TCP, UDP, SCTP or ICMP");
    }
    int port;
    try {
      port = Integer.parseInt(q.get("port"));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new ApiException(400, "port '" + q.get("port") + "' is not a port (0-65535)");
    }
    java.util.Optional<dev.hivewall.core.policy.eval.ConnectionTrace.Request> request =
        q.containsKey("http-method") || q.containsKey("http-target")
            ? java.util.Optional.of(
                new dev.hivewall.core.policy.eval.ConnectionTrace.Request(
                    q.getOrDefault("http-method", "GET"), q.getOrDefault("http-target", "/")))
            : java.util.Optional.empty();
    try {
      return node.trace(q.get("from"), q.get("to"), protocol, port, request);
    } catch (Node.NotFoundException e) {
      throw new ApiException(404, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  /** The flow filter of a query (everything but {@code last}); a bad one is a 400. */
  private static FlowFilter flowFilter(Router.Request r) {
    return flowFilter(r.query());
  }

  private static FlowFilter flowFilter(Map<String, String> query) {
    Map<String, String> q = new java.util.HashMap<>(query);
    q.remove("last");
    try {
      return FlowFilter.of(q, java.time.Instant.now());
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    }
  }

  /** How many flows ({@code last}, default 20, at most the 10,000 kept). */
  private static int last(Router.Request r) {
    String v = r.query().getOrDefault("last", "20");
    try {
      return Math.clamp(Long.parseLong(v), 0, 10_000);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "last '" + v + "' is not a number");
    }
  }

  private static PolicyName policyName(Router.Request r) {
    String ns = r.param("ns");
    return new PolicyName(ns.equals("_") ? "" : ns, r.param("name"));
  }

  private static PodSpec podSpec(JsonNode b) {
    Map<String, PortProtocol> ports = new LinkedHashMap<>();
    b.path("ports")
        .fields()
        .forEachRemaining(
            e -> {
              ServePort p = ServePort.parse(e.getValue().asText());
              ports.put(e.getKey(), PortProtocol.of(p.port(), p.protocol()));
            });
    List<ServePort> serve = new ArrayList<>();
    b.path("serve").forEach(s -> serve.add(ServePort.parse(s.asText())));
    String namespace = b.path("namespace").asText(Node.DEFAULT_NAMESPACE);
    List<String> command = new ArrayList<>();
    b.path("command").forEach(c -> command.add(c.asText()));
    return new PodSpec(namespace, text(b, "name"), labels(b.path("labels")), ports, serve, command);
  }

  private static JsonNode body(Router.Request r) {
    try {
      return r.body().isBlank()
          ? ApiServer.JSON.createObjectNode()
          : ApiServer.JSON.readTree(r.body());
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "request body is not JSON: " + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode b, String field) {
    if (!b.hasNonNull(field)) {
      throw new ApiException(400, "missing field '" + field + "'");
    }
    return b.get(field).asText();
  }

  private static Labels labels(JsonNode n) {
    Map<String, String> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return Labels.of(m);
  }

  private static Set<String> strings(JsonNode n) {
    Set<String> s = new HashSet<>();
    n.forEach(x -> s.add(x.asText()));
    return s;
  }
}
