/* Helpers shared by the ZK proofs (lib/zk/zk_internal.h). */
#include "zk_internal.h"

#include <string.h>

#include "mpc/mem.h"

/* Extra challenge bytes beyond the bound's length: 128 bits, the
 * statistical distance of the reduced challenge from uniform. */
#define EXTRA_BYTES 16

void mpc_zk_challenge_bound(mpz_t out, const mpc_params *params)
{
    static const char secp256k1_order[] =
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

    mpz_set_ui(out, 0);
    if (params == NULL)
        return;
    switch (params->id) {
    case MPC_PARAMS_COMPAT:
        if (mpz_set_str(out, secp256k1_order, 16) != 0)
            mpz_set_ui(out, 0);
        break;
    case MPC_PARAMS_128:
        mpz_setbit(out, 128);
        break;
    }
}

mpc_err mpc_zk_challenge_below(mpc_transcript *t, const char *label, mpz_t out,
                               const mpz_t bound)
{
    uint8_t buf[MPC_ZK_INT_MAX_BYTES];

    mpz_set_ui(out, 0);
    if (mpz_sgn(bound) < 1)
        return MPC_ERR_INVALID_ARG;
    size_t len = (mpz_sizeinbase(bound, 2) + 7) / 8 + EXTRA_BYTES;
    if (len > sizeof buf)
        return MPC_ERR_INVALID_ARG;
    mpc_transcript_challenge(t, label, buf, len);
    mpz_import(out, len, 1, 1, 1, 0, buf);
    mpz_mod(out, out, bound);
    return MPC_OK;
}

mpc_err mpc_zk_challenge(mpc_transcript *t, const char *label,
                         const mpc_params *params, mpz_t e)
{
    mpz_t q, width;
    mpz_inits(q, width, NULL);
    mpc_zk_challenge_bound(q, params);
    mpc_err err = MPC_ERR_INVALID_ARG;
    mpz_set_ui(e, 0);
    if (mpz_sgn(q) <= 0)
        goto out;
    mpz_mul_2exp(width, q, 1);
    mpz_add_ui(width, width, 1);
    err = mpc_zk_challenge_below(t, label, e, width);
    if (err == MPC_OK)
        mpz_sub(e, e, q);
out:
    mpz_clears(q, width, NULL);
    return err;
}

bool mpc_zk_in_range_var(const mpz_t x, size_t bits)
{
    /* |x| <= 2^bits iff |x| < 2^bits, or |x| is exactly 2^bits. */
    size_t n = mpz_sizeinbase(x, 2);
    if (mpz_sgn(x) == 0 || n <= bits)
        return true;
    return n == bits + 1 && mpz_scan1(x, 0) == bits;
}

bool mpc_zk_in_range_scaled_var(const mpz_t x, size_t bits, const mpz_t scale)
{
    if (mpz_sgn(scale) < 0)
        return false;
    mpz_t b;
    mpz_init(b);
    mpz_mul_2exp(b, scale, (mp_bitcnt_t)bits);
    bool ok = mpz_cmpabs(x, b) <= 0;
    mpz_clear(b);
    return ok;
}

/* All-ones if x < y, else 0, without a branch. */
static mp_limb_t limb_lt_mask(mp_limb_t x, mp_limb_t y)
{
    mp_limb_t lt = ((~x & y) | (~(x ^ y) & (x - y))) >> (GMP_NUMB_BITS - 1);
    return (mp_limb_t)0 - lt;
}

bool mpc_zk_witness_in_range(const mpz_t x, size_t bits)
{
    /* |x| <= 2^bits iff no bit above `bits` is set and, if bit `bits` is,
     * no bit below it. The masks depend on limb positions only. */
    const mp_limb_t *d = mpz_limbs_read(x);
    size_t n = mpz_size(x);
    mp_limb_t above = 0, at = 0, below = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = i * GMP_NUMB_BITS;
        mp_limb_t m_above, m_at = 0, m_below;
        if (lo > bits) {
            m_above = ~(mp_limb_t)0;
            m_below = 0;
        } else if (bits - lo >= GMP_NUMB_BITS) {
            m_above = 0;
            m_below = ~(mp_limb_t)0;
        } else {
            size_t k = bits - lo; /* position of bit `bits` in this limb */
            m_at = (mp_limb_t)1 << k;
            m_below = m_at - 1;
            m_above = ~(m_at | m_below);
        }
        above |= d[i] & m_above;
        at |= d[i] & m_at;
        below |= d[i] & m_below;
    }
    bool ok = (above == 0) & ((at == 0) | (below == 0));
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

