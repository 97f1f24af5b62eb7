/*
 * lib/cggmp/codec.c — storage records of CGGMP21 key shares, aux info and
 * presignatures (mpc/cggmp_codec.h). The layout lives in the header; the code
 * below writes the fields in that order into a buffer checked to be large
 * enough, and reads them back through mpc/wire.h, whose bounded reader
 * never reads past the input.
 */
#include "mpc/cggmp_codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/mem.h"
#include "mpc/paillier.h"
#include "mpc/wire.h"

#include "cggmp_internal.h"

/* ---- shared ------------------------------------------------------------ */

/* Orders ids by their encoding: equal ids compare equal, and the zero id
 * (all-zero bytes) sorts first. */
static int id_cmp(const void *a, const void *b)
{
    return memcmp(((const mpc_scalar *)a)->v, ((const mpc_scalar *)b)->v,
                  MPC_SCALAR_BYTES);
}

/* Whether ids[0..n) are non-zero and distinct, n <= MPC_CGGMP_MAX_PARTIES.
 * Sorting a copy keeps it O(n log n), unlike the pairwise check of
 * mpc_vss_ids_check_var. Ids are public. */
static bool ids_ok(const mpc_scalar *ids, uint32_t n)
{
    mpc_scalar sorted[MPC_CGGMP_MAX_PARTIES];
    memcpy(sorted, ids, (size_t)n * sizeof *ids);
    qsort(sorted, n, sizeof *sorted, id_cmp);
    if (mpc_scalar_is_zero(&sorted[0]))
        return false;
    for (uint32_t j = 1; j < n; j++)
        if (id_cmp(&sorted[j - 1], &sorted[j]) == 0)
            return false;
    return true;
}

/* Zeroes a failed encoder's outputs and returns err. */
static mpc_err encode_fail(uint8_t *out, size_t cap, size_t *len, mpc_err err)
{
    if (out != NULL)
        mpc_wipe(out, cap);
    if (len != NULL)
        *len = 0;
    return err;
}

/* The header bytes every record starts with: tag, version. */
static bool read_tag(mpc_wire_reader *r, uint8_t tag)
{
    uint8_t got_tag, version;
    return mpc_wire_read_u8(r, &got_tag) == MPC_OK && got_tag == tag &&
           mpc_wire_read_u8(r, &version) == MPC_OK &&
           version == MPC_CGGMP_CODEC_VERSION;
}

/* ---- key share --------------------------------------------------------- */

static bool share_header_ok(uint32_t n, uint32_t t, uint32_t self)
{
    return n >= 2 && n <= MPC_CGGMP_MAX_PARTIES && t >= 2 && t <= n && self < n;
}

size_t mpc_cggmp_key_share_encoded_bytes(const mpc_cggmp_key_share *ks)
{
    if (ks == NULL || !share_header_ok(ks->n, ks->t, ks->self) ||
        ks->ids == NULL || ks->vshares == NULL)
        return 0;
    return MPC_CGGMP_KEY_SHARE_BYTES(ks->n);
}

/*
 * The checks beyond the header that encode and decode share: ids, no
 * identity among Y and the X_j (the parser refuses it; the encoder must
 * not write it), and X_self == x G, so that a party never signs with a
 * share its peers would blame it for.
 */
static bool share_consistent(const mpc_group *g, const mpc_cggmp_key_share *ks)
{
    if (!ids_ok(ks->ids, ks->n) || mpc_point_is_identity(g, &ks->pubkey))
        return false;
    for (uint32_t j = 0; j < ks->n; j++)
        if (mpc_point_is_identity(g, &ks->vshares[j]))
            return false;
    mpc_point xg;
    mpc_point_mul_base(g, &xg, &ks->x);
    return mpc_point_eq(g, &xg, &ks->vshares[ks->self]);
}

