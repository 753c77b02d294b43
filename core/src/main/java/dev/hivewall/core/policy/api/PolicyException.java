package dev.hivewall.core.policy.api;

/**
 * A policy input that cannot be accepted, pointing at where and why: {@code policy.yaml:12:
 * spec.ingress[0].toPorts[0].ports[0].port: 70000 is not a port (1-65535)}. Nothing of an input
 * that throws this is applied.
 */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String path;
  private final String problem;

  public PolicyException(String source, int line, String path, String problem) {
    super(format(source, line, path, problem));
    this.source = source;
    this.line = line;
    this.path = path;
    this.problem = problem;
  }

  private static String format(String source, int line, String path, String problem) {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(problem).toString();
  }

  public String source() {
    return source;
  }

  public int line() {
    return line;
  }

  public String path() {
    return path;
  }

  public String problem() {
    return problem;
  }
}
