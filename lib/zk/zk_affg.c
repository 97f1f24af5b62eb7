/* Πaff-g: Paillier affine operation with group commitment in range
 * (include/mpc/zk_affg.h). */
#include "mpc/zk_affg.h"

#include <string.h>

#include "mpc/mem.h"
#include "zk_internal.h"

static const char LABEL[] = "cggmp21/aff-g";

#define BX_BYTES MPC_SECP256K1_POINT_BYTES

enum { NFIELDS = 12 };

void mpc_zk_affg_proof_init(mpc_zk_affg_proof *proof)
{
    memset(proof->bx, 0, sizeof proof->bx);
    mpz_inits(proof->a, proof->by, proof->e, proof->s, proof->f, proof->t,
              proof->z1, proof->z2, proof->z3, proof->z4, proof->w, proof->wy,
              NULL);
}

void mpc_zk_affg_proof_clear(mpc_zk_affg_proof *proof)
{
    if (proof == NULL)
        return;
    memset(proof->bx, 0, sizeof proof->bx);
    mpz_clears(proof->a, proof->by, proof->e, proof->s, proof->f, proof->t,
               proof->z1, proof->z2, proof->z3, proof->z4, proof->w, proof->wy,
               NULL);
}

/* The integer fields in encoding order. */
static void fields(mpz_ptr v[NFIELDS], mpc_zk_affg_proof *proof)
{
    mpz_ptr all[NFIELDS] = {proof->a,  proof->by, proof->e,  proof->s,
                            proof->f,  proof->t,  proof->z1, proof->z2,
                            proof->z3, proof->z4, proof->w,  proof->wy};
    memcpy(v, all, sizeof all);
}

static void zero(mpc_zk_affg_proof *proof)
{
    mpz_ptr v[NFIELDS];
    fields(v, proof);
    memset(proof->bx, 0, sizeof proof->bx);
    for (size_t i = 0; i < NFIELDS; i++)
        mpz_set_ui(v[i], 0);
}

/* Encoding bound of z3 = γ + e m and z4 = δ + e μ: below
 * 2^{ℓ+ε} N̂ + Q 2^ℓ N̂ < 2^{ℓ+ε+1} N̂ <= 2^{ℓ+ε+n_bits+1} (Q <= 2^ε). */
static size_t z34_bits(const mpc_params *params)
{
    return (size_t)params->ell + params->eps + params->n_bits + 1;
}

static void layout(mpc_zk_field f[NFIELDS], const mpc_params *params)
{
    const size_t n = params->n_bytes, ct = params->ct_bytes;
    f[0] = mpc_zk_field_uint(ct); /* A */
    f[1] = mpc_zk_field_uint(ct); /* B_y */
    for (size_t i = 2; i < 6; i++)
        f[i] = mpc_zk_field_uint(n); /* E, S, F, T */
    f[6] = mpc_zk_field_signed((size_t)params->ell + params->eps);
    f[7] = mpc_zk_field_signed((size_t)params->ell_prime + params->eps);
    f[8] = mpc_zk_field_signed(z34_bits(params));
    f[9] = mpc_zk_field_signed(z34_bits(params));
    f[10] = mpc_zk_field_uint(n); /* w */
    f[11] = mpc_zk_field_uint(n); /* w_y */
}

size_t mpc_zk_affg_proof_bytes(const mpc_params *params)
{
    if (params == NULL)
        return 0;
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    return BX_BYTES + mpc_zk_fields_bytes(f, NFIELDS);
}

mpc_err mpc_zk_affg_challenge(mpc_transcript *t, const mpc_group *g,
                              const mpc_rped *rp, const mpc_paillier_pk *pk0,
                              const mpc_paillier_pk *pk1, const mpz_t C,
                              const mpz_t D, const mpz_t Y, const mpc_point *X,
                              const mpc_zk_affg_proof *proof, mpz_t e)
{
    const mpc_params *params = rp->params;
    mpz_set_ui(e, 0);
    if (params == NULL || pk0->params != params || pk1->params != params)
        return MPC_ERR_INVALID_ARG;
    const size_t n = params->n_bytes, ct = params->ct_bytes;
    mpc_err err = mpc_zk_absorb_head(t, LABEL, rp, pk0);
    if (err == MPC_OK)
        err = mpc_zk_absorb_paillier_pk(t, "N1", pk1);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "C", C, ct);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "D", D, ct);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "Y", Y, ct);
    if (err != MPC_OK)
        return err;
    mpc_transcript_append_point(t, g, "X", X);
    mpc_transcript_append(t, "Bx", proof->bx, sizeof proof->bx);
    err = mpc_zk_absorb_uint(t, "A", proof->a, ct);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "By", proof->by, ct);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "E", proof->e, n);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "S", proof->s, n);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "F", proof->f, n);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, "T", proof->t, n);
    if (err == MPC_OK)
        err = mpc_zk_challenge(t, "e", params, e);
    return err;
}

