#!/bin/sh
# scripts/ctime.sh — constant-time checks of secret-dependent code
# (tests/ctime/) under valgrind memcheck; `make ctime` runs it.
#
# Builds lib/ with -DMPC_TEST_BUILD (wiped memory is poisoned) into its own
# build directory, links the ctime runner against it and runs it under
# memcheck. Exits non-zero on any report that tests/ctime/ctime.supp does
# not suppress (each suppression is explained in docs/constant-time.md).
#
#   CTIME_OPT    optimisation flags for lib/ and the runner (default -O1;
#                -O2 is worth a run too: compilers add branches at -O2)
#   CTIME_BUILD  build directory (default build/ctime-O1: one per flag set,
#                since make does not rebuild objects when flags change)
set -eu

OPT=${CTIME_OPT:--O1}
BUILD=${CTIME_BUILD:-build/ctime$OPT}
BIN=$BUILD/bin/mpc-ctime
PKGS="libsodium libsecp256k1 gmp"

command -v valgrind >/dev/null || { echo "ctime: valgrind not installed" >&2; exit 1; }

make -s --no-print-directory BUILD="$BUILD" EXTRA_CFLAGS="-DMPC_TEST_BUILD $OPT" lib
mkdir -p "$BUILD/bin"
# shellcheck disable=SC2046,SC2086
gcc -std=c11 -D_DEFAULT_SOURCE -g $OPT -DMPC_TEST_BUILD \
    -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wvla -Iinclude -I. \
    $(pkg-config --cflags $PKGS 2>/dev/null) \
    -o "$BIN" tests/ctime/*.c "$BUILD/libmpc.a" \
    $(pkg-config --libs $PKGS 2>/dev/null || echo -lsodium -lsecp256k1 -lgmp) -lm

VG="valgrind -q --error-exitcode=42 --track-origins=yes --leak-check=no \
    --suppressions=tests/ctime/ctime.supp"

# The canary branches on a secret on purpose: memcheck must report it, or
# the runner was built without working client requests and proves nothing.
rc=0
$VG "$BIN" --canary >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 42 ]; then
    echo "ctime: canary not detected (exit $rc): the checks are not working" >&2
    exit 1
fi

# shellcheck disable=SC2086
exec $VG "$BIN"
