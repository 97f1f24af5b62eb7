/*
 * Paillier-Blum keys, encryption, CRT decryption and homomorphic
 * operations (include/mpc/paillier.h).
 *
 * Every computation on secrets (key material, plaintexts, nonces, secret
 * scalars) goes through the constant-time mpc_bn_*_sec functions; plain mpz
 * functions touch only public values (N, N^2, ciphertexts) and sizes.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"
#include "mpc/mem.h"
#include "mpc/paillier.h"

/* ---- Lifecycle --------------------------------------------------------- */

void mpc_paillier_pk_init(mpc_paillier_pk *pk)
{
    if (pk == NULL)
        return;
    pk->params = NULL;
    mpz_inits(pk->n, pk->n2, NULL);
}

void mpc_paillier_pk_clear(mpc_paillier_pk *pk)
{
    if (pk == NULL)
        return;
    mpz_clears(pk->n, pk->n2, NULL);
    pk->params = NULL;
}

void mpc_paillier_pk_copy(mpc_paillier_pk *dst, const mpc_paillier_pk *src)
{
    if (dst == NULL || src == NULL)
        return;
    dst->params = src->params;
    mpz_set(dst->n, src->n);
    mpz_set(dst->n2, src->n2);
}

static void pk_reset(mpc_paillier_pk *pk)
{
    pk->params = NULL;
    mpz_set_ui(pk->n, 0);
    mpz_set_ui(pk->n2, 0);
}

/* The secret fields, for init, wipe and clear in one place. */
#define SK_SECRETS(sk)                                                         \
    (sk)->p, (sk)->q, (sk)->phi, (sk)->p2, (sk)->q2, (sk)->q_inv_p,            \
        (sk)->q2_inv_p2, (sk)->hp, (sk)->hq, (sk)->ep, (sk)->eq

void mpc_paillier_sk_init(mpc_paillier_sk *sk)
{
    if (sk == NULL)
        return;
    mpc_paillier_pk_init(&sk->pk);
    mpz_inits(SK_SECRETS(sk), NULL);
    /* The empty comb state (mpc/bn.h). */
    sk->gp.mem = sk->gq.mem = sk->gpn.mem = sk->gqn.mem = NULL;
}

static void combs_clear(mpc_paillier_sk *sk)
{
    mpc_bn_comb_clear(&sk->gp);
    mpc_bn_comb_clear(&sk->gq);
    mpc_bn_comb_clear(&sk->gpn);
    mpc_bn_comb_clear(&sk->gqn);
}

static void sk_wipe(mpc_paillier_sk *sk)
{
    mpz_ptr secrets[] = {SK_SECRETS(sk)};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        mpc_bn_wipe(secrets[i]);
    combs_clear(sk);
    pk_reset(&sk->pk);
}

void mpc_paillier_sk_clear(mpc_paillier_sk *sk)
{
    if (sk == NULL)
        return;
    mpz_ptr secrets[] = {SK_SECRETS(sk)};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        mpc_bn_clear(secrets[i]);
    combs_clear(sk);
    mpc_paillier_pk_clear(&sk->pk);
}

void mpc_paillier_sk_copy(mpc_paillier_sk *dst, const mpc_paillier_sk *src)
{
    if (dst == NULL || src == NULL || dst == src)
        return;
    mpz_ptr d[] = {SK_SECRETS(dst)};
    const mpz_srcptr s[] = {SK_SECRETS(src)};
    sk_wipe(dst);
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        mpz_set(d[i], s[i]);
    mpc_bn_comb_copy(&dst->gp, &src->gp);
    mpc_bn_comb_copy(&dst->gq, &src->gq);
    mpc_bn_comb_copy(&dst->gpn, &src->gpn);
    mpc_bn_comb_copy(&dst->gqn, &src->gqn);
    mpc_paillier_pk_copy(&dst->pk, &src->pk);
}

static bool pk_ok(const mpc_paillier_pk *pk)
{
    return pk != NULL && pk->params != NULL && mpz_sgn(pk->n) > 0;
}

/* 0 <= c < N^2 (a public value). */
static bool in_zn2(const mpc_paillier_pk *pk, const mpz_t c)
{
    return c != NULL && mpz_sgn(c) >= 0 && mpz_cmp(c, pk->n2) < 0;
}

static mpc_err fail(mpz_t out, mpc_err err)
{
    if (out != NULL)
        mpz_set_ui(out, 0);
    return err;
}

/* ---- Keys ---------------------------------------------------------------- */

/* The cheap structural checks of mpc_paillier_sk_from_primes: p and q of
 * exactly prime_bits bits, p ≡ q ≡ 3 (mod 4), p != q. Branch-free on the
 * limbs (their count and the signs are public, mpc/bn.h); the outcome,
 * the same for every valid key, is all that is declassified. */
