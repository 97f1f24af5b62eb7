#!/usr/bin/env bash
# scripts/demo.sh — a 3-node mpcium-node cluster on loopback, in .demo/:
# nats-server -js, identities/peers/initiator made with mpcium-cli, then a
# keygen (Ed25519 and secp256k1 keys), two EdDSA signatures (master key and
# a derivation path, checked with libsodium) and two ECDSA signatures (the
# same, checked with libsecp256k1, recovery id included). Everything stops
# at the end, unless DEMO_KEEP=1: then the cluster keeps running and
# .demo/env describes it (stop it with scripts/demo-stop.sh).
#
#   BUILD=build/release  where the binaries are (default)
#   DEMO_KEEP=1          leave the cluster running
#   DEMO_DIR=DIR         use DIR instead of .demo/
#   DEMO_WAIT_S=180      bound on each start-up wait (primes, aux-info)
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
# A node's first start makes two 1024-bit safe primes (tens of seconds on a
# loaded 2-core machine), then the committee runs its aux-info session.
WAIT_S=${DEMO_WAIT_S:-180}
T0=$SECONDS

say() { printf '\n== %s\n' "$*"; }
elapsed() { echo "$((SECONDS - T0)) s"; }
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

# A free loopback port into PORT (bash only: no python on a minimal
# machine): a random one in 20000-60999 that nothing answers on and that
# this demo has not handed out yet. Like any "find a free port" it races with other
# programs; a lost race shows as a node or nats-server failing to start.
USED_PORTS=" "
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 41000))
        case $USED_PORTS in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            USED_PORTS+="$port "
            PORT=$port
            return 0
        fi
    done
    die "no free loopback port found"
}

# GET http://127.0.0.1:PORT/PATH (HTTP/1.0, at most 2 s) on stdout.
http_get() {
    # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$2" >&3 &&
        cat <&3' _ "$1" "$2" 2>/dev/null
}

PIDS=()
# SIGTERM, up to STOP_WAIT_S for a clean exit, then SIGKILL (said aloud:
# a node that needs it is a bug).
STOP_WAIT_S=15
stop_pids() {
    local p alive
    for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq $((STOP_WAIT_S * 10))); do
        alive=0
        for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for p in "$@"; do
        if kill -0 "$p" 2>/dev/null; then
            echo "demo: pid $p did not stop ${STOP_WAIT_S} s after SIGTERM; SIGKILL" >&2
            kill -KILL "$p" 2>/dev/null || true
        fi
        wait "$p" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$?
    if [ "${KEEP_RUNNING:-0}" = 1 ]; then
        exit "$rc"
    fi
    # Nodes first (they leave the registry through NATS), then nats-server.
    if [ ${#PIDS[@]} -gt 0 ]; then
        stop_pids "${PIDS[@]:1}"
        stop_pids "${PIDS[0]}"
    fi
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
free_port
NATS_PORT=$PORT
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
INITIATOR_PUB=$(sed -n 's/^ *"public_key": *"\([0-9a-f]*\)".*/\1/p' \
    "$DEMO/initiator/event_initiator.identity.json")
[ ${#INITIATOR_PUB} = 64 ] || die "no public_key in $DEMO/initiator/event_initiator.identity.json"
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
HTTP_PORTS=()
for i in $(seq 0 $((NODES - 1))); do
    free_port
    HTTP_PORTS+=("$PORT")
    cat >"$DEMO/node$i.yaml" <<YAML
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
  enabled: true
  address: 127.0.0.1:${HTTP_PORTS[$i]}
YAML
    "$NODE" start -c "$DEMO/node$i.yaml" </dev/null >"$DEMO/node$i.log" 2>&1 &
    PIDS+=($!)
    echo "node$i (pid $!, log $DEMO/node$i.log, http://127.0.0.1:${HTTP_PORTS[$i]}/metrics)"
done

alive_or_die() {
    for p in "${PIDS[@]}"; do
        kill -0 "$p" 2>/dev/null || die "a process exited early (see $DEMO/*.log)"
    done
}

# Per node, a word for where its start-up is: primes (before [READY]),
# aux-info (mpcium_ecdsa_aux_ready still 0 on /metrics), ready.
node_state() {
    local i=$1
    if ! grep -q '\[READY\]' "$DEMO/node$i.log"; then
        echo primes
    elif http_get "${HTTP_PORTS[$i]}" /metrics | tr -d '\r' |
        grep -qx 'mpcium_ecdsa_aux_ready 1'; then
        echo ready
    else
        echo aux-info
    fi
}

# Waits (at most WAIT_S) until every node is past `phase`, printing a
# progress line whenever a node's state changes and every 10 s.
wait_phase() {
    local phase=$1 what=$2 start=$SECONDS printed=$SECONDS last="" line
    echo "waiting for: $what (at most ${WAIT_S} s)"
    while :; do
        alive_or_die
        local states=() waiting=0
        for i in $(seq 0 $((NODES - 1))); do
            states+=("$(node_state "$i")")
            case $phase:${states[$i]} in
            primes:primes | aux-info:primes | aux-info:aux-info) waiting=$((waiting + 1)) ;;
            esac
        done
        line=""
        for i in $(seq 0 $((NODES - 1))); do
            case ${states[$i]} in
            primes) line+=" node$i: generating Paillier primes…" ;;
            aux-info) line+=" node$i: committee aux-info…" ;;
            ready) line+=" node$i: ready" ;;
            esac
        done
        if [ "$line" != "$last" ] || [ $((SECONDS - printed)) -ge 10 ]; then
            echo "  [$(elapsed)]$line"
            printed=$SECONDS
            last=$line
        fi
        [ $waiting = 0 ] && break
        [ $((SECONDS - start)) -lt "$WAIT_S" ] ||
            die "$what: not done after ${WAIT_S} s (see $DEMO/node*.log)"
        sleep 1
    done
}

