#!/usr/bin/env bash
# Checks the benchmarks' ping-pong tool against sockperf on the same path, side by side: two
# namespaces routed through a third (pod -> node -> pod, no policy), one server of each tool in the
# server namespace, the clients alternating. Prints one line per round (one-way p50, us).
# Needs root, a build (make build) and sockperf (apt-get install sockperf; the suite no longer
# installs it). Usage: bench/native/vs-sockperf.sh [ROUNDS]   (default 5; ~25 s a round)
set -euo pipefail
PP="$(cd "$(dirname "$0")/.." && pwd)/target/pingpong"
[ -x "$PP" ] || { echo "vs-sockperf: $PP is missing: run 'make build'" >&2; exit 1; }
command -v sockperf >/dev/null || { echo "vs-sockperf: sockperf is missing: apt-get install sockperf" >&2; exit 1; }
cleanup() {
  for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
  for n in hwv-c hwv-s hwv-n; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
for n in hwv-c hwv-s hwv-n; do ip netns add $n; ip -n $n link set lo up; done
ip link add hwv-c0 netns hwv-c type veth peer name hwv-c1 netns hwv-n
ip link add hwv-s0 netns hwv-s type veth peer name hwv-s1 netns hwv-n
ip -n hwv-c addr add 10.250.0.2/24 dev hwv-c0; ip -n hwv-c link set hwv-c0 up; ip -n hwv-c route add 10.250.1.0/24 via 10.250.0.1
ip -n hwv-s addr add 10.250.1.2/24 dev hwv-s0; ip -n hwv-s link set hwv-s0 up; ip -n hwv-s route add 10.250.0.0/24 via 10.250.1.1
ip -n hwv-n addr add 10.250.0.1/24 dev hwv-c1; ip -n hwv-n addr add 10.250.1.1/24 dev hwv-s1
ip -n hwv-n link set hwv-c1 up; ip -n hwv-n link set hwv-s1 up
ip netns exec hwv-n sysctl -qw net.ipv4.ip_forward=1
ip netns exec hwv-s taskset -c 0 $PP server --tcp -i 10.250.1.2 -p 11111 &
ip netns exec hwv-s $PP server --tcp -i 10.250.1.2 -p 11112 &
ip netns exec hwv-s taskset -c 0 $PP server --udp -i 10.250.1.2 -p 11113 &
ip netns exec hwv-s taskset -c 0 sockperf server --tcp -i 10.250.1.2 -p 12111 >/dev/null 2>&1 &
ip netns exec hwv-s sockperf server --tcp -i 10.250.1.2 -p 12112 >/dev/null 2>&1 &
ip netns exec hwv-s taskset -c 0 sockperf server -i 10.250.1.2 -p 12113 >/dev/null 2>&1 &
sleep 1
sp() { ip netns exec hwv-c "$@" 2>&1 | grep "percentile 50.000" | awk '{print $NF}'; }
pp() { ip netns exec hwv-c "$@" | sed 's/.*"p50_us":\([0-9.]*\).*/\1/'; }
for i in $(seq 1 ${1:-5}); do
  a=$(pp taskset -c 0 $PP client --tcp -i 10.250.1.2 -p 11111 -t 1 -m 64)
  b=$(sp taskset -c 0 sockperf ping-pong --tcp -i 10.250.1.2 -p 12111 -t 1 -m 64)
  c=$(pp $PP client --tcp -i 10.250.1.2 -p 11112 -t 1 -m 64)
  d=$(sp sockperf ping-pong --tcp -i 10.250.1.2 -p 12112 -t 1 -m 64)
  e=$(pp taskset -c 0 $PP client --udp -i 10.250.1.2 -p 11113 -t 1 -m 64)
  f=$(sp taskset -c 0 sockperf ping-pong -i 10.250.1.2 -p 12113 -t 1 -m 64)
  g=$(pp taskset -c 0 $PP client --tcp -i 10.250.1.2 -p 11111 -t 1 -m 4096)
  h=$(sp taskset -c 0 sockperf ping-pong --tcp -i 10.250.1.2 -p 12111 -t 1 -m 4096)
  echo "tcp-pinned pp=$a sp=$b | tcp-unpinned pp=$c sp=$d | udp-pinned pp=$e sp=$f | tcp4k-pinned pp=$g sp=$h"
done