/* ---- Prover --------------------------------------------------------------
 */

/* The statement and witness, to keep argument lists short. */
typedef struct stmt {
    const mpc_rped *rp;
    const mpc_paillier_pk *pk0;
    const mpc_paillier_sk *sk1;
    mpz_srcptr C, D, Y;
    const mpc_point *X;
    mpz_srcptr x, y, rho, rho_y;
} stmt;

/* The prover's secret masks. */
typedef struct masks {
    mpz_t alpha, beta, r, ry, gamma, delta, m, mu;
} masks;

static void masks_init(masks *k)
{
    mpz_inits(k->alpha, k->beta, k->r, k->ry, k->gamma, k->delta, k->m, k->mu,
              NULL);
}

static void masks_clear(masks *k)
{
    mpc_bn_clear(k->alpha);
    mpc_bn_clear(k->beta);
    mpc_bn_clear(k->r);
    mpc_bn_clear(k->ry);
    mpc_bn_clear(k->gamma);
    mpc_bn_clear(k->delta);
    mpc_bn_clear(k->m);
    mpc_bn_clear(k->mu);
}

/* out = uniform in ±2^bits * mul (mul = 1 if NULL). */
static mpc_err sample_range(const mpc_ctx *ctx, mpz_t out, size_t bits,
                            const mpz_t mul)
{
    mpz_t bound;
    mpz_init(bound);
    mpz_setbit(bound, (mp_bitcnt_t)bits);
    if (mul != NULL)
        mpz_mul(bound, bound, mul);
    mpc_err err = mpc_bn_random_symmetric(ctx, out, bound);
    mpz_clear(bound);
    return err;
}

/* Whether N0 is the prover's own key N1 (presign's proofs about its own
 * ciphertexts): then A is computed by the CRT with a fast own nonce. */
static bool own_n0(const stmt *s)
{
    return mpz_cmp(s->pk0->n, s->sk1->pk.n) == 0;
}

/* The masks; the own-key nonces (r for an own N0, r_y) come with A and
 * B_y (mpc_paillier_affine_own, mpc_paillier_encrypt_own). */
static mpc_err sample(const mpc_ctx *ctx, masks *k, const stmt *s)
{
    const mpc_params *params = s->rp->params;
    const size_t ell = params->ell, le = ell + params->eps;
    const size_t lpe = (size_t)params->ell_prime + params->eps;
    const mpz_srcptr nhat = s->rp->n;
    mpc_err err = sample_range(ctx, k->alpha, le, NULL);
    if (err == MPC_OK)
        err = sample_range(ctx, k->beta, lpe, NULL);
    if (err == MPC_OK)
        err = sample_range(ctx, k->gamma, le, nhat);
    if (err == MPC_OK)
        err = sample_range(ctx, k->delta, le, nhat);
    if (err == MPC_OK)
        err = sample_range(ctx, k->m, ell, nhat);
    if (err == MPC_OK)
        err = sample_range(ctx, k->mu, ell, nhat);
    if (err == MPC_OK && !own_n0(s))
        err = mpc_paillier_nonce_random(ctx, s->pk0, k->r);
    return err;
}

/* B_x = α·G, written in its encoding. */
static mpc_err commit_bx(const mpc_ctx *ctx, const mpc_group *g,
                         mpc_zk_affg_proof *proof, const mpz_t alpha)
{
    mpc_scalar as;
    mpc_point bx;
    mpc_err err = mpc_zk_scalar_from_int_sec(ctx, g, &as, alpha);
    if (err == MPC_OK) {
        mpc_point_mul_base(g, &bx, &as);
        mpc_point_serialize(g, proof->bx, &bx);
    }
    mpc_scalar_clear(&as);
    return err;
}

