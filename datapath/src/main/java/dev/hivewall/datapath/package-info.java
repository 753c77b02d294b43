/**
 * Applies Hivewall to the kernel. One package per BPF map (or small object) owns that map's byte
 * layout ({@code selftest}); {@code abi} holds the Java side of hivewall_abi.h and checks it
 * against each object's BTF before the object is loaded; {@code doctor} checks a node; {@code host}
 * runs commands on it.
 *
 * <p>Must not: parse policy or decide verdicts (that is core), or know the CLI, tests or
 * benchmarks.
 */
package dev.hivewall.datapath;
