package dev.hivewall.core.policy.api;

import dev.hivewall.core.policy.yaml.Cursor;
import dev.hivewall.core.policy.yaml.YamlNode;
import dev.hivewall.core.policy.yaml.YamlReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a policy file (multi-document YAML or JSON) into policies, all or nothing: the first
 * problem throws a {@link PolicyException} naming the file, line, field path and fix, and nothing
 * of the file is returned.
 */
public final class PolicyParser {
  private static final String DNS1123 =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  private PolicyParser() {}

  /** {@code defaultNamespace} is where namespaced policies without metadata.namespace go. */
  public static List<Policy> parse(String source, String text, String defaultNamespace) {
    return parse(source, YamlReader.readAll(source, text), defaultNamespace, null);
  }

  /** Receives the rule lists of the policy at {@code index} of the result. */
  interface Lists {
    CiliumPolicyDecoder.RuleListSink of(int index);
  }

  static List<Policy> parse(
      String source, List<YamlNode> docs, String defaultNamespace, Lists lists) {
    List<Policy> out = new ArrayList<>();
    Set<PolicyName> seen = new HashSet<>();
    if (docs.isEmpty()) {
      throw new PolicyException(source, 0, "", "no policy in the input");
    }
    for (YamlNode node : docs) {
      document(new Cursor(source, node, ""), defaultNamespace, lists, out, seen);
    }
    return out;
  }

  private static final Set<String> METADATA =
      Set.of(
          "name",
          "namespace",
          "labels",
          "annotations",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "managedFields",
          "selfLink",
          "finalizers",
          "ownerReferences");

  /** One document: a policy, or a list of them (Kubernetes' List, NetworkPolicyList). */
  private static void document(
      Cursor doc, String defaultNamespace, Lists lists, List<Policy> out, Set<PolicyName> seen) {
    Cursor.Fields head =
        doc.fields(Set.of("apiVersion", "kind", "metadata", "spec", "specs", "status", "items"));
    String apiVersion = head.required("apiVersion").string();
    String kind = head.required("kind").string();
    boolean cilium = apiVersion.equals(CiliumPolicyDecoder.API_VERSION);
    boolean kubernetes = apiVersion.equals(KubernetesPolicyDecoder.API_VERSION);
    if ((kind.equals("List") && apiVersion.equals("v1"))
        || (kind.equals("NetworkPolicyList") && kubernetes)) {
      doc.fields(Set.of("apiVersion", "kind", "metadata", "items"));
      for (Cursor item : head.list("items")) {
        document(item, defaultNamespace, lists, out, seen);
      }
      return;
    }
    if (!cilium && !kubernetes) {
      throw head.required("apiVersion")
          .error(
              "apiVersion '"
                  + apiVersion
                  + "' is not supported (cilium.io/v2, networking.k8s.io/v1, or v1 for a List)");
    }
    boolean known =
        cilium
            ? kind.equals(CiliumPolicyDecoder.CNP) || kind.equals(CiliumPolicyDecoder.CCNP)
            : kind.equals(KubernetesPolicyDecoder.KIND);
    if (!known) {
      throw head.required("kind")
          .error(
              "kind '"
                  + kind
                  + "' is not a policy of "
                  + apiVersion
                  + (cilium
                      ? " (CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy)"
                      : " (NetworkPolicy, NetworkPolicyList)"));
    }
    Cursor.Fields meta = head.required("metadata").fields(METADATA);
    String name = meta.required("name").string();
    if (name.length() > 253 || !name.matches(DNS1123)) {
      throw meta.required("name")
          .error(
              "'"
                  + name
                  + "' is not a valid name (lowercase"
                  + " letters, digits, '-' and '.', starting and ending with a letter or digit)");
    }
    boolean clusterwide = kind.equals(CiliumPolicyDecoder.CCNP);
    String namespace = "";
    if (clusterwide) {
      if (meta.has("namespace")) {
        throw meta.required("namespace")
            .error("a CiliumClusterwideNetworkPolicy has no namespace; remove metadata.namespace");
      }
    } else {
      namespace =
          meta.get("namespace")
              .filter(c -> !c.isNull())
              .map(Cursor::string)
              .orElse(defaultNamespace);
      if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || namespace.length() > 63) {
        throw meta.required("namespace").error("'" + namespace + "' is not a valid namespace name");
      }
    }
    Policy policy =
        cilium
            ? CiliumPolicyDecoder.decode(
                doc, kind, namespace, name, lists == null ? null : lists.of(out.size()))
            : KubernetesPolicyDecoder.decode(doc, namespace, name);
    if (!seen.add(policy.name())) {
      throw meta.required("name").error("policy " + policy.name() + " appears twice in this input");
    }
    out.add(policy);
  }
}
