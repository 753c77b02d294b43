/**
 * Test harness: {@code lab} makes throw-away network namespaces, veth pairs, pins and cgroups named
 * {@code hw-<run>-*} and removes them; {@code junit} has {@code @Privileged} (kernel tests fail
 * loudly without root, unless explicitly left out) and {@code LabExtension} (a lab per test,
 * leftover and BPF fd leak checks); {@code packet} builds frames for BPF_PROG_TEST_RUN.
 *
 * <p>Safety: traffic only between namespaces a lab made, addresses from 198.18.0.0/15 and the
 * documentation ranges, no default routes.
 */
package dev.hivewall.testing;
