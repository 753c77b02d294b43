package dev.hivewall.cli.client;

/** A pod named as kubectl names them: {@code NAMESPACE/NAME}, or {@code NAME} with -n. */
public record PodRef(String namespace, String name) {
  public static PodRef parse(String text, String defaultNamespace) {
    int slash = text.indexOf('/');
    return slash < 0
        ? new PodRef(defaultNamespace, text)
        : new PodRef(text.substring(0, slash), text.substring(slash + 1));
  }

  public String path() {
    return "/v1/pods/" + namespace + "/" + name;
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
