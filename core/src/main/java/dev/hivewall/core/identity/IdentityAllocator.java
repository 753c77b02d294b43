package dev.hivewall.core.identity;

import dev.hivewall.core.labels.Labels;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Gives each distinct set of security labels one label identity (256 and up), reference-counted:
 * the identity lives while some endpoint holds it and is freed with the last release. The lowest
 * free number is reused, so identities stay small and stable across restarts when restored.
 *
 * <p>Thread-safety: all methods are synchronized; the agent's endpoint manager is the only writer.
 */
public final class IdentityAllocator {
  private final Map<Labels, Identity> byLabels = new HashMap<>();
  private final Map<Identity, Labels> byIdentity = new TreeMap<>();
  private final Map<Identity, Integer> refs = new HashMap<>();
  private final int limit;

  public IdentityAllocator() {
    this(Identity.CIDR_BASE);
  }

  /** An allocator whose identities stay below {@code limit} (tests use small limits). */
  public IdentityAllocator(int limit) {
    this.limit = limit;
  }

  /** The identity of {@code labels}, allocated if new; every call must be paired with a release. */
  public synchronized Identity allocate(Labels labels) {
    Identity id = byLabels.get(labels);
    if (id == null) {
      id = lowestFree();
      byLabels.put(labels, id);
      byIdentity.put(id, labels);
    }
    refs.merge(id, 1, Integer::sum);
    return id;
  }

  /** Drops one reference; the identity is freed when none is left. */
  public synchronized void release(Identity id) {
    Integer n = refs.get(id);
    if (n == null) {
      throw new IllegalStateException("identity " + id + " released more often than allocated");
    }
    if (n == 1) {
      refs.remove(id);
      byLabels.remove(byIdentity.remove(id));
    } else {
      refs.put(id, n - 1);
    }
  }

  /** Re-creates an identity with a known number (restart), taking one reference. */
  public synchronized void restore(Identity id, Labels labels) {
    Identity existing = byLabels.get(labels);
    if (existing != null && !existing.equals(id)) {
      throw new IllegalStateException(
          "labels " + labels + " have identity " + existing + ", cannot restore them as " + id);
    }
    Labels taken = byIdentity.get(id);
    if (taken != null && !taken.equals(labels)) {
      throw new IllegalStateException("identity " + id + " already belongs to " + taken);
    }
    byLabels.put(labels, id);
    byIdentity.put(id, labels);
    refs.merge(id, 1, Integer::sum);
  }

  public synchronized Optional<Identity> lookup(Labels labels) {
    return Optional.ofNullable(byLabels.get(labels));
  }

  public synchronized Optional<Labels> labelsOf(Identity id) {
    return Optional.ofNullable(byIdentity.get(id));
  }

  /** A snapshot of every live label identity, by number. */
  public synchronized Map<Identity, Labels> snapshot() {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(byIdentity));
  }

  private Identity lowestFree() {
    int candidate = Identity.FIRST_LABEL_ID;
    for (Identity used : byIdentity.keySet()) { // sorted
      if (used.id() > candidate) {
        break;
      }
      candidate = used.id() + 1;
    }
    if (candidate >= limit) {
      throw new IllegalStateException(
          "no free label identity: " + byIdentity.size() + " in use (limit " + limit + ")");
    }
    return new Identity(candidate);
  }
}
