/*
 * libFuzzer target for the CGGMP21 storage codecs (mpc/cggmp_codec.h).
 * Byte 0 picks the mode (mod 6), the rest is its input:
 *
 *   0  key-share decode of the bytes
 *   1  aux-info decode of the bytes
 *   2  a valid key-share record (3 parties) with edits
 *   3  a valid aux-info record (2 parties, compat keys over the fixture
 *      primes of zk_mta_fixture.c) with edits
 *   4  presignature decode of the bytes
 *   5  a valid presignature record (3 signers, written by hand from the
 *      header's layout: the encoder only takes a fresh presign output)
 *      with edits
 *
 * Edits are 3-byte records: a position (2 bytes big-endian, modulo the
 * record's length) and an xor byte; xor 0 cuts the record there. The
 * valid records let mutations reach the checks behind the header and the
 * length rule.
 *
 * Checked besides memory safety: a rejection is MPC_ERR_PARSE and leaves
 * the struct empty (a presignature all zero, not fresh); an accepted
 * record has the size _encoded_bytes reports and re-encodes to exactly
 * the same bytes (one encoding per struct); an accepted presignature is
 * fresh.
 */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/cggmp_codec.h"
#include "mpc/paillier.h"
#include "tests/fuzz/zk_mta_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

#define AUX_MAX MPC_CGGMP_AUX_INFO_BYTES(2, 256)
_Static_assert(MPC_CGGMP_KEY_SHARE_BYTES(3) <= AUX_MAX &&
                   MPC_CGGMP_PRESIG_BYTES(3) <= AUX_MAX,
               "rec holds every record");

static uint8_t ks_rec[MPC_CGGMP_KEY_SHARE_BYTES(3)];
static size_t ks_rec_len;
static uint8_t aux_rec[AUX_MAX];
static size_t aux_rec_len;
static uint8_t ps_rec[MPC_CGGMP_PRESIG_BYTES(3)];

/* A share of 3 parties: ids 1..3, X_1 = x G, the other points random. */
static void build_share(const zkf_setting *z)
{
    const mpc_group *g = z->g;
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    CHECK(mpc_cggmp_key_share_alloc(z->ctx, &ks, 3) == MPC_OK);
    ks.t = 2;
    ks.self = 1;
    mpc_scalar r;
    for (uint32_t j = 0; j < 3; j++) {
        mpc_scalar_set_u64(g, &ks.ids[j], j + 1);
        mpc_scalar_random(g, &r);
        mpc_point_mul_base(g, &ks.vshares[j], &r);
    }
    mpc_scalar_random(g, &ks.x);
    mpc_point_mul_base(g, &ks.vshares[1], &ks.x);
    mpc_scalar_random(g, &r);
    mpc_point_mul_base(g, &ks.pubkey, &r);
    memset(ks.rid, 0x52, sizeof ks.rid);
    memset(ks.chain_code, 0x43, sizeof ks.chain_code);
    CHECK(mpc_cggmp_key_share_encode(g, ks_rec, sizeof ks_rec, &ks_rec_len,
                                     &ks) == MPC_OK);
    mpc_cggmp_key_share_clear(z->ctx, &ks);
}

/* Party 0 owns the fixture's prover key; party 1 is the verifier key
 * with its ring-Pedersen parameters. */
static void build_aux(const zkf_setting *z)
{
    const mpc_params *params = z->params;
    size_t nb = params->n_bytes;
    uint8_t buf[3 * MPC_PARAMS_MAX_N_BYTES];
    mpc_cggmp_aux_info aux;
    mpc_cggmp_aux_info_init(&aux);
    CHECK(mpc_cggmp_aux_info_alloc(z->ctx, &aux, 2) == MPC_OK);
    aux.self = 0;
    aux.params = params->id;
    CHECK(mpc_paillier_sk_export_primes(buf, nb, &z->prover) == MPC_OK);
    CHECK(mpc_paillier_sk_import_primes(z->ctx, &aux.sk, params, buf, nb) ==
          MPC_OK);
    mpc_paillier_pk_copy(&aux.pks[0], &z->prover.pk);
    mpc_paillier_pk_copy(&aux.pks[1], &z->verifier.pk);
    mpz_t lambda;
    mpz_init(lambda);
    CHECK(mpc_rped_generate(z->ctx, &aux.rped[0], lambda, &aux.sk) == MPC_OK);
    mpz_clear(lambda);
    CHECK(mpc_rped_serialize(buf, 3 * nb, &z->rp) == MPC_OK);
    CHECK(mpc_rped_parse(&aux.rped[1], params, buf, 3 * nb) == MPC_OK);
    CHECK(mpc_cggmp_aux_info_encode(aux_rec, sizeof aux_rec, &aux_rec_len,
                                    &aux) == MPC_OK);
    mpc_cggmp_aux_info_clear(z->ctx, &aux);
}

/* A presignature of signers at positions 0, 2, 5, this party the second:
 * k R and chi R at index 1, the other points random. */
