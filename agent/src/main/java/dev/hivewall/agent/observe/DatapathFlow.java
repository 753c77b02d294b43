package dev.hivewall.agent.observe;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One datapath event made readable: a verdict of the kernel on a packet of one endpoint (a drop,
 * with its reason; or the first packet of a connection let through, FORWARDED, or handed to the
 * proxy, REDIRECTED), with both ends named when they are pods of this node.
 *
 * @param time when the datapath saw it (ISO-8601, UTC)
 * @param endpoint the pod whose device saw the packet ("ns/name"), or "#id" if gone since
 * @param direction INGRESS (to the pod) or EGRESS (from it)
 * @param match the kind of rule that decided a policy verdict ({@code l3-l4}, {@code l3-only},
 *     {@code l4-only}, {@code all}, ...), or {@code none} (no rule matched, or not a policy
 *     verdict)
 * @param observedAt where the verdict was made: {@code tc} (a packet at the pod's veth), {@code
 *     socket-connect} (connect() of a pod's socket, before any packet), {@code socket-sendmsg} (a
 *     UDP datagram's sendmsg())
 * @param sourceLabels the source identity's labels ({@code k=v}; {@code cidr:PREFIX}, {@code
 *     reserved:world} ...), empty for an identity the node does not know
 */
@JsonPropertyOrder({"type"})
public record DatapathFlow(
    String time,
    String endpoint,
    String direction,
    String source,
    String destination,
    int sourceIdentity,
    int destinationIdentity,
    String protocol,
    int sourcePort,
    int destinationPort,
    String verdict,
    String reason,
    String match,
    String observedAt,
    java.util.List<String> sourceLabels,
    java.util.List<String> destinationLabels) {
  /** What kind of flow this is for a client that reads both kinds: a datapath verdict. */
  @JsonProperty("type")
  public String type() {
    return "l3l4";
  }
}