mpc_err mpc_cggmp_key_share_encode(const mpc_group *g, uint8_t *out, size_t cap,
                                   size_t *len, const mpc_cggmp_key_share *ks)
{
    if (g == NULL || out == NULL || len == NULL ||
        mpc_group_curve(g) != MPC_CURVE_SECP256K1)
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);
    size_t need = mpc_cggmp_key_share_encoded_bytes(ks);
    if (need == 0 || cap < need || !share_consistent(g, ks))
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);

    size_t pb = MPC_SECP256K1_POINT_BYTES;
    uint8_t *p = out;
    *p++ = MPC_CGGMP_KEY_SHARE_TAG;
    *p++ = MPC_CGGMP_CODEC_VERSION;
    *p++ = (uint8_t)ks->n;
    *p++ = (uint8_t)ks->t;
    *p++ = (uint8_t)ks->self;
    mpc_point_serialize(g, p, &ks->pubkey);
    p += pb;
    memcpy(p, ks->rid, sizeof ks->rid);
    p += sizeof ks->rid;
    memcpy(p, ks->chain_code, sizeof ks->chain_code);
    p += sizeof ks->chain_code;
    for (uint32_t j = 0; j < ks->n; j++, p += MPC_SCALAR_BYTES)
        mpc_scalar_serialize(g, p, &ks->ids[j]);
    for (uint32_t j = 0; j < ks->n; j++, p += pb)
        mpc_point_serialize(g, p, &ks->vshares[j]);
    mpc_scalar_serialize(g, p, &ks->x);
    *len = need;
    return MPC_OK;
}

/* Reads everything after the header into ks (allocated for n). */
static mpc_err share_read_body(const mpc_group *g, mpc_wire_reader *r,
                               mpc_cggmp_key_share *ks)
{
    mpc_err err = mpc_wire_read_point(r, g, &ks->pubkey);
    if (err == MPC_OK)
        err = mpc_wire_read_bytes(r, ks->rid, sizeof ks->rid);
    if (err == MPC_OK)
        err = mpc_wire_read_bytes(r, ks->chain_code, sizeof ks->chain_code);
    for (uint32_t j = 0; err == MPC_OK && j < ks->n; j++)
        err = mpc_wire_read_scalar(r, g, &ks->ids[j]);
    for (uint32_t j = 0; err == MPC_OK && j < ks->n; j++)
        err = mpc_wire_read_point(r, g, &ks->vshares[j]);
    if (err == MPC_OK)
        err = mpc_wire_read_scalar(r, g, &ks->x);
    if (err == MPC_OK)
        err = mpc_wire_reader_finish(r);
    if (err == MPC_OK && !share_consistent(g, ks))
        err = MPC_ERR_PARSE;
    return err;
}

mpc_err mpc_cggmp_key_share_decode(const mpc_ctx *ctx, mpc_cggmp_key_share *ks,
                                   const uint8_t *in, size_t len)
{
    if (ctx == NULL || ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_key_share_clear(ctx, ks);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, in, len);
    uint8_t n, t, self;
    if (!read_tag(&r, MPC_CGGMP_KEY_SHARE_TAG) ||
        mpc_wire_read_u8(&r, &n) != MPC_OK ||
        mpc_wire_read_u8(&r, &t) != MPC_OK ||
        mpc_wire_read_u8(&r, &self) != MPC_OK || !share_header_ok(n, t, self) ||
        len != MPC_CGGMP_KEY_SHARE_BYTES(n))
        return MPC_ERR_PARSE;

    mpc_err err = mpc_cggmp_key_share_alloc(ctx, ks, n);
    if (err != MPC_OK)
        return err;
    ks->t = t;
    ks->self = self;
    err = share_read_body(g, &r, ks);
    if (err != MPC_OK) {
        mpc_cggmp_key_share_clear(ctx, ks);
        return err == MPC_ERR_NOMEM ? err : MPC_ERR_PARSE;
    }
    return MPC_OK;
}

/* ---- aux info ---------------------------------------------------------- */

/* p || q of the own key is n_bytes long: prime_bits is a multiple of 64
 * and n_bytes = 2 * prime_bits / 8 (lib/paillier/params.c), which is what
 * MPC_CGGMP_AUX_INFO_BYTES counts on. */
static size_t aux_bytes(const mpc_params *params, uint32_t n)
{
    return MPC_CGGMP_AUX_INFO_BYTES(n, params->n_bytes);
}

