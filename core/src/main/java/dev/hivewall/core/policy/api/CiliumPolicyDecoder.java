package dev.hivewall.core.policy.api;

import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.LabelSelector;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.yaml.Cursor;
import dev.hivewall.core.policy.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes {@code cilium.io/v2} CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy documents
 * (the L3/L4 subset of policy.md) into {@link Policy}. Fields Hivewall does not support are refused
 * by name, never ignored: a security policy that silently means less than it says is worse than one
 * that fails to load.
 */
final class CiliumPolicyDecoder {
  static final String API_VERSION = "cilium.io/v2";
  static final String CNP = "CiliumNetworkPolicy";
  static final String CCNP = "CiliumClusterwideNetworkPolicy";

  private static final Set<String> SPEC =
      Set.of(
          "endpointSelector",
          "nodeSelector",
          "ingress",
          "egress",
          "ingressDeny",
          "egressDeny",
          "description",
          "labels",
          "enableDefaultDeny");
  private static final Set<String> INGRESS =
      Set.of(
          "fromEndpoints",
          "fromCIDR",
          "fromCIDRSet",
          "fromEntities",
          "toPorts",
          "icmps",
          "fromRequires",
          "fromGroups",
          "fromNodes",
          "authentication");
  private static final Set<String> EGRESS =
      Set.of(
          "toEndpoints",
          "toCIDR",
          "toCIDRSet",
          "toEntities",
          "toPorts",
          "icmps",
          "toRequires",
          "toGroups",
          "toNodes",
          "toFQDNs",
          "toServices",
          "authentication");
  private static final Set<String> UNSUPPORTED =
      Set.of(
          "fromRequires",
          "fromGroups",
          "fromNodes",
          "toRequires",
          "toGroups",
          "toNodes",
          "toFQDNs",
          "toServices",
          "authentication",
          "nodeSelector");

  private static final Set<String> PORT_RULE =
      Set.of("ports", "rules", "terminatingTLS", "originatingTLS", "serverNames", "listener");
  private static final Set<String> PORT_RULE_UNSUPPORTED =
      Set.of("terminatingTLS", "originatingTLS", "serverNames", "listener");
  private static final Set<String> PORT = Set.of("port", "endPort", "protocol");
  private static final Set<String> CIDR_SET = Set.of("cidr", "except", "cidrGroupRef");

  /** The peer fields of one direction: fromEndpoints, fromCIDR, ... or toEndpoints, ... */
  private record PeerFields(String endpoints, String cidr, String cidrSet, String entities) {
    static PeerFields of(String prefix) {
      return new PeerFields(
          prefix + "Endpoints", prefix + "CIDR", prefix + "CIDRSet", prefix + "Entities");
    }
  }

  private static final PeerFields FROM = PeerFields.of("from");
  private static final PeerFields TO = PeerFields.of("to");

  private CiliumPolicyDecoder() {}