wait_phase primes "every node's two 1024-bit safe primes, then [READY]"
grep -h 'paillier primes generated' "$DEMO"/node*.log | sed 's/^/  /' || true
wait_phase aux-info "the committee's ECDSA aux-info session"
grep -h 'aux-info session' "$DEMO"/node*.log | sed 's/^/  /' || true
echo "cluster ready after $(elapsed)"

COMMON=(--nats "$NATS_URL" --initiator-key "$INITIATOR_KEY" --client-id demo --timeout 120)

say "keygen (mpcium-cli keygen): one Ed25519 and one secp256k1 key"
"$CLI" keygen "${COMMON[@]}" --wallet demo-wallet-1 | tee "$DEMO/keygen.out"
PUB=$(sed -n 's/^eddsa_pub_key: //p' "$DEMO/keygen.out")
ECPUB=$(sed -n 's/^ecdsa_pub_key: //p' "$DEMO/keygen.out")
[ ${#PUB} = 64 ] || die "keygen gave no EdDSA key"
[ ${#ECPUB} = 128 ] || die "keygen gave no ECDSA key"

MSG="hello from the mpcium-c demo"
say "EdDSA sign of \"$MSG\" with the wallet key"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type ed25519 \
    --message-text "$MSG" --pubkey "$PUB"

say "EdDSA sign with derivation path 44/501/0/0 (mpcium's non-hardened derivation)"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type ed25519 \
    --message-text "$MSG" --path 44/501/0/0 --pubkey "$PUB" \
    --chain-code "$CHAIN_CODE"

say "ECDSA sign of SHA-256(\"$MSG\") with the wallet key"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type secp256k1 \
    --message-text "$MSG" --hash sha256 --pubkey "$ECPUB"

say "ECDSA sign with derivation path 44/60/0/0/0 (BIP32 non-hardened)"
"$CLI" sign "${COMMON[@]}" --wallet demo-wallet-1 --key-type secp256k1 \
    --message-text "$MSG" --hash keccak256 --path 44/60/0/0/0 \
    --pubkey "$ECPUB" --chain-code "$CHAIN_CODE"

if [ "${DEMO_KEEP:-0}" = 1 ]; then
    {
        echo "NATS_URL=$NATS_URL"
        echo "INITIATOR_KEY_HEX=$(cat "$INITIATOR_KEY")"
        echo "INITIATOR_KEY_FILE=$INITIATOR_KEY"
        echo "INITIATOR_PUB=$INITIATOR_PUB"
        echo "CHAIN_CODE=$CHAIN_CODE"
        echo "DEMO_WALLET=demo-wallet-1"
        echo "DEMO_WALLET_EDDSA_PUB=$PUB"
        echo "DEMO_WALLET_ECDSA_PUB=$ECPUB"
        echo "HTTP_PORTS=\"${HTTP_PORTS[*]}\""
        echo "DEMO_DIR=$DEMO"
        echo "PEERS_FILE=$DEMO/peers.json"
        echo "PIDS=\"${PIDS[*]}\""
    } >"$DEMO/env"
    KEEP_RUNNING=1
    say "cluster kept running (DEMO_KEEP=1)"
    echo "settings in $DEMO/env; try:"
    echo "  . $DEMO/env && $CLI keygen --nats \$NATS_URL --initiator-key \$INITIATOR_KEY_FILE"
    echo "stop it with: make demo-stop"
else
    say "done in $(elapsed): four signatures verified; stopping"
fi