static bool primes_ok(const mpc_params *params, const mpz_t p, const mpz_t q)
{
    size_t n = mpc_bn_limbs_for_bits(params->prime_bits);
    if (mpz_sgn(p) <= 0 || mpz_sgn(q) <= 0 || mpz_size(p) != n ||
        mpz_size(q) != n)
        return false;
    const mp_limb_t *a = mpz_limbs_read(p), *b = mpz_limbs_read(q);
    /* The top limb shifted down to bit prime_bits - 1 is 1: that bit is the
     * highest set. */
    unsigned top = (unsigned)((params->prime_bits - 1) % GMP_NUMB_BITS);
    mp_limb_t bad = ((a[n - 1] >> top) ^ 1) | ((b[n - 1] >> top) ^ 1);
    bad |= ((a[0] & 3) ^ 3) | ((b[0] & 3) ^ 3);
    bool ok = (bad == 0) & (mpc_bn_limbs_eq(a, b, n) == 0);
    mpc_declassify(&ok, sizeof ok); /* differs only on misuse */
    return ok;
}

/* hx = (-other)^-1 mod x, the CRT decryption constant for prime x. */
static mpc_err neg_inverse(const mpc_ctx *ctx, mpz_t hx, const mpz_t other,
                           const mpz_t x)
{
    mpz_t zero;
    mpz_init(zero);
    mpc_err err = mpc_bn_invert_sec(ctx, hx, other, x);
    if (err == MPC_OK)
        err = mpc_bn_submod_sec(ctx, hx, zero, hx, x);
    mpz_clear(zero);
    return err;
}

/* ex = other mod (x - 1): the exponent of the first step of enc_half. */
static mpc_err crt_exponent(const mpc_ctx *ctx, mpz_t ex, const mpz_t other,
                            const mpz_t x)
{
    mpz_t t;
    mpz_init_set(t, x);
    mpz_clrbit(t, 0); /* x - 1 for odd x */
    mpc_err err = mpc_bn_mod_sec(ctx, ex, other, t);
    mpc_bn_clear(t);
    return err;
}

/*
 * Declassifies, to the byte, what GMP's set-up of the secret modulus x
 * reads (mpc/bn.h, "Secret moduli": the top 9 and low 7 bits): the top two
 * bytes of its top limb and its low byte. The key's moduli are used from
 * here on; a no-op outside the ctime checks (mpc/mem.h).
 */
static void publish_setup_bits(const mpz_t x)
{
    size_t n = mpz_size(x); /* public */
    if (n == 0)
        return;
    const uint8_t *top = (const uint8_t *)&mpz_limbs_read(x)[n - 1];
    const uint8_t *low = (const uint8_t *)&mpz_limbs_read(x)[0];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    low += sizeof(mp_limb_t) - 1;
#else
    top += sizeof(mp_limb_t) - 2;
#endif
    mpc_declassify(top, 2);
    mpc_declassify(low, 1);
}

static mpc_err nonce_tables(const mpc_ctx *ctx, mpc_paillier_sk *sk);

mpc_err mpc_paillier_sk_from_primes(const mpc_ctx *ctx, mpc_paillier_sk *sk,
                                    const mpc_params *params, const mpz_t p,
                                    const mpz_t q)
{
    if (sk == NULL)
        return MPC_ERR_INVALID_ARG;
    sk_wipe(sk);
    if (ctx == NULL || params == NULL || p == NULL || q == NULL ||
        !primes_ok(params, p, q))
        return MPC_ERR_INVALID_ARG;
    mpz_set(sk->p, p);
    mpz_set(sk->q, q);
    p = sk->p; /* from here on the key's copies, their set-up bits public */
    q = sk->q;
    publish_setup_bits(p);
    publish_setup_bits(q);
    mpz_t pm1, qm1;
    mpz_init_set(pm1, p);
    mpz_init_set(qm1, q);
    mpz_clrbit(pm1, 0);
    mpz_clrbit(qm1, 0);
    mpc_err err = mpc_bn_mul_sec(ctx, sk->pk.n, p, q);
    /* N is the public key (ctime checks: see mpc/mem.h). */
    mpc_declassify(mpz_limbs_read(sk->pk.n),
                   mpz_size(sk->pk.n) * sizeof(mp_limb_t));
    if (err == MPC_OK && mpz_sizeinbase(sk->pk.n, 2) != params->n_bits)
        err = MPC_ERR_INVALID_ARG;
    if (err == MPC_OK)
        err = mpc_bn_mul_sec(ctx, sk->phi, pm1, qm1);
    if (err == MPC_OK)
        err = mpc_bn_mul_sec(ctx, sk->p2, p, p);
    if (err == MPC_OK)
        err = mpc_bn_mul_sec(ctx, sk->q2, q, q);
    if (err == MPC_OK) {
        publish_setup_bits(sk->phi);
        publish_setup_bits(sk->p2);
        publish_setup_bits(sk->q2);
        err = mpc_bn_invert_sec(ctx, sk->q_inv_p, q, p);
    }
    if (err == MPC_OK)
        err = mpc_bn_invert_sec(ctx, sk->q2_inv_p2, sk->q2, sk->p2);
    if (err == MPC_OK)
        err = neg_inverse(ctx, sk->hp, q, p);
    if (err == MPC_OK)
        err = neg_inverse(ctx, sk->hq, p, q);
    if (err == MPC_OK)
        err = crt_exponent(ctx, sk->ep, q, p);
    if (err == MPC_OK)
        err = crt_exponent(ctx, sk->eq, p, q);
    if (err == MPC_OK) {
        mpz_mul(sk->pk.n2, sk->pk.n, sk->pk.n); /* N is public */
        sk->pk.params = params;
        err = nonce_tables(ctx, sk);
    }
    if (err != MPC_OK) {
        sk_wipe(sk);
    }
    mpc_bn_clear(pm1);
    mpc_bn_clear(qm1);
    return err;
}