static mpc_err commit(const mpc_ctx *ctx, const mpc_group *g,
                      mpc_zk_affg_proof *proof, masks *k, const stmt *s)
{
    const mpc_rped *rp = s->rp;
    const mpc_params *params = rp->params;
    const size_t ell = params->ell, le = ell + params->eps;
    const size_t lp = params->ell_prime, lpe = lp + params->eps;
    const size_t nb = mpz_sizeinbase(rp->n, 2);
    /* A = C^α Enc_{N0}(β; r): with a fresh own nonce when N0 is the
     * prover's own key (N1), as in presign's proofs about its own
     * ciphertexts. */
    mpc_err err = own_n0(s)
                      ? mpc_paillier_affine_own(ctx, s->sk1, proof->a, k->r,
                                                s->C, k->alpha, le + 1, k->beta)
                      : mpc_paillier_affine(ctx, s->pk0, proof->a, s->C,
                                            k->alpha, le + 1, k->beta, k->r);
    if (err == MPC_OK)
        err = commit_bx(ctx, g, proof, k->alpha);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(ctx, s->sk1, proof->by, k->ry, k->beta);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->e, k->alpha, le + 1, k->gamma,
                              le + nb + 1);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->s, s->x, ell + 1, k->m,
                              ell + nb + 1);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->f, k->beta, lpe + 1, k->delta,
                              le + nb + 1);
    if (err == MPC_OK)
        err = mpc_rped_commit(ctx, rp, proof->t, s->y, lp + 1, k->mu,
                              ell + nb + 1);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {proof->a, proof->by, proof->e,
                                  proof->s, proof->f,  proof->t};
        mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    }
    return err;
}

static mpc_err respond(const mpc_ctx *ctx, mpc_zk_affg_proof *proof,
                       const masks *k, const stmt *s, const mpz_t e)
{
    const mpc_params *params = s->rp->params;
    const size_t le = (size_t)params->ell + params->eps;
    const size_t lpe = (size_t)params->ell_prime + params->eps;
    const size_t nb = mpz_sizeinbase(s->rp->n, 2);
    mpz_t q;
    mpz_init(q);
    mpc_zk_challenge_bound(q, params);
    const size_t e_bits = mpz_sizeinbase(q, 2) + 1;
    mpz_clear(q);
    mpc_err err = mpc_zk_affine_sec(ctx, proof->z1, k->alpha, e, s->x, le + 1);
    if (err == MPC_OK)
        err = mpc_zk_affine_sec(ctx, proof->z2, k->beta, e, s->y, lpe + 1);
    if (err == MPC_OK)
        err = mpc_zk_affine_sec(ctx, proof->z3, k->gamma, e, k->m, le + nb + 1);
    if (err == MPC_OK)
        err =
            mpc_zk_affine_sec(ctx, proof->z4, k->delta, e, k->mu, le + nb + 1);
    if (err == MPC_OK)
        err = mpc_zk_nonce_response_sec(ctx, proof->w, k->r, s->rho, e, e_bits,
                                        s->pk0->n);
    if (err == MPC_OK)
        err = mpc_zk_nonce_response_sec(ctx, proof->wy, k->ry, s->rho_y, e,
                                        e_bits, s->sk1->pk.n);
    if (err == MPC_OK) {
        const mpz_srcptr pub[] = {proof->z1, proof->z2, proof->z3,
                                  proof->z4, proof->w,  proof->wy};
        mpc_zk_publish(pub, sizeof pub / sizeof *pub);
    }
    /* Out of range with probability Q 2^ℓ / 2^{ℓ+ε} <= 2^-102 each. */
    if (err == MPC_OK && (!mpc_zk_in_range_var(proof->z1, le) ||
                          !mpc_zk_in_range_var(proof->z2, lpe)))
        err = MPC_ERR_INTERNAL;
    return err;
}

