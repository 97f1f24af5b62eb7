/*
 * Benchmarks of lib/bn and lib/paillier: safe primes, keys from fixtures,
 * encryption (public key vs owner CRT), decryption, homomorphic scalar
 * multiplication, and ring-Pedersen commitments (naive vs fixed-base
 * tables), at 2048 and 3072 bits. `mpc-bench paillier` or `mpc-bench bn_`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "tests/bench/bench.h"

/* The first two fixture primes of `bits` bits. */
static bool fixture_primes(size_t bits, mpz_t p, mpz_t q)
{
    mpz_t pr[2];
    mpz_inits(pr[0], pr[1], NULL);
    bool ok = bench_fixture_primes(bits, 0, pr, 2);
    mpz_swap(p, pr[0]);
    mpz_swap(q, pr[1]);
    mpz_clears(pr[0], pr[1], NULL);
    return ok;
}

static bool fixture_key(mpc_paillier_sk *sk, const mpc_params *params)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok =
        fixture_primes(params->prime_bits, p, q) &&
        mpc_paillier_sk_from_primes(bench_ctx(), sk, params, p, q) == MPC_OK;
    mpz_clears(p, q, NULL);
    return ok;
}

static void rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    if (mpc_bn_random_symmetric(bench_ctx(), x, b) != MPC_OK)
        abort();
    mpz_clear(b);
}

static void bench_primes(size_t bits, int runs)
{
    mpz_t p;
    mpz_init(p);
    double t = bench_cpu_ms();
    for (int i = 0; i < runs; i++)
        if (mpc_bn_safe_prime_generate(bench_ctx(), p, bits) != MPC_OK)
            abort();
    char what[64];
    snprintf(what, sizeof what, "safe prime %zu bits (mean of %d)", bits, runs);
    bench_report(what, "prime", (bench_cpu_ms() - t) / runs);
    mpz_clear(p);
}

BENCH(bn_safe_prime_1024)
{
    bench_primes(1024, bench_iters(20));
}

BENCH(bn_safe_prime_1536)
{
    bench_primes(1536, bench_iters(3));
}

BENCH(bn_random_unit_2048)
{
    /* A real Paillier N: no small factors, so no draw is rejected. */
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    if (!fixture_key(&sk, mpc_params_get(MPC_PARAMS_COMPAT)))
        abort();
    mpz_t x;
    mpz_init(x);
    int iters = bench_iters(200);
    double t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_bn_random_unit(bench_ctx(), x, sk.pk.n) != MPC_OK)
            abort();
    bench_report("random unit mod 2048-bit N (sec_invert)", "call",
                 (bench_cpu_ms() - t) / iters);
    mpz_clear(x);
    mpc_paillier_sk_clear(&sk);
}

/* r^N mod p^2 and mod q^2 with exponents N mod x(x-1), as
 * mpc_paillier_encrypt_crt computed them before the two-step form. */
static void bench_old_crt_powers(const mpc_paillier_sk *sk, const mpz_t r,
                                 mpz_t out)
{
    const mpz_srcptr xs[2] = {sk->p, sk->q}, x2s[2] = {sk->p2, sk->q2};
    size_t bits = 2 * sk->pk.params->prime_bits;
    mpz_t e;
    mpz_init(e);
    for (int i = 0; i < 2; i++) {
        mpz_sub_ui(e, xs[i], 1);
        mpz_mul(e, e, xs[i]);
        mpz_mod(e, sk->pk.n, e);
        if (mpc_bn_powm_sec(bench_ctx(), out, r, e, bits, x2s[i]) != MPC_OK)
            abort();
    }
    mpz_clear(e);
}

/* mpc_paillier_affine as it was before the joint exponentiation: c^k,
 * then Enc(y; r), then their product. */
static void bench_affine_two_step(const mpc_paillier_pk *pk, const mpz_t c,
                                  const mpz_t k, size_t k_bits, const mpz_t y,
                                  const mpz_t r, int iters)
{
    const mpc_ctx *ctx = bench_ctx();
    mpz_t cx, ey, d;
    mpz_inits(cx, ey, d, NULL);
    double t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_mul(ctx, pk, cx, c, k, k_bits) != MPC_OK ||
            mpc_paillier_encrypt(ctx, pk, ey, y, r) != MPC_OK ||
            mpc_paillier_add(pk, d, cx, ey) != MPC_OK)
            abort();
    char what[96];
    snprintf(what, sizeof what,
             "paillier %zu C^k Enc(y) (public key, two-step, old) |k|=%zu",
             mpz_sizeinbase(pk->n, 2), k_bits);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    mpz_clears(cx, ey, d, NULL);
}

