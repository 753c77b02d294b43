package dev.hivewall.core.policy.eval;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.resolve.PolicyResolver;
import dev.hivewall.core.policy.resolve.PolicySubject;
import dev.hivewall.core.policy.resolve.Universe;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A connection trace whose ends may be endpoints that do not exist yet: "what would a pod with
 * these labels get?". Each endpoint end is resolved from the policies afresh ({@link
 * PolicyResolver}, the same rules the node enforces); an end whose labels no identity has yet is
 * given a hypothetical identity, added to the universe for this trace only, so the other end's
 * selectors can match it as they would a real pod. Nothing is allocated or written.
 */
public final class WhatIfTrace {
  private WhatIfTrace() {}

  /** One end of a trace. */
  public sealed interface End {
    String name();
  }

  /** An address that is not an endpoint here: it has an identity and no policy of its own. */
  public record Address(String name, Identity identity) implements End {}

  /**
   * An endpoint: its security labels and named ports; {@code identity} when it exists, empty for a
   * hypothetical one (its labels' identity if some endpoint has them, else a new number).
   */
  public record Endpoint(
      String name, PolicySubject subject, Optional<Identity> identity, boolean audit)
      implements End {}

  public static ConnectionTrace.Trace of(
      End from,
      End to,
      Collection<Policy> policies,
      Universe universe,
      Protocol protocol,
      int port,
      Optional<ConnectionTrace.Request> request) {
    Map<Identity, Labels> ids = new HashMap<>(universe.labelIdentities());
    Identity fromId = identity(from, ids);
    Identity toId = identity(to, ids);
    Universe u =
        ids.size() == universe.labelIdentities().size()
            ? universe
            : new Universe(
                ids,
                universe.cidrIdentities(),
                universe.namedPorts(),
                universe.endpointAddresses());
    return ConnectionTrace.of(
        end(from, fromId, policies, u), end(to, toId, policies, u), protocol, port, request);
  }

  /** The end's identity; a hypothetical endpoint's new one is added to {@code ids}. */
  private static Identity identity(End end, Map<Identity, Labels> ids) {
    return switch (end) {
      case Address a -> a.identity();
      case Endpoint e when e.identity().isPresent() -> e.identity().get();
      case Endpoint e -> {
        Labels labels = e.subject().labels();
        for (Map.Entry<Identity, Labels> known : ids.entrySet()) {
          if (known.getValue().equals(labels)) {
            yield known.getKey();
          }
        }
        int next = Identity.FIRST_LABEL_ID;
        for (Identity id : ids.keySet()) {
          next = Math.max(next, id.id() + 1);
        }
        Identity fresh = new Identity(next);
        ids.put(fresh, labels);
        yield fresh;
      }
    };
  }

  private static ConnectionTrace.End end(
      End end, Identity identity, Collection<Policy> policies, Universe u) {
    return switch (end) {
      case Address a -> new ConnectionTrace.End(a.name(), identity, Optional.empty());
      case Endpoint e ->
          new ConnectionTrace.End(
              e.name(),
              identity,
              Optional.of(PolicyResolver.resolve(e.subject(), policies, u)),
              e.audit());
    };
  }
}
