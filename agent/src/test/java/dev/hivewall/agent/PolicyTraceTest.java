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

  /**
   * A trace may name a pod that does not exist by its labels ({@code ns/k=v,...}); its answer is
   * what such a pod gets once it runs, also when no pod had those labels (a new identity).
   */
  @Test
  void aTraceForAPodThatDoesNotExistYetIsWhatItGetsOnceItRuns(Lab lab) throws Exception {
    DemoNode.with(
        lab,
        node -> {
          Map<String, Pod> pods = new java.util.HashMap<>();
          for (String name : List.of("app1", "app2", "app3")) {
            pods.put("demo/" + name, node.runPod(serving(name)));
          }
          node.applyPolicies("policies.yaml", POLICIES);
          // {from, to, port}: a new app2 version (selected by app2's egress deny, which makes
          // its egress default-deny) and a stranger calling app1 and app3; a new app3 version
          // called by app2 (its egress deny must match the new identity) and by app1.
          String[][] cases = {
            {"demo/app=app2,version=v2", "demo/app1", "80"},
            {"demo/app=stranger", "demo/app1", "80"},
            {"demo/app=stranger", "demo/app3", "81"},
            {"demo/app2", "demo/app=app3,version=v2", "81"},
            {"demo/app1", "demo/app=app3,version=v2", "81"},
            {"demo/app1", "demo/app=app3,version=v2", "80"},
          };
          List<ConnectionTrace.Trace> traced = new java.util.ArrayList<>();
          for (String[] c : cases) {
            traced.add(
                node.trace(c[0], c[1], Protocol.TCP, Integer.parseInt(c[2]), Optional.empty()));
          }
          assertThat(traced)
              .extracting(ConnectionTrace.Trace::verdict)
              .containsExactly(
                  "DROPPED", "DROPPED", "FORWARDED", "DROPPED", "FORWARDED", "DROPPED");
          assertThat(traced)
              .extracting(ConnectionTrace.Trace::reason)
              .containsExactly(
                  "policy-denied", "policy-denied", "", "policy-deny", "", "policy-denied");
          // Now the pods run for real: the datapath agrees with what was traced before.
          int n = 0;
          for (String spec :
              List.of(
                  "demo/app=app2,version=v2", "demo/app=stranger", "demo/app=app3,version=v2")) {
            Labels labels = Labels.parse(spec.substring(spec.indexOf('/') + 1));
            pods.put(
                spec,
                node.runPod(
                    new PodSpec(
                        "demo",
                        "what-if-" + n++,
                        labels,
                        Map.of(),
                        List.of(ServePort.parse("80/tcp"), ServePort.parse("81/tcp")))));
          }
          for (int i = 0; i < cases.length; i++) {
            Pod from = pods.get(cases[i][0]);
            Pod to = pods.get(cases[i][1]);
            String probe = Probes.tcp(from.netns(), to.ip(), Integer.parseInt(cases[i][2]));
            assertThat(probe)
                .as(
                    "%s -> %s:%s traced %s",
                    cases[i][0], cases[i][1], cases[i][2], traced.get(i).verdict())
                .isEqualTo(traced.get(i).verdict().equals("FORWARDED") ? "connected" : "timeout");
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