static mpc_err check_prove_args(const mpc_ctx *ctx, const mpc_group *g,
                                const stmt *s)
{
    const mpc_params *params = s->rp->params;
    const mpc_paillier_pk *pk1 = &s->sk1->pk;
    if (params == NULL || s->pk0->params != params || pk1->params != params ||
        mpc_zk_check_modulus_var(s->rp->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(s->pk0->n, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(s->pk0, s->C) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(s->pk0, s->D) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk1, s->Y) != MPC_OK ||
        !mpc_zk_witness_in_range(s->x, params->ell) ||
        !mpc_zk_witness_in_range(s->y, params->ell_prime) ||
        !mpc_zk_nonce_ok(s->rho, s->pk0->n) ||
        !mpc_zk_nonce_ok(s->rho_y, pk1->n))
        return MPC_ERR_INVALID_ARG;
    /* X = x·G. */
    mpc_scalar xs;
    mpc_point P;
    mpc_err err = mpc_zk_scalar_from_int_sec(ctx, g, &xs, s->x);
    if (err == MPC_OK) {
        mpc_point_mul_base(g, &P, &xs);
        if (!mpc_point_eq(g, &P, s->X))
            err = MPC_ERR_INVALID_ARG;
    }
    mpc_scalar_clear(&xs);
    return err;
}

static mpc_err prove(const mpc_ctx *ctx, const mpc_group *g,
                     mpc_zk_affg_proof *proof, mpc_transcript *t, const stmt *s)
{
    masks k;
    masks_init(&k);
    mpz_t e;
    mpz_init(e);
    mpc_err err = sample(ctx, &k, s);
    if (err == MPC_OK)
        err = commit(ctx, g, proof, &k, s);
    if (err == MPC_OK)
        err = mpc_zk_affg_challenge(t, g, s->rp, s->pk0, &s->sk1->pk, s->C,
                                    s->D, s->Y, s->X, proof, e);
    if (err == MPC_OK)
        err = respond(ctx, proof, &k, s, e);
    masks_clear(&k);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_affg_prove(const mpc_ctx *ctx, mpc_zk_affg_proof *proof,
                          mpc_transcript *t, const mpc_rped *rp,
                          const mpc_paillier_pk *pk0,
                          const mpc_paillier_sk *sk1, const mpz_t C,
                          const mpz_t D, const mpz_t Y, const mpc_point *X,
                          const mpz_t x, const mpz_t y, const mpz_t rho,
                          const mpz_t rho_y)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    zero(proof);
    if (ctx == NULL || t == NULL || rp == NULL || pk0 == NULL || sk1 == NULL ||
        C == NULL || D == NULL || Y == NULL || X == NULL || x == NULL ||
        y == NULL || rho == NULL || rho_y == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    const stmt s = {.rp = rp,
                    .pk0 = pk0,
                    .sk1 = sk1,
                    .C = C,
                    .D = D,
                    .Y = Y,
                    .X = X,
                    .x = x,
                    .y = y,
                    .rho = rho,
                    .rho_y = rho_y};
    mpc_err err = check_prove_args(ctx, g, &s);
    if (err == MPC_OK)
        err = prove(ctx, g, proof, t, &s);
    if (err != MPC_OK)
        zero(proof);
    return err;
}

/* ---- Verifier ------------------------------------------------------------
 */

/* Checks 1-5 of the header: sizes, units, ranges, B_x. */
static mpc_err check_values(const mpc_group *g, const mpc_rped *rp,
                            const mpc_paillier_pk *pk0,
                            const mpc_paillier_pk *pk1, const mpz_t C,
                            const mpz_t D, const mpz_t Y,
                            const mpc_zk_affg_proof *p, mpc_point *bx)
{
    const mpc_params *params = rp->params;
    const mpz_srcptr nhat = rp->n;
    if (mpc_zk_check_modulus_var(pk0->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(pk1->n, params) != MPC_OK ||
        mpc_zk_check_modulus_var(nhat, params) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk0, C) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk0, D) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk0, p->a) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk1, Y) != MPC_OK ||
        mpc_paillier_ciphertext_check_var(pk1, p->by) != MPC_OK ||
        mpc_zk_check_unit_var(p->e, nhat) != MPC_OK ||
        mpc_zk_check_unit_var(p->s, nhat) != MPC_OK ||
        mpc_zk_check_unit_var(p->f, nhat) != MPC_OK ||
        mpc_zk_check_unit_var(p->t, nhat) != MPC_OK ||
        mpc_zk_check_unit_var(p->w, pk0->n) != MPC_OK ||
        mpc_zk_check_unit_var(p->wy, pk1->n) != MPC_OK ||
        !mpc_zk_in_range_var(p->z1, (size_t)params->ell + params->eps) ||
        !mpc_zk_in_range_var(p->z2, (size_t)params->ell_prime + params->eps) ||
        !mpc_zk_in_range_var(p->z3, z34_bits(params)) ||
        !mpc_zk_in_range_var(p->z4, z34_bits(params)) ||
        mpc_point_parse(g, bx, p->bx, BX_BYTES) != MPC_OK)
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

