package dev.hivewall.core.policy.eval;

import dev.hivewall.core.policy.api.PolicyName;
import java.util.List;

/**
 * The verdict for one connection attempt, with the reason and the policies whose rules decided it.
 */
public record Decision(Outcome outcome, DropCause cause, List<PolicyName> decidedBy) {
  public enum Outcome {
    FORWARD,
    REDIRECT,
    DROP
  }

  /** Why a DROP: policy-deny (an explicit deny rule) or policy-denied (default deny, no allow). */
  public enum DropCause {
    NONE,
    POLICY_DENY,
    POLICY_DENIED
  }

  public Decision {
    decidedBy = List.copyOf(decidedBy);
  }

  public static Decision forward(List<PolicyName> by) {
    return new Decision(Outcome.FORWARD, DropCause.NONE, by);
  }
}