  private static boolean hasHttp(List<List<HttpRule>> entryHttp) {
    for (List<HttpRule> http : entryHttp) {
      if (!http.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Told about each rule list a policy is decoded from (for re-reading edits item by item). */
  interface RuleListSink {
    /**
     * The list at {@code node} ({@code path} in errors) gave {@code items.get(i)} for its item i,
     * at {@code firstRule} of the policy's rules; {@code namespace} as {@link #rule} takes it.
     */
    void ruleList(
        YamlNode.YamlList node,
        String path,
        Direction direction,
        boolean deny,
        String namespace,
        int firstRule,
        List<List<PolicyRule>> items);
  }

  private static void ruleList(
      Cursor.Fields f,
      String key,
      Direction direction,
      boolean deny,
      String namespace,
      List<PolicyRule> rules,
      RuleListSink sink) {
    Optional<Cursor> list = f.get(key);
    if (list.isEmpty()) {
      return;
    }
    int first = rules.size();
    List<List<PolicyRule>> items = new ArrayList<>();
    for (Cursor r : list.get().list()) {
      List<PolicyRule> these = rule(r, direction, deny, namespace);
      rules.addAll(these);
      items.add(these);
    }
    if (sink != null && list.get().node() instanceof YamlNode.YamlList node) {
      sink.ruleList(node, list.get().path(), direction, deny, namespace, first, items);
    }
  }

  static Policy decode(Cursor doc, String kind, String namespace, String name, RuleListSink sink) {
    boolean clusterwide = kind.equals(CCNP);
    Cursor.Fields top = doc.fields(Set.of("apiVersion", "kind", "metadata", "spec", "specs"));
    List<Cursor> specs = new ArrayList<>();
    top.get("spec").ifPresent(specs::add);
    specs.addAll(top.list("specs"));
    if (specs.isEmpty()) {
      throw doc.error("missing 'spec'");
    }
    LabelSelector subject = null;
    List<PolicyRule> rules = new ArrayList<>();
    Optional<Boolean> denyIngress = Optional.empty();
    Optional<Boolean> denyEgress = Optional.empty();
    StringBuilder description = new StringBuilder();
    for (Cursor spec : specs) {
      Cursor.Fields f = spec.fields(SPEC);
      refuseUnsupported(f);
      LabelSelector selector = Selectors.decode(f.required("endpointSelector"));
      if (!clusterwide) {
        selector = selector.and(SecurityLabels.NAMESPACE, namespace);
      }
      if (subject != null && !subject.equals(selector)) {
        throw spec.error(
            "every entry of 'specs' must have the same endpointSelector in Hivewall;"
                + " write one policy per endpointSelector");
      }
      subject = selector;
      String ns = clusterwide ? null : namespace;
      ruleList(f, "ingress", Direction.INGRESS, false, ns, rules, sink);
      ruleList(f, "ingressDeny", Direction.INGRESS, true, ns, rules, sink);
      ruleList(f, "egress", Direction.EGRESS, false, ns, rules, sink);
      ruleList(f, "egressDeny", Direction.EGRESS, true, ns, rules, sink);
      if (f.get("enableDefaultDeny").filter(c -> !c.isNull()).isPresent()) {
        Cursor.Fields d = f.required("enableDefaultDeny").fields(Set.of("ingress", "egress"));
        if (d.has("ingress")) {
          denyIngress = Optional.of(d.required("ingress").bool());
        }
        if (d.has("egress")) {
          denyEgress = Optional.of(d.required("egress").bool());
        }
      }
      f.get("description").filter(c -> !c.isNull()).ifPresent(c -> description.append(c.string()));
    }
    return new Policy(
        new PolicyName(clusterwide ? "" : namespace, name),
        kind,
        subject,
        rules,
        denyIngress,
        denyEgress,
        description.toString());
  }

  /**
   * The rules of one YAML rule: one, or one per {@code toPorts} entry when some entry has HTTP
   * rules (those apply to the ports of their own entry only).
   */
  static List<PolicyRule> rule(Cursor r, Direction dir, boolean deny, String namespace) {
    boolean ingress = dir == Direction.INGRESS;
    Cursor.Fields f = r.fields(ingress ? INGRESS : EGRESS);
    refuseUnsupported(f);
    PeerFields names = ingress ? FROM : TO;
    List<Peer> peers = new ArrayList<>();
    boolean hasL3 = false;
    if (f.has(names.endpoints)) {
      hasL3 = true;
      for (Cursor s : f.list(names.endpoints)) {
        LabelSelector sel = Selectors.decode(s);
        if (namespace != null && !sel.requires(SecurityLabels.NAMESPACE)) {
          sel = sel.and(SecurityLabels.NAMESPACE, namespace); // policy.md: own namespace by default
        }
        peers.add(new Peer.Endpoints(sel));
      }
    }
    if (f.has(names.cidr)) {
      hasL3 = true;
      for (Cursor c : f.list(names.cidr)) {
        peers.add(new Peer.Cidrs(cidr(c), List.of()));
      }
    }
    if (f.has(names.cidrSet)) {
      hasL3 = true;
      for (Cursor c : f.list(names.cidrSet)) {
        Cursor.Fields set = c.fields(CIDR_SET);
        if (set.has("cidrGroupRef")) {
          throw set.required("cidrGroupRef")
              .error("cidrGroupRef is not supported by Hivewall; list the CIDRs");
        }
        Cidr base = cidr(set.required("cidr"));
        List<Cidr> except = new ArrayList<>();
        for (Cursor e : set.list("except")) {
          Cidr ex = cidr(e);
          if (!base.contains(ex)) {
            throw e.error(ex + " is not inside " + base + ": an exception must narrow the cidr");
          }
          except.add(ex);
        }
        peers.add(new Peer.Cidrs(base, except));
      }
    }
    if (f.has(names.entities)) {
      hasL3 = true;
      for (Cursor e : f.list(names.entities)) {
        String n = e.string();
        Entity entity =
            Entity.parse(n)
                .orElseThrow(
                    () ->
                        e.error(
                            "unknown entity '"
                                + n
                                + "' (supported: world, host, remote-node, cluster, health, init, unmanaged, all)"));
        peers.add(new Peer.Entities(entity));
      }
    }
    List<PortProtocol> ports = new ArrayList<>();
    List<List<PortProtocol>> entryPorts = new ArrayList<>();
    List<List<HttpRule>> entryHttp = new ArrayList<>();
    boolean hasL4 = false;
    for (Cursor tp : f.list("toPorts")) {
      hasL4 = true;
      Cursor.Fields pf = tp.fields(PORT_RULE);
      pf.firstOf(PORT_RULE_UNSUPPORTED)
          .ifPresent(
              name -> {
                throw pf.required(name).error(name + " is not supported by Hivewall");
              });
      List<PortProtocol> these = new ArrayList<>();
      List<Cursor> list = pf.list("ports");
      if (list.isEmpty()) {
        these.add(PortProtocol.of(0, Protocol.ANY));
      }
      for (Cursor p : list) {
        these.add(portProtocol(p));
      }
      List<HttpRule> http = List.of();
      Optional<Cursor> l7 = pf.get("rules").filter(c -> !c.isNull());
      if (l7.isPresent()) {
        if (deny) {
          throw l7.get().error("deny rules cannot have L7 rules (as in Cilium)");
        }
        http = HttpRules.decode(l7.get());
        if (!http.isEmpty()) {
          HttpRules.checkPorts(pf, these);
        }
      }
      ports.addAll(these);
      entryPorts.add(these);
      entryHttp.add(http);
    }
    List<PortProtocol> icmps = new ArrayList<>();
    for (Cursor icmp : f.list("icmps")) {
      hasL4 = true;
      for (Cursor field : icmp.fields(Set.of("fields")).list("fields")) {
        icmps.add(Icmp.decode(field));
      }
    }
    // Cilium: L4 without L3 applies to every peer; a rule with neither matches nothing.
    boolean anyPeer = !hasL3 && hasL4;
    if (!hasHttp(entryHttp)) {
      ports.addAll(icmps);
      return List.of(new PolicyRule(dir, deny, anyPeer, peers, ports));
    }
    List<PolicyRule> out = new ArrayList<>();
    for (int i = 0; i < entryPorts.size(); i++) {
      out.add(new PolicyRule(dir, deny, anyPeer, peers, entryPorts.get(i), entryHttp.get(i)));
    }
    if (!icmps.isEmpty()) {
      out.add(new PolicyRule(dir, deny, anyPeer, peers, icmps));
    }
    return out;
  }

  private static PortProtocol portProtocol(Cursor p) {
    Cursor.Fields f = p.fields(PORT);
    Protocol protocol = PortNames.protocol(f, Protocol.ANY, true);
    Cursor portCursor = f.required("port");
    Optional<PortProtocol> named = PortNames.named(portCursor, f, protocol);
    if (named.isPresent()) {
      return named.get();
    }
    int port = portCursor.integer("a port", 0, PortProtocol.MAX_PORT);
    int end = 0;
    if (f.has("endPort") && !f.required("endPort").isNull()) {
      end = f.required("endPort").integer("a port", 0, PortProtocol.MAX_PORT);
      if (end != 0 && end < port) {
        throw f.required("endPort").error("endPort " + end + " is below port " + port);
      }
      if (port == 0 && end != 0) {
        throw f.required("endPort").error("endPort needs a port to start from");
      }
    }
    return new PortProtocol(port, end == port ? 0 : end, "", protocol);
  }

  private static Cidr cidr(Cursor c) {
    try {
      return Cidr.parse(c.string());
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }

  private static void refuseUnsupported(Cursor.Fields f) {
    f.firstOf(UNSUPPORTED)
        .ifPresent(
            name -> {
              throw f.required(name).error(name + " is not supported by Hivewall");
            });
  }
}
