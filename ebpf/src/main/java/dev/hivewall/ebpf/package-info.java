/**
 * A typed, owned Java API over libbpf: {@link dev.hivewall.ebpf.ObjectSpec} (an object file, not
 * loaded) becomes a {@link dev.hivewall.ebpf.BpfCollection} (live maps and programs, one owner of
 * every fd). Maps ({@link dev.hivewall.ebpf.BpfMap}, {@link dev.hivewall.ebpf.TypedMap}), TC
 * filters and cgroup links, ring buffer readers, BPF_PROG_TEST_RUN and kernel feature probes.
 *
 * <p>Must not: know anything of Hivewall's policy or maps (that is the datapath module), or call
 * native code outside {@code internal.ffm}.
 */
package dev.hivewall.ebpf;
