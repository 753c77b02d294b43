package dev.hivewall.agent.l7;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import java.net.InetAddress;
import java.util.function.Predicate;

/**
 * What the policy lets through on one proxied connection as of policy revision {@code revision}:
 * the sender's egress rules and the receiver's ingress rules, both (each direction that did not
 * send the connection to the proxy lets every request through). {@code describe} names the two ends
 * for flows; {@code upstreamSource} is the address the proxy connects from: the client's when the
 * destination is a pod of this node (the datapath hands its replies back to the proxy), else null
 * (the node's own).
 */
public record HttpAccess(
    long revision,
    Predicate<HttpRequestFacts> rules,
    String describe,
    InetAddress upstreamSource) {}
