package dev.hivewall.testing.netpol;

import java.util.Arrays;
import java.util.List;

/**
 * Who can reach whom among the conformance pods (namespaces x, y, z with pods a, b, c: "x/a" ...)
 * on one port and protocol: a 9x9 truth table, from (rows) to (columns), built as the Kubernetes
 * e2e tests build theirs: start from all or nothing, then set what the policies change. A pod
 * always reaches itself (its own traffic never leaves it).
 */
public final class Reachability {
  public static final List<String> NAMESPACES = List.of("x", "y", "z");
  public static final List<String> PODS =
      List.of("x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c");

  private final boolean[][] reach = new boolean[PODS.size()][PODS.size()];

  private Reachability(boolean all) {
    for (boolean[] row : reach) {
      Arrays.fill(row, all);
    }
    selves();
  }

  public static Reachability all() {
    return new Reachability(true);
  }

  public static Reachability none() {
    return new Reachability(false);
  }

  private static int index(String pod) {
    int i = PODS.indexOf(pod);
    if (i < 0) {
      throw new IllegalArgumentException("no conformance pod " + pod);
    }
    return i;
  }

  /** Sets one pair (a pod to itself stays reachable). */
  public Reachability set(String from, String to, boolean can) {
    reach[index(from)][index(to)] = can;
    return selves();
  }

  /** Sets every pair into {@code to}. */
  public Reachability into(String to, boolean can) {
    for (String from : PODS) {
      set(from, to, can);
    }
    return this;
  }

  /** Sets every pair out of {@code from}. */
  public Reachability outOf(String from, boolean can) {
    for (String to : PODS) {
      set(from, to, can);
    }
    return this;
  }

  /** Sets every pair from a pod of namespace {@code ns} into {@code to}. */
  public Reachability fromNamespace(String ns, String to, boolean can) {
    for (String from : PODS) {
      if (from.startsWith(ns + "/")) {
        set(from, to, can);
      }
    }
    return this;
  }

  /** Sets every pair from {@code from} into a pod of namespace {@code ns}. */
  public Reachability toNamespace(String from, String ns, boolean can) {
    for (String to : PODS) {
      if (to.startsWith(ns + "/")) {
        set(from, to, can);
      }
    }
    return this;
  }

  private Reachability selves() {
    for (int i = 0; i < PODS.size(); i++) {
      reach[i][i] = true;
    }
    return this;
  }

  public boolean get(String from, String to) {
    return reach[index(from)][index(to)];
  }

  /** A table of observed results to fill. */
  public static Reachability observed() {
    return none();
  }

  /** Pairs that differ from {@code other}. */
  public int mismatches(Reachability other) {
    int n = 0;
    for (int i = 0; i < PODS.size(); i++) {
      for (int j = 0; j < PODS.size(); j++) {
        n += reach[i][j] == other.reach[i][j] ? 0 : 1;
      }
    }
    return n;
  }

  /**
   * Expected and observed side by side, as the Kubernetes e2e tests print them: '.' reaches, 'X'
   * does not; a mismatch is marked '!' in the observed table.
   */
  public static String sideBySide(Reachability expected, Reachability observed) {
    StringBuilder sb = new StringBuilder("expected:                       observed:\n");
    String header =
        "      " + String.join(" ", PODS.stream().map(p -> p.replace("/", "")).toList());
    sb.append(header).append("   ").append(header).append('\n');
    for (int i = 0; i < PODS.size(); i++) {
      StringBuilder left = new StringBuilder(String.format("%-5s", PODS.get(i)));
      StringBuilder right = new StringBuilder(String.format("%-5s", PODS.get(i)));
      for (int j = 0; j < PODS.size(); j++) {
        left.append("  ").append(expected.reach[i][j] ? '.' : 'X');
        char o = observed.reach[i][j] ? '.' : 'X';
        right.append("  ").append(expected.reach[i][j] == observed.reach[i][j] ? o : '!');
      }
      sb.append(left).append("    ").append(right).append('\n');
    }
    return sb.toString();
  }
}
