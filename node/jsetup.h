/*
 * node/jsetup.h — the JetStream layout a node needs, created or checked at
 * start-up: mpcium's streams and durable consumers exactly (spec
 * mpcium-wire.md §1.2, §1.3), plus our extensions.
 *
 * Streams (description "Stream for <name>", file storage, discard old,
 * duplicate window 2 min, max bytes 100,000,000):
 *
 *   name             subjects                    retention   max age
 *   mpc-keygen       mpc.keygen_request.*        limits      7 days
 *   mpc-signing      mpc.signing_request.*       limits      7 days
 *   mpc              mpc.mpc_keygen_result.>     work queue  none
 *                    mpc.mpc_signing_result.>
 *                    mpc.mpc_reshare_result.>
 *   extensions (ours):
 *   mpc-reshare      mpc.reshare_request.*       limits      7 days
 *   mpc-presign      mpc.presign_request.*       limits      7 days
 *   mpc-ext-results  mpc.mpc_presign_result.>    work queue  none
 *
 * The extension results live in their own stream because mpcium's Go client
 * create-or-updates "mpc" with exactly its three subjects and would drop a
 * fourth.
 *
 * Durable pull consumers, explicit ack, deliver all:
 *
 *   durable               stream       filter
 *   mpc_keygen_consumer   mpc-keygen   mpc.keygen_request.*
 *   mpc_signing_consumer  mpc-signing  mpc.signing_request.*
 *   mpc_reshare_consumer  mpc-reshare  mpc.reshare_request.*     (ours)
 *   mpc_presign_consumer  mpc-presign  mpc.presign_request.*     (ours)
 *     MaxDeliver 4, BackOff 30 s x3, AckWait 30 s, MaxAckPending from the
 *     config (mpcium's max_concurrent_keygen / max_concurrent_signing)
 *   mpc_keygen_result     mpc          mpc.mpc_keygen_result.*
 *   mpc_signing_result    mpc          mpc.mpc_signing_result.complete
 *   mpc_reshare_result    mpc          mpc.mpc_reshare_result.*
 *     MaxDeliver 3, AckWait 30 s, MaxAckPending 1000
 *
 * The request durables are shared by every node (each message goes to one
 * node). The three result durables are the ones mpcium nodes create for
 * legacy clients (no ClientID); scoped per-client durables are created by
 * clients, not here.
 *
 * Policy, per object:
 *   - missing: created;
 *   - present and equal: left alone;
 *   - present with updatable differences (subjects, limits, description,
 *     AckWait, MaxDeliver, BackOff, MaxAckPending, filter): updated, like
 *     mpcium's create-or-update (MaxAckPending is cluster-wide, last writer
 *     wins);
 *   - retention or storage that differ (the TypeScript client creates the
 *     request streams as work queues and "mpc" with interest retention) are
 *     never changed (the server cannot, and deleting a stream loses
 *     requests): a request stream with work-queue retention still works and
 *     is reported as a warning; anything else fails start-up with a message
 *     that names the stream, both values and the remedy;
 *   - a consumer whose deliver or ack policy differs fails start-up the same
 *     way. Note for operators: deleting a request durable and letting a node
 *     recreate it replays every request the stream still holds (deliver
 *     all, 7 days); the keystore's replay guard is what keeps that safe.
 *
 * Rules for every function: pointer arguments must not be NULL unless
 * stated; outputs are zeroed on failure; nothing is kept after return.
 */
#ifndef NODE_JSETUP_H
#define NODE_JSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/transport.h"

#define NODE_JSETUP_STREAM_KEYGEN "mpc-keygen"
#define NODE_JSETUP_STREAM_SIGNING "mpc-signing"
#define NODE_JSETUP_STREAM_RESULTS "mpc"
#define NODE_JSETUP_STREAM_RESHARE "mpc-reshare"
#define NODE_JSETUP_STREAM_PRESIGN "mpc-presign"
#define NODE_JSETUP_STREAM_EXT_RESULTS "mpc-ext-results"

#define NODE_JSETUP_DURABLE_KEYGEN "mpc_keygen_consumer"
#define NODE_JSETUP_DURABLE_SIGNING "mpc_signing_consumer"
#define NODE_JSETUP_DURABLE_RESHARE "mpc_reshare_consumer"
#define NODE_JSETUP_DURABLE_PRESIGN "mpc_presign_consumer"
#define NODE_JSETUP_DURABLE_KEYGEN_RESULT "mpc_keygen_result"
#define NODE_JSETUP_DURABLE_SIGNING_RESULT "mpc_signing_result"
#define NODE_JSETUP_DURABLE_RESHARE_RESULT "mpc_reshare_result"

/** Streams and consumers jsetup knows; the order is the order of apply. */
typedef enum node_jsetup_stream {
    NODE_JSETUP_S_KEYGEN = 0,
    NODE_JSETUP_S_SIGNING,
    NODE_JSETUP_S_RESULTS,
    NODE_JSETUP_S_RESHARE,
    NODE_JSETUP_S_PRESIGN,
    NODE_JSETUP_S_EXT_RESULTS,
    NODE_JSETUP_S_COUNT
} node_jsetup_stream;

typedef enum node_jsetup_consumer {
    NODE_JSETUP_C_KEYGEN = 0,
    NODE_JSETUP_C_SIGNING,
    NODE_JSETUP_C_RESHARE,
    NODE_JSETUP_C_PRESIGN,
    NODE_JSETUP_C_KEYGEN_RESULT,
    NODE_JSETUP_C_SIGNING_RESULT,
    NODE_JSETUP_C_RESHARE_RESULT,
    NODE_JSETUP_C_COUNT
} node_jsetup_consumer;