size_t mpc_cggmp_aux_info_encoded_bytes(const mpc_cggmp_aux_info *aux)
{
    if (aux == NULL || aux->n < 2 || aux->n > MPC_CGGMP_MAX_PARTIES ||
        aux->self >= aux->n || aux->pks == NULL || aux->rped == NULL)
        return 0;
    const mpc_params *params = mpc_params_get(aux->params);
    return params == NULL ? 0 : aux_bytes(params, aux->n);
}

/* Whether every key and ring-Pedersen entry belongs to `params`, rped[j]
 * is over the modulus of pks[j] (the record stores N_j once) and the own
 * secret key is the key of pks[self]. Public values only. */
static bool aux_consistent(const mpc_params *params,
                           const mpc_cggmp_aux_info *aux)
{
    for (uint32_t j = 0; j < aux->n; j++) {
        if (aux->pks[j].params != params || aux->rped[j].params != params ||
            mpz_cmp(aux->rped[j].n, aux->pks[j].n) != 0)
            return false;
    }
    return aux->sk.pk.params == params &&
           mpz_cmp(aux->sk.pk.n, aux->pks[aux->self].n) == 0;
}

mpc_err mpc_cggmp_aux_info_encode(uint8_t *out, size_t cap, size_t *len,
                                  const mpc_cggmp_aux_info *aux)
{
    size_t need = mpc_cggmp_aux_info_encoded_bytes(aux);
    if (out == NULL || len == NULL || need == 0 || cap < need)
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);
    const mpc_params *params = mpc_params_get(aux->params);
    if (!aux_consistent(params, aux))
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);

    size_t nb = params->n_bytes;
    out[0] = MPC_CGGMP_AUX_INFO_TAG;
    out[1] = MPC_CGGMP_CODEC_VERSION;
    out[2] = (uint8_t)params->id;
    out[3] = (uint8_t)aux->n;
    out[4] = (uint8_t)aux->self;
    uint8_t *p = out + 5;
    mpc_err err = MPC_OK;
    for (uint32_t j = 0; err == MPC_OK && j < aux->n; j++, p += 3 * nb)
        err = mpc_rped_serialize(p, 3 * nb, &aux->rped[j]);
    /* Both fail only for an entry of the wrong size: the caller's struct. */
    if (err == MPC_OK)
        err = mpc_paillier_sk_export_primes(p, nb, &aux->sk);
    if (err != MPC_OK)
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);
    *len = need;
    return MPC_OK;
}

/* Reads everything after the header into aux (allocated for n). */
static mpc_err aux_read_body(const mpc_ctx *ctx, const mpc_params *params,
                             mpc_wire_reader *r, mpc_cggmp_aux_info *aux)
{
    size_t nb = params->n_bytes;
    const uint8_t *p;
    mpc_err err = MPC_OK;
    for (uint32_t j = 0; err == MPC_OK && j < aux->n; j++) {
        err = mpc_wire_read_ref(r, &p, 3 * nb);
        if (err == MPC_OK)
            err = mpc_paillier_pk_parse(&aux->pks[j], params, p, nb);
        if (err == MPC_OK)
            err = mpc_rped_parse(&aux->rped[j], params, p, 3 * nb);
    }
    if (err == MPC_OK)
        err = mpc_wire_read_ref(r, &p, nb);
    if (err == MPC_OK)
        err = mpc_paillier_sk_import_primes(ctx, &aux->sk, params, p, nb);
    if (err == MPC_OK)
        err = mpc_wire_reader_finish(r);
    if (err == MPC_OK && !aux_consistent(params, aux))
        err = MPC_ERR_PARSE;
    return err;
}