bool mpc_zk_nonce_ok(const mpz_t r, const mpz_t n)
{
    size_t rn = mpz_size(r), nn = mpz_size(n); /* sizes are public */
    if (mpz_sgn(r) <= 0 || rn > nn)
        return false;
    const mp_limb_t *a = mpz_limbs_read(r), *b = mpz_limbs_read(n);
    /* The borrow of r - n over nn limbs: r < n iff it is set. */
    mp_limb_t borrow = 0;
    for (size_t i = 0; i < nn; i++) {
        mp_limb_t ai = i < rn ? a[i] : 0;
        mp_limb_t t = ai - b[i];
        mp_limb_t b1 = limb_lt_mask(ai, b[i]);
        mp_limb_t b2 = limb_lt_mask(t, borrow & 1);
        borrow = (b1 | b2) & 1;
    }
    bool ok = borrow != 0;
    mpc_declassify(&ok, sizeof ok);
    return ok;
}

mpc_err mpc_zk_check_unit_var(const mpz_t a, const mpz_t n)
{
    return mpc_bn_is_unit_var(a, n) ? MPC_OK : MPC_ERR_VERIFY;
}

size_t mpc_zk_signed_len(size_t bits)
{
    /* 2^bits takes bits / 8 + 1 bytes. */
    return 1 + bits / 8 + 1;
}

mpc_err mpc_zk_serialize_signed(uint8_t *out, size_t len, const mpz_t x,
                                size_t bits)
{
    if (len != mpc_zk_signed_len(bits) || !mpc_zk_in_range_var(x, bits)) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_bn_serialize_signed(out, len, x);
}

mpc_err mpc_zk_parse_signed(mpz_t out, const uint8_t *in, size_t len,
                            size_t bits)
{
    mpz_t bound;
    mpz_init(bound);
    mpz_setbit(bound, (mp_bitcnt_t)bits);
    mpc_err err = MPC_ERR_PARSE;
    if (len == mpc_zk_signed_len(bits))
        err = mpc_bn_parse_signed(out, in, len, bound);
    if (err != MPC_OK) {
        mpz_set_ui(out, 0);
        err = MPC_ERR_PARSE;
    }
    mpz_clear(bound);
    return err;
}

