package dev.hivewall.kvstore;

/**
 * etcd could not be reached in time: nothing was written or allocated. Callers wait and retry; they
 * never fail open (a pod whose identity cannot be agreed gets no traffic).
 */
public final class EtcdUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
