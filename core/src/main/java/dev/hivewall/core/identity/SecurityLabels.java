package dev.hivewall.core.identity;

import dev.hivewall.core.labels.Labels;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels an identity is made of: the pod's own labels, its namespace as {@code
 * io.kubernetes.pod.namespace}, and its namespace's labels under {@code
 * io.cilium.k8s.namespace.labels.<key>} (what namespace selectors look at). Same inputs, same
 * labels, so the same identity.
 */
public final class SecurityLabels {
  public static final String NAMESPACE = "io.kubernetes.pod.namespace";
  public static final String NAMESPACE_LABEL_PREFIX = "io.cilium.k8s.namespace.labels.";

  private SecurityLabels() {}

  public static Labels of(Labels podLabels, String namespace, Labels namespaceLabels) {
    Map<String, String> m = new TreeMap<>(podLabels.asMap());
    m.put(NAMESPACE, namespace);
    namespaceLabels.asMap().forEach((k, v) -> m.put(NAMESPACE_LABEL_PREFIX + k, v));
    return Labels.of(m);
  }

  /** The namespace labels hidden in an identity's labels, as the namespace carries them. */
  public static Labels namespaceLabels(Labels security) {
    Map<String, String> m = new TreeMap<>();
    security
        .asMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(NAMESPACE_LABEL_PREFIX)) {
                m.put(k.substring(NAMESPACE_LABEL_PREFIX.length()), v);
              }
            });
    return Labels.of(m);
  }
}
