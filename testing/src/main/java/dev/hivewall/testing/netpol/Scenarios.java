package dev.hivewall.testing.netpol;

import static dev.hivewall.testing.netpol.Scenario.Probe.TCP_80;
import static dev.hivewall.testing.netpol.Scenario.Probe.TCP_81;
import static dev.hivewall.testing.netpol.Scenario.Probe.UDP_80;
import static dev.hivewall.testing.netpol.Scenario.Probe.UDP_81;

import dev.hivewall.testing.netpol.Scenario.Apply;
import dev.hivewall.testing.netpol.Scenario.Delete;
import dev.hivewall.testing.netpol.Scenario.Expect;
import dev.hivewall.testing.netpol.Scenario.LabelNamespace;
import dev.hivewall.testing.netpol.Scenario.LabelPod;
import dev.hivewall.testing.netpol.Scenario.Probe;
import dev.hivewall.testing.netpol.Scenario.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kubernetes network-policy conformance scenarios (the behaviours the upstream e2e suite
 * checks, test/e2e/network/netpol), written as Hivewall's own data: policies, steps and the truth
 * table expected after each. Named as upstream names them, so a reader can compare.
 */
public final class Scenarios {
  private Scenarios() {}

  /** A NetworkPolicy document; {@code spec} in YAML flow style. */
  static String np(String ns, String name, String spec) {
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec: "
        + spec
        + "\n";
  }

  private static Scenario s(String name, Step... steps) {
    return new Scenario(name, List.of(steps));
  }

  private static Apply apply(String... docs) {
    return new Apply(String.join("---\n", docs));
  }

  private static Expect expect(Probe p, Reachability r) {
    return new Expect(p, r);
  }

  /** Nothing reaches {@code to} but {@code from}s. */
  private static Reachability onlyFrom(String to, String... from) {
    Reachability r = Reachability.all().into(to, false);
    for (String f : from) {
      r.set(f, to, true);
    }
    return r;
  }

