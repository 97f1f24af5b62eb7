/* Batch verification of Paillier equations under one key
 * (include/mpc/zk_batch.h). */
#include "mpc/zk_batch.h"

#include <stdbool.h>
#include <stdint.h>

#include "mpc/bn.h"
#include "mpc/mem.h"
#include "zk_internal.h"

/* ρ is drawn as RHO_DRAW_BYTES bytes reduced mod 2^λ - 1, plus 1: each
 * value of [1, 2^λ) has probability 1/(2^λ - 1) up to 2^-(λ+64), with no
 * rejection loop. */
#define RHO_DRAW_BYTES (MPC_ZK_BATCH_RHO_BITS / 8 + 8)

static void reset(mpc_zk_batch *b)
{
    b->params = NULL;
    mpz_set_ui(b->n, 0);
    mpz_set_ui(b->n2, 0);
    mpz_set_ui(b->z, 0);
    mpz_set_ui(b->w, 1);
    mpz_set_ui(b->acc, 1);
    for (size_t i = 0; i < 2 * MPC_ZK_BATCH_PENDING; i++) {
        mpz_set_ui(b->base[i], 0);
        mpz_set_ui(b->exp[i], 0);
    }
    b->count = 0;
    b->pending = 0;
    b->failed = false;
}

mpc_err mpc_zk_batch_init(mpc_zk_batch *b, const mpc_paillier_pk *pk)
{
    if (b == NULL)
        return MPC_ERR_INVALID_ARG;
    mpz_inits(b->n, b->n2, b->z, b->w, b->acc, NULL);
    for (size_t i = 0; i < 2 * MPC_ZK_BATCH_PENDING; i++)
        mpz_inits(b->base[i], b->exp[i], NULL);
    reset(b);
    if (pk == NULL || pk->params == NULL || mpz_cmp_ui(pk->n, 3) < 0 ||
        mpz_even_p(pk->n))
        return MPC_ERR_INVALID_ARG;
    b->params = pk->params;
    mpz_set(b->n, pk->n);
    mpz_mul(b->n2, pk->n, pk->n);
    return MPC_OK;
}

void mpc_zk_batch_clear(mpc_zk_batch *b)
{
    if (b == NULL)
        return;
    mpz_clears(b->n, b->n2, b->z, b->w, b->acc, NULL);
    for (size_t i = 0; i < 2 * MPC_ZK_BATCH_PENDING; i++)
        mpz_clears(b->base[i], b->exp[i], NULL);
    b->params = NULL;
    b->count = b->pending = 0;
}

size_t mpc_zk_batch_count(const mpc_zk_batch *b)
{
    return b == NULL ? 0 : b->count;
}

bool mpc_zk_batch_is_for(const mpc_zk_batch *b, const mpc_paillier_pk *pk)
{
    return b != NULL && b->params != NULL && pk != NULL &&
           pk->params == b->params && mpz_cmp(pk->n, b->n) == 0;
}

/* 0 < x < m. */
static bool in_range(const mpz_t x, const mpz_t m)
{
    return x != NULL && mpz_sgn(x) > 0 && mpz_cmp(x, m) < 0;
}

static void draw_rho(const mpc_ctx *ctx, mpz_t rho)
{
    uint8_t buf[RHO_DRAW_BYTES];
    mpc_ctx_random(ctx, buf, sizeof buf);
    /* ρ only has to be unknown to the prover until its proofs are fixed,
     * which they are: the batch arithmetic may be variable time in ρ, and
     * every batch draws afresh (ctime checks: see mpc/mem.h). */
    mpc_declassify(buf, sizeof buf);
    mpz_import(rho, sizeof buf, 1, 1, 1, 0, buf);
    mpz_t m;
    mpz_init(m);
    mpz_setbit(m, MPC_ZK_BATCH_RHO_BITS);
    mpz_sub_ui(m, m, 1);
    mpz_mod(rho, rho, m);
    mpz_add_ui(rho, rho, 1);
    mpz_clear(m);
}

/* acc *= the pending right-hand sides; pending = 0. A base that needs an
 * inverse and has none marks the batch failed. */
static void fold(mpc_zk_batch *b)
{
    mpz_srcptr base[2 * MPC_ZK_BATCH_PENDING], exp[2 * MPC_ZK_BATCH_PENDING];
    const size_t k = 2 * b->pending;
    for (size_t i = 0; i < k; i++) {
        base[i] = b->base[i];
        exp[i] = b->exp[i];
    }
    mpz_t r;
    mpz_init(r);
    if (mpc_bn_multiexp_var(r, base, exp, k, b->n2) != MPC_OK)
        b->failed = true;
    mpz_mul(b->acc, b->acc, r);
    mpz_mod(b->acc, b->acc, b->n2);
    mpz_clear(r);
    b->pending = 0;
}

