/*
 * tests/fuzz/zk_mta_fixture.h — a fixed CGGMP21 MtA setting for the Πenc,
 * Πlog* and Πaff-g fuzz targets: two 2048-bit keys built from the first
 * four public fixture primes (tests/vectors/paillier-fixtures.txt), the
 * verifier's ring-Pedersen parameters, and one true statement per proof.
 * Built once per process; aborts if anything fails.
 */
#ifndef MPC_FUZZ_ZK_MTA_FIXTURE_H
#define MPC_FUZZ_ZK_MTA_FIXTURE_H

#include <gmp.h>

#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"

typedef struct zkf_setting {
    const mpc_ctx *ctx;
    const mpc_params *params; /* compat-2048 */
    const mpc_group *g;
    /* The prover's key N_P (N0 of Πenc/Πlog*, N1 of Πaff-g) and the
     * verifier's key N_V (N0 of Πaff-g) with its ring-Pedersen rp. */
    mpc_paillier_sk prover, verifier;
    mpc_rped rp;
    /* Πenc / Πlog*: K = Enc_P(k), X = k·G. */
    mpz_t K;
    mpc_point G, X;
    /* Πaff-g: C, D under N_V; Y under N_P; Xa = x·G. */
    mpz_t C, D, Y;
    mpc_point Xa;
    /* The witnesses (public test data; they make the corpus proofs):
     * K = Enc_P(k; rho), D = C^x Enc_V(y; rho_d), Y = Enc_P(y; rho_y). */
    mpz_t k, rho, x, y, rho_d, rho_y;
} zkf_setting;

const zkf_setting *zkf_get(void);

#endif /* MPC_FUZZ_ZK_MTA_FIXTURE_H */
