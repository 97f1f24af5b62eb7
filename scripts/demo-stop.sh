#!/usr/bin/env bash
# scripts/demo-stop.sh — stops a cluster left by `DEMO_KEEP=1 make demo`
# (pids from .demo/env, or $DEMO_DIR/env) and removes .demo/. The nodes go
# first (they leave the registry and close their sessions through NATS),
# then nats-server: SIGTERM, up to 15 s, then SIGKILL, said aloud (a node
# that needs it is a bug). Idempotent: nothing to stop is not an error.
set -euo pipefail

cd "$(dirname "$0")/.."
DEMO=${DEMO_DIR:-$PWD/.demo}
STOP_WAIT_S=15

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
# Only processes that are ours: an mpcium-node or a nats-server.
nodes=()
servers=()
for p in $PIDS; do
    case $p in *[!0-9]* | "") continue ;; esac
    comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
    case $comm in
    mpcium-node) nodes+=("$p") ;;
    nats-server) servers+=("$p") ;;
    esac
done

stopped=0
stop_pids() {
    local p alive live=()
    for p in "$@"; do kill -TERM "$p" 2>/dev/null && live+=("$p"); done
    for _ in $(seq $((STOP_WAIT_S * 10))); do
        alive=0
        for p in "${live[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for p in "${live[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            echo "demo-stop: pid $p did not stop ${STOP_WAIT_S} s after SIGTERM; SIGKILL"
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    stopped=$((stopped + ${#live[@]}))
}
stop_pids "${nodes[@]}"
stop_pids "${servers[@]}"
rm -rf "$DEMO"
echo "demo-stop: stopped $stopped process(es), removed $DEMO"
