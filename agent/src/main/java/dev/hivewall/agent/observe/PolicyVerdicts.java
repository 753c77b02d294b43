package dev.hivewall.agent.observe;

import dev.hivewall.datapath.abi.DropReason;
import dev.hivewall.datapath.abi.PolicyMatch;
import dev.hivewall.datapath.abi.TrafficDirection;
import dev.hivewall.datapath.abi.Verdict;
import dev.hivewall.datapath.maps.events.FlowEvent;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Policy verdicts counted from the datapath's events, by direction, rule class and verdict (what
 * Hubble's policy verdict metric shows): each new connection the policy let through, sent to the
 * proxy or audited, and each packet it denied. Drops for other reasons (malformed, spoofed, ...)
 * are not policy verdicts. Connections let through are counted only while the datapath reports them
 * ({@code --flow-events all}, the default).
 *
 * <p>One writer (the observer's reader thread): a count is a plain read and an ordered write, no
 * atomic add; readers (a scrape) see each count as of some recent moment.
 */
public final class PolicyVerdicts {
  private static final int DIRECTIONS = TrafficDirection.values().length;
  private static final int MATCHES = PolicyMatch.values().length;
  private static final int VERDICTS = Verdict.values().length;

  private final AtomicLongArray counts = new AtomicLongArray(DIRECTIONS * MATCHES * VERDICTS);
  private final AtomicLongArray flows = new AtomicLongArray(VERDICTS);

  /**
   * Counts {@code e} as a flow (by verdict) and, if it is one, as a policy verdict. Called by the
   * one reader thread only.
   */
  void count(FlowEvent e) {
    int v = e.verdict().ordinal();
    flows.setRelease(v, flows.getPlain(v) + 1);
    DropReason r = e.reason();
    boolean policy =
        r == DropReason.NONE || r == DropReason.POLICY_DENIED || r == DropReason.POLICY_DENY;
    if (!policy) {
      return;
    }
    int i = index(e.direction(), e.match(), e.verdict());
    counts.setRelease(i, counts.getPlain(i) + 1);
  }

  /** What {@link #forEach} hands out: one nonzero count. */
  public interface Visitor {
    void count(TrafficDirection direction, PolicyMatch match, Verdict verdict, long n);
  }

  /** Datapath flows read so far with verdict {@code v} (policy verdicts or not). */
  public long flows(Verdict v) {
    return flows.getAcquire(v.ordinal());
  }

  public void forEach(Visitor v) {
    for (TrafficDirection d : TrafficDirection.values()) {
      for (PolicyMatch m : PolicyMatch.values()) {
        for (Verdict verdict : Verdict.values()) {
          long n = counts.getAcquire(index(d, m, verdict));
          if (n > 0) {
            v.count(d, m, verdict, n);
          }
        }
      }
    }
  }

  private static int index(TrafficDirection d, PolicyMatch m, Verdict v) {
    return (d.ordinal() * MATCHES + m.ordinal()) * VERDICTS + v.ordinal();
  }
}
