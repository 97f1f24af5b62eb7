/*
 * node/maxdeliver.h — mpcium's timeout consumer: a signing request that
 * JetStream gave up on still gets an error result.
 *
 * When a request of the shared signing durable (mpc_signing_consumer on
 * mpc-signing) was delivered MaxDeliver times without an ack, the server
 * publishes a max-deliveries advisory on
 * "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.mpc-signing.mpc_signing_consumer".
 * Every node listens; each reads the request by its stream sequence and
 * publishes a SigningResultEvent with result_type "error", error_code
 * ERROR_MAX_DELIVERY_ATTEMPTS, is_timeout true and mpcium's reason
 * "Signing failed: maximum delivery attempts exceeded", on the signing
 * result subject of the request's ClientID (mpcium-wire.md §2.4). Unlike
 * mpcium, `signature` stays null (mpcium copies the initiator's signature
 * there).
 *
 * One result, not one per node: the Nats-Msg-Id is the one the request's
 * own result would carry ("mpc.mpc_signing_result.[<cid>:]<tx id>"), so
 * JetStream keeps the first copy, and a real result already stored for the
 * request wins. A request without a usable tx id gets
 * "mpc.mpc_signing_result.max-delivery:<stream seq>".
 *
 * Keygen and reshare have no equivalent, as in mpcium.
 */
#ifndef NODE_MAXDELIVER_H
#define NODE_MAXDELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "node/client_proto.h"
#include "node/transport.h"

/** mpcium's error_reason for this result, verbatim. */
#define NODE_MAXDELIVER_REASON                                                 \
    "Signing failed: maximum delivery attempts exceeded"

/** The result to publish for one abandoned request. */
typedef struct node_maxdeliver_result {
    char subject[NODE_CLIENT_NAME_MAX_BYTES];
    char msg_id[NODE_CLIENT_NAME_MAX_BYTES];
    /** The JSON (malloc; freed by node_maxdeliver_result_clear). */
    uint8_t *body;
    size_t len;
} node_maxdeliver_result;

/**
 * Builds the result for the signing request `request` (len bytes, hostile:
 * it is parsed strictly; when it does not parse, wallet_id, tx_id and
 * network_internal_code are "") that was stored at `stream_seq` with the
 * ClientID header `client_id` (NULL or "" when absent; an invalid one is
 * dropped, as the request's own result would).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (out NULL, request NULL with
 *          len > 0, stream_seq 0); MPC_ERR_NOMEM.
 * Out: out: zeroed on failure.
 */
MPC_WARN_UNUSED mpc_err node_maxdeliver_result_make(node_maxdeliver_result *out,
                                                    const uint8_t *request,
                                                    size_t len,
                                                    const char *client_id,
                                                    uint64_t stream_seq);

/** Frees the body and zeroes `r`; NULL does nothing. */
void node_maxdeliver_result_clear(node_maxdeliver_result *r);

typedef struct node_maxdeliver node_maxdeliver;

/**
 * Subscribes to the signing durable's advisory and starts the thread that
 * answers them (the subscription callback only queues the stream
 * sequence: reading the request and publishing wait on the server).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG; MPC_ERR_NOMEM; MPC_ERR_INTERNAL
 *          (no thread); transport errors of the subscription.
 * Out: out: NULL on failure.
 */
MPC_WARN_UNUSED mpc_err node_maxdeliver_start(node_maxdeliver **out,
                                              node_transport *t);

/** Unsubscribes, stops the thread (at most one publish wait), frees. NULL
 *  does nothing. */
void node_maxdeliver_stop(node_maxdeliver *md);

#endif /* NODE_MAXDELIVER_H */