/* The public inputs of check 6 with the signs of z1 and e split off:
 * C^{z1} (1+N0)^{z2} w^{N0} = A D^e becomes
 * C^{|z1|} [D^{|e|}] G w^{N0} = A [C^{|z1|}] [D^{|e|}], each power on the
 * side its exponent's sign puts it, G = (1+N0)^{z2} mod N0^2. */
typedef struct own_eq {
    mpz_srcptr C, D, A, w;
    mpz_t G, z1, e; /* G; |z1|, |e| */
    bool z1_neg, e_neg;
} own_eq;

/*
 * Both sides of check 6 modulo x^2 for the prime x of N0 = x y, with
 * ex = y mod (x - 1). w^{N0} mod x^2 = t^x mod x^2 with
 * t = (w mod x)^ex mod x (mpc_paillier_encrypt_crt's argument), and
 * w^{-N0} likewise with x - 1 - ex (Fermat). The long powers, t^x and
 * C^{|z1|}, go on one side so that they share one squaring chain
 * (mpc_bn_multiexp_sec: x is secret, as modulus and as exponent; the
 * values are public):
 *   z1 >= 0:  G t^x C^{z1} [D^{|e|}]  =  A [D^e]
 *   z1 <  0:  G [D^{|e|}]  =  A C^{|z1|} (w^{-N0}) [D^e]
 * with D^{|e|} on the left for e < 0 and D^e on the right for e >= 0.
 */
static mpc_err own_half(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                        mpz_t lhs, mpz_t rhs, const own_eq *q, const mpz_t ex,
                        const mpz_t x, const mpz_t x2)
{
    const size_t bits = sk->pk.params->prime_bits;
    const bool right = q->z1_neg; /* the side of t^x and C^{|z1|} */
    mpz_t t, xe, one, zero;
    mpz_inits(t, xe, NULL);
    mpz_init_set_ui(one, 1);
    mpz_init(zero);
    mpc_err err = MPC_OK;
    if (right) {
        mpz_set(t, x);
        mpz_clrbit(t, 0); /* x - 1 (x is odd) */
        err = mpc_bn_submod_sec(ctx, xe, t, ex, x);
    } else {
        mpz_set(xe, ex);
    }
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, t, q->w, xe, bits, x);
    /* D is on the long side iff (e < 0) == (z1 >= 0). */
    const bool d_long = q->e_neg != right;
    const mpz_srcptr lb[] = {t, right ? q->A : q->G, q->C, q->D};
    const mpz_srcptr le[] = {x, one, q->z1, d_long ? q->e : zero};
    const mpz_srcptr sb[] = {right ? q->G : q->A, q->D};
    const mpz_srcptr se[] = {one, d_long ? zero : q->e};
    mpz_ptr long_side = right ? rhs : lhs, short_side = right ? lhs : rhs;
    if (err == MPC_OK)
        err = mpc_bn_multiexp_sec(ctx, long_side, lb, le, 4, bits, x2);
    if (err == MPC_OK)
        err = mpc_bn_multiexp_sec(ctx, short_side, sb, se, 2, 1, x2);
    mpc_bn_clear(t);
    mpc_bn_clear(xe);
    mpz_clears(one, zero, NULL);
    return err;
}

/* Check 6 by the owner of N0: both sides mod p^2 and q^2, joined by the
 * CRT; the joined values are public (functions of the proof alone). */
