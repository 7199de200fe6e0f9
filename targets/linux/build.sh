#!/bin/sh
# Builds the tcpct Linux agent and assembles a docker build context.
#
#   targets/linux/build.sh OUTDIR
#
# Writes OUTDIR/agent (a static binary) and OUTDIR/Dockerfile, so OUTDIR can be
# given to `docker build`. Safe to run repeatedly. Needs gcc and the static C
# library (Debian/Ubuntu: build-essential, which pulls in libc6-dev). The agent
# is agent/agent.c plus the plumbing the C agents share, ../common/agent_*.c;
# both end up in the binary, so a change to either changes the image tag (a
# hash of OUTDIR).
set -u

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "build.sh: usage: build.sh OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd) || { echo "build.sh: error: cannot find the script's folder" >&2; exit 1; }
common="$here/../common"
[ -f "$common/agent_json.c" ] || { echo "build.sh: error: $common/agent_json.c is missing: targets/common must sit next to targets/linux" >&2; exit 1; }

command -v gcc >/dev/null 2>&1 || { echo "build.sh: error: gcc not found" >&2; exit 1; }
mkdir -p "$out" 2>/dev/null || { echo "build.sh: error: cannot create $out" >&2; exit 1; }
out=$(cd "$out" && pwd) || { echo "build.sh: error: cannot enter $out" >&2; exit 1; }

# Compile to a temporary name and rename, so OUTDIR never holds a half-written
# binary. Compiler messages go to a log that is shown only on failure.
tmp="$out/.agent.tmp.$$"
log="$out/.agent.log.$$"
trap 'rm -f "$tmp" "$log"' EXIT INT TERM
if ! (cd "$here" && gcc -static -O2 -Wall -Wextra -I"$common" -I"$here/agent" -o "$tmp" agent/agent.c agent/tcpinfo.c "$common"/agent_*.c) >"$log" 2>&1; then
    cat "$log" >&2
    first=$(grep -m1 -E 'error|cannot find' "$log" || true)
    echo "build.sh: error: compiling agent/agent.c with ../common failed${first:+: $first}" >&2
    exit 1
fi
if [ -s "$log" ]; then
    cat "$log" >&2   # warnings: show them, but they do not fail the build
fi
mv -f "$tmp" "$out/agent" || { echo "build.sh: error: cannot write $out/agent" >&2; exit 1; }
cp -f "$here/Dockerfile" "$out/Dockerfile" || { echo "build.sh: error: cannot copy Dockerfile to $out" >&2; exit 1; }
