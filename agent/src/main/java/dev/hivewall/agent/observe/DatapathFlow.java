package dev.hivewall.agent.observe;

/**
 * One datapath event made readable: a verdict of the kernel on a packet of one endpoint (a drop,
 * with its reason; or the first packet of a connection let through, FORWARDED, or handed to the
 * proxy, REDIRECTED), with both ends named when they are pods of this node.
 *
 * @param time when the datapath saw it (ISO-8601, UTC)
 * @param endpoint the pod whose device saw the packet ("ns/name"), or "#id" if gone since
 * @param direction INGRESS (to the pod) or EGRESS (from it)
 */
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
    String reason) {}