mpc_err mpc_cggmp_aux_info_decode(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux,
                                  const uint8_t *in, size_t len)
{
    if (ctx == NULL || aux == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_aux_info_clear(ctx, aux);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, in, len);
    uint8_t id, n, self;
    if (!read_tag(&r, MPC_CGGMP_AUX_INFO_TAG) ||
        mpc_wire_read_u8(&r, &id) != MPC_OK ||
        mpc_wire_read_u8(&r, &n) != MPC_OK ||
        mpc_wire_read_u8(&r, &self) != MPC_OK)
        return MPC_ERR_PARSE;
    const mpc_params *params = mpc_params_get((mpc_params_id)id);
    if (params == NULL || n < 2 || n > MPC_CGGMP_MAX_PARTIES || self >= n ||
        len != aux_bytes(params, n))
        return MPC_ERR_PARSE;

    mpc_err err = mpc_cggmp_aux_info_alloc(ctx, aux, n);
    if (err != MPC_OK)
        return err;
    aux->self = self;
    aux->params = params->id;
    err = aux_read_body(ctx, params, &r, aux);
    if (err != MPC_OK) {
        mpc_cggmp_aux_info_clear(ctx, aux);
        /* The parsers call a bad value INVALID_ARG (import_primes) or
         * PARSE; here every bad value is bad bytes. */
        return err == MPC_ERR_NOMEM ? err : MPC_ERR_PARSE;
    }
    err = mpc_cggmp_aux_info_tables(ctx, aux);
    if (err != MPC_OK)
        mpc_cggmp_aux_info_clear(ctx, aux);
    return err;
}

/* ---- presignature ------------------------------------------------------ */

static bool presig_count_ok(uint32_t c)
{
    return c >= 2 && c <= MPC_CGGMP_MAX_PARTIES;
}

size_t mpc_cggmp_presig_encoded_bytes(const mpc_cggmp_presig *p)
{
    if (p == NULL || !presig_count_ok(p->count))
        return 0;
    return MPC_CGGMP_PRESIG_BYTES(p->count);
}

/* Whether the positions are strictly ascending and below the limit. */
static bool positions_ok(const mpc_cggmp_presig *p)
{
    for (uint32_t j = 0; j < p->count; j++)
        if (p->positions[j] >= MPC_CGGMP_MAX_PARTIES ||
            (j > 0 && p->positions[j] <= p->positions[j - 1]))
            return false;
    return true;
}

/* The binding's signer bitset for the positions (positions_ok). */
static void positions_bitset(uint8_t set[32], const mpc_cggmp_presig *p)
{
    memset(set, 0, 32);
    for (uint32_t j = 0; j < p->count; j++)
        set[p->positions[j] / 8] |= (uint8_t)(1u << (p->positions[j] % 8));
}

/*
 * The checks beyond the header that encode and decode share (positions
 * apart): no identity among the points, and k R, chi R the points of one
 * signer of the record. Which signer matches is public (it is this
 * party's position); the products are computed in constant time.
 */
static bool presig_consistent(const mpc_group *g, const mpc_cggmp_presig *p)
{
    if (mpc_point_is_identity(g, &p->big_r))
        return false;
    for (uint32_t j = 0; j < p->count; j++)
        if (mpc_point_is_identity(g, &p->k_r[j]) ||
            mpc_point_is_identity(g, &p->chi_r[j]))
            return false;
    mpc_point kr, chir;
    mpc_point_mul(g, &kr, &p->k, &p->big_r);
    mpc_point_mul(g, &chir, &p->chi, &p->big_r);
    bool found = false;
    for (uint32_t j = 0; j < p->count && !found; j++)
        found = mpc_point_eq(g, &kr, &p->k_r[j]) &&
                mpc_point_eq(g, &chir, &p->chi_r[j]);
    return found;
}

