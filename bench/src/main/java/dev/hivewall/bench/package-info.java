/**
 * Benchmarks that measure Hivewall and a baseline side by side in one run, interleaved, and save
 * raw samples, medians, spread and the machine as JSON plus a PNG plot under bench/results/.
 */
package dev.hivewall.bench;
