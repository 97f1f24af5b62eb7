/*
 * tests/protocol/session_toy.h — a small protocol that exercises every
 * shape of round the engine must carry, for the session tests and the
 * fuzzer (it uses lib/ only, no test harness).
 *
 * "Sum of secrets", n parties, a public set D of dealers:
 *   round 1  BCAST all -> all      a_i and a transcript tag over it
 *   round 2  P2P   D   -> others   dealer i splits its secret x_i into n
 *                                  additive shares mod 2^64 and sends share
 *                                  j to party j (non-dealers send nothing)
 *   round 3  BCAST all -> all      y_i = the sum of the shares i holds
 *            P2P   all -> all      a receipt for a_j, checked by j
 * Result: sum_public = sum of all a_i, sum_secret = sum of x_i over D.
 *
 * Broadcast echo: round 1 is echoed inside round 2 when round 2 links
 * every pair (at most one non-dealer), else in an engine-added echo
 * exchange; round 3 is echoed in a final exchange for toy_protocol
 * (echo_exchange lists it) and not at all for toy_protocol_noecho.
 *
 * Payload checks blame the sender: a wrong-length payload (PARSE), a bad
 * tag or receipt (VERIFY).
 */
#ifndef TESTS_SESSION_TOY_H
#define TESTS_SESSION_TOY_H

#include <stdint.h>

#include "mpc/protocol.h"

#define TOY_PROTOCOL_ID 0x746f7901u
#define TOY_PROTOCOL_NOECHO_ID 0x746f7902u
#define TOY_MAX_PAYLOAD_BYTES 64

typedef struct toy_input {
    uint64_t a;          /* public */
    uint64_t x;          /* secret, dealt when this party is a dealer */
    uint8_t dealers[32]; /* bitset of dealer indices, equal at every party */
} toy_input;

typedef struct toy_result {
    uint64_t sum_public;
    uint64_t sum_secret;
} toy_result;

extern const mpc_protocol toy_protocol;
extern const mpc_protocol toy_protocol_noecho;

void toy_set_dealer(toy_input *in, unsigned party);

/* The payload a party broadcasts in round 1 (for tests that forge it). */
void toy_round1_payload(const mpc_session_info *info, uint64_t a,
                        unsigned prover, uint8_t out[8 + 32]);

#endif
