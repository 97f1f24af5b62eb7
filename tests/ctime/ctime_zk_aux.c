/*
 * tests/ctime/ctime_zk_aux.c — the aux-info provers under memcheck:
 * mpc_zk_mod_prove (Πmod) and mpc_zk_prm_prove (Πprm), one proof each at
 * the compat parameter set (m = 80), with every value of the Paillier key
 * secret (p, q, φ(N), p², q² and the CRT constants: ctime_secret_sk) and
 * the ring-Pedersen witness λ secret (drawn from the runner's rng, like
 * every nonce and mask the provers draw). lib/zk declassifies only what a
 * proof publishes (mpc_zk_publish) and the outcomes documented in
 * docs/constant-time.md, so the calls must run without a report; the
 * proofs must then verify, so a broken build cannot pass vacuously.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_mod.h"
#include "mpc/zk_prm.h"
#include "tests/ctime/ctime.h"

static int failed;

/* sk = fixture key 0 of the set, loaded from public p and q (kept for the
 * checks below); the load itself is checked in ctime_paillier_key.c. */
static bool load_key(const mpc_ctx *ctx, mpc_paillier_sk *sk, mpz_t p, mpz_t q,
                     const mpc_params *params)
{
    return ctime_fixture_primes(p, q, params->prime_bits, 0) &&
           mpc_paillier_sk_from_primes(ctx, sk, params, p, q) == MPC_OK;
}

/* Every x_i is the 4th root the paper's prover sends, the one that is a
 * square mod p and mod q (any other would help factor N); verify does not
 * check it. p and q are public copies (variable time is fine here). */
static bool roots_are_squares(const mpc_zk_mod_proof *proof, const mpz_t p,
                              const mpz_t q)
{
    bool ok = proof->params != NULL;
    for (size_t i = 0; ok && i < proof->params->m; i++)
        ok = mpz_jacobi(proof->x[i], p) == 1 && mpz_jacobi(proof->x[i], q) == 1;
    return ok;
}

static void fresh(mpc_transcript *t, const char *label)
{
    static const uint8_t sid[] = "ctime-zk-aux";
    mpc_transcript_init(t, label, sid, sizeof sid);
}

static int check_zk_aux_provers(const mpc_ctx *ctx)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    failed = 0;
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpz_t lambda, p, q;
    mpz_inits(lambda, p, q, NULL);
    mpc_zk_mod_proof pm;
    mpc_zk_mod_proof_init(&pm);
    mpc_zk_prm_proof pp;
    mpc_zk_prm_proof_init(&pp);
    mpc_transcript t;
    bool ok = load_key(ctx, &sk, p, q, params);
    CTIME_EXPECT(ok);
    if (!ok)
        goto out;
    ctime_secret_sk(&sk);

    fresh(&t, "mod");
    CTIME_EXPECT(mpc_zk_mod_prove(ctx, &pm, &t, &sk) == MPC_OK);
    mpc_transcript_clear(&t);
    fresh(&t, "mod");
    CTIME_EXPECT(mpc_zk_mod_verify(&t, &pm, &sk.pk) == MPC_OK);
    CTIME_EXPECT(roots_are_squares(&pm, p, q));
    mpc_transcript_clear(&t);

    /* λ and t's root come from the rng (secret); s and t are published. */
    CTIME_EXPECT(mpc_rped_generate(ctx, &rp, lambda, &sk) == MPC_OK);
    ctime_secret_mpz(lambda); /* already, through the rng; to be explicit */
    fresh(&t, "prm");
    CTIME_EXPECT(mpc_zk_prm_prove(ctx, &pp, &t, &rp, &sk, lambda) == MPC_OK);
    mpc_transcript_clear(&t);
    fresh(&t, "prm");
    CTIME_EXPECT(mpc_zk_prm_verify(ctx, &t, &pp, &rp) == MPC_OK);
    mpc_transcript_clear(&t);

out:
    mpc_zk_mod_proof_clear(&pm);
    mpc_zk_prm_proof_clear(&pp);
    mpc_bn_clear(lambda);
    mpz_clears(p, q, NULL);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&sk);
    return failed;
}

CTIME_REGISTER(check_zk_aux_provers)
