package dev.hivewall.agent;

/**
 * The node's datapath switches (agent flags):
 *
 * @param connectionEvents the datapath reports each new connection let through (drops are always
 *     reported)
 * @param dropEventsPerSecond at most this many drop events per CPU and second (0: all; the rest are
 *     counted as suppressed)
 * @param bpfRunStats the metrics count each datapath program's runs (the kernel's run statistics:
 *     about 70 ns a packet on this machine kind, so off unless asked for)
 * @param connectHooks connect-time enforcement: the socket hooks at the root cgroup
 * @param sockmap TCP between local pods socket to socket while the policy allows the pair
 * @param bpfHostRouting packets between local pods judged for both pods by the sender's program,
 *     then put straight into the receiver's namespace (else through the node's stack)
 * @param policyMapEntries entries of each policy map (exact keys; ranges and wildcards)
 */
public record DatapathOptions(
    boolean connectionEvents,
    int dropEventsPerSecond,
    boolean bpfRunStats,
    boolean connectHooks,
    boolean sockmap,
    boolean bpfHostRouting,
    int policyMapEntries) {
  /** hivewall_abi's policy map size, 1 << 20 entries each. */
  public static final int DEFAULT_POLICY_MAP_ENTRIES = 1 << 20;

  public static final DatapathOptions DEFAULTS =
      new DatapathOptions(true, 0, false, true, true, true, DEFAULT_POLICY_MAP_ENTRIES);

  public DatapathOptions {
    if (dropEventsPerSecond < 0) {
      throw new IllegalArgumentException(
          "--drop-events-per-second " + dropEventsPerSecond + ": use 0 (no limit) or more");
    }
    if (policyMapEntries < 16) {
      throw new IllegalArgumentException(
          "policy maps of " + policyMapEntries + " entries cannot hold a policy (at least 16)");
    }
  }

  public DatapathOptions withEvents(boolean connections, int dropsPerSecond) {
    return new DatapathOptions(
        connections,
        dropsPerSecond,
        bpfRunStats,
        connectHooks,
        sockmap,
        bpfHostRouting,
        policyMapEntries);
  }

  public DatapathOptions withConnectHooks(boolean on) {
    return withSwitches(on, sockmap, bpfHostRouting);
  }

  public DatapathOptions withSockmap(boolean on) {
    return withSwitches(connectHooks, on, bpfHostRouting);
  }

  public DatapathOptions withPolicyMapEntries(int entries) {
    return new DatapathOptions(
        connectionEvents,
        dropEventsPerSecond,
        bpfRunStats,
        connectHooks,
        sockmap,
        bpfHostRouting,
        entries);
  }

  public DatapathOptions withBpfHostRouting(boolean on) {
    return withSwitches(connectHooks, sockmap, on);
  }

  /** The same options with the three datapath features as given. */
  private DatapathOptions withSwitches(boolean hooks, boolean sockhash, boolean hostRouting) {
    return new DatapathOptions(
        connectionEvents,
        dropEventsPerSecond,
        bpfRunStats,
        hooks,
        sockhash,
        hostRouting,
        policyMapEntries);
  }
}
