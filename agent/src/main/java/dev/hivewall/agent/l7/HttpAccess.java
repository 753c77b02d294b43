package dev.hivewall.agent.l7;

import dev.hivewall.core.policy.l7.HttpRequestFacts;
import java.util.function.Predicate;

/**
 * What the policy lets through on one proxied connection as of policy revision {@code revision}:
 * the sender's egress rules and the receiver's ingress rules, both (each direction that did not
 * send the connection to the proxy lets every request through). {@code describe} names the two ends
 * for flows.
 */
public record HttpAccess(long revision, Predicate<HttpRequestFacts> rules, String describe) {}
