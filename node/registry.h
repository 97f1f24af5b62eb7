/*
 * node/registry.h — who is alive, and key info, on NATS KV (no Consul).
 *
 * Trust never comes from here: node identities and keys come from the
 * operator's peers file. The registry only reports liveness (which peers
 * heartbeat) and key info (which peers hold a wallet's shares); callers
 * check every id against the peers file before using it. Heartbeats from
 * ids outside the configured peer list are counted and ignored.
 *
 * Buckets (file storage; values are JSON, parsed strictly):
 *
 *   mpc_heartbeats  key <node id>, TTL = liveness window, history 1
 *     {"node_id":"<id>","ready":true,"ts_ms":<sender's wall clock, ms>,
 *      "version":"<software version>"}
 *   mpc_keyinfo     key <curve>.<escaped wallet id>, no TTL, history 1
 *     {"participant_peer_ids":["<id>",...],"threshold":<signers>,
 *      "version":<n>}
 *     (mpcium's Consul key info field names; its threshold is t, ours
 *     the signer count)
 *     threshold is the number of signers (not mpcium's t = signers - 1);
 *     participants are sorted and unique; version starts at 1 and grows by
 *     one per reshare.
 *
 * Wallet ids are escaped into KV key syntax: [A-Za-z0-9_-] stay, any other
 * byte b becomes "=XX" (two upper-case hex digits), so the map is
 * injective and reversible.
 *
 * Liveness. A peer is alive at time `now` when its latest heartbeat was
 * written within the liveness window before `now` and it has not deleted
 * its key (a node deletes its heartbeat when it stops cleanly). NATS 2.9
 * expires KV entries without telling watchers, so the registry ages
 * entries itself from the server's write time; it never compares a peer's
 * clock with ours (ts_ms is informational). node_registry_ping asks a peer
 * directly (request/reply on "healthcheck:<id>", mpcium's subject and
 * payload), for the cases where a heartbeat's age is not enough.
 *
 * Threads: one thread drives node_registry_poll (writes our heartbeat when
 * due, applies watch events); every other function may be called from any
 * thread. Times (`now_ms`) are monotonic milliseconds from the caller's
 * clock, the same clock for every call.
 *
 * Rules for every function: pointer arguments must not be NULL unless
 * stated; outputs are zeroed on failure; nothing is kept after return
 * unless stated.
 */
#ifndef NODE_REGISTRY_H
#define NODE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/transport.h"

#define NODE_REGISTRY_BUCKET_HEARTBEATS "mpc_heartbeats"
#define NODE_REGISTRY_BUCKET_KEYINFO "mpc_keyinfo"
/** Health ping subject prefix; the node id follows. */
#define NODE_REGISTRY_HEALTH_PREFIX "healthcheck:"
/** Node ids: [A-Za-z0-9_-], 1..64 bytes (UUIDs fit). */
#define NODE_REGISTRY_ID_MAX_BYTES 64
/** Software version strings: printable ASCII without '"' or '\\'. */
#define NODE_REGISTRY_VERSION_MAX_BYTES 32
/** Peers a registry tracks, and participants of one key. */
#define NODE_REGISTRY_PEERS_MAX 64
/** Wallet ids: 1..128 bytes, no NUL. */
#define NODE_REGISTRY_WALLET_MAX_BYTES 128
/** Curve names: [a-z0-9], 1..16 bytes ("ecdsa", "eddsa"). */
#define NODE_REGISTRY_CURVE_MAX_BYTES 16
/** A key-info KV key: curve, '.', escaped wallet. */
#define NODE_REGISTRY_KEY_MAX_BYTES                                            \
    (NODE_REGISTRY_CURVE_MAX_BYTES + 1 + 3 * NODE_REGISTRY_WALLET_MAX_BYTES)

_Static_assert(NODE_REGISTRY_KEY_MAX_BYTES <= NODE_KV_KEY_MAX_BYTES,
               "key-info keys fit the KV key limit");

typedef struct node_registry node_registry;

/* ---- Values (pure) ---- */

typedef struct node_heartbeat {
    char node_id[NODE_REGISTRY_ID_MAX_BYTES + 1];
    /** The sender's wall clock (ms since the Unix epoch); informational. */
    int64_t ts_ms;
    char version[NODE_REGISTRY_VERSION_MAX_BYTES + 1];
    bool ready;
} node_heartbeat;

typedef struct node_keyinfo {
    /** Number of signers needed (t of n). */
    uint32_t threshold;
    /** Key version: 1 after keygen, +1 per reshare. */
    uint32_t version;
    size_t nparticipants;
    char participants[NODE_REGISTRY_PEERS_MAX][NODE_REGISTRY_ID_MAX_BYTES + 1];
} node_keyinfo;

