package dev.hivewall.core.policy.api;

/**
 * One {@code ports} entry: a port or a range {@code port..endPort}, or a named port resolved per
 * destination endpoint, with a protocol. Port 0 means every port. For ICMP the "port" is the ICMP
 * type (as the datapath keys it).
 */
public record PortProtocol(int port, int endPort, String portName, Protocol protocol) {
  public static final int MAX_PORT = 65535;

  public PortProtocol {
    if (portName == null) {
      portName = "";
    }
    if (port < 0 || port > MAX_PORT || endPort < 0 || endPort > MAX_PORT) {
      throw new IllegalArgumentException("port out of range 0-65535");
    }
    if (endPort != 0 && endPort < port) {
      throw new IllegalArgumentException("endPort " + endPort + " is below port " + port);
    }
  }

  public static PortProtocol of(int port, Protocol protocol) {
    return new PortProtocol(port, 0, "", protocol);
  }

  public static PortProtocol range(int from, int to, Protocol protocol) {
    return new PortProtocol(from, to == from ? 0 : to, "", protocol);
  }

  public static PortProtocol named(String name, Protocol protocol) {
    return new PortProtocol(0, 0, name, protocol);
  }

  public boolean isNamed() {
    return !portName.isEmpty();
  }

  public boolean isAllPorts() {
    return !isNamed() && port == 0;
  }

  /** First port of the range (0 for all ports). */
  public int first() {
    return port;
  }

  /** Last port of the range. */
  public int last() {
    return isAllPorts() ? MAX_PORT : endPort == 0 ? port : endPort;
  }

  @Override
  public String toString() {
    String p =
        isNamed() ? portName : isAllPorts() ? "*" : endPort == 0 ? "" + port : port + "-" + endPort;
    return p + "/" + protocol;
  }
}
