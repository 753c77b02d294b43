package dev.hivewall.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hivewall.agent.observe.DatapathFlow;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The stream's hand-written lines are the JSON Jackson writes for the same flow. */
class FlowStreamEncodingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property
  void aDatapathFlowLineIsWhatJacksonWrites(
      @ForAll String endpoint, @ForAll String source, @ForAll int identity, @ForAll int port)
      throws Exception {
    DatapathFlow f =
        new DatapathFlow(
            "2026-11-30T21:27:26.502103105Z",
            endpoint,
            "INGRESS",
            source,
            "demo/app1",
            identity,
            256,
            "TCP",
            port,
            80,
            "DROPPED",
            "policy-denied",
            "l3-l4",
            "socket-connect",
            java.util.List.of("app=" + endpoint, "io.kubernetes.pod.namespace=demo"),
            java.util.List.of());
    FlowStream.Batch batch = new FlowStream.Batch();
    batch.add(f);
    String line = batch.text();
    assertThat(line).endsWith("\n");
    assertThat(JSON.readTree(line)).isEqualTo(JSON.readTree(JSON.writeValueAsString(f)));
    assertThat(line.substring(0, line.length() - 1)).isEqualTo(JSON.writeValueAsString(f));
  }
}
