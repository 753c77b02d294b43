package dev.hivewall.core.policy.eval;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.l7.HttpMatcher;
import dev.hivewall.core.policy.l7.HttpPath;
import dev.hivewall.core.policy.l7.HttpRequestFacts;
import dev.hivewall.core.policy.resolve.EndpointPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a connection from one end to another would get, and why, worked out offline with the
 * reference evaluator ({@code hivewall policy trace}). An end is an endpoint of this node (it has a
 * policy, which judges its own direction) or an address outside it (no policy of its own). In the
 * datapath's order:
 *
 * <pre>
 *   1. the source endpoint's egress   (when the source is an endpoint)
 *   2. the destination's ingress      (when the destination is an endpoint)
 *   DROP at either step: DROPPED there, with its cause; else REDIRECT at either: REDIRECTED, and
 *   the proxy lets a request through when every redirecting step's HTTP rules allow it (the
 *   other steps forward every request); else FORWARDED.
 *   A redirect the datapath cannot carry out is DROPPED, no-proxy: not TCP, or an L7 ingress
 *   rule for a source from outside the node (the proxy takes connections where they enter it).
 *   Audit mode: a policy drop at an audited endpoint passes; with no redirect the verdict is
 *   AUDIT (the reason: the drop it would have been).
 * </pre>
 */
public final class ConnectionTrace {
  private ConnectionTrace() {}

  /**
   * One end: its name for people, its identity, its policy when it is an endpoint here, and whether
   * that endpoint is in policy audit mode (its policy drops pass, as AUDIT).
   */
  public record End(
      String name, Identity identity, Optional<EndpointPolicy> policy, boolean audit) {
    public End(String name, Identity identity, Optional<EndpointPolicy> policy) {
      this(name, identity, policy, false);
    }
  }

  /** One direction's decision: whose policy, which way, what it decided and which policies. */
  public record Step(String endpoint, Direction direction, boolean enforced, Decision decision) {}

  /** The request asked about, for connections the proxy judges. */
  public record Request(String method, String target) {}

  /**
   * @param verdict FORWARDED, DROPPED, REDIRECTED, or AUDIT (a policy drop at an endpoint in audit
   *     mode: it passes)
   * @param reason for DROPPED: policy-deny, policy-denied or no-proxy; for AUDIT, the drop it would
   *     have been; else empty
   * @param request when a request was asked about and the connection is REDIRECTED: ALLOWED or
   *     DENIED (403), or REFUSED (400: a target the proxy cannot read one way only); else empty
   */
  public record Trace(
      End from,
      End to,
      Protocol protocol,
      int port,
      List<Step> steps,
      String verdict,
      String reason,
      Optional<String> request) {}

  public static Trace of(End from, End to, Protocol protocol, int port, Optional<Request> request) {
    List<Step> steps = new ArrayList<>();
    from.policy()
        .ifPresent(p -> steps.add(step(from, p, Direction.EGRESS, to.identity(), protocol, port)));
    to.policy()
        .ifPresent(p -> steps.add(step(to, p, Direction.INGRESS, from.identity(), protocol, port)));
    String audited = "";
    for (Step s : steps) {
      if (s.decision().outcome() == Decision.Outcome.DROP) {
        String cause =
            s.decision().cause() == Decision.DropCause.POLICY_DENY
                ? "policy-deny"
                : "policy-denied";
        End self = s.direction() == Direction.EGRESS ? from : to;
        if (!self.audit()) {
          return new Trace(from, to, protocol, port, steps, "DROPPED", cause, Optional.empty());
        }
        audited = audited.isEmpty() ? cause : audited; // it passes: audit mode
      }
    }
    boolean anyRedirect =
        steps.stream().anyMatch(s -> s.decision().outcome() == Decision.Outcome.REDIRECT);
    if (!audited.isEmpty() && !anyRedirect) {
      return new Trace(from, to, protocol, port, steps, "AUDIT", audited, Optional.empty());
    }
    boolean redirected = false;
    for (Step s : steps) {
      if (s.decision().outcome() == Decision.Outcome.REDIRECT) {
        redirected = true;
        // An L7 ingress rule is carried out at the source's device, after its egress check: not
        // for a source outside the node, nor when that check was an audited drop (it passes at
        // once, and the destination's device has no proxy to hand it to).
        boolean egressAudited =
            steps.getFirst().direction() == Direction.EGRESS
                && steps.getFirst().decision().outcome() == Decision.Outcome.DROP;
        boolean enteredHere =
            s.direction() == Direction.EGRESS || (from.policy().isPresent() && !egressAudited);
        if (protocol != Protocol.TCP || !enteredHere) {
          return new Trace(
              from, to, protocol, port, steps, "DROPPED", "no-proxy", Optional.empty());
        }
      }
    }
    if (!redirected) {
      return new Trace(from, to, protocol, port, steps, "FORWARDED", "", Optional.empty());
    }
    Optional<String> answer = request.map(r -> judge(r, from, to, steps, port));
    return new Trace(from, to, protocol, port, steps, "REDIRECTED", "", answer);
  }

  private static Step step(
      End self, EndpointPolicy p, Direction d, Identity peer, Protocol protocol, int port) {
    return new Step(
        self.name(), d, p.enforced(d), ReferenceEvaluator.evaluate(p, d, peer, protocol, port));
  }

  /** As the proxy does: the normalised path, then every redirecting step's HTTP rules. */
  private static String judge(Request r, End from, End to, List<Step> steps, int port) {
    Optional<String> path = HttpPath.of(r.target());
    if (path.isEmpty()) {
      return "REFUSED";
    }
    HttpRequestFacts facts = new HttpRequestFacts(r.method(), path.get(), "", List.of());
    for (Step s : steps) {
      if (s.decision().outcome() == Decision.Outcome.DROP) {
        return "DENIED"; // an audited drop: the proxy knows no audit mode, it refuses
      }
      if (s.decision().outcome() != Decision.Outcome.REDIRECT) {
        continue;
      }
      End self = s.direction() == Direction.EGRESS ? from : to;
      Identity peer = s.direction() == Direction.EGRESS ? to.identity() : from.identity();
      var rules =
          ReferenceEvaluator.httpRules(self.policy().orElseThrow(), s.direction(), peer, port);
      if (!new HttpMatcher(rules).allows(facts)) {
        return "DENIED";
      }
    }
    return "ALLOWED";
  }
}