typedef struct node_jsetup_config {
    /** MaxAckPending of the shared request durables: mpcium's
     *  max_concurrent_keygen (2) and max_concurrent_signing (20), ours
     *  for reshare (2) and presign (4). Each >= 1. */
    int64_t keygen_max_ack_pending;
    int64_t signing_max_ack_pending;
    int64_t reshare_max_ack_pending;
    int64_t presign_max_ack_pending;
    /** Create the extension streams and durables (true). */
    bool extensions;
    /** Create mpcium's three legacy result durables (true). */
    bool result_durables;
    /** Compare and report only; change nothing (false). */
    bool dry_run;
} node_jsetup_config;

/** Fills `cfg` with the defaults named above. */
void node_jsetup_config_default(node_jsetup_config *cfg);

/**
 * The configuration jsetup wants for stream `s`. Strings point to static
 * storage.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an unknown `s`.
 */
MPC_WARN_UNUSED mpc_err node_jsetup_stream_config(node_jsetup_stream s,
                                                  node_js_stream_config *out);

/**
 * The configuration jsetup wants for consumer `c` under `cfg` (which
 * supplies MaxAckPending). Strings and the BackOff array point to static
 * storage.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an unknown `c` or a
 * MaxAckPending below 1.
 */
MPC_WARN_UNUSED mpc_err node_jsetup_consumer_config(
    node_jsetup_consumer c, const node_jsetup_config *cfg,
    node_js_consumer_config *out);

/** What apply did (or, in a dry run, would do) with one object. */
typedef enum node_jsetup_action {
    NODE_JSETUP_UNCHANGED = 0,
    NODE_JSETUP_CREATED = 1,
    NODE_JSETUP_UPDATED = 2,
    /** Left as is, works, worth an operator's look. */
    NODE_JSETUP_WARNING = 3,
    /** Left as is and unusable, or the server refused: start-up fails. */
    NODE_JSETUP_FAILED = 4,
} node_jsetup_action;

#define NODE_JSETUP_ITEMS_MAX (2 * (NODE_JSETUP_S_COUNT + NODE_JSETUP_C_COUNT))
#define NODE_JSETUP_OBJECT_BYTES 96
#define NODE_JSETUP_DETAIL_BYTES 320

typedef struct node_jsetup_item {
    node_jsetup_action action;
    /** The transport's answer for FAILED items (MPC_OK otherwise). */
    mpc_err err;
    /** "stream mpc-keygen" or "consumer mpc-keygen/mpc_keygen_consumer". */
    char object[NODE_JSETUP_OBJECT_BYTES];
    /** One line for the log: what differed, what was done, the remedy. */
    char detail[NODE_JSETUP_DETAIL_BYTES];
} node_jsetup_item;

typedef struct node_jsetup_report {
    node_jsetup_item items[NODE_JSETUP_ITEMS_MAX];
    size_t n;
} node_jsetup_report;

/**
 * Creates or checks every stream, then every consumer, following the
 * policy at the top of this file. Every object gets one report item (a
 * warning may add a second). Objects of a stream that FAILED are skipped.
 *
 * Returns: MPC_OK when nothing FAILED (warnings allowed); MPC_ERR_CONFLICT
 * when an object is incompatible and was left alone (see the report);
 * MPC_ERR_UNAVAILABLE / MPC_ERR_TIMEOUT when the server could not be asked
 * (stops at once; the report says where); MPC_ERR_INVALID_ARG for a bad
 * `cfg`. The report is filled in every case except INVALID_ARG (then
 * zeroed).
 */
MPC_WARN_UNUSED mpc_err node_jsetup_apply(node_transport *t,
                                          const node_jsetup_config *cfg,
                                          node_jsetup_report *rep);

/** A max-deliveries advisory (subject NODE_JS_ADVISORY_MAX_DELIVERIES). */
typedef struct node_js_advisory {
    char stream[NODE_JS_NAME_MAX_BYTES + 1];
    char consumer[NODE_JS_NAME_MAX_BYTES + 1];
    uint64_t stream_seq;
    uint64_t deliveries;
} node_js_advisory;

/** Largest advisory body accepted (bytes). */
#define NODE_JS_ADVISORY_MAX_BYTES 4096

/**
 * Parses a max-deliveries advisory body (hostile bytes: bounded, strict
 * types; unknown fields are ignored, as the server adds fields over
 * versions). "type" must be io.nats.jetstream.advisory.v1.max_deliver;
 * stream and consumer must be valid names; stream_seq >= 1.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE (not JSON, wrong type, a field missing or
 * out of range, over NODE_JS_ADVISORY_MAX_BYTES).
 * Args: json   the message payload (may be NULL when len is 0)
 */
MPC_WARN_UNUSED mpc_err node_jsetup_advisory_parse(const uint8_t *json,
                                                   size_t len,
                                                   node_js_advisory *out);

/**
 * The advisory subject of one consumer,
 * "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<durable>".
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (bad name, buffer too small).
 */
MPC_WARN_UNUSED mpc_err node_jsetup_advisory_subject(char *out, size_t cap,
                                                     const char *stream,
                                                     const char *durable);

#endif /* NODE_JSETUP_H */
