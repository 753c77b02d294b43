package dev.hivewall.agent;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.testing.netpol.Scenario;
import dev.hivewall.testing.netpol.Scenarios;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs every conformance scenario against real pods: its actions through {@code act}, each truth
 * table probed after {@code settle} (a cluster converges first), then {@code reset}. Prints the
 * summary line under {@code title}; returns the failures, each with both tables side by side.
 */
final class ScenarioRunner {
  interface Step {
    void run(Scenario.Step step) throws Exception;
  }

  interface Action {
    void run() throws Exception;
  }

  private ScenarioRunner() {}

  static List<String> runAll(
      String title, Map<String, Pod> pods, Step act, Action settle, Action reset) throws Exception {
    List<String> failed = new ArrayList<>();
    int passed = 0;
    int tables = 0;
    long t0 = System.nanoTime();
    try (ExecutorService probes = Executors.newFixedThreadPool(72)) {
      for (Scenario s : Scenarios.all()) {
        String problem = null;
        for (Scenario.Step step : s.steps()) {
          if (step instanceof Scenario.Expect e) {
            tables++;
            settle.run();
            problem = NetpolConformanceTest.check(probes, pods, e);
            if (problem != null) {
              break;
            }
          } else {
            act.run(step);
          }
        }
        reset.run();
        if (problem == null) {
          passed++;
        } else {
          failed.add(s.name() + "\n" + problem);
        }
      }
    }
    System.out.printf(
        "%s: %d scenarios passed, %d failed (%d truth tables of 72 probes, %.1f s)%n",
        title, passed, failed.size(), tables, (System.nanoTime() - t0) / 1e9);
    failed.forEach(System.out::println);
    return failed;
  }
}
