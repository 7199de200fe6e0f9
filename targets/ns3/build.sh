#!/bin/bash
# Builds the tcpct ns-3 agent and assembles a docker build context.
#
#   targets/ns3/build.sh OUTDIR
#
# Writes OUTDIR/Dockerfile and OUTDIR/rootfs/: the agent (/agent, linked against Debian's ns-3 3.37
# libraries), every shared library `ldd` lists for it at the path ldd gives, and the dynamic loader.
# Installs what it needs from Debian when absent (libns3-dev, g++). Safe to run repeatedly.
set -u

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "build.sh: usage: build.sh OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd) || { echo "build.sh: error: cannot find the script's folder" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------
need=()
for pkg in libns3-dev g++; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
    echo "build.sh: installing ${need[*]} from Debian"
    apt_install() {
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "$@"
    }
    if ! apt_install "${need[@]}" >/dev/null 2>&1; then
        apt-get -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
        apt_install "${need[@]}" >&2 || { echo "build.sh: error: cannot install ${need[*]} (apt-get failed)" >&2; exit 1; }
    fi
fi
ns3ver=$(dpkg-query -W -f='${Version}' libns3-dev 2>/dev/null) || ns3ver=unknown

mkdir -p "$out" 2>/dev/null || { echo "build.sh: error: cannot create $out" >&2; exit 1; }
out=$(cd "$out" && pwd) || { echo "build.sh: error: cannot enter $out" >&2; exit 1; }

# --- the agent ---------------------------------------------------------------------------------
# ns-3's headers are included as <ns3/...>; Debian's pkg-config files for ns-3 carry a broken -I, so
# the libraries are named directly.
tmp="$out/.agent.tmp.$$"
log="$out/.agent.log.$$"
trap 'rm -f "$tmp" "$log"' EXIT INT TERM
if ! (cd "$here/agent" && g++ -std=c++17 -O2 -Wall -Wextra \
        -DTCPCT_NS3_VERSION="\"${ns3ver%%-*} (Debian libns3-dev $ns3ver)\"" \
        -o "$tmp" agent.cc json.cc \
        -lns3-fd-net-device -lns3-internet -lns3-network -lns3-core -pthread) >"$log" 2>&1; then
    cat "$log" >&2
    first=$(grep -m1 -E 'error|cannot find' "$log" || true)
    echo "build.sh: error: compiling agent/agent.cc failed${first:+: $first}" >&2
    exit 1
fi
if [ -s "$log" ]; then
    cat "$log" >&2   # warnings: show them, but they do not fail the build
fi

# --- the image's file system: the agent, its libraries, the loader ----------------------------
rootfs="$out/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs" || { echo "build.sh: error: cannot create $rootfs" >&2; exit 1; }
mv -f "$tmp" "$rootfs/agent" || { echo "build.sh: error: cannot write $rootfs/agent" >&2; exit 1; }
libs=$(ldd "$rootfs/agent") || { echo "build.sh: error: ldd $rootfs/agent failed" >&2; exit 1; }
if grep -q 'not found' <<<"$libs"; then
    echo "build.sh: error: unresolved libraries: $(grep 'not found' <<<"$libs" | tr -s ' \t\n' ' ')" >&2
    exit 1
fi
count=0
while read -r path; do
    [ -n "$path" ] || continue
    mkdir -p "$rootfs$(dirname "$path")" &&
        cp -L "$path" "$rootfs$path" || { echo "build.sh: error: cannot copy $path" >&2; exit 1; }
    count=$((count + 1))
done < <(awk '/=>/ { if ($3 ~ /^\//) print $3; next } $1 ~ /^\// { print $1 }' <<<"$libs")
[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ] || { echo "build.sh: error: ldd listed no dynamic loader" >&2; exit 1; }
mkdir -p "$rootfs/run/tcpct" "$rootfs/tmp"
cp -f "$here/Dockerfile" "$out/Dockerfile" || { echo "build.sh: error: cannot copy Dockerfile to $out" >&2; exit 1; }
echo "build.sh: agent + $count shared objects (ns-3 $ns3ver) in $out"
