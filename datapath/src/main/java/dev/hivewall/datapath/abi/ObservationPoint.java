package dev.hivewall.datapath.abi;

/** Mirror of {@code enum hw_observation_point}: where the datapath made a flow's verdict. */
public enum ObservationPoint implements AbiEnum {
  /** A packet at the pod's veth (bpf_lxc.c). */
  TC(0, "tc"),
  /** connect() of a pod's socket, before any packet (bpf_sock.c). */
  SOCK_CONNECT(1, "socket-connect"),
  /** sendmsg() to an address, UDP (bpf_sock.c). */
  SOCK_SENDMSG(2, "socket-sendmsg"),
  /** A TCP connection between two local pods, carried socket to socket (bpf_sockmap.c). */
  SOCKMAP(3, "sockmap"),
  /** A packet from another node, at the overlay device (bpf_lxc.c). */
  OVERLAY(4, "overlay");

  private final int code;
  private final String label;

  ObservationPoint(int code, String label) {
    this.code = code;
    this.label = label;
  }

  @Override
  public String cName() {
    return "HW_POINT_" + name();
  }

  @Override
  public int code() {
    return code;
  }

  /** The name in flows and metrics. */
  public String label() {
    return label;
  }

  public static ObservationPoint of(int code) {
    return AbiEnum.of(BY_CODE, ObservationPoint.class, code);
  }

  private static final ObservationPoint[] BY_CODE = AbiEnum.byCode(values());
}