/* Appends a validated equation; ρ = 1 for the first, else from ctx. */
static void append(const mpc_ctx *ctx, mpc_zk_batch *b, const mpz_t z,
                   const mpz_t w, const mpz_t A, const mpz_t B, const mpz_t e)
{
    if (b->pending == MPC_ZK_BATCH_PENDING)
        fold(b);
    mpz_t rho, t;
    mpz_inits(rho, t, NULL);
    if (b->count == 0)
        mpz_set_ui(rho, 1);
    else
        draw_rho(ctx, rho);
    /* z: Σ ρ_i z_i mod N; w: Π w_i^{ρ_i} mod N. */
    mpz_mul(t, rho, z);
    mpz_add(b->z, b->z, t);
    mpz_mod(b->z, b->z, b->n);
    mpz_powm(t, w, rho, b->n);
    mpz_mul(b->w, b->w, t);
    mpz_mod(b->w, b->w, b->n);
    /* The right-hand side A^ρ B^{ρ e}, for the final multi-exponentiation. */
    const size_t i = 2 * b->pending;
    mpz_set(b->base[i], A);
    mpz_set(b->exp[i], rho);
    mpz_set(b->base[i + 1], B);
    mpz_mul(b->exp[i + 1], rho, e);
    b->pending++;
    b->count++;
    mpz_clears(rho, t, NULL);
}

static bool eq_args_ok(const mpc_zk_batch *b, const mpz_t z, const mpz_t w,
                       const mpz_t A, const mpz_t B, const mpz_t e)
{
    return z != NULL && e != NULL && in_range(w, b->n) && in_range(A, b->n2) &&
           in_range(B, b->n2);
}

mpc_err mpc_zk_batch_add(const mpc_ctx *ctx, mpc_zk_batch *b,
                         const mpc_paillier_pk *pk, const mpz_t z,
                         const mpz_t w, const mpz_t A, const mpz_t B,
                         const mpz_t e)
{
    if (ctx == NULL || !mpc_zk_batch_is_for(b, pk) ||
        !eq_args_ok(b, z, w, A, B, e))
        return MPC_ERR_INVALID_ARG;
    append(ctx, b, z, w, A, B, e);
    return MPC_OK;
}

mpc_err mpc_zk_batch_check(const mpc_zk_batch *b)
{
    if (b == NULL || b->params == NULL)
        return MPC_ERR_INVALID_ARG;
    if (b->count == 0)
        return MPC_OK;
    if (b->failed)
        return MPC_ERR_VERIFY;
    /* W^-N Π A_i^{ρ_i} B_i^{ρ_i e_i} must be (1+N)^s = 1 + s N, with
     * W^-N = (W^-1 mod N)^N mod N^2 (x^N mod N^2 depends on x mod N). */
    mpz_srcptr base[2 * MPC_ZK_BATCH_PENDING + 1],
        exp[2 * MPC_ZK_BATCH_PENDING + 1];
    mpz_t winv, lhs, rhs;
    mpz_inits(winv, lhs, rhs, NULL);
    mpc_err err = mpz_invert(winv, b->w, b->n) != 0 ? MPC_OK : MPC_ERR_VERIFY;
    base[0] = winv;
    exp[0] = b->n;
    const size_t k = 2 * b->pending;
    for (size_t i = 0; i < k; i++) {
        base[i + 1] = b->base[i];
        exp[i + 1] = b->exp[i];
    }
    if (err == MPC_OK)
        err = mpc_bn_multiexp_var(lhs, base, exp, k + 1, b->n2);
    if (err == MPC_OK) {
        mpz_mul(lhs, lhs, b->acc);
        mpz_mod(lhs, lhs, b->n2);
        mpz_mul(rhs, b->z, b->n);
        mpz_add_ui(rhs, rhs, 1);
        err = mpz_cmp(lhs, rhs) == 0 ? MPC_OK : MPC_ERR_VERIFY;
    }
    mpz_clears(winv, lhs, rhs, NULL);
    return err == MPC_OK ? MPC_OK : MPC_ERR_VERIFY;
}

mpc_err mpc_zk_paillier_eq_var(const mpc_ctx *ctx, mpc_zk_batch *batch,
                               const mpc_paillier_pk *pk, const mpz_t z,
                               const mpz_t w, const mpz_t A, const mpz_t B,
                               const mpz_t e)
{
    if (batch != NULL)
        return mpc_zk_batch_add(ctx, batch, pk, z, w, A, B, e);
    mpc_zk_batch one;
    mpc_err err = mpc_zk_batch_init(&one, pk);
    if (err == MPC_OK)
        err = eq_args_ok(&one, z, w, A, B, e) ? MPC_OK : MPC_ERR_VERIFY;
    if (err == MPC_OK) {
        append(NULL, &one, z, w, A, B, e);
        err = mpc_zk_batch_check(&one);
    }
    mpc_zk_batch_clear(&one);
    return err;
}