mpc_err mpc_paillier_keygen(const mpc_ctx *ctx, mpc_paillier_sk *sk,
                            const mpc_params *params)
{
    if (sk == NULL)
        return MPC_ERR_INVALID_ARG;
    sk_wipe(sk);
    if (ctx == NULL || params == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    mpc_err err = mpc_bn_safe_prime_generate(ctx, p, params->prime_bits);
    do {
        if (err == MPC_OK)
            err = mpc_bn_safe_prime_generate(ctx, q, params->prime_bits);
    } while (err == MPC_OK && mpz_cmp(p, q) == 0);
    if (err == MPC_OK)
        err = mpc_paillier_sk_from_primes(ctx, sk, params, p, q);
    mpc_bn_clear(p);
    mpc_bn_clear(q);
    return err;
}

mpc_err mpc_paillier_pk_serialize(uint8_t *out, size_t len,
                                  const mpc_paillier_pk *pk)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!pk_ok(pk) || len != pk->params->n_bytes) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_bn_serialize(out, len, pk->n);
}

mpc_err mpc_paillier_pk_parse(mpc_paillier_pk *pk, const mpc_params *params,
                              const uint8_t *in, size_t len)
{
    if (pk == NULL)
        return MPC_ERR_INVALID_ARG;
    pk_reset(pk);
    if (params == NULL || in == NULL || len == 0)
        return MPC_ERR_INVALID_ARG;
    if (len != params->n_bytes)
        return MPC_ERR_PARSE;
    mpz_import(pk->n, len, 1, 1, 1, 0, in);
    if (mpz_even_p(pk->n) || mpz_sizeinbase(pk->n, 2) < params->n_min_bits) {
        pk_reset(pk);
        return MPC_ERR_PARSE;
    }
    mpz_mul(pk->n2, pk->n, pk->n);
    pk->params = params;
    return MPC_OK;
}

mpc_err mpc_paillier_sk_export_primes(uint8_t *out, size_t len,
                                      const mpc_paillier_sk *sk)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t pb =
        sk != NULL && sk->pk.params != NULL ? sk->pk.params->prime_bits / 8 : 0;
    mpc_err err = MPC_ERR_INVALID_ARG;
    if (pb > 0 && len == 2 * pb) {
        err = mpc_bn_serialize(out, pb, sk->p);
        if (err == MPC_OK)
            err = mpc_bn_serialize(out + pb, pb, sk->q);
    }
    if (err != MPC_OK)
        mpc_wipe(out, len);
    return err;
}

mpc_err mpc_paillier_sk_import_primes(const mpc_ctx *ctx, mpc_paillier_sk *sk,
                                      const mpc_params *params,
                                      const uint8_t *in, size_t len)
{
    if (sk == NULL)
        return MPC_ERR_INVALID_ARG;
    sk_wipe(sk);
    if (params == NULL || in == NULL || len != 2 * (params->prime_bits / 8))
        return MPC_ERR_INVALID_ARG;
    size_t pb = len / 2;
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    /* mpz_import walks the bytes in a fixed order: no branch on values. */
    mpz_import(p, pb, 1, 1, 1, 0, in);
    mpz_import(q, pb, 1, 1, 1, 0, in + pb);
    mpc_err err = mpc_paillier_sk_from_primes(ctx, sk, params, p, q);
    mpc_bn_clear(p);
    mpc_bn_clear(q);
    return err;
}

/* ---- Ciphertexts ------------------------------------------------------- */

