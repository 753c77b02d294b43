package dev.hivewall.core.policy.api;

import dev.hivewall.core.identity.SecurityLabels;
import dev.hivewall.core.labels.LabelSelector;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.policy.yaml.Cursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes {@code networking.k8s.io/v1} NetworkPolicy into {@link Policy}, with the meaning
 * Kubernetes gives it (policy.md; the Kubernetes API reference and its e2e tests):
 *
 * <ul>
 *   <li>{@code podSelector} selects pods of the policy's namespace ({@code {}}: all of them).
 *   <li>{@code policyTypes} absent: Ingress, plus Egress when {@code egress} has rules. A listed
 *       type makes that direction default-deny for the selected pods, rules or not; rules of a
 *       direction not listed are ignored (as Kubernetes does), with a warning.
 *   <li>A rule's {@code from}/{@code to} absent or empty: every peer; {@code ports} absent or
 *       empty: every port and protocol. So {@code - {}} allows everything (unlike Cilium's).
 *   <li>A peer: {@code podSelector} (pods of the policy's namespace), {@code namespaceSelector}
 *       (all pods of the namespaces it selects; {@code {}}: every namespace), both (pods of those
 *       namespaces that the podSelector selects), or {@code ipBlock} (addresses, pods included).
 *   <li>A port: {@code protocol} (TCP when absent, UDP, SCTP), {@code port} a number or a name (the
 *       destination pod's named port), absent: every port of the protocol; {@code endPort}.
 * </ul>
 *
 * Unknown fields are refused; an IPv6 ipBlock (Hivewall enforces IPv4) is left out with a warning:
 * an allow of nothing more is safe, and an IPv6 {@code except} of an IPv4 block excepts nothing.
 */
final class KubernetesPolicyDecoder {
  static final String API_VERSION = "networking.k8s.io/v1";
  static final String KIND = "NetworkPolicy";

  private static final Set<String> SPEC = Set.of("podSelector", "policyTypes", "ingress", "egress");
  private static final Set<String> PEER = Set.of("podSelector", "namespaceSelector", "ipBlock");
  private static final Set<String> IP_BLOCK = Set.of("cidr", "except");
  private static final Set<String> PORT = Set.of("protocol", "port", "endPort");

  private KubernetesPolicyDecoder() {}

  static Policy decode(Cursor doc, String namespace, String name) {
    Cursor.Fields top = doc.fields(Set.of("apiVersion", "kind", "metadata", "spec", "status"));
    Cursor spec = top.get("spec").orElseThrow(() -> doc.error("missing 'spec'"));
    Cursor.Fields f = spec.fields(SPEC);
    List<String> warnings = new ArrayList<>();
    LabelSelector subject =
        f.get("podSelector")
            .map(Selectors::decode)
            .orElseThrow(() -> spec.error("missing 'podSelector' ({} selects every pod)"))
            .and(SecurityLabels.NAMESPACE, namespace);
    boolean ingress;
    boolean egress;
    Optional<Cursor> types = f.get("policyTypes").filter(c -> !c.isNull());
    if (types.isEmpty() || types.get().list().isEmpty()) {
      ingress = true; // Kubernetes' defaulting
      egress = !f.list("egress").isEmpty();
    } else {
      ingress = false;
      egress = false;
      for (Cursor t : types.get().list()) {
        switch (t.string()) {
          case "Ingress" -> ingress = true;
          case "Egress" -> egress = true;
          default -> throw t.error("'" + t.string() + "' is not a policy type (Ingress or Egress)");
        }
      }
    }
    List<PolicyRule> rules = new ArrayList<>();
    if (ingress) {
      for (Cursor r : f.list("ingress")) {
        rules.add(rule(r, Direction.INGRESS, namespace, warnings));
      }
    } else if (!f.list("ingress").isEmpty()) {
      warnings.add(
          "policy "
              + namespace
              + "/"
              + name
              + ": its ingress rules are ignored, policyTypes does not list Ingress");
    }
    if (egress) {
      for (Cursor r : f.list("egress")) {
        rules.add(rule(r, Direction.EGRESS, namespace, warnings));
      }
    } else if (!f.list("egress").isEmpty()) {
      warnings.add(
          "policy "
              + namespace
              + "/"
              + name
              + ": its egress rules are ignored, policyTypes does not list Egress");
    }
    return new Policy(
        new PolicyName(namespace, name),
        KIND,
        subject,
        rules,
        Optional.of(ingress),
        Optional.of(egress),
        "",
        warnings);
  }

  private static PolicyRule rule(Cursor r, Direction dir, String namespace, List<String> warnings) {
    String peersKey = dir == Direction.INGRESS ? "from" : "to";
    Cursor.Fields f = r.fields(Set.of(peersKey, "ports"));
    List<Peer> peers = new ArrayList<>();
    List<Cursor> peerList = f.list(peersKey);
    for (Cursor p : peerList) {
      peer(p, namespace, warnings).ifPresent(peers::add);
    }
    List<PortProtocol> ports = new ArrayList<>();
    for (Cursor p : f.list("ports")) {
      ports.add(port(p));
    }
    // Absent or empty from/to: every peer. Peers given but all left out (IPv6): none.
    boolean anyPeer = peerList.isEmpty();
    return new PolicyRule(dir, false, anyPeer, peers, ports);
  }

  private static Optional<Peer> peer(Cursor p, String namespace, List<String> warnings) {
    Cursor.Fields f = p.fields(PEER);
    boolean pods = f.has("podSelector") && !f.required("podSelector").isNull();
    boolean namespaces = f.has("namespaceSelector") && !f.required("namespaceSelector").isNull();
    boolean block = f.has("ipBlock") && !f.required("ipBlock").isNull();
    if (block && (pods || namespaces)) {
      throw p.error("a peer is an ipBlock or pod/namespace selectors, not both");
    }
    if (block) {
      return ipBlock(f.required("ipBlock"), warnings);
    }
    if (!pods && !namespaces) {
      throw p.error("a peer needs podSelector, namespaceSelector or ipBlock");
    }
    LabelSelector podPart = pods ? Selectors.decode(f.required("podSelector")) : LabelSelector.ALL;
    LabelSelector selector =
        namespaces
            ? podPart.and(
                Selectors.decode(f.required("namespaceSelector"))
                    .prefixed(SecurityLabels.NAMESPACE_LABEL_PREFIX))
            : podPart.and(SecurityLabels.NAMESPACE, namespace);
    return Optional.of(new Peer.Endpoints(selector));
  }

  private static Optional<Peer> ipBlock(Cursor c, List<String> warnings) {
    Cursor.Fields f = c.fields(IP_BLOCK);
    String text = f.required("cidr").string();
    if (text.contains(":")) {
      warnings.add("ipBlock " + text + " left out: Hivewall enforces IPv4 only");
      return Optional.empty();
    }
    Cidr base = cidr(f.required("cidr"));
    List<Cidr> except = new ArrayList<>();
    for (Cursor e : f.list("except")) {
      if (e.string().contains(":")) {
        continue; // an IPv6 exception of an IPv4 block excepts nothing
      }
      Cidr ex = cidr(e);
      if (!base.contains(ex)) {
        throw e.error(ex + " is not inside " + base + ": an exception must narrow the cidr");
      }
      except.add(ex);
    }
    return Optional.of(new Peer.Cidrs(base, except, true));
  }

  private static PortProtocol port(Cursor p) {
    Cursor.Fields f = p.fields(PORT);
    Protocol protocol = PortNames.protocol(f, Protocol.TCP, false); // Kubernetes' default: TCP
    if (!f.has("port") || f.required("port").isNull()) {
      if (f.has("endPort") && !f.required("endPort").isNull()) {
        throw f.required("endPort").error("endPort needs a port to start from");
      }
      return PortProtocol.of(0, protocol); // every port of the protocol
    }
    Cursor portCursor = f.required("port");
    Optional<PortProtocol> named = PortNames.named(portCursor, f, protocol);
    if (named.isPresent()) {
      return named.get();
    }
    int port = portCursor.integer("a port", 1, PortProtocol.MAX_PORT);
    int end = port;
    if (f.has("endPort") && !f.required("endPort").isNull()) {
      end = f.required("endPort").integer("a port", 1, PortProtocol.MAX_PORT);
      if (end < port) {
        throw f.required("endPort").error("endPort " + end + " is below port " + port);
      }
    }
    return PortProtocol.range(port, end, protocol);
  }

  private static Cidr cidr(Cursor c) {
    try {
      return Cidr.parse(c.string());
    } catch (IllegalArgumentException e) {
      throw c.error(e.getMessage());
    }
  }
}