mpc_err mpc_cggmp_presig_encode(const mpc_group *g, uint8_t *out, size_t cap,
                                size_t *len, const mpc_cggmp_presig *p)
{
    if (g == NULL || out == NULL || len == NULL || p == NULL ||
        mpc_group_curve(g) != MPC_CURVE_SECP256K1)
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);
    if (!mpc_cggmp_presig_is_fresh(p))
        return encode_fail(out, cap, len, MPC_ERR_STATE);
    size_t need = mpc_cggmp_presig_encoded_bytes(p);
    uint8_t set[32];
    if (need == 0 || cap < need || !positions_ok(p))
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);
    positions_bitset(set, p);
    if (memcmp(set, p->binding.signers, sizeof set) != 0 ||
        !presig_consistent(g, p))
        return encode_fail(out, cap, len, MPC_ERR_INVALID_ARG);

    const mpc_cggmp_presig_binding *b = &p->binding;
    size_t pb = MPC_SECP256K1_POINT_BYTES;
    uint8_t *o = out;
    *o++ = MPC_CGGMP_PRESIG_TAG;
    *o++ = MPC_CGGMP_CODEC_VERSION;
    *o++ = (uint8_t)p->count;
    for (int sh = 24; sh >= 0; sh -= 8)
        *o++ = (uint8_t)(b->key_version >> sh);
    memcpy(o, b->key_id, sizeof b->key_id);
    o += sizeof b->key_id;
    memcpy(o, b->presig_id, sizeof b->presig_id);
    o += sizeof b->presig_id;
    mpc_scalar_serialize(g, o, &b->tweak);
    o += MPC_SCALAR_BYTES;
    mpc_point_serialize(g, o, &p->big_r);
    o += pb;
    for (uint32_t j = 0; j < p->count; j++)
        *o++ = (uint8_t)p->positions[j];
    for (uint32_t j = 0; j < p->count; j++, o += pb)
        mpc_point_serialize(g, o, &p->k_r[j]);
    for (uint32_t j = 0; j < p->count; j++, o += pb)
        mpc_point_serialize(g, o, &p->chi_r[j]);
    mpc_scalar_serialize(g, o, &p->k);
    o += MPC_SCALAR_BYTES;
    mpc_scalar_serialize(g, o, &p->chi);
    *len = need;
    return MPC_OK;
}

/* Reads everything after the count into p (p->count set). */
static mpc_err presig_read_body(const mpc_group *g, mpc_wire_reader *r,
                                mpc_cggmp_presig *p)
{
    mpc_cggmp_presig_binding *b = &p->binding;
    mpc_err err = mpc_wire_read_u32(r, &b->key_version);
    if (err == MPC_OK)
        err = mpc_wire_read_bytes(r, b->key_id, sizeof b->key_id);
    if (err == MPC_OK)
        err = mpc_wire_read_bytes(r, b->presig_id, sizeof b->presig_id);
    if (err == MPC_OK)
        err = mpc_wire_read_scalar(r, g, &b->tweak);
    if (err == MPC_OK)
        err = mpc_wire_read_point(r, g, &p->big_r);
    for (uint32_t j = 0; err == MPC_OK && j < p->count; j++) {
        uint8_t pos;
        err = mpc_wire_read_u8(r, &pos);
        p->positions[j] = pos;
    }
    for (uint32_t j = 0; err == MPC_OK && j < p->count; j++)
        err = mpc_wire_read_point(r, g, &p->k_r[j]);
    for (uint32_t j = 0; err == MPC_OK && j < p->count; j++)
        err = mpc_wire_read_point(r, g, &p->chi_r[j]);
    if (err == MPC_OK)
        err = mpc_wire_read_scalar(r, g, &p->k);
    if (err == MPC_OK)
        err = mpc_wire_read_scalar(r, g, &p->chi);
    if (err == MPC_OK)
        err = mpc_wire_reader_finish(r);
    if (err != MPC_OK || !positions_ok(p) || !presig_consistent(g, p))
        return MPC_ERR_PARSE;
    positions_bitset(b->signers, p);
    return MPC_OK;
}

mpc_err mpc_cggmp_presig_decode(const mpc_group *g, mpc_cggmp_presig *p,
                                const uint8_t *in, size_t len)
{
    mpc_cggmp_presig_clear(p);
    if (g == NULL || p == NULL || in == NULL ||
        mpc_group_curve(g) != MPC_CURVE_SECP256K1)
        return MPC_ERR_INVALID_ARG;

    mpc_wire_reader r;
    mpc_wire_reader_init(&r, in, len);
    uint8_t c;
    if (!read_tag(&r, MPC_CGGMP_PRESIG_TAG) ||
        mpc_wire_read_u8(&r, &c) != MPC_OK || !presig_count_ok(c) ||
        len != MPC_CGGMP_PRESIG_BYTES(c))
        return MPC_ERR_PARSE;
    p->count = c;
    if (presig_read_body(g, &r, p) != MPC_OK) {
        mpc_cggmp_presig_clear(p);
        return MPC_ERR_PARSE;
    }
    /* Fresh again: the pool's delete-before-use keeps it single-use. */
    p->magic = MPC_CGGMP_PRESIG_MAGIC;
    return MPC_OK;
}