/* Every Paillier figure for one parameter set. */
static void bench_set(mpc_params_id id)
{
    const mpc_ctx *ctx = bench_ctx();
    const mpc_params *params = mpc_params_get(id);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    mpz_t p, q, m, r, c, d, k, x, y, lambda;
    mpz_inits(p, q, m, r, c, d, k, x, y, lambda, NULL);
    if (!fixture_primes(params->prime_bits, p, q))
        abort();
    char what[96];
    unsigned nb = params->n_bits;

    int iters = bench_iters(20);
    double t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_sk_from_primes(ctx, &sk, params, p, q) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u key from fixture primes", nb);
    bench_report(what, "key", (bench_cpu_ms() - t) / iters);
    if (!fixture_key(&sk, params))
        abort();

    rand_signed(m, params->ell_prime);
    if (mpc_paillier_nonce_random(ctx, &sk.pk, r) != MPC_OK)
        abort();
    iters = bench_iters(20);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_encrypt(ctx, &sk.pk, c, m, r) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u encrypt (public key)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_encrypt_crt(ctx, &sk, c, m, r) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u encrypt (owner, CRT)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    /* What a prover paid for a fresh own-key encryption before
     * mpc_paillier_encrypt_own: a random unit, then encrypt_crt. */
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_nonce_random(ctx, &sk.pk, d) != MPC_OK ||
            mpc_paillier_encrypt_crt(ctx, &sk, c, m, d) != MPC_OK)
            abort();
    snprintf(what, sizeof what,
             "paillier %u encrypt (owner, nonce_random + CRT)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    iters = bench_iters(100);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_nonce_own(ctx, &sk, d, k) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u nonce r, r^N (owner, combs)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_encrypt_own(ctx, &sk, c, d, m) != MPC_OK)
            abort();
    snprintf(what, sizeof what,
             "paillier %u encrypt (owner, fresh nonce, combs)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    iters = bench_iters(20);
    /* The one-step CRT it replaced: r^(N mod p(p-1)) mod p^2 and mod q^2
     * (the exponentiations alone, which are nearly all of its cost). */
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        bench_old_crt_powers(&sk, r, d);
    snprintf(what, sizeof what, "paillier %u r^N (owner, one-step CRT, old)",
             nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_decrypt(ctx, &sk, d, c) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u decrypt (CRT)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);

    rand_signed(k, 255);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_mul_var(&sk.pk, d, c, k) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u C^k, public 256-bit k", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_mul(ctx, &sk.pk, d, c, k, 256) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u C^k, secret 256-bit k", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_affine(ctx, &sk.pk, d, c, k, 256, m, r) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u C^k Enc(y) (public key)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    bench_affine_two_step(&sk.pk, c, k, 256, m, r, iters);
    /* Πaff-g's A = C^α Enc(β; r) with |α| <= 2^(ℓ+ε). */
    size_t ab = params->ell + params->eps + 1;
    rand_signed(y, ab - 1);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_affine(ctx, &sk.pk, d, c, y, ab, m, r) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u C^k Enc(y) (public key) |k|=%zu",
             nb, ab);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    bench_affine_two_step(&sk.pk, c, y, ab, m, r, iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_affine_crt(ctx, &sk, d, c, k, 256, m, r) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "paillier %u C^k Enc(y) (owner, CRT)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_affine_own(ctx, &sk, d, x, c, k, 256, m) != MPC_OK)
            abort();
    snprintf(what, sizeof what,
             "paillier %u C^k Enc(y) (owner, fresh nonce, combs)", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);

    /* Ring-Pedersen: the Πenc / Πaff-g shape s^x t^y with
     * |x| = ℓ + ε and |y| = ℓ + ε + n_bits. */
    mpc_rped rp;
    mpc_rped_init(&rp);
    if (mpc_rped_generate(ctx, &rp, lambda, &sk) != MPC_OK)
        abort();
    size_t xb = params->ell + params->eps;
    size_t yb = xb + params->n_bits;
    rand_signed(x, xb);
    rand_signed(y, yb);
    iters = bench_iters(50);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_rped_commit_var(&rp, d, x, y) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "rped %u s^x t^y |x|=%zu |y|=%zu naive", nb, xb,
             yb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);

    mpc_rped_table tab;
    t = bench_cpu_ms();
    if (mpc_rped_table_init(ctx, &tab, &rp, yb + 1) != MPC_OK)
        abort();
    snprintf(what, sizeof what, "rped %u fixed-base tables, once per peer", nb);
    bench_report(what, "peer", bench_cpu_ms() - t);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_rped_table_commit_var(&tab, d, x, y) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "rped %u s^x t^y with tables", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    mpc_rped_table_clear(ctx, &tab);

    iters = bench_iters(20);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_rped_commit_naive(ctx, &rp, d, x, xb + 1, y, yb + 1) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "rped %u s^x t^y secret, naive (2 powm_sec)",
             nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_rped_commit(ctx, &rp, d, x, xb + 1, y, yb + 1) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "rped %u s^x t^y secret, comb tables", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    mpc_bn_comb comb;
    t = bench_cpu_ms();
    for (int i = 0; i < 2; i++) {
        if (mpc_bn_comb_init(&comb, rp.s, rp.n, yb + 1) != MPC_OK)
            abort();
        mpc_bn_comb_clear(&comb);
    }
    snprintf(what, sizeof what,
             "rped %u comb tables of s and t (in generate/parse)", nb);
    bench_report(what, "peer", bench_cpu_ms() - t);

    rand_signed(x, params->n_bits);
    mpz_abs(x, x);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_bn_powm_sec(ctx, d, rp.t, x, params->n_bits, rp.n) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "t^a mod N, %u-bit secret a, plain", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);
    t = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_paillier_sk_powm_n(ctx, &sk, d, rp.t, x) != MPC_OK)
            abort();
    snprintf(what, sizeof what, "t^a mod N, %u-bit secret a, owner CRT", nb);
    bench_report(what, "op", (bench_cpu_ms() - t) / iters);

    mpc_rped_clear(&rp);
    mpc_bn_clear(lambda);
    mpz_clears(p, q, m, r, c, d, k, x, y, NULL);
    mpc_paillier_sk_clear(&sk);
}

BENCH(paillier_2048)
{
    bench_set(MPC_PARAMS_COMPAT);
}

BENCH(paillier_3072)
{
    bench_set(MPC_PARAMS_128);
}