mpc_err mpc_paillier_ciphertext_check_var(const mpc_paillier_pk *pk,
                                          const mpz_t c)
{
    if (!pk_ok(pk) || c == NULL)
        return MPC_ERR_INVALID_ARG;
    if (mpz_sgn(c) <= 0 || mpz_cmp(c, pk->n2) >= 0)
        return MPC_ERR_VERIFY;
    mpz_t g;
    mpz_init(g);
    mpz_gcd(g, c, pk->n);
    bool unit = mpz_cmp_ui(g, 1) == 0;
    mpz_clear(g);
    return unit ? MPC_OK : MPC_ERR_VERIFY;
}

mpc_err mpc_paillier_ciphertext_serialize(uint8_t *out, size_t len,
                                          const mpc_paillier_pk *pk,
                                          const mpz_t c)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!pk_ok(pk) || len != pk->params->ct_bytes || !in_zn2(pk, c)) {
        memset(out, 0, len);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_bn_serialize(out, len, c);
}

mpc_err mpc_paillier_ciphertext_parse(const mpc_paillier_pk *pk, mpz_t c,
                                      const uint8_t *in, size_t len)
{
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_set_ui(c, 0);
    if (!pk_ok(pk) || in == NULL || len == 0)
        return MPC_ERR_INVALID_ARG;
    if (len != pk->params->ct_bytes)
        return MPC_ERR_PARSE;
    mpz_import(c, len, 1, 1, 1, 0, in);
    if (mpc_paillier_ciphertext_check_var(pk, c) != MPC_OK)
        return fail(c, MPC_ERR_PARSE);
    return MPC_OK;
}

/* ---- Encryption -------------------------------------------------------- */

mpc_err mpc_paillier_nonce_random(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                                  mpz_t r)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!pk_ok(pk))
        return fail(r, MPC_ERR_INVALID_ARG);
    return mpc_bn_random_unit(ctx, r, pk->n);
}

/* |m| <= (N - 1) / 2, as enc_args_ok. */
static bool plaintext_ok(const mpc_paillier_pk *pk, const mpz_t m)
{
    if (!pk_ok(pk) || m == NULL)
        return false;
    mpz_t half;
    mpz_init(half);
    mpz_fdiv_q_2exp(half, pk->n, 1);
    bool ok = mpz_cmpabs(m, half) <= 0;
    mpc_declassify(&ok, sizeof ok); /* differs only on misuse */
    mpz_clear(half);
    return ok;
}

/* |m| <= (N - 1) / 2 and 0 < r < N. The comparisons involve secrets but
 * come out the same for every valid input (mpz_cmpabs first compares
 * sizes, which differ for all but the largest plaintexts). */
static bool enc_args_ok(const mpc_paillier_pk *pk, const mpz_t m, const mpz_t r)
{
    if (!pk_ok(pk) || m == NULL || r == NULL)
        return false;
    mpz_t half;
    mpz_init(half);
    mpz_fdiv_q_2exp(half, pk->n, 1);
    /* `&`, not `&&`: no branch before the outcome is declassified. */
    bool ok =
        (mpz_cmpabs(m, half) <= 0) & (mpz_sgn(r) > 0) & (mpz_cmp(r, pk->n) < 0);
    /* Differs only on misuse (ctime checks: see mpc/mem.h). */
    mpc_declassify(&ok, sizeof ok);
    mpz_clear(half);
    return ok;
}

/* g = (1 + N)^m = 1 + (m mod N) N, below N^2 without a reduction. */
static mpc_err one_plus_mn(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                           mpz_t g, const mpz_t m)
{
    mpz_t one;
    mpz_init_set_ui(one, 1);
    mpc_err err = mpc_bn_mod_sec(ctx, g, m, pk->n);
    if (err == MPC_OK)
        err = mpc_bn_mul_sec(ctx, g, g, pk->n);
    if (err == MPC_OK)
        err = mpc_bn_addmod_sec(ctx, g, g, one, pk->n2);
    mpz_clear(one);
    return err;
}

/* c = x after checking gcd(x, N) = 1 on the public ciphertext: a non-unit
 * means the caller's r was not in Z*_N. */
static mpc_err publish(const mpc_paillier_pk *pk, mpz_t c, const mpz_t x)
{
    /* The ciphertext is the public output (ctime checks: see mpc/mem.h). */
    mpc_declassify(mpz_limbs_read(x), mpz_size(x) * sizeof(mp_limb_t));
    if (mpc_paillier_ciphertext_check_var(pk, x) != MPC_OK)
        return fail(c, MPC_ERR_INVALID_ARG);
    mpz_set(c, x);
    return MPC_OK;
}