  public static List<Scenario> all() {
    List<Scenario> out = new ArrayList<>();
    out.add(
        s(
            "should support a 'default-deny-ingress' policy",
            apply(np("x", "deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}")),
            expect(
                TCP_80,
                Reachability.all().into("x/a", false).into("x/b", false).into("x/c", false))));
    out.add(
        s(
            "should support a 'default-deny-all' policy",
            apply(np("x", "deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}")),
            expect(
                TCP_80,
                Reachability.all()
                    .into("x/a", false)
                    .into("x/b", false)
                    .into("x/c", false)
                    .outOf("x/a", false)
                    .outOf("x/b", false)
                    .outOf("x/c", false))));
    out.add(
        s(
            "should enforce policy to allow traffic from pods within server namespace based on"
                + " PodSelector",
            apply(
                np(
                    "x",
                    "allow-x-b",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchLabels: {pod: b}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "x/b"))));
    out.add(
        s(
            "should enforce policy to allow ingress traffic for a target",
            apply(
                np("x", "deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}"),
                np("x", "allow-all-to-a", "{podSelector: {matchLabels: {pod: a}}, ingress: [{}]}")),
            expect(TCP_80, Reachability.all().into("x/b", false).into("x/c", false))));
    out.add(
        s(
            "should enforce policy to allow ingress traffic from pods in all namespaces",
            apply(
                np(
                    "x",
                    "allow-all-namespaces",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {}}]}]}")),
            expect(TCP_80, Reachability.all())));
    out.add(
        s(
            "should enforce policy to allow traffic only from a different namespace, based on"
                + " NamespaceSelector",
            apply(
                np(
                    "x",
                    "allow-other-namespaces",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}}]}]}")),
            expect(TCP_80, Reachability.all().set("x/b", "x/a", false).set("x/c", "x/a", false))));
    out.add(
        s(
            "should enforce policy based on PodSelector with MatchExpressions",
            apply(
                np(
                    "x",
                    "allow-in-b",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "x/b"))));
    out.add(
        s(
            "should enforce policy based on NamespaceSelector with MatchExpressions",
            apply(
                np(
                    "x",
                    "allow-ns-y",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchExpressions: [{key: ns, operator: In, values: [y]}]}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "should enforce policy based on PodSelector or NamespaceSelector",
            apply(
                np(
                    "x",
                    "pod-or-ns",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: ["
                        + "{podSelector: {matchExpressions: [{key: pod, operator: NotIn, values:"
                        + " [a]}]}}, {namespaceSelector: {matchExpressions: [{key: ns, operator:"
                        + " NotIn, values: [x]}]}}]}]}")),
            expect(TCP_80, Reachability.all())));
    out.add(
        s(
            "should enforce policy based on PodSelector and NamespaceSelector",
            apply(
                np(
                    "x",
                    "pod-and-ns",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchExpressions: [{key: pod, operator: NotIn, values: [a]}]},"
                        + " namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn,"
                        + " values: [x]}]}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/b", "y/c", "z/b", "z/c"))));
    out.add(
        s(
            "should enforce policy based on Multiple PodSelectors and NamespaceSelectors",
            apply(
                np(
                    "x",
                    "multi",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]},"
                        + " podSelector: {matchExpressions: [{key: pod, operator: In, values: [b,"
                        + " c]}]}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/b", "y/c", "z/b", "z/c"))));
    out.add(
        s(
            "should enforce policy based on any PodSelectors",
            apply(
                np(
                    "x",
                    "any-pod",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchLabels: {pod: b}}}, {podSelector: {matchLabels: {pod: c}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "x/b", "x/c"))));
    out.add(
        s(
            "should enforce policy to allow traffic only from a pod in a different namespace based"
                + " on PodSelector and NamespaceSelector",
            apply(
                np(
                    "x",
                    "y-a-only",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/a"))));
    out.add(
        s(
            "should enforce policy based on Ports",
            apply(
                np(
                    "x",
                    "ns-y-on-81",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}}], ports: [{port: 81}]}]}")),
            expect(TCP_80, onlyFrom("x/a")),
            expect(TCP_81, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "should enforce multiple, stacked policies with overlapping podSelectors",
            apply(
                np(
                    "x",
                    "ns-y-on-81",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}}], ports: [{port: 81}]}]}"),
                np(
                    "x",
                    "ns-y-on-80",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}}], ports: [{port: 80}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/a", "y/b", "y/c")),
            expect(TCP_81, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "should support allow-all policy",
            apply(np("x", "allow-all", "{podSelector: {}, ingress: [{}]}")),
            expect(TCP_80, Reachability.all()),
            expect(TCP_81, Reachability.all())));
    out.add(
        s(
            "should allow ingress access on one named port",
            apply(
                np(
                    "x",
                    "named-81",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port:"
                        + " serve-81-tcp}]}]}")),
            expect(TCP_80, onlyFrom("x/a")),
            expect(TCP_81, Reachability.all())));
    out.add(
        s(
            "should allow ingress access from namespace on one named port",
            apply(
                np(
                    "x",
                    "ns-y-named-80",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}}], ports: [{port: serve-80-tcp}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/a", "y/b", "y/c")),
            expect(TCP_81, onlyFrom("x/a"))));
    out.add(
        s(
            "should allow egress access on one named port",
            apply(
                np(
                    "x",
                    "egress-named-80",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress:"
                        + " [{ports: [{port: serve-80-tcp}]}]}")),
            expect(TCP_80, Reachability.all()),
            expect(TCP_81, Reachability.all().outOf("x/a", false))));
    out.add(
        s(
            "should enforce updated policy",
            apply(
                np(
                    "x",
                    "updated",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port: 81}]}]}")),
            expect(TCP_81, Reachability.all()),
            apply(
                np(
                    "x",
                    "updated",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port:"
                        + " serve-80-tcp}]}]}")),
            expect(TCP_81, onlyFrom("x/a")),
            expect(TCP_80, Reachability.all())));
    out.add(
        s(
            "should allow ingress access from updated namespace",
            apply(
                np(
                    "x",
                    "from-updated-ns",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns2: updated}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a")),
            new LabelNamespace("y", "ns2", "updated"),
            expect(TCP_80, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "should allow ingress access from updated pod",
            apply(
                np(
                    "x",
                    "from-updated-pod",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchLabels: {pod: b, pod2: updated}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a")),
            new LabelPod("x/b", "pod2", "updated"),
            expect(TCP_80, onlyFrom("x/a", "x/b"))));
    out.add(
        s(
            "should deny ingress from pods on other namespaces",
            apply(
                np(
                    "x",
                    "same-ns-only",
                    "{podSelector: {}, ingress: [{from: [{podSelector: {}}]}]}")),
            expect(
                TCP_80,
                Reachability.all()
                    .fromNamespace("y", "x/a", false)
                    .fromNamespace("y", "x/b", false)
                    .fromNamespace("y", "x/c", false)
                    .fromNamespace("z", "x/a", false)
                    .fromNamespace("z", "x/b", false)
                    .fromNamespace("z", "x/c", false))));
    out.add(
        s(
            "should deny ingress access to updated pod",
            apply(
                np(
                    "x",
                    "isolate-target",
                    "{podSelector: {matchLabels: {target: isolated}}, policyTypes: [Ingress]}")),
            expect(TCP_80, Reachability.all()),
            new LabelPod("x/a", "target", "isolated"),
            expect(TCP_80, onlyFrom("x/a"))));
    out.add(
        s(
            "should deny egress from all pods in a namespace",
            apply(np("x", "deny-egress", "{podSelector: {}, policyTypes: [Egress]}")),
            expect(
                TCP_80,
                Reachability.all().outOf("x/a", false).outOf("x/b", false).outOf("x/c", false))));
    out.add(
        s(
            "should deny egress from pods based on PodSelector",
            apply(
                np(
                    "x",
                    "deny-egress-a",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}")),
            expect(TCP_80, Reachability.all().outOf("x/a", false))));
    out.add(
        s(
            "should work with Ingress, Egress specified together",
            apply(
                np(
                    "x",
                    "both",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress, Egress],"
                        + " ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}], egress:"
                        + " [{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]}")),
            expect(
                TCP_80, onlyFrom("x/a", "x/b").outOf("x/a", false).toNamespace("x/a", "y", true))));
    out.add(
        s(
            "should support denying of egress traffic on the client side (even if the server"
                + " explicitly allows this traffic)",
            apply(
                np(
                    "x",
                    "deny-egress-a",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes:" + " [Egress]}"),
                np("y", "allow-all-in", "{podSelector: {}, ingress: [{}]}")),
            expect(TCP_80, Reachability.all().outOf("x/a", false))));
    out.add(
        s(
            "should enforce egress policy allowing traffic to a server in a different namespace"
                + " based on PodSelector and NamespaceSelector",
            apply(
                np(
                    "x",
                    "to-y-a",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress: [{to:"
                        + " [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels:"
                        + " {pod: a}}}]}]}")),
            expect(TCP_80, Reachability.all().outOf("x/a", false).set("x/a", "y/a", true))));
    out.add(
        s(
            "should enforce ingress policy allowing any port traffic to a server on a specific"
                + " protocol",
            apply(
                np(
                    "x",
                    "tcp-only",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{protocol:"
                        + " TCP}]}]}")),
            expect(TCP_80, Reachability.all()),
            expect(TCP_81, Reachability.all()),
            expect(UDP_80, onlyFrom("x/a"))));
    out.add(
        s(
            "should enforce multiple ingress policies with ingress allow-all policy taking"
                + " precedence",
            apply(
                np(
                    "x",
                    "only-80",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port: 80}]}]}")),
            expect(TCP_81, onlyFrom("x/a")),
            apply(np("x", "allow-all-in", "{podSelector: {matchLabels: {pod: a}}, ingress: [{}]}")),
            expect(TCP_81, Reachability.all())));
    out.add(
        s(
            "should enforce multiple egress policies with egress allow-all policy taking"
                + " precedence",
            apply(
                np(
                    "x",
                    "only-80-out",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress:"
                        + " [{ports: [{port: 80}]}]}")),
            expect(TCP_81, Reachability.all().outOf("x/a", false)),
            apply(
                np(
                    "x",
                    "allow-all-out",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress:"
                        + " [{}]}")),
            expect(TCP_81, Reachability.all())));
    out.add(
        s(
            "should stop enforcing policies after they are deleted",
            apply(np("x", "deny-all", "{podSelector: {}, policyTypes: [Ingress, Egress]}")),
            expect(
                TCP_80,
                Reachability.all()
                    .into("x/a", false)
                    .into("x/b", false)
                    .into("x/c", false)
                    .outOf("x/a", false)
                    .outOf("x/b", false)
                    .outOf("x/c", false)),
            new Delete("x", "deny-all"),
            expect(TCP_80, Reachability.all())));
    out.add(
        s(
            "should allow egress access to server in CIDR block",
            apply(
                np(
                    "x",
                    "egress-cidr",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress: [{to:"
                        + " [{ipBlock: {cidr: '${y/b}/32'}}]}]}")),
            expect(TCP_80, Reachability.all().outOf("x/a", false).set("x/a", "y/b", true))));
    out.add(
        s(
            "should enforce except clause while egress access to server in CIDR block",
            apply(
                np(
                    "x",
                    "egress-except",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress: [{to:"
                        + " [{ipBlock: {cidr: '${podCIDR}', except: ['${y/b}/32']}}]}]}")),
            expect(TCP_80, Reachability.all().set("x/a", "y/b", false))));
    out.add(
        s(
            "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
            apply(
                np(
                    "x",
                    "egress-except",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress: [{to:"
                        + " [{ipBlock: {cidr: '${podCIDR}', except: ['${y/b}/32']}}]}]}")),
            expect(TCP_80, Reachability.all().set("x/a", "y/b", false)),
            apply(
                np(
                    "x",
                    "egress-y-b",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress: [{to:"
                        + " [{ipBlock: {cidr: '${y/b}/32'}}]}]}")),
            expect(TCP_80, Reachability.all())));
    out.add(
        s(
            "should allow ingress from a CIDR block of the pods (ipBlock selects pods)",
            apply(
                np(
                    "x",
                    "ingress-cidr",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{ipBlock: {cidr:"
                        + " '${z/c}/32'}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "z/c"))));
    out.add(
        s(
            "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP'",
            apply(
                np(
                    "x",
                    "sctp-80",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{protocol: SCTP,"
                        + " port: 80}]}]}")),
            expect(TCP_80, onlyFrom("x/a"))));
    out.add(
        s(
            "should not allow access by TCP when a policy specifies only UDP",
            apply(
                np(
                    "x",
                    "udp-81",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{protocol: UDP,"
                        + " port: 81}]}]}")),
            expect(TCP_81, onlyFrom("x/a")),
            expect(UDP_81, Reachability.all())));
    out.add(
        s(
            "should enforce policy to allow traffic based on NamespaceSelector with MatchLabels"
                + " using default ns label",
            apply(
                np(
                    "x",
                    "default-ns-label",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {kubernetes.io/metadata.name: y}}}]}]}")),
            expect(TCP_80, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "should enforce policy based on NamespaceSelector with MatchExpressions using default"
                + " ns label",
            apply(
                np(
                    "x",
                    "default-ns-expr",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn,"
                        + " values: [y]}]}}]}]}")),
            expect(TCP_80, Reachability.all().fromNamespace("y", "x/a", false))));
    out.add(
        s(
            "should support a port range (endPort)",
            apply(
                np(
                    "x",
                    "range",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{port: 79, endPort:"
                        + " 80}]}]}")),
            expect(TCP_80, Reachability.all()),
            expect(TCP_81, onlyFrom("x/a"))));
    out.add(
        s(
            "should allow UDP on a named port and nothing else",
            apply(
                np(
                    "x",
                    "udp-named",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{protocol: UDP,"
                        + " port: serve-80-udp}]}]}")),
            expect(UDP_80, Reachability.all()),
            expect(UDP_81, onlyFrom("x/a")),
            expect(TCP_80, onlyFrom("x/a"))));
    out.add(
        s(
            "should read a List of policies and re-evaluate a relabeled namespace",
            apply(
                "apiVersion: v1\nkind: List\nitems:\n- "
                    + np(
                            "x",
                            "in-from-team",
                            "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels:"
                                + " {team: blue}}}]}]}")
                        .replace("\n", "\n  ")
                        .strip()),
            expect(
                TCP_80,
                Reachability.all()
                    .fromNamespace("x", "x/a", false)
                    .fromNamespace("y", "x/a", false)
                    .fromNamespace("z", "x/a", false)
                    .fromNamespace("x", "x/b", false)
                    .fromNamespace("y", "x/b", false)
                    .fromNamespace("z", "x/b", false)
                    .fromNamespace("x", "x/c", false)
                    .fromNamespace("y", "x/c", false)
                    .fromNamespace("z", "x/c", false)),
            new LabelNamespace("z", "team", "blue"),
            expect(
                TCP_80,
                Reachability.all()
                    .fromNamespace("x", "x/a", false)
                    .fromNamespace("y", "x/a", false)
                    .fromNamespace("x", "x/b", false)
                    .fromNamespace("y", "x/b", false)
                    .fromNamespace("x", "x/c", false)
                    .fromNamespace("y", "x/c", false)),
            new LabelNamespace("z", "team", null),
            expect(
                TCP_80,
                Reachability.all().into("x/a", false).into("x/b", false).into("x/c", false))));
    out.add(
        s(
            "should enforce policies to check ingress and egress policies can be controlled"
                + " independently based on PodSelector",
            apply(
                np(
                    "x",
                    "a-no-egress",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}"),
                np(
                    "x",
                    "b-from-a",
                    "{podSelector: {matchLabels: {pod: b}}, ingress: [{from: [{podSelector:"
                        + " {matchLabels: {pod: a}}}]}]}")),
            expect(TCP_80, onlyFrom("x/b").outOf("x/a", false))));
    out.add(
        s(
            "should properly isolate pods that are selected by a policy allowing SCTP",
            apply(
                np(
                    "x",
                    "sctp-only",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{ports: [{protocol: SCTP,"
                        + " port: 80}]}]}")),
            expect(TCP_81, onlyFrom("x/a")),
            expect(UDP_80, onlyFrom("x/a"))));
    out.add(
        s(
            "UDP: should support a 'default-deny-ingress' policy",
            apply(np("x", "deny-ingress", "{podSelector: {}, policyTypes: [Ingress]}")),
            expect(
                UDP_80,
                Reachability.all().into("x/a", false).into("x/b", false).into("x/c", false))));
    out.add(
        s(
            "UDP: should enforce policy based on Ports",
            apply(
                np(
                    "x",
                    "ns-y-udp-81",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}}], ports: [{protocol: UDP, port: 81}]}]}")),
            expect(UDP_80, onlyFrom("x/a")),
            expect(UDP_81, onlyFrom("x/a", "y/a", "y/b", "y/c"))));
    out.add(
        s(
            "UDP: should enforce policy to allow traffic only from a pod in a different namespace"
                + " based on PodSelector and NamespaceSelector",
            apply(
                np(
                    "x",
                    "y-a-udp",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{namespaceSelector:"
                        + " {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]}]}")),
            expect(UDP_80, onlyFrom("x/a", "y/a"))));
    out.add(
        s(
            "should support an egress policy with a port range (endPort)",
            apply(
                np(
                    "x",
                    "egress-range",
                    "{podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress], egress:"
                        + " [{to: [{namespaceSelector: {matchLabels: {ns: z}}}], ports: [{port: 81,"
                        + " endPort: 90}]}]}")),
            expect(TCP_80, Reachability.all().outOf("x/a", false)),
            expect(TCP_81, Reachability.all().outOf("x/a", false).toNamespace("x/a", "z", true))));
    out.add(
        s(
            "should stop admitting a pod relabeled out of a selector",
            apply(
                np(
                    "x",
                    "from-b",
                    "{podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector:"
                        + " {matchLabels: {role: client}}}]}]}")),
            new LabelPod("x/b", "role", "client"),
            expect(TCP_80, onlyFrom("x/a", "x/b")),
            new LabelPod("x/b", "role", null),
            expect(TCP_80, onlyFrom("x/a"))));
    return out;
  }
}
