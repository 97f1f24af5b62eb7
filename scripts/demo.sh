#!/usr/bin/env bash
# scripts/demo.sh — a 3-node mpcium-node cluster on loopback, in .demo/:
# nats-server -js, identities/peers/initiator made with mpcium-cli, then an
# EdDSA keygen and two signatures (master key and a derivation path), each
# checked with libsodium. Everything stops at the end, unless DEMO_KEEP=1:
# then the cluster keeps running and .demo/env describes it (stop it with
# scripts/demo-stop.sh).
#
#   BUILD=build/release  where the binaries are (default)
#   DEMO_KEEP=1          leave the cluster running
#   DEMO_DIR=DIR         use DIR instead of .demo/
#
# Keygen prints both keys; the demo signs with EdDSA only.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build/release}
case $BUILD in /*) BIN=$BUILD/bin ;; *) BIN=$ROOT/$BUILD/bin ;; esac
CLI=$BIN/mpcium-cli
NODE=$BIN/mpcium-node
# DEMO_DIR: where the cluster lives (default .demo/; the tests use a temp dir).
DEMO=${DEMO_DIR:-$ROOT/.demo}
NODES=3
READY_WAIT_S=30

say() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

for b in "$CLI" "$NODE"; do
    [ -x "$b" ] || die "$b not found: run 'make all' first (or set BUILD)"
done
command -v nats-server >/dev/null || die "nats-server not found (scripts/deps.sh)"
if [ -e "$DEMO/env" ]; then
    die "a kept demo cluster is running ($DEMO/env): run scripts/demo-stop.sh first"
fi
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 700 "$DEMO"

# Free loopback ports: bind port 0 and read what the kernel chose.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

PIDS=()
cleanup() {
    local rc=$?
    if [ "${KEEP_RUNNING:-0}" = 1 ]; then
        exit "$rc"
    fi
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do
        local alive=0
        for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    if [ "$rc" = 0 ]; then
        rm -rf "$DEMO"
        echo "demo: cluster stopped, $DEMO removed"
    else
        echo "demo: FAILED (exit $rc); logs kept in $DEMO (remove with scripts/demo-stop.sh)" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "nats-server with JetStream on loopback"
NATS_PORT=$(free_port)
NATS_URL=nats://127.0.0.1:$NATS_PORT
mkdir -p "$DEMO/nats"
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$DEMO/nats" \
    -l "$DEMO/nats.log" </dev/null >/dev/null 2>&1 &
PIDS+=($!)
echo "$NATS_URL (pid ${PIDS[0]}, log $DEMO/nats.log)"

say "identities, peers, initiator (mpcium-cli generate-*)"
(
    cd "$DEMO"
    "$CLI" generate-peers --number "$NODES" --output peers.json
    for i in $(seq 0 $((NODES - 1))); do
        "$CLI" generate-identity --node "node$i" --peers peers.json \
            --output-dir identity >/dev/null
    done
    "$CLI" generate-initiator --output-dir initiator >/dev/null
)
INITIATOR_KEY=$DEMO/initiator/event_initiator.key
INITIATOR_PUB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["public_key"])' \
    "$DEMO/initiator/event_initiator.identity.json")
CHAIN_CODE=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DEMO/db_password"
echo "initiator public key $INITIATOR_PUB"

# Wait until nats-server accepts connections (bounded).
for _ in $(seq 100); do
    grep -q "Server is ready" "$DEMO/nats.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "Server is ready" "$DEMO/nats.log" || die "nats-server did not start (see $DEMO/nats.log)"

say "$NODES mpcium-node processes"
for i in $(seq 0 $((NODES - 1))); do
    cat >"$DEMO/node$i.yaml" <<EOF
node_name: node$i
peers_file: $DEMO/peers.json
identity_dir: $DEMO/identity
password_file: $DEMO/db_password
environment: development
nats:
  url: $NATS_URL
mpc_threshold: 1
event_initiator_pubkey: $INITIATOR_PUB
chain_code: $CHAIN_CODE
db_path: $DEMO/db
backup_enabled: false
healthcheck:
  enabled: false
EOF
    "$NODE" start -c "$DEMO/node$i.yaml" </dev/null >"$DEMO/node$i.log" 2>&1 &
    PIDS+=($!)
    echo "node$i (pid $!, log $DEMO/node$i.log)"
done

ready=0
for _ in $(seq $((READY_WAIT_S * 10))); do
    ready=0
    for i in $(seq 0 $((NODES - 1))); do
        grep -q '\[READY\]' "$DEMO/node$i.log" && ready=$((ready + 1))
    done
    [ $ready = $NODES ] && break
    for p in "${PIDS[@]}"; do
        kill -0 "$p" 2>/dev/null || die "a process exited early (see $DEMO/*.log)"
    done
    sleep 0.1
done
[ $ready = $NODES ] || die "only $ready of $NODES nodes ready after ${READY_WAIT_S}s (see $DEMO/node*.log)"
echo "all $NODES nodes printed [READY]"

COMMON=(--nats "$NATS_URL" --initiator-key "$INITIATOR_KEY" --client-id demo --timeout 60)

say "keygen (mpcium-cli keygen)"
"$CLI" keygen "${COMMON[@]}" --wallet demo-wallet-1 | tee "$DEMO/keygen.out"
PUB=$(sed -n 's/^eddsa_pub_key: //p' "$DEMO/keygen.out")
[ ${#PUB} = 64 ] || die "keygen gave no EdDSA key"

MSG="hello from the mpcium-c demo"
say "EdDSA sign of \"$MSG\" with the wallet key"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type ed25519 \
    --message-text "$MSG" --pubkey "$PUB"

say "EdDSA sign with derivation path 44/501/0/0 (mpcium's non-hardened derivation)"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type ed25519 \
    --message-text "$MSG" --path 44/501/0/0 --pubkey "$PUB" \
    --chain-code "$CHAIN_CODE"

if [ "${DEMO_KEEP:-0}" = 1 ]; then
    {
        echo "NATS_URL=$NATS_URL"
        echo "INITIATOR_KEY_HEX=$(cat "$INITIATOR_KEY")"
        echo "INITIATOR_KEY_FILE=$INITIATOR_KEY"
        echo "CHAIN_CODE=$CHAIN_CODE"
        echo "DEMO_WALLET=demo-wallet-1"
        echo "DEMO_WALLET_EDDSA_PUB=$PUB"
        echo "PIDS=\"${PIDS[*]}\""
    } >"$DEMO/env"
    KEEP_RUNNING=1
    say "cluster kept running (DEMO_KEEP=1)"
    echo "settings in $DEMO/env; try:"
    echo "  . $DEMO/env && $CLI keygen --nats \$NATS_URL --initiator-key \$INITIATOR_KEY_FILE"
    echo "stop it with: make demo-stop"
else
    say "done: both signatures verified; stopping"
fi
