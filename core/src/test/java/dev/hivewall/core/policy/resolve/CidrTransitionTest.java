package dev.hivewall.core.policy.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.core.identity.Identity;
import dev.hivewall.core.net.Cidr;
import dev.hivewall.core.net.Ipv4Address;
import dev.hivewall.core.policy.api.Direction;
import dev.hivewall.core.policy.api.Policy;
import dev.hivewall.core.policy.api.PolicyParser;
import dev.hivewall.core.policy.api.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The steps of a {@link CidrTransition}, played on the model of the datapath (identity = the
 * longest prefix in the ipcache, else world; verdict = map state lookup with default deny): at
 * every step, every probe address gets the verdict of the old policies or of the new ones, never
 * one neither gives. Random old and new policy sets; seeded (-Dhivewall.seed=N).
 */
class CidrTransitionTest {
  private static final PolicySubject APP1 =
      new PolicySubject(PolicyResolutionTest.APP1_LABELS, Map.of());
  private static final String[] PEERS = {
    "fromCIDR: [10.0.0.0/8]",
    "fromCIDR: [10.1.0.0/16]",
    "fromCIDR: [10.1.2.0/24]",
    "fromCIDR: [11.0.0.0/8]",
    "fromCIDR: [0.0.0.0/0]",
    "fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]",
    "fromCIDRSet: [{cidr: 0.0.0.0/0, except: [10.1.2.0/24]}]",
    "fromEntities: [world]",
    "fromEntities: [all]",
  };
  private static final List<Integer> PROBES =
      List.of("10.0.0.5", "10.1.0.5", "10.1.2.5", "11.0.0.5", "12.0.0.5").stream()
          .map(Ipv4Address::parse)
          .toList();

  @Test
  void everyStepGivesEachPacketTheOldOrTheNewVerdict() {
    long seed = Long.getLong("hivewall.seed", 7L);
    Random random = new Random(seed);
    for (int round = 0; round < 1500; round++) {
      List<Policy> old = randomPolicies(random);
      List<Policy> next = randomPolicies(random);
      String what = "seed " + seed + " round " + round + "\nold: " + old + "\nnew: " + next;
      List<Map<Integer, Boolean>> steps = steps(old, next, true);
      Map<Integer, Boolean> first = steps.getFirst();
      Map<Integer, Boolean> last = steps.getLast();
      for (int step = 0; step < steps.size(); step++) {
        for (int probe : PROBES) {
          boolean v = steps.get(step).get(probe);
          assertThat(v == first.get(probe) || v == last.get(probe))
              .as(what + "\nstep " + step + ", " + Ipv4Address.format(probe))
              .isTrue();
        }
      }
    }
  }

  @Test
  void theIpcacheWrittenFirstLetsAnAddedPrefixEscapeADeny() {
    // Old: everything allowed but 10/8. New: the same plus a rule naming 10.1/16 (a new prefix).
    List<Policy> old = List.of(policy("p", "ingress: [{fromEntities: [all]}]"));
    List<Policy> next =
        List.of(
            policy("p", "ingress: [{fromEntities: [all]}]"),
            policy("q", "ingressDeny: [{fromCIDR: [10.0.0.0/8]}]"),
            policy("r", "ingress: [{fromCIDR: [10.1.0.0/16]}]"));
    List<Policy> oldWithDeny = List.of(old.getFirst(), next.get(1));
    int probe = Ipv4Address.parse("10.1.0.5");
    // naive: ipcache (new prefixes) first, then the new maps
    List<Map<Integer, Boolean>> naive = steps(oldWithDeny, next, false);
    assertThat(naive.getFirst().get(probe)).isFalse();
    assertThat(naive.getLast().get(probe)).isFalse();
    assertThat(naive).anySatisfy(s -> assertThat(s.get(probe)).isTrue());
    assertThat(steps(oldWithDeny, next, true)).allSatisfy(s -> assertThat(s.get(probe)).isFalse());
  }

  /**
   * The verdict of every probe after each datapath write: the transition's steps ({@code bridged})
   * or the naive order (ipcache, then maps).
   */
  private static List<Map<Integer, Boolean>> steps(
      List<Policy> old, List<Policy> next, boolean bridged) {
    CidrIdentities ids = new CidrIdentities();
    Map<Cidr, Identity> before = ids.update(old);
    Map<Cidr, Identity> after = ids.update(next);
    CidrTransition t = new CidrTransition(before, after);
    Map<Cidr, Identity> union = t.union();
    Map<Cidr, Identity> grown = new HashMap<>(before);
    grown.putAll(t.added());
    List<Map<Integer, Boolean>> out = new ArrayList<>();
    EndpointPolicy start = resolve(old, before);
    out.add(verdicts(start, before));
    if (bridged) {
      EndpointPolicy oldInUnion = resolve(old, union);
      out.add(verdicts(oldInUnion, before)); // 1
      out.add(verdicts(oldInUnion, grown)); // 2
      EndpointPolicy newInUnion = resolve(next, union);
      out.add(verdicts(newInUnion, grown)); // 3
      out.add(verdicts(newInUnion, after)); // 4
    } else {
      out.add(verdicts(start, after));
    }
    out.add(verdicts(resolve(next, after), after)); // 5
    return out;
  }

  private static EndpointPolicy resolve(List<Policy> policies, Map<Cidr, Identity> cidrs) {
    return PolicyResolver.resolve(
        APP1, policies, new Universe(PolicyResolutionTest.PODS, cidrs, Map.of()));
  }

  private static Map<Integer, Boolean> verdicts(EndpointPolicy p, Map<Cidr, Identity> ipcache) {
    Map<Integer, Boolean> out = new HashMap<>();
    for (int addr : PROBES) {
      Cidr best = null;
      for (Cidr c : ipcache.keySet()) {
        if (c.contains(addr) && (best == null || c.length() > best.length())) {
          best = c;
        }
      }
      Identity id = best == null ? Identity.WORLD : ipcache.get(best);
      PolicyVerdict v = p.mapState().lookup(Direction.INGRESS, id, Protocol.TCP, 80).orElse(null);
      out.put(
          addr, v == null ? !p.ingressEnforced() : v != PolicyVerdict.DENY); // REDIRECT passes too
    }
    return out;
  }

  private static List<Policy> randomPolicies(Random random) {
    List<Policy> out = new ArrayList<>();
    int n = random.nextInt(3);
    for (int i = 0; i < n; i++) {
      StringBuilder rules = new StringBuilder(random.nextBoolean() ? "ingress:" : "ingressDeny:");
      int k = 1 + random.nextInt(2);
      for (int j = 0; j < k; j++) {
        rules.append("\n  - ").append(PEERS[random.nextInt(PEERS.length)]);
      }
      out.add(policy("p" + i, rules.toString()));
    }
    return out;
  }

  private static Policy policy(String name, String section) {
    return PolicyParser.parse(
            "t.yaml",
            "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: "
                + name
                + ", namespace: demo}\nspec:\n  endpointSelector: {matchLabels: {app: app1}}\n  "
                + section
                + "\n",
            "demo")
        .getFirst();
  }
}
