#!/bin/bash
# Runs this folder's packetdrill scripts against the host's Linux kernel, each in a network namespace of its
# own (created here, deleted after) on documentation addresses only, and prints PASS/FAIL per script.
# Each script shows on the wire the Linux behaviour that a FAILED Linux grid cell claims (GRID-JUDGEMENTS.md).
# usage: sudo testcases/packetdrill/run.sh /path/to/packetdrill [script.pkt ...]
# packetdrill is not part of tcpct: build it under /tmp (github.com/google/packetdrill, gtests/net/packetdrill:
# ./configure && make; needs bison and flex). Never commit its code.
set -u
pd=${1:?usage: run.sh /path/to/packetdrill [script.pkt ...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here"/grid/*.pkt
ns=tcpct-pd-grid-$$
pass=0; fail=0
for s in "$@"; do
  ip netns add "$ns" || { echo "cannot create network namespace $ns (run as root)"; exit 2; }
  if out=$(ip netns exec "$ns" "$pd" --local_ip=192.0.2.1 --remote_ip=192.0.2.2 --gateway_ip=192.0.2.254 \
             --netmask_ip=255.255.255.0 "$s" 2>&1); then
    echo "PASS $(basename "$s")"; pass=$((pass + 1))
  else
    echo "FAIL $(basename "$s"): $(echo "$out" | tr '\n' ' ' | cut -c1-300)"; fail=$((fail + 1))
  fi
  ip netns del "$ns"
done
echo "packetdrill: $pass passed, $fail failed (kernel $(uname -r))"
[ $fail -eq 0 ]