mpc_err mpc_paillier_encrypt(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                             mpz_t c, const mpz_t m, const mpz_t r)
{
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !enc_args_ok(pk, m, r))
        return fail(c, MPC_ERR_INVALID_ARG);
    mpz_t g, h;
    mpz_inits(g, h, NULL);
    mpc_err err = one_plus_mn(ctx, pk, g, m);
    if (err == MPC_OK)
        err =
            mpc_bn_powm_sec(ctx, h, r, pk->n, mpz_sizeinbase(pk->n, 2), pk->n2);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, g, g, h, pk->n2);
    err = err == MPC_OK ? publish(pk, c, g) : fail(c, err);
    mpc_bn_clear(g);
    mpc_bn_clear(h);
    return err;
}

/*
 * out = g * r^N mod x^2 for the prime x of N = x y, given e = y mod (x - 1).
 * (a + k x)^x ≡ a^x (mod x^2) for all a, k (binomial theorem), so
 * r^N = (r^y)^x mod x^2 depends on r^y mod x only, and that is
 * (r mod x)^e mod x by Fermat (for r ≡ 0 both sides are 0). Two half-size
 * steps, 1024-bit exponents mod x and mod x^2, instead of a 2048-bit
 * exponent mod x^2: about 40% less work.
 */
static mpc_err enc_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                        mpz_t out, const mpz_t g, const mpz_t r, const mpz_t e,
                        const mpz_t x, const mpz_t x2)
{
    const size_t bits = sk->pk.params->prime_bits;
    mpz_t gx, hx;
    mpz_inits(gx, hx, NULL);
    mpc_err err = mpc_bn_mod_sec(ctx, gx, g, x2);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, hx, r, e, bits, x);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, hx, hx, x, bits, x2);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, out, gx, hx, x2);
    mpc_bn_clear(gx);
    mpc_bn_clear(hx);
    return err;
}

mpc_err mpc_paillier_encrypt_crt(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                 mpz_t c, const mpz_t m, const mpz_t r)
{
    if (c == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || sk == NULL || !enc_args_ok(&sk->pk, m, r))
        return fail(c, MPC_ERR_INVALID_ARG);
    mpz_t g, cp, cq;
    mpz_inits(g, cp, cq, NULL);
    mpc_err err = one_plus_mn(ctx, &sk->pk, g, m);
    if (err == MPC_OK)
        err = enc_half(ctx, sk, cp, g, r, sk->ep, sk->p, sk->p2);
    if (err == MPC_OK)
        err = enc_half(ctx, sk, cq, g, r, sk->eq, sk->q, sk->q2);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, g, cp, sk->p2, cq, sk->q2, sk->q2_inv_p2);
    err = err == MPC_OK ? publish(&sk->pk, c, g) : fail(c, err);
    mpc_bn_clear(g);
    mpc_bn_clear(cp);
    mpc_bn_clear(cq);
    return err;
}

/* ---- Own-key nonces ---------------------------------------------------- */

/* The comb tables of mpc_paillier_nonce_own for the prime x of N
 * (e = the other prime mod (x - 1)): of g = x - 4 mod x, and of g^N mod
 * x^2 (enc_half with plaintext factor 1). */
static mpc_err nonce_tables_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                 mpc_bn_comb *gx, mpc_bn_comb *gxn,
                                 const mpz_t e, const mpz_t x, const mpz_t x2)
{
    const size_t bits = sk->pk.params->prime_bits;
    mpz_t g, gn, four, one;
    mpz_inits(g, gn, NULL);
    mpz_init_set_ui(four, 4);
    mpz_init_set_ui(one, 1);
    mpc_err err = mpc_bn_submod_sec(ctx, g, x, four, x);
    if (err == MPC_OK)
        err = mpc_bn_comb_init_sec(ctx, gx, g, x, bits);
    if (err == MPC_OK)
        err = enc_half(ctx, sk, gn, one, g, e, x, x2);
    if (err == MPC_OK)
        err = mpc_bn_comb_init_sec(ctx, gxn, gn, x2, bits);
    mpc_bn_clear(g);
    mpc_bn_clear(gn);
    mpz_clears(four, one, NULL);
    return err;
}

static mpc_err nonce_tables(const mpc_ctx *ctx, mpc_paillier_sk *sk)
{
    mpc_err err =
        nonce_tables_half(ctx, sk, &sk->gp, &sk->gpn, sk->ep, sk->p, sk->p2);
    if (err == MPC_OK)
        err = nonce_tables_half(ctx, sk, &sk->gq, &sk->gqn, sk->eq, sk->q,
                                sk->q2);
    return err;
}

static bool has_tables(const mpc_paillier_sk *sk)
{
    return sk->gp.mem != NULL && sk->gq.mem != NULL && sk->gpn.mem != NULL &&
           sk->gqn.mem != NULL;
}

/* rx = g^a mod x and rnx = (g^N)^a mod x^2 for a uniform a in [0, x - 1):
 * a (prime_bits + 128)-bit value below 2^(prime_bits + 128) - 1 (one
 * rejection in 2^1152 or more), reduced mod x - 1 in constant time. */
