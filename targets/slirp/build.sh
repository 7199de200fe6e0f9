#!/bin/sh
# Builds the tcpct agent for libslirp and assembles a docker build context.
#
#   targets/slirp/build.sh OUTDIR
#
# Writes into OUTDIR: Dockerfile (FROM scratch), root/agent (dynamically linked
# against Debian's libslirp0) and, under root/, every shared library that ldd
# lists for it, at its own path (libslirp, glib, libc, the loader...), so
# OUTDIR is a complete build context. The agent is agent/agent.c plus the
# plumbing the C agents share, ../common/agent_*.c (compiled in, so a change
# there changes the binary and so the image tag). Installs the Debian packages it needs
# (gcc, libc6-dev, libslirp-dev) when dpkg says they are absent; nothing from
# any other source. Safe to run repeatedly.
set -u

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "build.sh: usage: build.sh OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd) || { echo "build.sh: error: cannot find the script's folder" >&2; exit 1; }
common="$here/../common"
[ -f "$common/agent_json.c" ] || { echo "build.sh: error: $common/agent_json.c is missing: targets/common must sit next to targets/slirp" >&2; exit 1; }

missing=""
for pkg in gcc libc6-dev libslirp-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    echo "build.sh: installing Debian packages:$missing" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2; then
        echo "build.sh: error: apt-get install$missing failed: install them by hand and run again" >&2
        exit 1
    fi
fi

mkdir -p "$out" 2>/dev/null || { echo "build.sh: error: cannot create $out" >&2; exit 1; }
out=$(cd "$out" && pwd) || { echo "build.sh: error: cannot enter $out" >&2; exit 1; }

tmp="$out/.agent.tmp.$$"
log="$out/.agent.log.$$"
trap 'rm -f "$tmp" "$log"' EXIT INT TERM
# libslirp.h needs no glib headers; link against libslirp.so (libslirp-dev) directly.
if ! (cd "$here" && gcc -O2 -Wall -Wextra -I"$common" -o "$tmp" agent/agent.c "$common"/agent_*.c -lslirp) >"$log" 2>&1; then
    cat "$log" >&2
    first=$(grep -m1 -E 'error|cannot find' "$log" || true)
    echo "build.sh: error: compiling agent/agent.c with ../common failed${first:+: $first}" >&2
    exit 1
fi
if [ -s "$log" ]; then
    cat "$log" >&2   # warnings: shown, not fatal
fi

rm -rf "$out/root"
mkdir -p "$out/root" || { echo "build.sh: error: cannot write $out/root" >&2; exit 1; }
mv -f "$tmp" "$out/root/agent" || { echo "build.sh: error: cannot write $out/root/agent" >&2; exit 1; }

# Every library the dynamic agent needs, at the path the loader will look for it.
libs=$(ldd "$out/root/agent" | awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]*ld-linux/{print $1}')
if [ -z "$libs" ]; then
    echo "build.sh: error: ldd lists no libraries for the agent" >&2
    exit 1
fi
for lib in $libs; do
    mkdir -p "$out/root$(dirname "$lib")" && cp -L "$lib" "$out/root$lib" \
        || { echo "build.sh: error: cannot copy $lib into the build context" >&2; exit 1; }
done

cp -f "$here/Dockerfile" "$out/Dockerfile" || { echo "build.sh: error: cannot copy Dockerfile to $out" >&2; exit 1; }
