#!/usr/bin/env bash
# Runs each fuzz target for a bounded time, seeded from its committed corpus.
set -euo pipefail
bindir=${1:?usage: fuzz.sh BINDIR SECONDS}
secs=${2:-20}
for bin in "$bindir"/fuzz_*; do
  case "$bin" in *.*) continue ;; esac
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=build/fuzz/corpus/${name#fuzz_}
  mkdir -p "$work"
  [ -d "$corpus" ] && cp -n "$corpus"/* "$work"/ 2>/dev/null || true
  log=build/fuzz/$name.log
  if "$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 "$work" >"$log" 2>&1; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
    echo "$name: ${runs:-?} runs in ${secs}s, no failure"
  else
    echo "$name: FAILED (see $log)"; tail -n 30 "$log"; exit 1
  fi
done
