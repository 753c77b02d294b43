package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.agent.model.PodSpec;
import dev.hivewall.agent.model.ServePort;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.core.policy.api.PolicyName;
import dev.hivewall.core.policy.api.Protocol;
import dev.hivewall.core.policy.eval.ConnectionTrace;
import dev.hivewall.testing.fixtures.SeedPolicies;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code policy trace} agrees with the datapath: for every ordered pair of pods and ports, under
 * allows, denies, default deny and L7 rules, the trace's verdict is what a real connection gets
 * (FORWARDED: connected; DROPPED: timeout), and for L7 what the proxy answers a real request.
 */
@Privileged
@ExtendWith(LabExtension.class)
class PolicyTraceTest {
  static final String POLICIES =
      SeedPolicies.APP1_FROM_APP2
          + """
          ---
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: app2-not-to-app3, namespace: demo}
          spec:
            endpointSelector: {matchLabels: {app: app2}}
            egressDeny:
            - toEndpoints: [{matchLabels: {app: app3}}]
          ---
          apiVersion: cilium.io/v2
          kind: CiliumNetworkPolicy
          metadata: {name: app3-81-only, namespace: demo}
          spec:
            endpointSelector: {matchLabels: {app: app3}}
            ingress:
            - toPorts: [{ports: [{port: "81", protocol: TCP}]}]
          """;

  @Test
  void traceVerdictsAreWhatRealConnectionsGet(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          List<Pod> pods =
              List.of(
                  node.runPod(serving("app1")),
                  node.runPod(serving("app2")),
                  node.runPod(serving("app3")));
          node.applyPolicies("policies.yaml", POLICIES);
          int checked = 0;
          for (Pod from : pods) {
            for (Pod to : pods) {
              for (int port : new int[] {80, 81}) {
                if (from == to) {
                  continue;
                }
                ConnectionTrace.Trace t =
                    node.trace(
                        from.spec().key(), to.spec().key(), Protocol.TCP, port, Optional.empty());
                String probe = Probes.tcp(from.netns(), to.ip(), port);
                String expected = t.verdict().equals("FORWARDED") ? "connected" : "timeout";
                assertThat(probe)
                    .as(
                        "%s -> %s:%d, traced %s %s",
                        from.spec().key(), to.spec().key(), port, t.verdict(), t.reason())
                    .isEqualTo(expected);
                checked++;
              }
            }
          }
          assertThat(checked).isEqualTo(12);
          // The trace names the decision and who made it.
          ConnectionTrace.Trace denied =
              node.trace("demo/app2", "demo/app3", Protocol.TCP, 81, Optional.empty());
          assertThat(denied.verdict()).isEqualTo("DROPPED");
          assertThat(denied.reason()).isEqualTo("policy-deny");
          assertThat(denied.steps().getFirst().decision().decidedBy())
              .extracting(Object::toString)
              .containsExactly("demo/app2-not-to-app3");
          ConnectionTrace.Trace app3 =
              node.trace("demo/app3", "demo/app1", Protocol.TCP, 80, Optional.empty());
          assertThat(app3.reason()).isEqualTo("policy-denied");

          // L7: the trace's answer for a request is the proxy's.
          // (app2's egress deny also made its egress default-deny: it goes, the L7 rule comes.)
          node.deletePolicy(new PolicyName("demo", "app2-not-to-app3"));
          node.applyPolicies("policies.yaml", SeedPolicies.APP1_GET_PUBLIC_FROM_APP2);
          try (PodHttp c = PodHttp.connect(pods.get(1), pods.get(0))) {
            for (String[] req :
                new String[][] {
                  {"GET", "/public"},
                  {"GET", "/restricted"},
                  {"POST", "/public"},
                  {"GET", "/public/../restricted"}
                }) {
              ConnectionTrace.Trace t =
                  node.trace(
                      "demo/app2",
                      "demo/app1",
                      Protocol.TCP,
                      80,
                      Optional.of(new ConnectionTrace.Request(req[0], req[1])));
              assertThat(t.verdict()).isEqualTo("REDIRECTED");
              String status = c.request(req[0], req[1]).substring(0, 3);
              assertThat(status)
                  .as("%s %s traced %s", req[0], req[1], t.request().orElseThrow())
                  .isEqualTo(t.request().orElseThrow().equals("ALLOWED") ? "200" : "403");
            }
          }
        });
  }

  private static PodSpec serving(String name) {
    return new PodSpec(
        "demo",
        name,
        Labels.of("app", name),
        Map.of(),
        List.of(ServePort.parse("80/tcp"), ServePort.parse("81/tcp")));
  }
}