static mpc_err nonce_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                          mpz_t rx, mpz_t rnx, const mpc_bn_comb *gx,
                          const mpc_bn_comb *gxn, const mpz_t x)
{
    const size_t bits = sk->pk.params->prime_bits;
    mpz_t a, bound;
    mpz_inits(a, bound, NULL);
    mpz_setbit(bound, (mp_bitcnt_t)bits + 128);
    mpz_sub_ui(bound, bound, 1);
    mpc_err err = mpc_bn_random_below(ctx, a, bound);
    mpz_set(bound, x);
    mpz_clrbit(bound, 0); /* x - 1 */
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, a, a, bound);
    if (err == MPC_OK)
        err = mpc_bn_comb_powm_sec(ctx, rx, gx, a, bits);
    if (err == MPC_OK)
        err = mpc_bn_comb_powm_sec(ctx, rnx, gxn, a, bits);
    mpc_bn_clear(a);
    mpc_bn_clear(bound);
    return err;
}

static mpc_err nonce_fast(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                          mpz_t r, mpz_t rn)
{
    mpz_t rp, rq, np, nq;
    mpz_inits(rp, rq, np, nq, NULL);
    mpc_err err = nonce_half(ctx, sk, rp, np, &sk->gp, &sk->gpn, sk->p);
    if (err == MPC_OK)
        err = nonce_half(ctx, sk, rq, nq, &sk->gq, &sk->gqn, sk->q);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, r, rp, sk->p, rq, sk->q, sk->q_inv_p);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, rn, np, sk->p2, nq, sk->q2, sk->q2_inv_p2);
    mpc_bn_clear(rp);
    mpc_bn_clear(rq);
    mpc_bn_clear(np);
    mpc_bn_clear(nq);
    return err;
}

/* The same distribution for a key without tables: a uniform unit and its
 * N-th power by the CRT. */
static mpc_err nonce_plain(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                           mpz_t r, mpz_t rn)
{
    mpz_t one, np, nq;
    mpz_inits(np, nq, NULL);
    mpz_init_set_ui(one, 1);
    mpc_err err = mpc_bn_random_unit(ctx, r, sk->pk.n);
    if (err == MPC_OK)
        err = enc_half(ctx, sk, np, one, r, sk->ep, sk->p, sk->p2);
    if (err == MPC_OK)
        err = enc_half(ctx, sk, nq, one, r, sk->eq, sk->q, sk->q2);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, rn, np, sk->p2, nq, sk->q2, sk->q2_inv_p2);
    mpc_bn_clear(np);
    mpc_bn_clear(nq);
    mpz_clear(one);
    return err;
}

mpc_err mpc_paillier_nonce_own(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                               mpz_t r, mpz_t rn)
{
    mpc_err err = MPC_ERR_INVALID_ARG;
    if (r != NULL && rn != NULL && r != rn && ctx != NULL && sk != NULL &&
        pk_ok(&sk->pk))
        err = has_tables(sk) ? nonce_fast(ctx, sk, r, rn)
                             : nonce_plain(ctx, sk, r, rn);
    if (err != MPC_OK) {
        fail(r, err);
        fail(rn, err);
    }
    return err;
}

mpc_err mpc_paillier_encrypt_own(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                 mpz_t c, mpz_t r, const mpz_t m)
{
    if (c == NULL || r == NULL || c == r || ctx == NULL || sk == NULL ||
        !plaintext_ok(&sk->pk, m)) {
        fail(r, MPC_ERR_INVALID_ARG);
        return fail(c, MPC_ERR_INVALID_ARG);
    }
    mpz_t g, rn;
    mpz_inits(g, rn, NULL);
    /* 1 + m N first: r may alias m. */
    mpc_err err = one_plus_mn(ctx, &sk->pk, g, m);
    if (err == MPC_OK)
        err = mpc_paillier_nonce_own(ctx, sk, r, rn);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, g, g, rn, sk->pk.n2);
    err = err == MPC_OK ? publish(&sk->pk, c, g) : fail(c, err);
    if (err != MPC_OK)
        fail(r, err);
    mpc_bn_clear(g);
    mpc_bn_clear(rn);
    return err;
}

/* ---- Decryption -------------------------------------------------------- */

/* mx = L_x(c^(x-1) mod x^2) * hx mod x, with L_x(y) = (y - 1) / x computed
 * as floor(y / x) (y ≡ 1 mod x). */
static mpc_err dec_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk, mpz_t mx,
                        const mpz_t c, const mpz_t x, const mpz_t x2,
                        const mpz_t hx)
{
    mpz_t y, xm1;
    mpz_inits(y, xm1, NULL);
    mpz_set(xm1, x);
    mpz_clrbit(xm1, 0);
    mpc_err err = mpc_bn_mod_sec(ctx, y, c, x2);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, y, y, xm1, sk->pk.params->prime_bits, x2);
    if (err == MPC_OK)
        err = mpc_bn_divmod_sec(ctx, y, NULL, y, x);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, mx, y, hx, x);
    mpc_bn_clear(y);
    mpc_bn_clear(xm1);
    return err;
}

