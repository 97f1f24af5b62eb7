#!/usr/bin/env bash
# Runs every test suite of a build variant and prints one aggregate line,
# `N passed, N failed`, as the very last line. Each suite prints its own
# `N passed, N failed` line, which is summed here.
set -uo pipefail
build=${1:?usage: run-tests.sh build/<variant>}
shift || true

total_pass=0
total_fail=0
status=0

run_suite() {
  local name=$1; shift
  local log
  log=$(mktemp)
  echo "== suite $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "suite $name printed no result line (exit $rc)"
    total_fail=$((total_fail + 1)); status=1; return
  fi
  local p f
  p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "suite $name exited $rc"; total_fail=$((total_fail + 1))
  fi
  [ "$rc" -ne 0 ] && status=1
}

# MPC_SUITES picks suites (default: unit integration); `make test-faults`
# runs `faults` alone.
for suite in ${MPC_SUITES:-unit integration}; do
  case $suite in
    unit) run_suite unit "$build/bin/mpc-tests" "$@" ;;
    integration)
      # Integration tests start servers and processes: fewer at once.
      if [ -x "$build/bin/mpc-itests" ]; then
        run_suite integration "$build/bin/mpc-itests" -j 1 "$@"
      fi ;;
    faults) run_suite faults "$build/bin/mpc-ftests" -j 1 "$@" ;;
    # The big-number and protocol tests again on the limbs Montgomery
    # engine (built without AVX-512 IFMA), the one CPUs without it run.
    portable) run_suite portable build/portable/bin/mpc-tests \
        --only bn_ --only paillier --only rped --only zk_ --only cggmp "$@" ;;
    *) echo "unknown suite $suite"; total_fail=$((total_fail + 1)); status=1 ;;
  esac
done

echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ $status -eq 0 ]