static mpc_err check_own_crt(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                             const mpz_t C, const mpz_t D,
                             const mpc_zk_affg_proof *p, const mpz_t e)
{
    const mpc_paillier_pk *pk = &sk->pk;
    own_eq q = {.C = C, .D = D, .A = p->a, .w = p->w};
    mpz_inits(q.G, q.z1, q.e, NULL);
    mpz_mod(q.G, p->z2, pk->n);
    mpz_mul(q.G, q.G, pk->n);
    mpz_add_ui(q.G, q.G, 1);
    mpz_abs(q.z1, p->z1);
    mpz_abs(q.e, e);
    q.z1_neg = mpz_sgn(p->z1) < 0;
    q.e_neg = mpz_sgn(e) < 0;
    mpz_t lp, rp, lq, rq;
    mpz_inits(lp, rp, lq, rq, NULL);
    mpc_err err = own_half(ctx, sk, lp, rp, &q, sk->ep, sk->p, sk->p2);
    if (err == MPC_OK)
        err = own_half(ctx, sk, lq, rq, &q, sk->eq, sk->q, sk->q2);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, lp, lp, sk->p2, lq, sk->q2, sk->q2_inv_p2);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, rp, rp, sk->p2, rq, sk->q2, sk->q2_inv_p2);
    if (err == MPC_OK) {
        /* Public: C^{z1+} D^{e-} G w^{N0} and A C^{z1-} D^{e+} mod N0^2
         * (ctime checks: see mpc/mem.h). */
        mpc_declassify(mpz_limbs_read(lp), mpz_size(lp) * sizeof(mp_limb_t));
        mpc_declassify(mpz_limbs_read(rp), mpz_size(rp) * sizeof(mp_limb_t));
        err = mpz_cmp(lp, rp) == 0 ? MPC_OK : MPC_ERR_VERIFY;
    } else {
        /* The inputs were range- and unit-checked: only NOMEM is left. */
        err = err == MPC_ERR_NOMEM ? err : MPC_ERR_VERIFY;
    }
    mpc_bn_clear(lp);
    mpc_bn_clear(rp);
    mpc_bn_clear(lq);
    mpc_bn_clear(rq);
    mpz_clears(q.G, q.z1, q.e, NULL);
    return err;
}

/* Check 6: the Paillier equation under the verifier's key N0; by the CRT
 * when the verifier passed its key. */
static mpc_err check_own(const mpc_ctx *ctx, const mpc_paillier_sk *sk0,
                         const mpc_paillier_pk *pk0, const mpz_t C,
                         const mpz_t D, const mpc_zk_affg_proof *p,
                         const mpz_t e)
{
    if (sk0 != NULL)
        return check_own_crt(ctx, sk0, C, D, p, e);
    mpz_t lhs, c;
    mpz_inits(lhs, c, NULL);
    mpc_err err = mpc_zk_paillier_enc_var(lhs, pk0, p->z2, p->w);
    if (err == MPC_OK)
        err = mpc_bn_powm_var(c, C, p->z1, pk0->n2);
    if (err == MPC_OK) {
        mpz_mul(lhs, lhs, c);
        mpz_mod(lhs, lhs, pk0->n2);
        err = mpc_zk_check_eq_var(lhs, p->a, D, e, pk0->n2);
    }
    mpz_clears(lhs, c, NULL);
    return err;
}

/* Checks 9 and 10: the ring-Pedersen equations. */
static mpc_err check_rped(const mpc_rped *rp, const mpc_rped_table *tab,
                          const mpc_zk_affg_proof *p, const mpz_t e)
{
    mpz_t lhs;
    mpz_init(lhs);
    mpc_err err = mpc_zk_rped_commit_var(lhs, rp, tab, p->z1, p->z3);
    if (err == MPC_OK)
        err = mpc_zk_check_eq_var(lhs, p->e, p->s, e, rp->n);
    if (err == MPC_OK)
        err = mpc_zk_rped_commit_var(lhs, rp, tab, p->z2, p->z4);
    if (err == MPC_OK)
        err = mpc_zk_check_eq_var(lhs, p->f, p->t, e, rp->n);
    mpz_clear(lhs);
    return err;
}

/* Check 7: z1·G = B_x + e·X. */
static mpc_err check_curve(const mpc_group *g, const mpc_point *X,
                           const mpc_point *bx, const mpz_t z1, const mpz_t e)
{
    mpc_scalar zs, es;
    mpc_point lhs, rhs;
    mpc_zk_scalar_from_int_var(g, &zs, z1);
    mpc_zk_scalar_from_int_var(g, &es, e);
    mpc_point_mul_base(g, &lhs, &zs);
    mpc_point_mul(g, &rhs, &es, X);
    mpc_point_add(g, &rhs, &rhs, bx);
    return mpc_point_eq(g, &lhs, &rhs) ? MPC_OK : MPC_ERR_VERIFY;
}

/* The verifier; check 8 goes to `batch` when non-NULL, after every other
 * check passed. */
