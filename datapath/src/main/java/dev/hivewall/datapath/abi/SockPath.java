package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_sock_path}: how one direction of a local connection sends. */
public enum SockPath implements AbiEnum {
  UNDECIDED(0),
  /** Redirected into the peer socket. */
  SOCKMAP(1),
  /** The TCP stack and the veth (the peer end was not ready at the first message). */
  STACK(2);

  private final int code;

  SockPath(int code) {
    this.code = code;
  }

  @Override
  public String cName() {
    return "HW_SOCK_PATH_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  public static SockPath of(int code) {
    return AbiEnum.of(SockPath.class, code);
  }
}
