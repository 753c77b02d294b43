package dev.hivewall.agent.observe;

import dev.hivewall.proxy.server.L7Flow;

/**
 * The two ends of an L7 flow as its connection names them ({@code "demo/app2 (257) -> demo/app1
 * (256)"}: a pod or an address, and an identity); the bare addresses when the proxy had no
 * connection to name (identities -1).
 */
public record L7Ends(
    String source, int sourceIdentity, String destination, int destinationIdentity) {
  public static L7Ends of(L7Flow f) {
    String[] ends = f.connection() == null ? new String[0] : f.connection().split(" -> ", 2);
    if (ends.length != 2) {
      return new L7Ends(
          f.client().getAddress().getHostAddress(), -1,
          f.destination().getAddress().getHostAddress(), -1);
    }
    String[] src = nameAndIdentity(ends[0]);
    String[] dst = nameAndIdentity(ends[1]);
    return new L7Ends(src[0], Integer.parseInt(src[1]), dst[0], Integer.parseInt(dst[1]));
  }

  /** "NAME (ID)" -> {NAME, ID}; "NAME" -> {NAME, -1}. */
  private static String[] nameAndIdentity(String end) {
    int open = end.lastIndexOf(" (");
    if (open < 0 || !end.endsWith(")")) {
      return new String[] {end, "-1"};
    }
    String id = end.substring(open + 2, end.length() - 1);
    return new String[] {end.substring(0, open), id.matches("\\d{1,10}") ? id : "-1"};
  }
}
