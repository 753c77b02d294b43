package dev.hivewall.proxy.http;

/**
 * A request the proxy refuses before any rule is looked at: malformed, ambiguous (it could be read
 * two ways, the classic way to smuggle a second request past a filter) or over a limit. The
 * connection is answered with {@link #status()} and closed, since where the next request starts is
 * no longer known.
 */
public final class HttpError extends Exception {
  private final int status;

  public HttpError(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static HttpError badRequest(String reason) {
    return new HttpError(400, reason);
  }
}
