#!/usr/bin/env bash
# docker/engine-restart.sh [DOWN_S] [SCENARIOS] [KILL_AFTER_S]
#
# Kills the Docker engine (SIGKILL) under a running `./tcpct run --workers 1`, starts it again DOWN_S
# seconds later the way ./tcpct does (dockerd --iptables=false --bridge=none, in its own session), and
# then counts what the run left behind: containers, host veths, /tmp/tcpct-run-<pid>-* folders and
# dangling images. With DOWN_S above 30 the engine stays away longer than the harness waits for it
# (tcpct.scenario.LabPool.ENGINE_BACK), and every later scenario must be ERROR with that cause.
#
# The engine on this machine is shared, so the script starts a PRIVATE dockerd of its own (own socket,
# data root, exec root and pid file under /run/tcpct-engine-restart and /var/lib/tcpct-engine-restart)
# and points the run at it with DOCKER_HOST; the shared engine and its runs are not touched. The
# private engine is stopped at the end; its data root keeps the built target image for the next time.
# Run as root from anywhere. Exit 0 when the run went on after the restart and left nothing behind.
set -euo pipefail

DOWN_S=${1:-5}
SCENARIOS=${2:-'{close/time-wait-expiry,establish/*}'}
KILL_AFTER_S=${3:-4}
HOME_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
PRIV=/run/tcpct-engine-restart
export DOCKER_HOST=unix://$PRIV/docker.sock
OUT=$(mktemp -d /tmp/tcpct-engine-restart-out.XXXXXX)
say() { echo "engine-restart: $(date +%T.%3N) $*" >&2; }

start_engine() {
  mkdir -p "$PRIV"
  rm -f "$PRIV/docker.pid"
  # Own containerd namespaces too: should this machine run a system containerd (which both engines would
  # then share), the private engine's containers stay apart from the shared engine's.
  setsid nohup dockerd --iptables=false --bridge=none -H "$DOCKER_HOST" --data-root /var/lib/tcpct-engine-restart \
    --exec-root "$PRIV/exec" --pidfile "$PRIV/docker.pid" --containerd-namespace tcpct-engine-restart \
    --containerd-plugins-namespace tcpct-engine-restart-plugins >>"$PRIV/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do timeout 5 docker info >/dev/null 2>&1 && return 0; sleep 0.5; done
  say "the private engine did not start within 30 s (see $PRIV/dockerd.log)"; exit 2
}
engine_pid() { cat "$PRIV/docker.pid" 2>/dev/null || true; }
stop_engine() { # the run (if the script fails under it) and the private engine, however the script ends
  [ -n "${LIVE_RUN:-}" ] && kill -TERM "$LIVE_RUN" 2>/dev/null && wait "$LIVE_RUN" 2>/dev/null || true
  [ -n "$(engine_pid)" ] && kill -TERM "$(engine_pid)" 2>/dev/null || true
  while [ -n "$(engine_pid)" ] && kill -0 "$(engine_pid)" 2>/dev/null; do sleep 0.2; done
  # dockerd mounts its data root onto itself; the one it was killed under stays mounted: unmount it
  while mountpoint -q /var/lib/tcpct-engine-restart; do umount /var/lib/tcpct-engine-restart; done
}
trap stop_engine EXIT
leftovers() { # containers veths dirs dangling-images of run $1
  echo "containers=$(docker ps -aq --filter label=dev.tcpct.run="$1" | wc -l)" \
       "veths=$(grep -lx "tcpct-run-$1" /sys/class/net/*/ifalias 2>/dev/null | wc -l)" \
       "dirs=$(ls -d /tmp/tcpct-run-"$1"-* 2>/dev/null | wc -l)" \
       "dangling-images=$(docker images -q --filter dangling=true | wc -l)" \
       "all-containers=$(docker ps -aq | wc -l)"
}

[ -n "$(engine_pid)" ] && kill -0 "$(engine_pid)" 2>/dev/null || start_engine
say "private engine $(engine_pid) up; before: $(leftovers none)"
"$HOME_DIR/tcpct" run --target linux --scenario "$SCENARIOS" --workers 1 --out "$OUT" >"$OUT.out" 2>"$OUT.err" &
RUN=$!; LIVE_RUN=$RUN
for _ in $(seq 1 480); do
  grep -q '^tcpct: running' "$OUT.err" 2>/dev/null && break # the first scenario starts now
  kill -0 $RUN 2>/dev/null || { say "the run ended before its container started"; cat "$OUT.err" >&2; exit 2; }
  sleep 0.25
done
say "run $RUN runs its first scenario on $(docker ps --filter label=dev.tcpct.run=$RUN --format '{{.Names}}'); killing the engine in $KILL_AFTER_S s"
sleep "$KILL_AFTER_S"
OLD=$(engine_pid)
kill -KILL "$OLD"
say "engine $OLD killed (SIGKILL)"
KILLED_NS=$(date +%s%N)
while kill -0 "$OLD" 2>/dev/null; do sleep 0.1; done
# while the engine is down: the time from the kill to the first ERROR line the run prints
UP_AT=$((KILLED_NS + DOWN_S * 1000000000)); SEEN=""
while [ "$(date +%s%N)" -lt $UP_AT ]; do
  if [ -z "$SEEN" ] && grep -q '^ERROR' "$OUT.out" 2>/dev/null; then
    SEEN=1; say "first ERROR printed $(( ($(date +%s%N) - KILLED_NS) / 1000000 )) ms after the kill (polled every 50 ms)"
  fi
  sleep 0.05
done
[ -n "$SEEN" ] || say "no ERROR printed while the engine was down"
start_engine
say "engine $(engine_pid) answers again after ${DOWN_S} s down"
wait $RUN && EXIT=0 || EXIT=$?
LIVE_RUN=""
say "run ended with exit $EXIT"
cat "$OUT.out" "$OUT.err" | cut -c1-240 >&2
AFTER=$(leftovers $RUN)
say "after: $AFTER"
python3 - "$OUT/summary.json" <<'EOF' >&2
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["scenarios"]:
    print("  %-13s %-32s %s" % (s["verdict"], s["id"], (s.get("failure") or "")[:150]))
EOF
stop_engine
say "private engine stopped; run's files in $OUT"
case "$AFTER" in "containers=0 veths=0 dirs=0 dangling-images=0 all-containers=0") exit 0 ;; *) exit 1 ;; esac
