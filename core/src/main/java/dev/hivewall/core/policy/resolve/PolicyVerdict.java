package dev.hivewall.core.policy.resolve;

/**
 * What a policy map entry says, in precedence order (policy.md): an explicit DENY beats a REDIRECT
 * to the L7 proxy, which beats a plain ALLOW. Combining entries takes the highest.
 */
public enum PolicyVerdict {
  ALLOW(1),
  REDIRECT(2),
  DENY(3);

  private final int precedence;

  PolicyVerdict(int precedence) {
    this.precedence = precedence;
  }

  public int precedence() {
    return precedence;
  }

  public static PolicyVerdict max(PolicyVerdict a, PolicyVerdict b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.precedence >= b.precedence ? a : b;
  }
}
