#!/bin/sh
# Unit test of targets/common: compiles common_test.c with ../agent_*.c and runs it.
#   sh targets/common/test/run.sh
# Needs gcc. Writes only a temporary binary, removed afterwards. Exit status: the test's.
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 2
command -v gcc >/dev/null 2>&1 || { echo "run.sh: error: gcc not found: install gcc and run again" >&2; exit 2; }
bin=$(mktemp /tmp/tcpct-common-test.XXXXXX) || exit 2
trap 'rm -f "$bin"' EXIT INT TERM
gcc -O2 -Wall -Wextra -Werror -I"$here/.." -o "$bin" "$here/common_test.c" "$here"/../agent_*.c || exit 2
"$bin"