static void build_presig(const zkf_setting *z)
{
    const mpc_group *g = z->g;
    mpc_scalar k, chi, r;
    mpc_point big_r, pt;
    uint8_t *o = ps_rec;
    mpc_scalar_random(g, &r);
    mpc_point_mul_base(g, &big_r, &r);
    mpc_scalar_random(g, &k);
    mpc_scalar_random(g, &chi);
    *o++ = MPC_CGGMP_PRESIG_TAG;
    *o++ = MPC_CGGMP_CODEC_VERSION;
    *o++ = 3;
    memset(o, 0, 3); /* key version 7 */
    o[3] = 7;
    o += 4;
    memset(o, 0x4b, 32); /* key id */
    o += 32;
    memset(o, 0x53, 32); /* presig id */
    o += 32;
    mpc_scalar_random(g, &r); /* tweak */
    mpc_scalar_serialize(g, o, &r);
    o += 32;
    mpc_point_serialize(g, o, &big_r);
    o += 33;
    *o++ = 0;
    *o++ = 2;
    *o++ = 5;
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned j = 0; j < 3; j++, o += 33) {
            mpc_scalar_random(g, &r);
            if (j == 1)
                r = pass == 0 ? k : chi;
            mpc_point_mul(g, &pt, &r, &big_r);
            mpc_point_serialize(g, o, &pt);
        }
    }
    mpc_scalar_serialize(g, o, &k);
    mpc_scalar_serialize(g, o + 32, &chi);
    CHECK(o + 64 == ps_rec + sizeof ps_rec);
    mpc_cggmp_presig p;
    CHECK(mpc_cggmp_presig_decode(g, &p, ps_rec, sizeof ps_rec) == MPC_OK);
    mpc_cggmp_presig_clear(&p);
}

static void presig(const zkf_setting *z, const uint8_t *in, size_t len)
{
    static uint8_t out[MPC_CGGMP_PRESIG_MAX_BYTES];
    static const mpc_cggmp_presig zero;
    mpc_cggmp_presig p;
    mpc_err err = mpc_cggmp_presig_decode(z->g, &p, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && memcmp(&p, &zero, sizeof p) == 0 &&
              !mpc_cggmp_presig_is_fresh(&p));
        return;
    }
    size_t out_len = 0;
    CHECK(mpc_cggmp_presig_is_fresh(&p));
    CHECK(mpc_cggmp_presig_encoded_bytes(&p) == len);
    CHECK(mpc_cggmp_presig_encode(z->g, out, sizeof out, &out_len, &p) ==
          MPC_OK);
    CHECK(out_len == len && memcmp(out, in, len) == 0);
    mpc_cggmp_presig_clear(&p);
}

static void share(const zkf_setting *z, const uint8_t *in, size_t len)
{
    static uint8_t out[MPC_CGGMP_KEY_SHARE_MAX_BYTES];
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    mpc_err err = mpc_cggmp_key_share_decode(z->ctx, &ks, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && ks.n == 0 && ks.ids == NULL &&
              ks.vshares == NULL && mpc_scalar_is_zero(&ks.x));
        return;
    }
    size_t out_len = 0;
    CHECK(mpc_cggmp_key_share_encoded_bytes(&ks) == len);
    CHECK(mpc_cggmp_key_share_encode(z->g, out, sizeof out, &out_len, &ks) ==
          MPC_OK);
    CHECK(out_len == len && memcmp(out, in, len) == 0);
    mpc_cggmp_key_share_clear(z->ctx, &ks);
}

static void aux_info(const zkf_setting *z, const uint8_t *in, size_t len)
{
    static uint8_t out[MPC_CGGMP_AUX_INFO_MAX_BYTES];
    mpc_cggmp_aux_info aux;
    mpc_cggmp_aux_info_init(&aux);
    mpc_err err = mpc_cggmp_aux_info_decode(z->ctx, &aux, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && aux.n == 0 && aux.pks == NULL &&
              aux.rped == NULL && aux.sk.pk.params == NULL &&
              mpz_sgn(aux.sk.p) == 0);
        mpc_cggmp_aux_info_clear(z->ctx, &aux);
        return;
    }
    size_t out_len = 0;
    CHECK(mpc_cggmp_aux_info_encoded_bytes(&aux) == len);
    CHECK(mpc_cggmp_aux_info_encode(out, sizeof out, &out_len, &aux) == MPC_OK);
    CHECK(out_len == len && memcmp(out, in, len) == 0);
    mpc_cggmp_aux_info_clear(z->ctx, &aux);
}

/* rec = base with the edits of `in` applied; returns its length. */
static size_t edit(uint8_t *rec, const uint8_t *base, size_t len,
                   const uint8_t *in, size_t in_len)
{
    memcpy(rec, base, len);
    for (size_t i = 0; i + 3 <= in_len && len > 0; i += 3) {
        size_t pos = ((size_t)in[i] << 8 | in[i + 1]) % len;
        if (in[i + 2] == 0)
            len = pos;
        else
            rec[pos] ^= in[i + 2];
    }
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t rec[AUX_MAX];
    const zkf_setting *z = zkf_get();
    if (ks_rec_len == 0) {
        build_share(z);
        build_aux(z);
        build_presig(z);
    }
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    switch (data[0] % 6) {
    case 0:
        share(z, in, len);
        break;
    case 1:
        aux_info(z, in, len);
        break;
    case 2:
        share(z, rec, edit(rec, ks_rec, ks_rec_len, in, len));
        break;
    case 3:
        aux_info(z, rec, edit(rec, aux_rec, aux_rec_len, in, len));
        break;
    case 4:
        presig(z, in, len);
        break;
    default:
        presig(z, rec, edit(rec, ps_rec, sizeof ps_rec, in, len));
        break;
    }
    return 0;
}
