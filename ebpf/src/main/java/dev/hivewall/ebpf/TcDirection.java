package dev.hivewall.ebpf;

/**
 * Where on a device a TC program runs. On the host end of a pod's veth, INGRESS sees what the pod
 * sends and EGRESS what is delivered to the pod.
 */
public enum TcDirection {
  INGRESS(1),
  EGRESS(2);

  final int attachPoint;

  TcDirection(int attachPoint) {
    this.attachPoint = attachPoint;
  }
}
