#!/usr/bin/env bash
# scripts/demo-stop.sh — stops a cluster left by `DEMO_KEEP=1 make demo`
# (pids from .demo/env, or $DEMO_DIR/env: SIGTERM, up to 10 s, then SIGKILL) and removes
# .demo/. Idempotent: nothing to stop is not an error.
set -euo pipefail

cd "$(dirname "$0")/.."
DEMO=${DEMO_DIR:-$PWD/.demo}

if [ ! -d "$DEMO" ]; then
    echo "demo-stop: no $DEMO, nothing to stop"
    exit 0
fi
if [ ! -f "$DEMO/env" ] && [ ! -f "$DEMO/peers.json" ]; then
    echo "demo-stop: $DEMO does not look like a demo directory; left alone" >&2
    exit 1
fi
PIDS=""
if [ -f "$DEMO/env" ]; then
    PIDS=$(sed -n 's/^PIDS="\(.*\)"$/\1/p' "$DEMO/env")
fi
live=()
for p in $PIDS; do
    case $p in *[!0-9]* | "") continue ;; esac
    # Only processes that are ours: an mpcium-node or nats-server.
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case $comm in
    mpcium-node | nats-server)
        kill -TERM "$p" 2>/dev/null && live+=("$p")
        ;;
    esac
done
for _ in $(seq 100); do
    alive=0
    for p in "${live[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
done
for p in "${live[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
        echo "demo-stop: pid $p did not stop after SIGTERM; SIGKILL"
        kill -KILL "$p" 2>/dev/null || true
    fi
done
rm -rf "$DEMO"
echo "demo-stop: stopped ${#live[@]} process(es), removed $DEMO"
