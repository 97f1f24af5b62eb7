/*
 * tests/ctime/ctime_paillier_key.c — the Paillier key load and the Πfac
 * prover under memcheck.
 *
 * mpc_paillier_sk_from_primes (and mpc_paillier_sk_import_primes, which
 * calls it) with secret primes: the structural checks, N, φ(N), the CRT
 * constants and the nonce tables must be computed without a report, and N
 * published (declassified by lib/paillier) because it is the public key.
 * Then mpc_zk_fac_prove with a secret key (its witness check, nonces,
 * commitments and responses), whose proof must verify.
 */
#include <gmp.h>
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_fac.h"
#include "tests/ctime/ctime.h"

static int failed;

/* The error code of a call on secrets, declassified: it is meant to depend
 * only on whether the input was valid. */
static mpc_err public_err(mpc_err err)
{
    DECLASSIFY(&err, sizeof err);
    return err;
}

/* Whether sk is the key of p, q (public copies): N = p q, and a secret
 * plaintext survives encryption and CRT decryption. */
static bool key_works(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                      const mpz_t p, const mpz_t q)
{
    mpz_t n, m, r, c, d, bound;
    mpz_inits(n, m, r, c, d, bound, NULL);
    mpz_mul(n, p, q);
    bool ok = mpz_cmp(sk->pk.n, n) == 0; /* N is published by the load */
    mpz_mul(n, n, n);
    ok = ok && mpz_cmp(sk->pk.n2, n) == 0;
    mpz_setbit(bound, 256);
    ok = ok && mpc_bn_random_symmetric(ctx, m, bound) == MPC_OK &&
         mpc_paillier_nonce_random(ctx, &sk->pk, r) == MPC_OK &&
         mpc_paillier_encrypt_crt(ctx, sk, c, m, r) == MPC_OK;
    ctime_declassify_mpz(c);
    ok = ok && mpc_paillier_decrypt(ctx, sk, d, c) == MPC_OK;
    ctime_declassify_mpz(d);
    ctime_declassify_mpz(m);
    ok = ok && mpz_cmp(d, m) == 0;
    mpc_bn_clear(m);
    mpc_bn_clear(r);
    mpc_bn_clear(d);
    mpz_clears(n, c, bound, NULL);
    return ok;
}

static int check_paillier_key_load(const mpc_ctx *ctx)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    failed = 0;
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    mpz_t p, q, sp, sq;
    mpz_inits(p, q, sp, sq, NULL);
    bool ok = ctime_fixture_primes(p, q, params->prime_bits, 0);
    CTIME_EXPECT(ok);
    if (!ok)
        goto out;

    /* From secret mpz primes. */
    mpz_set(sp, p);
    mpz_set(sq, q);
    ctime_secret_modulus(sp);
    ctime_secret_modulus(sq);
    CTIME_EXPECT(public_err(mpc_paillier_sk_from_primes(ctx, &sk, params, sp,
                                                        sq)) == MPC_OK);
    CTIME_EXPECT(key_works(ctx, &sk, p, q));

    /* From secret bytes (the key share file's encoding). */
    size_t pb = params->prime_bits / 8;
    uint8_t buf[2 * MPC_PARAMS_MAX_N_BYTES];
    CTIME_EXPECT(2 * pb <= sizeof buf);
    mpz_export(buf, NULL, 1, 1, 1, 0, p);
    mpz_export(buf + pb, NULL, 1, 1, 1, 0, q);
    /* As ctime_secret_modulus: the top two and the low byte of each prime
     * are what GMP's modulus set-up reads (mpc/bn.h, "Secret moduli"). */
    SECRET(buf + 2, pb - 3);
    SECRET(buf + pb + 2, pb - 3);
    CTIME_EXPECT(public_err(mpc_paillier_sk_import_primes(ctx, &sk, params, buf,
                                                          2 * pb)) == MPC_OK);
    CTIME_EXPECT(key_works(ctx, &sk, p, q));

    /* Invalid keys are refused without a report before the outcome:
     * p = q; p ≡ 1 (mod 4) (a different low byte: public here); p of
     * 1000 bits in as many limbs as a 1024-bit prime. */
    mpz_set(sq, p);
    ctime_secret_modulus(sp);
    ctime_secret_modulus(sq);
    CTIME_EXPECT(public_err(mpc_paillier_sk_from_primes(
                     ctx, &sk, params, sp, sq)) == MPC_ERR_INVALID_ARG);
    CTIME_EXPECT(mpz_sgn(sk.pk.n) == 0);
    mpz_set(sp, p);
    mpz_set(sq, q);
    mpz_sub_ui(sp, sp, 2);
    ctime_secret_modulus(sp);
    ctime_secret_modulus(sq);
    CTIME_EXPECT(public_err(mpc_paillier_sk_from_primes(
                     ctx, &sk, params, sp, sq)) == MPC_ERR_INVALID_ARG);
    mpz_tdiv_q_2exp(sp, p, 24);
    mpz_setbit(sp, 0);
    mpz_setbit(sp, 1);
    CTIME_EXPECT(mpz_size(sp) == mpz_size(p));
    ctime_secret_modulus(sp);
    CTIME_EXPECT(public_err(mpc_paillier_sk_from_primes(
                     ctx, &sk, params, sp, sq)) == MPC_ERR_INVALID_ARG);
    CTIME_EXPECT(mpz_sgn(sk.pk.n) == 0);
    memset(buf, 0, sizeof buf);

