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
      Cursor doc = new Cursor(source, node, "");
      Cursor.Fields top = doc.fields(Set.of("apiVersion", "kind", "metadata", "spec", "specs"));
      String apiVersion = top.required("apiVersion").string();
      String kind = top.required("kind").string();
      if (!apiVersion.equals(CiliumPolicyDecoder.API_VERSION)) {
        throw top.required("apiVersion")
            .error(
                "apiVersion '"
                    + apiVersion
                    + "' is not supported (cilium.io/v2; networking.k8s.io/v1 comes with NetworkPolicy support)");
      }
      if (!kind.equals(CiliumPolicyDecoder.CNP) && !kind.equals(CiliumPolicyDecoder.CCNP)) {
        throw top.required("kind")
            .error(
                "kind '"
                    + kind
                    + "' is not a policy (CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy)");
      }
      Cursor.Fields meta =
          top.required("metadata")
              .fields(
                  Set.of(
                      "name",
                      "namespace",
                      "labels",
                      "annotations",
                      "uid",
                      "resourceVersion",
                      "generation",
                      "creationTimestamp"));
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
              .error(
                  "a CiliumClusterwideNetworkPolicy has no namespace; remove metadata.namespace");
        }
      } else {
        namespace =
            meta.get("namespace")
                .filter(c -> !c.isNull())
                .map(Cursor::string)
                .orElse(defaultNamespace);
        if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") || namespace.length() > 63) {
          throw meta.required("namespace")
              .error("'" + namespace + "' is not a valid namespace name");
        }
      }
      Policy policy =
          CiliumPolicyDecoder.decode(
              doc, kind, namespace, name, lists == null ? null : lists.of(out.size()));
      if (!seen.add(policy.name())) {
        throw meta.required("name")
            .error("policy " + policy.name() + " appears twice in this input");
      }
      out.add(policy);
    }
    return out;
  }
}