/* m = Dec(c) as a residue in [0, N). */
static mpc_err decrypt_residue(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                               mpz_t m, const mpz_t c)
{
    mpz_t mp, mq;
    mpz_inits(mp, mq, NULL);
    mpc_err err = dec_half(ctx, sk, mp, c, sk->p, sk->p2, sk->hp);
    if (err == MPC_OK)
        err = dec_half(ctx, sk, mq, c, sk->q, sk->q2, sk->hq);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, m, mp, sk->p, mq, sk->q, sk->q_inv_p);
    mpc_bn_clear(mp);
    mpc_bn_clear(mq);
    return err;
}

mpc_err mpc_paillier_decrypt(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                             mpz_t m, const mpz_t c)
{
    if (m == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || sk == NULL || !pk_ok(&sk->pk) || !in_zn2(&sk->pk, c))
        return fail(m, MPC_ERR_INVALID_ARG);
    mpz_t res;
    mpz_init(res);
    mpc_err err = decrypt_residue(ctx, sk, res, c);
    if (err == MPC_OK)
        err = mpc_bn_center_sec(ctx, m, res, sk->pk.n);
    else
        fail(m, err);
    mpc_bn_clear(res);
    return err;
}

mpc_err mpc_paillier_decrypt_mod(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                 mpz_t out, const mpz_t c, const mpz_t q)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (q == NULL || mpz_sgn(q) <= 0)
        return fail(out, MPC_ERR_INVALID_ARG);
    mpz_t m;
    mpz_init(m);
    mpc_err err = mpc_paillier_decrypt(ctx, sk, m, c);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, out, m, q);
    else
        fail(out, err);
    mpc_bn_clear(m);
    return err;
}

/* ---- Homomorphic operations ------------------------------------------- */

mpc_err mpc_paillier_add(const mpc_paillier_pk *pk, mpz_t out, const mpz_t c1,
                         const mpz_t c2)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!pk_ok(pk) || !in_zn2(pk, c1) || !in_zn2(pk, c2))
        return fail(out, MPC_ERR_INVALID_ARG);
    mpz_mul(out, c1, c2);
    mpz_mod(out, out, pk->n2);
    return MPC_OK;
}

mpc_err mpc_paillier_mul_var(const mpc_paillier_pk *pk, mpz_t out,
                             const mpz_t c, const mpz_t k)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (!pk_ok(pk) || !in_zn2(pk, c) || k == NULL)
        return fail(out, MPC_ERR_INVALID_ARG);
    return mpc_bn_powm_var(out, c, k, pk->n2);
}

mpc_err mpc_paillier_mul(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                         mpz_t out, const mpz_t c, const mpz_t x, size_t x_bits)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !pk_ok(pk) || !in_zn2(pk, c) || x == NULL)
        return fail(out, MPC_ERR_INVALID_ARG);
    /* c^x = (c^-1)^|x| for x < 0; the base is picked in constant time. */
    mpz_t c_inv;
    mpz_init(c_inv);
    mpc_err err = mpc_bn_invert_var(c_inv, c, pk->n2);
    if (err == MPC_OK)
        err = mpc_bn_powm_signed_sec(ctx, out, c, c_inv, x, x_bits, pk->n2);
    else
        fail(out, err);
    mpz_clear(c_inv);
    return err;
}

/* out = c^x * Enc(y; r) by the key owner: c^x, then Enc by the CRT. */
static mpc_err affine(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                      const mpc_paillier_sk *sk, mpz_t out, const mpz_t c,
                      const mpz_t x, size_t x_bits, const mpz_t y,
                      const mpz_t r)
{
    mpz_t cx, ey;
    mpz_inits(cx, ey, NULL);
    mpc_err err = mpc_paillier_mul(ctx, pk, cx, c, x, x_bits);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_crt(ctx, sk, ey, y, r);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, out, cx, ey, pk->n2);
    else
        fail(out, err);
    /* The ciphertext D is published (ctime checks: see mpc/mem.h); c^x
     * alone is not: the key owner would decrypt x m from it. */
    mpc_declassify(mpz_limbs_read(out), mpz_size(out) * sizeof(mp_limb_t));
    mpc_bn_clear(cx);
    mpc_bn_clear(ey);
    return err;
}

/* Under a peer's key the CRT is not available: c^x r^N in one pass
 * (mpc_bn_powm_joint_sec shares the squarings of the two exponentiations,
 * 10% to 20% less work than c^x and Enc(y; r) apart), then times
 * 1 + y N. The checks come in the order of the two-step form
 * (mpc_paillier_mul, then mpc_paillier_encrypt), with its error codes. */
