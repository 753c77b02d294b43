package dev.hivewall.testing.netpol;

import java.util.List;

/**
 * One conformance scenario: steps on the conformance cluster (namespaces x, y, z labelled ns=NAME,
 * pods a, b, c labelled pod=NAME, each serving TCP and UDP on 80 and 81 with named ports
 * serve-PORT-PROTO), and after some steps the truth table expected on a probe. Policy YAML may name
 * a pod's address as {@code ${x/a}}; the runner fills it in.
 */
public record Scenario(String name, List<Step> steps) {
  /** A port and protocol to probe every pair on. */
  public record Probe(int port, String protocol) {
    public static final Probe TCP_80 = new Probe(80, "TCP");
    public static final Probe TCP_81 = new Probe(81, "TCP");
    public static final Probe UDP_80 = new Probe(80, "UDP");
    public static final Probe UDP_81 = new Probe(81, "UDP");

    @Override
    public String toString() {
      return port + "/" + protocol;
    }
  }

  /** What a scenario does, in order. */
  public sealed interface Step {}

  /** Applies a file of policies (replacing those of the same names). */
  public record Apply(String yaml) implements Step {}

  /** Deletes a policy. */
  public record Delete(String namespace, String name) implements Step {}

  /** Sets (value) or removes (null) a label of a pod ("x/a"). */
  public record LabelPod(String pod, String key, String value) implements Step {}

  /** Sets (value) or removes (null) a label of a namespace. */
  public record LabelNamespace(String namespace, String key, String value) implements Step {}

  /** Every pair probed on {@code probe} must give {@code table}. */
  public record Expect(Probe probe, Reachability table) implements Step {}

  public Scenario {
    steps = List.copyOf(steps);
  }
}
