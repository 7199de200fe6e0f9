#!/bin/sh
# Builds the tcpct lwIP agent and assembles a docker build context.
#
#   targets/lwip/build.sh OUTDIR
#
# lwIP comes from Debian (liblwip-dev, liblwip0: a shared library only), so the
# agent is a dynamic binary. OUTDIR gets the agent at OUTDIR/agent, every
# shared library that ldd lists at its own path under OUTDIR (for example
# OUTDIR/lib/x86_64-linux-gnu/liblwip.so.0), and a Dockerfile FROM scratch
# that copies exactly these files. The agent is agent/main.c and agent/stack.c
# plus the plumbing the C agents share, ../common/agent_*.c (compiled in, so
# a change there changes the binary and so the image tag). Installs missing
# Debian packages with apt-get; nothing from anywhere else. Safe to run
# repeatedly.
set -u

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "build.sh: usage: build.sh OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd) || { echo "build.sh: error: cannot find the script's folder" >&2; exit 1; }
common="$here/../common"
[ -f "$common/agent_json.c" ] || { echo "build.sh: error: $common/agent_json.c is missing: targets/common must sit next to targets/lwip" >&2; exit 1; }

# --- Debian packages -----------------------------------------------------------
need=""
for p in gcc libc6-dev liblwip-dev liblwip0; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *" installed") ;;
        *) need="$need $p" ;;
    esac
done
if [ -n "$need" ]; then
    echo "build.sh: installing Debian packages:$need"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y $need >/dev/null 2>&1; then
        # the package lists may be missing or stale: refresh once and retry
        DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y $need >&2 \
            || { echo "build.sh: error: apt-get install$need failed" >&2; exit 1; }
    fi
fi
command -v ldd >/dev/null 2>&1 || { echo "build.sh: error: ldd not found" >&2; exit 1; }

deb_version=$(dpkg-query -W -f='${Version}' liblwip0 2>/dev/null || echo unknown)
cflags=$(pkg-config --cflags lwip 2>/dev/null || echo "-I/usr/include/lwip")

mkdir -p "$out" 2>/dev/null || { echo "build.sh: error: cannot create $out" >&2; exit 1; }
out=$(cd "$out" && pwd) || { echo "build.sh: error: cannot enter $out" >&2; exit 1; }

# --- compile -----------------------------------------------------------------------
tmp="$out/.agent.tmp.$$"
log="$out/.agent.log.$$"
trap 'rm -f "$tmp" "$log"' EXIT INT TERM
if ! (cd "$here/agent" && gcc -O2 -g0 -Wall -Wextra -pthread $cflags -I"$common" -DDEB_VERSION="\"$deb_version\"" \
        -o "$tmp" main.c stack.c "$common"/agent_*.c -llwip) >"$log" 2>&1; then
    cat "$log" >&2
    first=$(grep -m1 -E 'error|cannot find' "$log" || true)
    echo "build.sh: error: compiling agent/main.c agent/stack.c ../common/agent_*.c failed${first:+: $first}" >&2
    exit 1
fi
if [ -s "$log" ]; then
    cat "$log" >&2   # warnings: show them, but they do not fail the build
fi
mv -f "$tmp" "$out/agent" || { echo "build.sh: error: cannot write $out/agent" >&2; exit 1; }

# --- the shared libraries, at their paths ---------------------------------------------
libs=$(ldd "$out/agent" | awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }')
if [ -z "$libs" ]; then
    echo "build.sh: error: ldd lists no libraries for the agent" >&2
    exit 1
fi
{
    echo "# The tcpct lwIP agent: the dynamic agent and the shared libraries ldd lists, nothing else."
    echo "# Written by targets/lwip/build.sh."
    echo "FROM scratch"
    echo "COPY agent /agent"
} >"$out/Dockerfile.tmp"
for lib in $libs; do
    [ -f "$lib" ] || { echo "build.sh: error: $lib (from ldd) is missing" >&2; exit 1; }
    rel=${lib#/}
    mkdir -p "$out/$(dirname "$rel")" || exit 1
    cp -L -f "$lib" "$out/$rel" || { echo "build.sh: error: cannot copy $lib" >&2; exit 1; }
    echo "COPY $rel /$rel" >>"$out/Dockerfile.tmp"
done
{
    echo 'ENTRYPOINT ["/agent"]'
    echo 'CMD ["--control", "/run/tcpct/agent.sock"]'
} >>"$out/Dockerfile.tmp"
mv -f "$out/Dockerfile.tmp" "$out/Dockerfile" || { echo "build.sh: error: cannot write $out/Dockerfile" >&2; exit 1; }
