package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_sock_hook}: the socket hooks of bpf_sock.c, slots of their counters. */
public enum SockHook implements AbiEnum {
  CONNECT4(0, "connect4", "hw_connect4"),
  SENDMSG4(1, "sendmsg4", "hw_sendmsg4"),
  CONNECT6(2, "connect6", "hw_connect6"),
  SENDMSG6(3, "sendmsg6", "hw_sendmsg6");

  private final int code;
  private final String label;
  private final String program;

  SockHook(int code, String label, String program) {
    this.code = code;
    this.label = label;
    this.program = program;
  }

  @Override
  public String cName() {
    return "HW_SOCK_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  /** The hook's name in metrics and status. */
  public String label() {
    return label;
  }

  /** The program of bpf_sock.o attached at this hook. */
  public String program() {
    return program;
  }
}
