/*
 * tests/ctime/ctime_zk_verify.c — the verifier's own-key work under
 * memcheck: mpc_bn_multiexp_sec with a secret modulus (p^2), secret bases
 * and a secret first exponent (p), and check 6 of Πaff-g computed by the
 * CRT (mpc_zk_affg_verify with the verifier's key, every secret field of
 * it undefined). Only the joined sides of check 6, public functions of
 * the proof, are declassified (by lib/zk itself).
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
#include "lib/zk/zk_internal.h"
#include "tests/ctime/ctime.h"

static int failed;

/* Keys `first` and `first + 1` of the 1024-bit fixture primes. */
/* sk = compat fixture key `index`. */
static bool load_key(const mpc_ctx *ctx, mpc_paillier_sk *sk, unsigned index)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok = ctime_fixture_primes(p, q, 1024, index) &&
              mpc_paillier_sk_from_primes(
                  ctx, sk, mpc_params_get(MPC_PARAMS_COMPAT), p, q) == MPC_OK;
    mpz_clears(p, q, NULL);
    return ok;
}

/* w^p C^z1 D^e mod p^2 with p secret (modulus and first exponent). */
static void check_multiexp(const mpc_ctx *ctx, mpc_paillier_sk *sk)
{
    mpz_t w, c, d, z1, e, r, want, t;
    mpz_inits(w, c, d, z1, e, r, want, t, NULL);
    mpz_set_ui(w, 0x1234567);
    mpz_setbit(w, 1000);
    mpz_set(c, sk->pk.n);
    mpz_add_ui(c, c, 12345);
    mpz_set_ui(d, 987654321);
    mpz_setbit(z1, 767);
    mpz_add_ui(z1, z1, 77);
    mpz_setbit(e, 255);
    mpz_add_ui(e, e, 5);
    /* The reference, before anything is secret. */
    mpz_powm(want, w, sk->p, sk->p2);
    mpz_powm(t, c, z1, sk->p2);
    mpz_mul(want, want, t);
    mpz_powm(t, d, e, sk->p2);
    mpz_mul(want, want, t);
    mpz_mod(want, want, sk->p2);
    ctime_secret_mpz(w);
    ctime_secret_mpz(c);
    ctime_secret_mpz(d);
    mpz_t p, p2;
    mpz_init_set(p, sk->p);
    mpz_init_set(p2, sk->p2);
    ctime_secret_modulus(p);
    ctime_secret_modulus(p2);
    const mpz_srcptr b[] = {w, c, d}, x[] = {p, z1, e};
    CTIME_EXPECT(mpc_bn_multiexp_sec(ctx, r, b, x, 3, 1024, p2) == MPC_OK);
    DECLASSIFY(r->_mp_d, mpz_size(r) * sizeof(mp_limb_t));
    CTIME_EXPECT(mpz_cmp(r, want) == 0);
    mpz_clears(w, c, d, z1, e, r, want, t, p, p2, NULL);
}

/* A Πaff-g proof to verifier V (key sk0, ring-Pedersen over it) from
 * prover P (key sk1), verified with sk0 secret. */
static void check_affg(const mpc_ctx *ctx, mpc_paillier_sk *sk0,
                       mpc_paillier_sk *sk1)
{
    const mpc_params *params = sk0->pk.params;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    const mpc_paillier_pk *pk0 = &sk0->pk, *pk1 = &sk1->pk;
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpz_t lambda, c, rc, C, x, y, s, ry, D, Y, bound;
    mpz_inits(lambda, c, rc, C, x, y, s, ry, D, Y, bound, NULL);
    CTIME_EXPECT(mpc_rped_generate(ctx, &rp, lambda, sk0) == MPC_OK);
    /* Statement values are public: declassify what the rng made secret. */
    mpz_setbit(bound, params->ell);
    CTIME_EXPECT(mpc_bn_random_symmetric(ctx, c, bound) == MPC_OK);
    CTIME_EXPECT(mpc_bn_random_symmetric(ctx, x, bound) == MPC_OK);
    mpz_set_ui(bound, 0);
    mpz_setbit(bound, params->ell_prime);
    CTIME_EXPECT(mpc_bn_random_symmetric(ctx, y, bound) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pk0, rc) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pk0, s) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_nonce_random(ctx, pk1, ry) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, pk0, C, c, rc) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_affine(ctx, pk0, D, C, x, params->ell + 1, y,
                                     s) == MPC_OK);
    CTIME_EXPECT(mpc_paillier_encrypt(ctx, pk1, Y, y, ry) == MPC_OK);
    mpc_scalar xs;
    mpc_point X;
    CTIME_EXPECT(mpc_zk_scalar_from_int_sec(ctx, g, &xs, x) == MPC_OK);
    mpc_point_mul_base(g, &X, &xs);
    mpc_scalar_clear(&xs);
    DECLASSIFY(&X, sizeof X);

    mpc_zk_affg_proof pf;
    mpc_zk_affg_proof_init(&pf);
    mpc_transcript t;
    mpc_transcript_init(&t, "ctime", (const uint8_t *)"sid", 3);
    CTIME_EXPECT(mpc_zk_affg_prove(ctx, &pf, &t, &rp, pk0, sk1, C, D, Y, &X, x,
                                   y, s, ry) == MPC_OK);
    ctime_secret_sk(sk0);
    mpc_transcript_init(&t, "ctime", (const uint8_t *)"sid", 3);
    CTIME_EXPECT(mpc_zk_affg_verify(ctx, &t, &rp, NULL, sk0, pk0, pk1, C, D, Y,
                                    &X, &pf) == MPC_OK);
    mpc_zk_affg_proof_clear(&pf);
    mpc_rped_clear(&rp);
    mpz_clears(lambda, c, rc, C, x, y, s, ry, D, Y, bound, NULL);
}

static int check_zk_verify(const mpc_ctx *ctx)
{
    failed = 0;
    mpc_paillier_sk sk0, sk1;
    mpc_paillier_sk_init(&sk0);
    mpc_paillier_sk_init(&sk1);
    CTIME_EXPECT(load_key(ctx, &sk0, 0));
    CTIME_EXPECT(load_key(ctx, &sk1, 1));
    if (failed == 0) {
        check_multiexp(ctx, &sk0);
        check_affg(ctx, &sk0, &sk1);
    }
    mpc_paillier_sk_clear(&sk0);
    mpc_paillier_sk_clear(&sk1);
    return failed;
}

CTIME_REGISTER(check_zk_verify)
