/*
 * tests/ctime/ctime_paillier_own.c — the key owner's fast nonces under
 * memcheck: mpc_paillier_nonce_own, mpc_paillier_encrypt_own and
 * mpc_paillier_affine_own with every secret field of the key undefined,
 * comb tables included (their entries, base, modulus and Montgomery
 * constant), secret plaintexts and multipliers; mpc_bn_comb_powm_sec /
 * mpc_bn_comb_init_sec with a secret base and exponent; and the MtA step
 * under a peer's key (mpc_paillier_affine: one joint exponentiation,
 * mpc_bn_powm_joint_sec, with secret x, y, r). Only the published
 * ciphertexts are declassified (by lib/paillier itself).
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "mpc/bn.h"
#include "mpc/ctx.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "tests/ctime/ctime.h"

/* Limbs of a comb's table memory: 4 groups of 32 entries, 20 offsets and
 * the Montgomery one, an element (w words) each (lib/bn/comb.c,
 * mem_limbs). */
#define COMB_LIMBS(w) ((4 * 32 + 20 + 1) * (w))

static int failed;

static void secret_comb(mpc_bn_comb *c)
{
    SECRET(c->mem, COMB_LIMBS(c->w) * sizeof(mp_limb_t));
    ctime_secret_mpz(c->base);
    ctime_secret_modulus(c->m);
}

/* The key's secrets with its nonce comb tables. */
static void secret_sk(mpc_paillier_sk *sk)
{
    ctime_secret_sk(sk);
    secret_comb(&sk->gp);
    secret_comb(&sk->gq);
    secret_comb(&sk->gpn);
    secret_comb(&sk->gqn);
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

static void check_own(const mpc_ctx *ctx, mpc_paillier_sk *sk)
{
    const mpc_params *params = sk->pk.params;
    mpz_t r, rn, m, c, c2, x, d;
    mpz_inits(r, rn, m, c, c2, x, d, NULL);

    CTIME_EXPECT(mpc_paillier_nonce_own(ctx, sk, r, rn) == MPC_OK);

    CTIME_EXPECT(secret_symmetric(ctx, m, params->ell_prime));
    CTIME_EXPECT(mpc_paillier_encrypt_own(ctx, sk, c, r, m) == MPC_OK);
    /* The ciphertext is published; the same with the public key. */
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, &sk->pk, c2, m, r) == MPC_OK);
    CTIME_EXPECT(mpz_cmp(c, c2) == 0);

    CTIME_EXPECT(secret_symmetric(ctx, x, params->ell + params->eps));
    CTIME_EXPECT(mpc_paillier_affine_own(ctx, sk, c2, r, c, x,
                                         params->ell + params->eps + 1,
                                         m) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_affine_crt(ctx, sk, d, c, x,
                                         params->ell + params->eps + 1, m,
                                         r) == MPC_OK);
    ctime_declassify_mpz(d);
    CTIME_EXPECT(mpz_cmp(c2, d) == 0);

    mpc_bn_clear(r);
    mpc_bn_clear(rn);
    mpc_bn_clear(m);
    mpc_bn_clear(x);
    mpz_clears(c, c2, d, NULL);
}

/* A comb of a secret base mod a public modulus (N), raised to a secret
 * signed exponent. */
static void check_comb(const mpc_ctx *ctx, const mpc_paillier_sk *sk)
{
    mpz_t b, e, r;
    mpz_inits(b, e, r, NULL);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, &sk->pk, b) == MPC_OK);
    ctime_secret_mpz(b);
    mpc_bn_comb c;
    CTIME_EXPECT(mpc_bn_comb_init_sec(ctx, &c, b, sk->pk.n, 1024) == MPC_OK);
    CTIME_EXPECT(secret_symmetric(ctx, e, 1023));
    CTIME_EXPECT(mpc_bn_comb_powm_sec(ctx, r, &c, e, 1024) == MPC_OK);
    ctime_declassify_mpz(r);
    ctime_declassify_mpz(e);
    ctime_declassify_mpz(b);
    mpz_t want;
    mpz_init(want);
    mpz_powm(want, b, e, sk->pk.n);
    CTIME_EXPECT(mpz_cmp(want, r) == 0);
    mpz_clear(want);
    mpc_bn_comb_clear(&c);
    mpz_clears(b, e, r, NULL);
}

/* D = C^x Enc_V(y; s) under the public key of sk (a peer's, here). */
static void check_joint(const mpc_ctx *ctx, const mpc_paillier_sk *sk)
{
    const mpc_params *params = sk->pk.params;
    const size_t xb = params->ell + params->eps + 1;
    mpz_t c, x, y, s, d, want, cx, ey;
    mpz_inits(c, x, y, s, d, want, cx, ey, NULL);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, &sk->pk, s) == MPC_OK);
    mpz_set_ui(d, 12345); /* C = Enc(12345; s), public */
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, &sk->pk, c, d, s) == MPC_OK);
    CTIME_EXPECT(secret_symmetric(ctx, x, xb - 1));
    CTIME_EXPECT(secret_symmetric(ctx, y, params->ell_prime));
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, &sk->pk, s) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_affine(ctx, &sk->pk, d, c, x, xb, y, s) ==
                 MPC_OK);
    /* The two-step form gives the same published D. */
    CTIME_EXPECT(mpc_paillier_mul(ctx, &sk->pk, cx, c, x, xb) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, &sk->pk, ey, y, s) == MPC_OK);
    ctime_declassify_mpz(cx);
    CTIME_EXPECT(mpc_paillier_add(&sk->pk, want, cx, ey) == MPC_OK);
    CTIME_EXPECT(mpz_cmp(d, want) == 0);
    mpc_bn_clear(x);
    mpc_bn_clear(y);
    mpc_bn_clear(s);
    mpc_bn_clear(cx);
    mpz_clears(c, d, want, ey, NULL);
}

static int check_paillier_own(const mpc_ctx *ctx)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    failed = 0;
    mpc_paillier_sk sk, cp;
    mpc_paillier_sk_init(&sk);
    mpc_paillier_sk_init(&cp);
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok = ctime_fixture_primes(p, q, params->prime_bits, 0) &&
              mpc_paillier_sk_from_primes(ctx, &sk, params, p, q) == MPC_OK;
    CTIME_EXPECT(ok);
    if (ok) {
        check_comb(ctx, &sk);
        check_joint(ctx, &sk);
        secret_sk(&sk);
        check_own(ctx, &sk);
        /* The presign's per-session copy of the key, tables included. */
        mpc_paillier_sk_copy(&cp, &sk);
        check_own(ctx, &cp);
    }
    mpc_paillier_sk_clear(&sk);
    mpc_paillier_sk_clear(&cp);
    mpz_clears(p, q, NULL);
    return failed;
}

CTIME_REGISTER(check_paillier_own)
