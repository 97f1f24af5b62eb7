/*
 * node/payload.h — the largest NATS message a node publishes, so that a
 * server whose max_payload is smaller is refused at start-up instead of
 * failing sessions one publish at a time (docs/operations-nats.md).
 *
 * The bounds follow the message layouts of lib/cggmp (aux-info, keygen,
 * reshare, presign, sign) and lib/frost, and the envelope (node/envelope.h)
 * around them. They are upper bounds: a layout change in lib/ that grows a
 * message must be reflected here (tests/node/test_payload.c pins the
 * numbers). Pure functions, no state.
 */
#ifndef NODE_PAYLOAD_H
#define NODE_PAYLOAD_H

#include <stddef.h>

#include "mpc/params.h"

/** Allowance for NATS headers on a published message (server max_payload
 *  counts headers too); node messages carry at most a few short ones. */
#define NODE_PAYLOAD_HEADERS_BYTES 1024u

/**
 * The longest CGGMP round frame (engine header, echo section and payload,
 * mpc/session.h) any party sends in a committee of n with `params`; the
 * largest are the aux-info round-2 broadcast (N, s, t and Πprm) and the
 * presign round-2 broadcast (four ciphertexts per peer).
 * Returns: the bound in bytes; 0 when n is not 2..MPC_CGGMP_MAX_PARTIES or
 * params is unknown.
 */
size_t node_payload_cggmp_frame_bytes(unsigned n, mpc_params_id params);

/** The longest FROST round frame in a committee of n (2..256); 0 else. */
size_t node_payload_frost_frame_bytes(unsigned n);

/**
 * What the server's max_payload must be for this node: the longest sealed
 * envelope it may publish (a round frame at the largest committee, or a
 * control message up to NODE_ENVELOPE_CONTROL_MAX_BYTES), plus
 * NODE_PAYLOAD_HEADERS_BYTES. Results and KV values are far smaller.
 */
size_t node_payload_need_bytes(void);

#endif /* NODE_PAYLOAD_H */
