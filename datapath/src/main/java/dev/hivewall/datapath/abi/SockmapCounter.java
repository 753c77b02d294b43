package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_sockmap_counter}: the slots of {@code hw_sockmap_metrics}. */
public enum SockmapCounter implements AbiEnum {
  /** Ends of local connections put in hw_sock_pairs. */
  SOCKETS(0, "sockets"),
  /** Messages redirected socket to socket. */
  REDIRECTED(1, "redirected"),
  REDIRECTED_BYTES(2, "redirected_bytes"),
  /** Messages sent through the stack (the peer was not ready, L7, ...). */
  STACK(3, "stack"),
  /** Messages refused: the policy no longer allows the pair. */
  REVOKED(4, "revoked");

  private final int code;
  private final String label;

  SockmapCounter(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public String cName() {
    return "HW_SOCKMAP_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public String label() {
    return label;
  }
}
