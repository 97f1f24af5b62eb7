/*
 * tests/ctime/ctime_zk_prove.c — the presign provers end to end under
 * memcheck: mpc_zk_enc_prove, mpc_zk_logstar_prove and mpc_zk_affg_prove
 * with secret witnesses, nonces and Paillier factors, against
 * ring-Pedersen parameters with comb tables (mpc_rped_commit's fast path).
 * lib/zk declassifies every published field of a proof before hashing or
 * range-checking it (mpc_zk_publish), and checks its secret arguments in
 * constant time (mpc_zk_witness_in_range, mpc_zk_nonce_ok), so the whole
 * call must run without a report. The proofs must then verify.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_logstar.h"
#include "tests/ctime/ctime.h"

static int failed;

static bool load_key(const mpc_ctx *ctx, mpc_paillier_sk *sk,
                     const mpc_params *params, unsigned index)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok = ctime_fixture_primes(p, q, params->prime_bits, index) &&
              mpc_paillier_sk_from_primes(ctx, sk, params, p, q) == MPC_OK;
    mpz_clears(p, q, NULL);
    return ok;
}

static void fresh(mpc_transcript *t, const char *label)
{
    static const uint8_t sid[] = "ctime-zk";
    mpc_transcript_init(t, label, sid, sizeof sid);
}

/* x = a secret uniform value in ±2^bits. */
static bool secret_symmetric(const mpc_ctx *ctx, mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    bool ok = mpc_bn_random_symmetric(ctx, x, b) == MPC_OK;
    mpz_clear(b);
    return ok;
}

/* out = x·G for a secret integer x, published. */
static void public_point(const mpc_group *g, mpc_point *out, const mpz_t x)
{
    uint8_t be[MPC_SCALAR_BYTES];
    mpz_t q, r;
    mpz_inits(q, r, NULL);
    mpc_group_order_be(g, be);
    mpz_import(q, sizeof be, 1, 1, 0, 0, be);
    mpz_set(r, x); /* set-up, not under test: X is public */
    ctime_declassify_mpz(r);
    mpz_mod(r, r, q);
    memset(be, 0, sizeof be);
    mpz_export(be + sizeof be - (mpz_sizeinbase(r, 2) + 7) / 8, NULL, 1, 1, 0,
               0, r);
    mpc_scalar s;
    mpc_scalar_reduce_be(g, &s, be, sizeof be);
    mpc_point_mul_base(g, out, &s);
    DECLASSIFY(out, sizeof *out);
    mpz_clears(q, r, NULL);
}

static int check_zk_presign_provers(const mpc_ctx *ctx)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    failed = 0;
    /* Prover key skp (N0 of Πenc/Πlog*, N1 of Πaff-g); verifier key skv
     * with its ring-Pedersen parameters rp (comb tables built). */
    mpc_paillier_sk skp, skv;
    mpc_paillier_sk_init(&skp);
    mpc_paillier_sk_init(&skv);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpz_t lambda, k, rho, K, c, rc, C, x, y, s, ry, D, Y;
    mpz_inits(lambda, k, rho, K, c, rc, C, x, y, s, ry, D, Y, NULL);
    bool ok = load_key(ctx, &skp, params, 0) && load_key(ctx, &skv, params, 1);
    CTIME_EXPECT(ok);
    if (!ok)
        goto out;
    CTIME_EXPECT(mpc_rped_generate(ctx, &rp, lambda, &skv) == MPC_OK);
    CTIME_EXPECT(rp.comb_s.mem != NULL && rp.comb_t.mem != NULL);
    ctime_secret_sk(&skp);

    /* Πenc and Πlog*: K = Enc_P(k; rho), X = k·G. */
    const mpc_paillier_pk *pkp = &skp.pk, *pkv = &skv.pk;
    CTIME_EXPECT(secret_symmetric(ctx, k, params->ell - 1));
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pkp, rho) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt_crt(ctx, &skp, K, k, rho) == MPC_OK);
    mpc_point G, X;
    mpc_point_generator(g, &G);
    public_point(g, &X, k);

    mpc_transcript t;
    mpc_zk_enc_proof pe;
    mpc_zk_enc_proof_init(&pe);
    fresh(&t, "enc");
    CTIME_EXPECT(mpc_zk_enc_prove(ctx, &pe, &t, &rp, &skp, K, k, rho) ==
                 MPC_OK);
    fresh(&t, "enc");
    CTIME_EXPECT(mpc_zk_enc_verify(&t, &rp, NULL, pkp, K, &pe) == MPC_OK);
    mpc_zk_enc_proof_clear(&pe);

    mpc_zk_logstar_proof pl;
    mpc_zk_logstar_proof_init(&pl);
    fresh(&t, "log*");
    CTIME_EXPECT(mpc_zk_logstar_prove(ctx, &pl, &t, &rp, &skp, K, &G, &X, k,
                                      rho) == MPC_OK);
    fresh(&t, "log*");
    CTIME_EXPECT(mpc_zk_logstar_verify(ctx, &t, &rp, NULL, pkp, K, &G, &X,
                                       &pl) == MPC_OK);
    mpc_zk_logstar_proof_clear(&pl);

    /* Πaff-g: C = Enc_V(c) (public), D = C^x Enc_V(y; s), Y = Enc_P(y; ry),
     * X = x·G, with secret x, y, s, ry. */
    CTIME_EXPECT(secret_symmetric(ctx, c, params->ell));
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pkv, rc) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, pkv, C, c, rc) == MPC_OK);
    CTIME_EXPECT(secret_symmetric(ctx, x, params->ell - 1));
    CTIME_EXPECT(secret_symmetric(ctx, y, params->ell_prime - 1));
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pkv, s) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_affine(ctx, pkv, D, C, x, params->ell + 1, y,
                                     s) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pkp, ry) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt_crt(ctx, &skp, Y, y, ry) == MPC_OK);
    mpc_point Xa;
    public_point(g, &Xa, x);

    mpc_zk_affg_proof pa;
    mpc_zk_affg_proof_init(&pa);
    fresh(&t, "aff-g");
    CTIME_EXPECT(mpc_zk_affg_prove(ctx, &pa, &t, &rp, pkv, &skp, C, D, Y, &Xa,
                                   x, y, s, ry) == MPC_OK);
    fresh(&t, "aff-g");
    CTIME_EXPECT(mpc_zk_affg_verify(ctx, &t, &rp, NULL, NULL, pkv, pkp, C, D, Y,
                                    &Xa, &pa) == MPC_OK);
    mpc_zk_affg_proof_clear(&pa);
    mpc_transcript_clear(&t);

out:
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&skp);
    mpc_paillier_sk_clear(&skv);
    mpz_clears(lambda, k, rho, K, c, rc, C, x, y, s, ry, D, Y, NULL);
    return failed;
}

CTIME_REGISTER(check_zk_presign_provers)
