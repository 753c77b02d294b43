/**
 * The only code of Hivewall that links native functions (libbpf.so.1, libc) and uses restricted FFM
 * methods. Convention: {@code static final MethodHandle}s called with {@code invokeExact}; failures
 * become {@link dev.hivewall.ebpf.BpfException} naming the operation; upcalls never throw. Callers
 * own the memory they pass in.
 */
package dev.hivewall.ebpf.internal.ffm;