/** True for a node id: [A-Za-z0-9_-], 1..NODE_REGISTRY_ID_MAX_BYTES. */
bool node_registry_id_is_valid(const char *id);

/**
 * Writes the heartbeat JSON into out[0..*len).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (invalid id or version, negative
 * ts, buffer too small).
 */
MPC_WARN_UNUSED mpc_err node_heartbeat_serialize(const node_heartbeat *hb,
                                                 uint8_t *out, size_t cap,
                                                 size_t *len);

/**
 * Parses a heartbeat (hostile bytes): an object with exactly the four
 * fields, of the right types and ranges.
 * Returns: MPC_OK; MPC_ERR_PARSE.
 */
MPC_WARN_UNUSED mpc_err node_heartbeat_parse(const uint8_t *json, size_t len,
                                             node_heartbeat *out);

/**
 * Checks key info: 1..NODE_REGISTRY_PEERS_MAX valid, unique participants,
 * 1 <= threshold <= participants, version >= 1.
 */
bool node_keyinfo_is_valid(const node_keyinfo *ki);

/**
 * Writes the canonical key-info JSON (participants sorted).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (invalid key info, buffer too
 * small).
 */
MPC_WARN_UNUSED mpc_err node_keyinfo_serialize(const node_keyinfo *ki,
                                               uint8_t *out, size_t cap,
                                               size_t *len);

/**
 * Parses key info (hostile bytes): exactly the three fields; the result
 * passes node_keyinfo_is_valid and its participants are sorted.
 * Returns: MPC_OK; MPC_ERR_PARSE.
 */
MPC_WARN_UNUSED mpc_err node_keyinfo_parse(const uint8_t *json, size_t len,
                                           node_keyinfo *out);

/** True when both hold the same participants (as sets), threshold and
 *  version. */
bool node_keyinfo_equal(const node_keyinfo *a, const node_keyinfo *b);

/**
 * The KV key of a wallet's key info: "<curve>.<escaped wallet>".
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (bad curve or wallet, buffer too
 * small: NODE_REGISTRY_KEY_MAX_BYTES + 1 always suffices).
 */
MPC_WARN_UNUSED mpc_err node_registry_keyinfo_key(char *out, size_t cap,
                                                  const char *curve,
                                                  const char *wallet);

/**
 * Splits a key-info KV key back into curve and wallet (buffers of
 * NODE_REGISTRY_CURVE_MAX_BYTES + 1 and NODE_REGISTRY_WALLET_MAX_BYTES + 1).
 * Returns: MPC_OK; MPC_ERR_PARSE (not a key this module writes).
 */
MPC_WARN_UNUSED mpc_err node_registry_keyinfo_key_parse(
    const char *key, char curve[NODE_REGISTRY_CURVE_MAX_BYTES + 1],
    char wallet[NODE_REGISTRY_WALLET_MAX_BYTES + 1]);

/* ---- The registry ---- */

/** Key-info change seen by poll; `ki` is NULL when the key was deleted. */
typedef void (*node_keyinfo_fn)(void *ud, const char *curve, const char *wallet,
                                const node_keyinfo *ki);

typedef struct node_registry_config {
    /** This node. */
    const char *node_id;
    /** Our software version, published in heartbeats. */
    const char *version;
    /** Node ids of the peers file (this node may be among them). */
    const char *const *peers;
    size_t npeers;
    /** How often poll writes our heartbeat (2000). */
    int64_t heartbeat_interval_ms;
    /** Age after which a heartbeat no longer counts; also the bucket TTL
     *  (6000). At least twice the interval. */
    int64_t liveness_window_ms;
    /** Answer health pings on "healthcheck:<node_id>" (true). */
    bool health_responder;
    /** Bucket storage (file). */
    node_js_storage storage;
    /** Optional: called from poll for every key-info change (may be
     *  NULL). */
    node_keyinfo_fn on_keyinfo;
    void *keyinfo_ud;
} node_registry_config;

/** Fills `cfg` with the defaults named above (ids and peers NULL). */
void node_registry_config_default(node_registry_config *cfg);

/**
 * Ensures both buckets, starts watching them and, if configured, answers
 * health pings. Not ready until node_registry_set_ready(true).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (invalid id, version, peers or
 * timings); MPC_ERR_CONFLICT (a bucket exists with another TTL, history or
 * storage: fix or delete it); MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT;
 * MPC_ERR_NOMEM.
 * Args: t   borrowed; must outlive the registry
 */
MPC_WARN_UNUSED mpc_err node_registry_new(node_registry **out,
                                          node_transport *t,
                                          const node_registry_config *cfg);

/**
 * Leaves: deletes our heartbeat (peers see us gone at once; best effort),
 * stops watching and answering, frees. NULL does nothing. No poll may be
 * running.
 */