static mpc_err verify(const mpc_ctx *ctx, mpc_zk_batch *batch,
                      mpc_transcript *t, const mpc_rped *rp,
                      const mpc_rped_table *tab, const mpc_paillier_sk *sk0,
                      const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1,
                      const mpz_t C, const mpz_t D, const mpz_t Y,
                      const mpc_point *X, const mpc_zk_affg_proof *proof)
{
    if (ctx == NULL || t == NULL || rp == NULL || pk0 == NULL || pk1 == NULL ||
        C == NULL || D == NULL || Y == NULL || X == NULL || proof == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_params *params = rp->params;
    if (params == NULL || pk0->params != params || pk1->params != params ||
        !mpc_zk_rped_table_ok(rp, tab) ||
        (sk0 != NULL &&
         (sk0->pk.params != params || mpz_cmp(sk0->pk.n, pk0->n) != 0)))
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point bx;
    mpc_err err = check_values(g, rp, pk0, pk1, C, D, Y, proof, &bx);
    if (err != MPC_OK)
        return err;
    mpz_t e;
    mpz_init(e);
    err = mpc_zk_affg_challenge(t, g, rp, pk0, pk1, C, D, Y, X, proof, e);
    if (err == MPC_OK)
        err = check_curve(g, X, &bx, proof->z1, e);
    if (err == MPC_OK)
        err = check_own(ctx, sk0, pk0, C, D, proof, e);
    if (err == MPC_OK)
        err = check_rped(rp, tab, proof, e);
    /* 8: Enc_{N1}(z2; w_y) = B_y Y^e mod N1^2 */
    if (err == MPC_OK)
        err = mpc_zk_paillier_eq_var(ctx, batch, pk1, proof->z2, proof->wy,
                                     proof->by, Y, e);
    mpz_clear(e);
    return err;
}

mpc_err mpc_zk_affg_verify(const mpc_ctx *ctx, mpc_transcript *t,
                           const mpc_rped *rp, const mpc_rped_table *tab,
                           const mpc_paillier_sk *sk0,
                           const mpc_paillier_pk *pk0,
                           const mpc_paillier_pk *pk1, const mpz_t C,
                           const mpz_t D, const mpz_t Y, const mpc_point *X,
                           const mpc_zk_affg_proof *proof)
{
    return verify(ctx, NULL, t, rp, tab, sk0, pk0, pk1, C, D, Y, X, proof);
}

mpc_err mpc_zk_affg_verify_batched(
    const mpc_ctx *ctx, mpc_zk_batch *batch, mpc_transcript *t,
    const mpc_rped *rp, const mpc_rped_table *tab, const mpc_paillier_sk *sk0,
    const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1, const mpz_t C,
    const mpz_t D, const mpz_t Y, const mpc_point *X,
    const mpc_zk_affg_proof *proof)
{
    if (!mpc_zk_batch_is_for(batch, pk1))
        return MPC_ERR_INVALID_ARG;
    return verify(ctx, batch, t, rp, tab, sk0, pk0, pk1, C, D, Y, X, proof);
}

/* ---- Encoding ------------------------------------------------------------
 */

mpc_err mpc_zk_affg_proof_serialize(uint8_t *out, size_t len,
                                    const mpc_params *params,
                                    const mpc_zk_affg_proof *proof)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (params == NULL || proof == NULL ||
        len != mpc_zk_affg_proof_bytes(params)) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    const mpz_srcptr v[NFIELDS] = {proof->a,  proof->by, proof->e,  proof->s,
                                   proof->f,  proof->t,  proof->z1, proof->z2,
                                   proof->z3, proof->z4, proof->w,  proof->wy};
    memcpy(out, proof->bx, BX_BYTES);
    mpc_err err =
        mpc_zk_fields_serialize(out + BX_BYTES, len - BX_BYTES, f, v, NFIELDS);
    if (err != MPC_OK)
        mpc_wipe(out, len);
    return err;
}

mpc_err mpc_zk_affg_proof_parse(const mpc_ctx *ctx, mpc_zk_affg_proof *proof,
                                const mpc_params *params, const uint8_t *in,
                                size_t len)
{
    if (proof == NULL)
        return MPC_ERR_INVALID_ARG;
    zero(proof);
    if (ctx == NULL || params == NULL || in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != mpc_zk_affg_proof_bytes(params))
        return MPC_ERR_PARSE;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_point bx;
    if (mpc_point_parse(g, &bx, in, BX_BYTES) != MPC_OK)
        return MPC_ERR_PARSE;
    mpc_zk_field f[NFIELDS];
    layout(f, params);
    mpz_ptr v[NFIELDS];
    fields(v, proof);
    mpc_err err =
        mpc_zk_fields_parse(v, f, NFIELDS, in + BX_BYTES, len - BX_BYTES);
    if (err == MPC_OK)
        memcpy(proof->bx, in, BX_BYTES);
    return err;
}