out:
    mpc_paillier_sk_clear(&sk);
    mpc_bn_clear(sp);
    mpc_bn_clear(sq);
    mpz_clears(p, q, NULL);
    return failed;
}

CTIME_REGISTER(check_paillier_key_load)

static void fresh(mpc_transcript *t)
{
    static const uint8_t sid[] = "ctime-fac";
    mpc_transcript_init(t, "fac", sid, sizeof sid);
}

static int check_zk_fac_prove(const mpc_ctx *ctx)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    failed = 0;
    mpc_paillier_sk skp, skv;
    mpc_paillier_sk_init(&skp);
    mpc_paillier_sk_init(&skv);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpc_zk_fac_proof proof;
    mpc_zk_fac_proof_init(&proof);
    mpz_t p, q, lambda;
    mpz_inits(p, q, lambda, NULL);
    bool ok = ctime_fixture_primes(p, q, params->prime_bits, 0) &&
              mpc_paillier_sk_from_primes(ctx, &skp, params, p, q) == MPC_OK &&
              ctime_fixture_primes(p, q, params->prime_bits, 1) &&
              mpc_paillier_sk_from_primes(ctx, &skv, params, p, q) == MPC_OK;
    CTIME_EXPECT(ok);
    if (!ok)
        goto out;
    /* The verifier's ring-Pedersen parameters (public once generated). */
    CTIME_EXPECT(mpc_rped_generate(ctx, &rp, lambda, &skv) == MPC_OK);
    ctime_secret_sk(&skp);

    mpc_transcript t;
    fresh(&t);
    CTIME_EXPECT(public_err(mpc_zk_fac_prove(ctx, &proof, &t, &skp, &rp)) ==
                 MPC_OK);
    fresh(&t);
    CTIME_EXPECT(mpc_zk_fac_verify(&t, &proof, &skp.pk, &rp, NULL) == MPC_OK);

    /* A key whose primes do not match N is refused without a report before
     * the outcome (the misuse check of the witness). */
    ctime_declassify_mpz(skp.q);
    mpz_add_ui(skp.q, skp.q, 4);
    ctime_secret_modulus(skp.q);
    fresh(&t);
    CTIME_EXPECT(public_err(mpc_zk_fac_prove(ctx, &proof, &t, &skp, &rp)) ==
                 MPC_ERR_INVALID_ARG);
    mpc_transcript_clear(&t);

out:
    mpc_zk_fac_proof_clear(&proof);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&skp);
    mpc_paillier_sk_clear(&skv);
    mpc_bn_clear(lambda);
    mpc_bn_clear(p);
    mpc_bn_clear(q);
    return failed;
}

CTIME_REGISTER(check_zk_fac_prove)