mpc_err mpc_paillier_affine(const mpc_ctx *ctx, const mpc_paillier_pk *pk,
                            mpz_t out, const mpz_t c, const mpz_t x,
                            size_t x_bits, const mpz_t y, const mpz_t r)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || !pk_ok(pk) || !in_zn2(pk, c) || x == NULL)
        return fail(out, MPC_ERR_INVALID_ARG);
    mpz_t c_inv, g, h;
    mpz_inits(c_inv, g, h, NULL);
    mpc_err err = mpc_bn_invert_var(c_inv, c, pk->n2); /* VERIFY: not a unit */
    if (err == MPC_OK && !enc_args_ok(pk, y, r))
        err = MPC_ERR_INVALID_ARG;
    if (err == MPC_OK)
        err = mpc_bn_powm_joint_sec(ctx, h, c, c_inv, x, x_bits, r, pk->n,
                                    pk->n2);
    if (err == MPC_OK)
        err = one_plus_mn(ctx, pk, g, y);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, g, g, h, pk->n2);
    /* D is published (publish declassifies it); c^x alone is not: the key
     * owner would decrypt x m from it. */
    err = err == MPC_OK ? publish(pk, out, g) : fail(out, err);
    mpz_clear(c_inv);
    mpc_bn_clear(g);
    mpc_bn_clear(h);
    return err;
}

mpc_err mpc_paillier_affine_crt(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                mpz_t out, const mpz_t c, const mpz_t x,
                                size_t x_bits, const mpz_t y, const mpz_t r)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (sk == NULL)
        return fail(out, MPC_ERR_INVALID_ARG);
    return affine(ctx, &sk->pk, sk, out, c, x, x_bits, y, r);
}

mpc_err mpc_paillier_affine_own(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                                mpz_t out, mpz_t r, const mpz_t c,
                                const mpz_t x, size_t x_bits, const mpz_t y)
{
    if (out == NULL || r == NULL || out == r || sk == NULL) {
        fail(r, MPC_ERR_INVALID_ARG);
        return fail(out, MPC_ERR_INVALID_ARG);
    }
    mpz_t cx, ey;
    mpz_inits(cx, ey, NULL);
    /* c^x before the nonce: r may alias c or x. */
    mpc_err err = mpc_paillier_mul(ctx, &sk->pk, cx, c, x, x_bits);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(ctx, sk, ey, r, y);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, out, cx, ey, sk->pk.n2);
    if (err != MPC_OK) {
        fail(out, err);
        fail(r, err);
    }
    /* Published, as in affine(). */
    mpc_declassify(mpz_limbs_read(out), mpz_size(out) * sizeof(mp_limb_t));
    mpc_bn_clear(cx);
    mpc_bn_clear(ey);
    return err;
}

/* ---- Owner-side exponentiation ---------------------------------------- */

/* rx = b^(e mod (x-1) + (x-1)) mod x; x2 only bounds the exponent sum. */
static mpc_err powm_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                         mpz_t rx, const mpz_t b, const mpz_t e, const mpz_t x,
                         const mpz_t x2)
{
    mpz_t xm1, ex;
    mpz_inits(xm1, ex, NULL);
    mpz_set(xm1, x);
    mpz_clrbit(xm1, 0);
    mpc_err err = mpc_bn_mod_sec(ctx, ex, e, xm1);
    /* + (x - 1) keeps the exponent positive, so multiples of x map to 0
     * as they must; the sum is below x^2, so addmod adds exactly. */
    if (err == MPC_OK)
        err = mpc_bn_addmod_sec(ctx, ex, ex, xm1, x2);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, rx, b, ex, sk->pk.params->prime_bits + 1, x);
    mpc_bn_clear(xm1);
    mpc_bn_clear(ex);
    return err;
}

mpc_err mpc_paillier_sk_powm_n(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                               mpz_t r, const mpz_t b, const mpz_t e)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || sk == NULL || !pk_ok(&sk->pk) || b == NULL ||
        mpz_sgn(b) < 0 || e == NULL || mpz_sgn(e) < 0)
        return fail(r, MPC_ERR_INVALID_ARG);
    mpz_t rp, rq;
    mpz_inits(rp, rq, NULL);
    mpc_err err = powm_half(ctx, sk, rp, b, e, sk->p, sk->p2);
    if (err == MPC_OK)
        err = powm_half(ctx, sk, rq, b, e, sk->q, sk->q2);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, r, rp, sk->p, rq, sk->q, sk->q_inv_p);
    else
        fail(r, err);
    mpc_bn_clear(rp);
    mpc_bn_clear(rq);
    return err;
}