void node_registry_free(node_registry *r);

/**
 * Sets our ready flag and writes a heartbeat now (any thread; the poll
 * thread keeps the schedule).
 * Returns: MPC_OK; the transport's error (the flag is set anyway and the
 * next poll retries).
 */
MPC_WARN_UNUSED mpc_err node_registry_set_ready(node_registry *r, bool ready);

/**
 * One step of the registry's loop: writes our heartbeat if one is due
 * (re-creating the bucket if it vanished), then waits up to wait_ms for
 * watch events and applies all that are queued. A heartbeat seen at
 * `now_ms` counts as written at now_ms minus its age on the server, so keep
 * wait_ms small against the liveness window. Watchers that stopped, or that
 * did not echo our own last heartbeat within one interval (cnats can take
 * seconds to notice a restarted server), are restarted.
 *
 * Returns: MPC_OK; the transport's error when the heartbeat write or a
 * watcher restart failed (events were still applied; call again).
 */
MPC_WARN_UNUSED mpc_err node_registry_poll(node_registry *r, int64_t now_ms,
                                           int64_t wait_ms);

/**
 * Adds a node id to the peers list: a node the operator added to the peers
 * file while this one runs. Its heartbeats count from the next one it
 * writes. An id already listed is left alone.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (invalid id, the list is full).
 */
MPC_WARN_UNUSED mpc_err node_registry_peer_add(node_registry *r,
                                               const char *node_id);

typedef struct node_peer_status {
    bool alive;
    bool ready;
    /** When we last saw a heartbeat, on the caller's clock (0: never). */
    int64_t seen_ms;
    /** The peer's own wall-clock stamp of that heartbeat. */
    int64_t ts_ms;
    char version[NODE_REGISTRY_VERSION_MAX_BYTES + 1];
} node_peer_status;

/**
 * Liveness of one peer of the peers list.
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (`node_id` is not in the peers list).
 */
MPC_WARN_UNUSED mpc_err node_registry_peer(node_registry *r,
                                           const char *node_id, int64_t now_ms,
                                           node_peer_status *out);

/**
 * The peers alive at `now_ms` (with `ready_only`, alive and ready), in
 * peers-list order, as pointers to the registry's copies of the ids (valid
 * until node_registry_free). Returns how many there are; at most `cap` are
 * written (`out` may be NULL when cap is 0).
 */
size_t node_registry_alive(node_registry *r, int64_t now_ms, bool ready_only,
                           const char **out, size_t cap);

/**
 * Health ping: request "healthcheck:<node_id>" with "<our id>,<true|false>"
 * (our ready flag), expecting "OK".
 * Returns: MPC_OK; MPC_ERR_UNAVAILABLE (nobody answers that subject: the
 * peer is down); MPC_ERR_TIMEOUT; MPC_ERR_PROTOCOL (an answer other than
 * "OK"); MPC_ERR_INVALID_ARG (invalid id, timeout_ms <= 0).
 */
MPC_WARN_UNUSED mpc_err node_registry_ping(node_registry *r,
                                           const char *node_id,
                                           int64_t timeout_ms);

/**
 * Publishes key info for (curve, wallet). Writers agree by version: an
 * absent key is created; an equal value is left alone (every participant
 * writes the same outcome); a lower stored version is replaced
 * (compare-and-swap, retried on a race).
 * Returns: MPC_OK; MPC_ERR_CONFLICT (a higher version is stored, or the
 * same version with other content — two outcomes for one key);
 * MPC_ERR_INVALID_ARG (bad curve, wallet or key info); MPC_ERR_PARSE (the
 * stored value is not key info); MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED mpc_err node_registry_keyinfo_put(node_registry *r,
                                                  const char *curve,
                                                  const char *wallet,
                                                  const node_keyinfo *ki);

/**
 * Reads key info for (curve, wallet).
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND; MPC_ERR_PARSE (the stored value is
 * not key info); MPC_ERR_INVALID_ARG; MPC_ERR_UNAVAILABLE /
 * MPC_ERR_TIMEOUT.
 */
MPC_WARN_UNUSED mpc_err node_registry_keyinfo_get(node_registry *r,
                                                  const char *curve,
                                                  const char *wallet,
                                                  node_keyinfo *out);

typedef struct node_registry_stats {
    uint64_t heartbeats_sent;
    uint64_t heartbeat_errors;
    /** Heartbeats from ids outside the peers list (ignored). */
    uint64_t unknown_heartbeats;
    /** Watch entries whose value did not parse (ignored). */
    uint64_t bad_entries;
    uint64_t watch_restarts;
    uint64_t pings_answered;
} node_registry_stats;

void node_registry_stats_get(node_registry *r, node_registry_stats *out);

#endif /* NODE_REGISTRY_H */