mpc_err mpc_zk_absorb_uint(mpc_transcript *t, const char *label, const mpz_t x,
                           size_t len)
{
    uint8_t buf[MPC_ZK_INT_MAX_BYTES];
    if (len == 0 || len > sizeof buf)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_bn_serialize(buf, len, x);
    if (err != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    mpc_transcript_append(t, label, buf, len);
    return MPC_OK;
}

void mpc_zk_put_uint_var(uint8_t *out, size_t len, const mpz_t x)
{
    size_t used = (mpz_sizeinbase(x, 2) + 7) / 8;
    memset(out, 0, len);
    if (mpz_sgn(x) != 0)
        mpz_export(out + len - used, NULL, 1, 1, 1, 0, x);
}

void mpc_zk_absorb_uint_var(mpc_transcript *t, const char *label, const mpz_t x,
                            size_t nb)
{
    uint8_t buf[MPC_PARAMS_MAX_N_BYTES];
    mpc_zk_put_uint_var(buf, nb, x);
    mpc_transcript_append(t, label, buf, nb);
}

mpc_err mpc_zk_absorb_signed(mpc_transcript *t, const char *label,
                             const mpz_t x, size_t bits)
{
    uint8_t buf[MPC_ZK_INT_MAX_BYTES];
    size_t len = mpc_zk_signed_len(bits);
    if (len > sizeof buf)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_zk_serialize_signed(buf, len, x, bits);
    if (err != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    mpc_transcript_append(t, label, buf, len);
    return MPC_OK;
}

mpc_err mpc_zk_absorb_paillier_pk(mpc_transcript *t, const char *label,
                                  const mpc_paillier_pk *pk)
{
    if (pk->params == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_transcript_append_u64(t, label, (uint64_t)pk->params->id);
    return mpc_zk_absorb_uint(t, label, pk->n, pk->params->n_bytes);
}

mpc_err mpc_zk_absorb_rped(mpc_transcript *t, const char *label,
                           const mpc_rped *rp)
{
    if (rp->params == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t len = rp->params->n_bytes;
    mpc_transcript_append_u64(t, label, (uint64_t)rp->params->id);
    mpc_err err = mpc_zk_absorb_uint(t, label, rp->n, len);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, label, rp->s, len);
    if (err == MPC_OK)
        err = mpc_zk_absorb_uint(t, label, rp->t, len);
    return err;
}

mpc_zk_field mpc_zk_field_uint(size_t len)
{
    return (mpc_zk_field){.len = len, .bits = 0};
}

mpc_zk_field mpc_zk_field_signed(size_t bits)
{
    return (mpc_zk_field){.len = mpc_zk_signed_len(bits), .bits = bits};
}

size_t mpc_zk_fields_bytes(const mpc_zk_field *f, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += f[i].len;
    return total;
}

mpc_err mpc_zk_fields_serialize(uint8_t *out, size_t len, const mpc_zk_field *f,
                                const mpz_srcptr *v, size_t n)
{
    mpc_err err = MPC_ERR_INVALID_ARG;
    if (len == mpc_zk_fields_bytes(f, n))
        err = MPC_OK;
    for (size_t i = 0, off = 0; i < n && err == MPC_OK; off += f[i].len, i++)
        err = f[i].bits > 0 ? mpc_zk_serialize_signed(out + off, f[i].len, v[i],
                                                      f[i].bits)
                            : mpc_bn_serialize(out + off, f[i].len, v[i]);
    if (err != MPC_OK) {
        mpc_wipe(out, len);
        return MPC_ERR_INVALID_ARG;
    }
    return MPC_OK;
}

mpc_err mpc_zk_fields_parse(mpz_ptr *v, const mpc_zk_field *f, size_t n,
                            const uint8_t *in, size_t len)
{
    mpc_err err = MPC_ERR_PARSE;
    if (len == mpc_zk_fields_bytes(f, n))
        err = MPC_OK;
    for (size_t i = 0, off = 0; i < n && err == MPC_OK; off += f[i].len, i++) {
        if (f[i].bits > 0)
            err = mpc_zk_parse_signed(v[i], in + off, f[i].len, f[i].bits);
        else
            mpz_import(v[i], f[i].len, 1, 1, 1, 0, in + off);
    }
    if (err != MPC_OK) {
        for (size_t i = 0; i < n; i++)
            mpz_set_ui(v[i], 0);
        return MPC_ERR_PARSE;
    }
    return MPC_OK;
}

bool mpc_zk_rped_table_ok(const mpc_rped *rp, const mpc_rped_table *tab)
{
    if (tab == NULL)
        return true;
    /* pow[0] is the base itself; an empty table has pow == NULL (and its
     * modulus is then not initialised). */
    return rp->params != NULL && tab->s.pow != NULL && tab->t.pow != NULL &&
           mpz_cmp(tab->s.m, rp->n) == 0 && mpz_cmp(tab->t.m, rp->n) == 0 &&
           mpz_cmp(tab->s.pow[0], rp->s) == 0 &&
           mpz_cmp(tab->t.pow[0], rp->t) == 0;
}

mpc_err mpc_zk_rped_commit_var(mpz_t out, const mpc_rped *rp,
                               const mpc_rped_table *tab, const mpz_t x,
                               const mpz_t y)
{
    if (tab == NULL)
        return mpc_rped_commit_var(rp, out, x, y);
    if (!mpc_zk_rped_table_ok(rp, tab)) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    return mpc_rped_table_commit_var(tab, out, x, y);
}

mpc_err mpc_zk_check_modulus_var(const mpz_t n, const mpc_params *params)
{
    if (params == NULL || mpz_sgn(n) <= 0 || mpz_even_p(n))
        return MPC_ERR_VERIFY;
    size_t bits = mpz_sizeinbase(n, 2);
    if (bits < params->n_min_bits || bits > params->n_bits)
        return MPC_ERR_VERIFY;
    return MPC_OK;
}

mpc_err mpc_zk_paillier_enc_var(mpz_t out, const mpc_paillier_pk *pk,
                                const mpz_t m, const mpz_t r)
{
    if (pk->params == NULL || mpz_sgn(pk->n) <= 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    mpz_t g;
    mpz_init(g);
    mpz_mod(g, m, pk->n);
    mpz_mul(g, g, pk->n);
    mpz_add_ui(g, g, 1);
    mpc_err err = mpc_bn_powm_var(out, r, pk->n, pk->n2);
    if (err == MPC_OK) {
        mpz_mul(out, out, g);
        mpz_mod(out, out, pk->n2);
    } else {
        mpz_set_ui(out, 0);
    }
    mpz_clear(g);
    return err;
}

mpc_err mpc_zk_affine_sec(const mpc_ctx *ctx, mpz_t out, const mpz_t a,
                          const mpz_t e, const mpz_t x, size_t bits)
{
    if (bits == 0) {
        mpz_set_ui(out, 0);
        return MPC_ERR_INVALID_ARG;
    }
    mpz_t m, am, xm, em;
    mpz_inits(m, am, xm, em, NULL);
    mpz_setbit(m, (mp_bitcnt_t)bits + 1);
    mpz_add_ui(m, m, 1);
    mpz_mod(em, e, m); /* public */
    mpc_err err = mpc_bn_mod_sec(ctx, am, a, m);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, xm, x, m);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, xm, xm, em, m);
    if (err == MPC_OK)
        err = mpc_bn_addmod_sec(ctx, am, am, xm, m);
    if (err == MPC_OK)
        err = mpc_bn_center_sec(ctx, out, am, m);
    if (err != MPC_OK)
        mpz_set_ui(out, 0);
    mpc_bn_clear(am);
    mpc_bn_clear(xm);
    mpz_clears(m, em, NULL);
    return err;
}

mpc_err mpc_zk_nonce_response_sec(const mpc_ctx *ctx, mpz_t out, const mpz_t r,
                                  const mpz_t rho, const mpz_t e, size_t e_bits,
                                  const mpz_t n)
{
    mpz_t base, mag;
    mpz_inits(base, mag, NULL);
    mpz_abs(mag, e);
    mpc_err err = MPC_OK;
    /* The sign of the public challenge picks rho or rho^-1. */
    if (mpz_sgn(e) < 0)
        err = mpc_bn_invert_sec(ctx, base, rho, n);
    else
        mpz_set(base, rho);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, base, base, mag, e_bits, n);
    if (err == MPC_OK)
        err = mpc_bn_mulmod_sec(ctx, out, r, base, n);
    if (err != MPC_OK)
        mpz_set_ui(out, 0);
    mpc_bn_clear(base);
    mpz_clear(mag);
    return err;
}

mpc_err mpc_zk_check_eq_var(const mpz_t lhs, const mpz_t a, const mpz_t b,
                            const mpz_t e, const mpz_t m)
{
    mpz_t r;
    mpz_init(r);
    mpc_err err = mpc_bn_powm_var(r, b, e, m);
    if (err == MPC_OK) {
        mpz_mul(r, r, a);
        mpz_mod(r, r, m);
        if (mpz_cmp(lhs, r) != 0)
            err = MPC_ERR_VERIFY;
    }
    mpz_clear(r);
    return err == MPC_OK ? MPC_OK : MPC_ERR_VERIFY;
}

void mpc_zk_publish(const mpz_srcptr *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mpc_declassify(mpz_limbs_read(v[i]),
                       mpz_size(v[i]) * sizeof(mp_limb_t));
}

void mpc_zk_group_order(mpz_t out, const mpc_group *g)
{
    uint8_t be[MPC_SCALAR_BYTES];
    mpc_group_order_be(g, be);
    mpz_import(out, sizeof be, 1, 1, 1, 0, be);
}

/* out = the scalar whose value is r, 0 <= r < order (mpc_bn_serialize is
 * constant time in r). */
static void scalar_from_reduced(const mpc_group *g, mpc_scalar *out,
                                const mpz_t r)
{
    uint8_t be[MPC_SCALAR_BYTES];
    if (mpc_bn_serialize(be, sizeof be, r) == MPC_OK)
        mpc_scalar_reduce_be(g, out, be, sizeof be);
    else
        mpc_scalar_set_zero(out); /* unreachable: r < order < 2^256 */
    mpc_wipe(be, sizeof be);
}

void mpc_zk_scalar_from_int_var(const mpc_group *g, mpc_scalar *out,
                                const mpz_t x)
{
    mpz_t q, r;
    mpz_inits(q, r, NULL);
    mpc_zk_group_order(q, g);
    mpz_mod(r, x, q);
    scalar_from_reduced(g, out, r);
    mpz_clears(q, r, NULL);
}

mpc_err mpc_zk_scalar_from_int_sec(const mpc_ctx *ctx, const mpc_group *g,
                                   mpc_scalar *out, const mpz_t x)
{
    mpz_t q, r;
    mpz_inits(q, r, NULL);
    mpc_zk_group_order(q, g);
    mpc_err err = mpc_bn_mod_sec(ctx, r, x, q);
    if (err == MPC_OK)
        scalar_from_reduced(g, out, r);
    else
        mpc_scalar_set_zero(out);
    mpc_bn_clear(r);
    mpz_clear(q);
    return err;
}

void mpc_zk_int_from_scalar(const mpc_group *g, mpz_t out, const mpc_scalar *a)
{
    uint8_t b[MPC_SCALAR_BYTES];
    mpc_scalar_serialize(g, b, a);
    int order = mpc_group_curve(g) == MPC_CURVE_ED25519 ? -1 : 1;
    mpz_import(out, sizeof b, order, 1, 1, 0, b);
    mpc_wipe(b, sizeof b);
}

mpc_err mpc_zk_absorb_head(mpc_transcript *t, const char *proof,
                           const mpc_rped *rp, const mpc_paillier_pk *pk0)
{
    mpc_transcript_append(t, "proof", (const uint8_t *)proof, strlen(proof));
    mpc_err err = mpc_zk_absorb_rped(t, "aux", rp);
    if (err == MPC_OK)
        err = mpc_zk_absorb_paillier_pk(t, "N0", pk0);
    return err;
}
