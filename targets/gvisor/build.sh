#!/bin/sh
# Builds the tcpct gVisor agent (Go, static) and assembles a docker build context.
#
#   targets/gvisor/build.sh OUTDIR
#
# Writes OUTDIR/agent (a statically linked binary holding gVisor's netstack)
# and OUTDIR/Dockerfile. Offline: everything comes from Debian packages
# (golang-go 1.19 and the Go sources of gVisor and its dependencies under
# /usr/share/gocode), built in GOPATH mode with no module downloads. Missing
# packages are installed with apt-get. Safe to run repeatedly.
set -u

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "build.sh: usage: build.sh OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd) || { echo "build.sh: error: cannot find the script's folder" >&2; exit 1; }

packages="golang-go golang-gvisor-gvisor-dev golang-golang-x-sys-dev golang-golang-x-time-dev golang-github-google-btree-dev"
missing=""
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "build.sh: installing Debian packages:$missing" >&2
    # shellcheck disable=SC2086
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >&2; then
        # Stale package lists are the usual cause: refresh them once and retry.
        # shellcheck disable=SC2086
        if ! { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >&2; }; then
            echo "build.sh: error: cannot install$missing from Debian's archive" >&2
            exit 1
        fi
    fi
fi

mkdir -p "$out" 2>/dev/null || { echo "build.sh: error: cannot create $out" >&2; exit 1; }
out=$(cd "$out" && pwd) || { echo "build.sh: error: cannot enter $out" >&2; exit 1; }

# The stack's version, for the agent's hello.
gvisor_version=$(dpkg-query -W -f='${Version}' golang-gvisor-gvisor-dev 2>/dev/null || echo unknown)

# GOPATH mode, no network, no cgo: a static binary from Debian's Go sources only.
export GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 GOPROXY=off GOFLAGS= GOTOOLCHAIN=local
if [ -z "${GOCACHE:-}" ]; then
    if [ -n "${HOME:-}" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
        GOCACHE="$HOME/.cache/tcpct-gvisor-go-build"
    else
        GOCACHE=/tmp/tcpct-gvisor-go-build
    fi
    export GOCACHE
fi

# Compile to a temporary name and rename, so OUTDIR never holds a half-written
# binary. -trimpath and a fixed version keep the binary (and so the image tag,
# a hash of the context) the same from build to build.
tmp="$out/.agent.tmp.$$"
log="$out/.agent.log.$$"
trap 'rm -f "$tmp" "$log"' EXIT INT TERM
if ! (cd "$here/agent" && go build -trimpath -buildvcs=false \
        -ldflags "-s -w -X main.stackVersion=$gvisor_version" -o "$tmp" .) >"$log" 2>&1; then
    cat "$log" >&2
    first=$(grep -m1 -v '^#' "$log" || true)
    echo "build.sh: error: building agent/ failed${first:+: $first}" >&2
    exit 1
fi
if [ -s "$log" ]; then
    cat "$log" >&2
fi
mv -f "$tmp" "$out/agent" || { echo "build.sh: error: cannot write $out/agent" >&2; exit 1; }
cp -f "$here/Dockerfile" "$out/Dockerfile" || { echo "build.sh: error: cannot copy Dockerfile to $out" >&2; exit 1; }
