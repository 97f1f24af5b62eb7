/*
 * tests/protocol/cggmp_run.h — a dealt committee and its presign inputs,
 * shared by the CGGMP21 presign and blame tests and the node aux-info tests.
 *
 *     cggmp_run r;
 *     if (!cggmp_run_make(&r, "ps", 3, 2))
 *         return;
 *     cggmp_run_presign_inputs(&r, signers, NULL, 0x4b, 3, in);
 *     ...
 *     cggmp_run_clear(&r);
 *
 * Every helper returns false after recording a failure (REQUIRE).
 */
#ifndef TESTS_CGGMP_RUN_H
#define TESTS_CGGMP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "mpc/cggmp.h"
#include "mpc/cggmp_sign.h"
#include "mpc/ctx.h"
#include "mpc/hd.h"

/* The most parties of one committee. */
#define CGGMP_RUN_MAXN 5

/* n parties with dealt key shares and aux info (compat parameters), t of
 * which sign. */
typedef struct cggmp_run {
    unsigned n, t;
    const mpc_ctx *ctx[CGGMP_RUN_MAXN];
    mpc_cggmp_key_share ks[CGGMP_RUN_MAXN];
    mpc_cggmp_aux_info aux[CGGMP_RUN_MAXN];
} cggmp_run;

/* Deals r for n parties (n <= CGGMP_RUN_MAXN) at threshold t; party i's
 * context is seeded from "<prefix><i>". */
bool cggmp_run_make(cggmp_run *r, const char *prefix, unsigned n, unsigned t);

/* Frees what cggmp_run_make dealt. */
void cggmp_run_clear(cggmp_run *r);

/* in[k] (k < r->t) = the presign input of signer k at committee position
 * signers[k]: a key id of 32 bytes `key_id_byte`, key_version, derive
 * (NULL: the joint key). */
void cggmp_run_presign_inputs(const cggmp_run *r, const uint32_t *signers,
                              const mpc_hd_child *derive, uint8_t key_id_byte,
                              uint32_t key_version,
                              mpc_cggmp_presign_input *in);

#endif /* TESTS_CGGMP_RUN_H */
