/*
 * tests/unit/test_cggmp_codec.c — the storage records of CGGMP21 key
 * shares, aux info and presignatures (mpc/cggmp_codec.h): round trips of
 * dealer, keygen and presign outputs (compat and 128-bit sets, up to
 * MPC_CGGMP_MAX_PARTIES; decoded presignatures sign, checked by
 * libsecp256k1 and OpenSSL), every truncation, every flip of the header
 * bytes, each field-level rule, misuse, and zeroed or empty outputs on
 * every failure.
 */
#include <string.h>

#include <gmp.h>

#include "mpc/cggmp_codec.h"
#include "mpc/cggmp_sign.h"
#include "mpc/hd.h"
#include "mpc/mem.h"
#include "mpc/msghash.h"
#include "mpc/paillier.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/simnet.h"
#include "tests/unit/ecdsa_oracle.h"

/* Key-share field offsets for a committee of n (the header's table). */
#define KS_N 2
#define KS_T 3
#define KS_SELF 4
#define KS_Y 5
#define KS_RID 38
#define KS_CHAIN 70
#define KS_IDS 102
#define KS_VSHARES(n) (102u + 32u * (n))
#define KS_X(n) (102u + 65u * (n))

/* Aux-info field offsets. */
#define AUX_PARAMS 2
#define AUX_N 3
#define AUX_SELF 4
#define AUX_PARTY(j, nb) (5u + 3u * (j) * (nb))

#define KS_BUF MPC_CGGMP_KEY_SHARE_MAX_BYTES
/* Records of up to 3 parties of either set (tests stay below that). */
#define AUX_BUF MPC_CGGMP_AUX_INFO_BYTES(3, MPC_PARAMS_MAX_N_BYTES)

static const mpc_group *secp(void)
{
    return cggmp_group(test_ctx());
}

/* ---- helpers ----------------------------------------------------------- */

static bool share_empty(const mpc_cggmp_key_share *ks)
{
    REQUIRE(ks->n == 0 && ks->t == 0 && ks->self == 0);
    REQUIRE(ks->ids == NULL && ks->vshares == NULL);
    REQUIRE(mpc_scalar_is_zero(&ks->x));
    return true;
}

static bool shares_equal(const mpc_cggmp_key_share *a,
                         const mpc_cggmp_key_share *b)
{
    const mpc_group *g = secp();
    REQUIRE(a->n == b->n && a->t == b->t && a->self == b->self);
    REQUIRE(mpc_scalar_eq(&a->x, &b->x));
    REQUIRE(mpc_point_eq(g, &a->pubkey, &b->pubkey));
    REQUIRE(memcmp(a->rid, b->rid, sizeof a->rid) == 0);
    REQUIRE(memcmp(a->chain_code, b->chain_code, sizeof a->chain_code) == 0);
    for (uint32_t j = 0; j < a->n; j++) {
        REQUIRE(mpc_scalar_eq(&a->ids[j], &b->ids[j]));
        REQUIRE(mpc_point_eq(g, &a->vshares[j], &b->vshares[j]));
    }
    return true;
}

/* Encodes ks (checking encoded_bytes against the layout), decodes it,
 * compares, and re-encodes to the same bytes. */
static bool share_round_trip(const mpc_cggmp_key_share *ks)
{
    const mpc_ctx *ctx = test_ctx();
    static uint8_t buf[KS_BUF], again[KS_BUF];
    size_t len = 0, len2 = 0;
    size_t want = MPC_CGGMP_KEY_SHARE_BYTES(ks->n);
    REQUIRE(mpc_cggmp_key_share_encoded_bytes(ks) == want);
    REQUIRE(want == 134u + 65u * ks->n);
    REQUIRE_OK(mpc_cggmp_key_share_encode(secp(), buf, sizeof buf, &len, ks));
    REQUIRE(len == want);
    REQUIRE(buf[0] == MPC_CGGMP_KEY_SHARE_TAG && buf[1] == 1);
    REQUIRE(buf[KS_N] == ks->n && buf[KS_T] == ks->t &&
            buf[KS_SELF] == ks->self);
    uint8_t x[32];
    mpc_scalar_serialize(secp(), x, &ks->x);
    REQUIRE(memcmp(buf + KS_X(ks->n), x, 32) == 0);
    mpc_wipe(x, sizeof x);

    mpc_cggmp_key_share back;
    mpc_cggmp_key_share_init(&back);
    REQUIRE_OK(mpc_cggmp_key_share_decode(ctx, &back, buf, len));
    bool same = shares_equal(ks, &back);
    mpc_err err =
        mpc_cggmp_key_share_encode(secp(), again, sizeof again, &len2, &back);
    mpc_cggmp_key_share_clear(ctx, &back);
    REQUIRE(same);
    REQUIRE_OK(err);
    REQUIRE(len2 == len && memcmp(again, buf, len) == 0);
    return true;
}

/* A dealer share of a compat committee of 3 (threshold 2), party 1,
 * encoded into buf; the dealer's structs are released. */
static bool dealer_record(uint8_t *buf, size_t *len,
                          mpc_cggmp_key_share *copy_out)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_fixture_ctxs(ctx, 3);
    REQUIRE(cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux));
    mpc_err err = mpc_cggmp_key_share_encode(secp(), buf, KS_BUF, len, &ks[1]);
    cggmp_fixture_clear(ctx, 3, ks, aux);
    REQUIRE_OK(err);
    if (copy_out != NULL) {
        mpc_cggmp_key_share_init(copy_out);
        REQUIRE_OK(mpc_cggmp_key_share_decode(test_ctx(), copy_out, buf, *len));
    }
    return true;
}

/* Decoding buf[0..len) fails with PARSE and leaves a previously decoded
 * share empty (and freed: LSan checks). */
static bool share_rejected(const uint8_t *good, size_t good_len,
                           const uint8_t *buf, size_t len)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    REQUIRE_OK(mpc_cggmp_key_share_decode(ctx, &ks, good, good_len));
    REQUIRE(mpc_cggmp_key_share_decode(ctx, &ks, buf, len) == MPC_ERR_PARSE);
    REQUIRE(share_empty(&ks));
    return true;
}

/* Adds 1 to the scalar at p (big-endian, canonical). */
static void scalar_inc(uint8_t *p)
{
    const mpc_group *g = secp();
    mpc_scalar s, one;
    if (mpc_scalar_parse(g, &s, p) != MPC_OK)
        return;
    mpc_scalar_set_u64(g, &one, 1);
    mpc_scalar_add(g, &s, &s, &one);
    mpc_scalar_serialize(g, p, &s);
    mpc_scalar_clear(&s);
}

/* A synthetic share of n parties, ids 1..n, with X_self = x G and the
 * other X_j and Y random points (the codec does not check that they lie
 * on one polynomial). */
static bool synthetic_share(mpc_cggmp_key_share *ks, uint32_t n, uint32_t t,
                            uint32_t self)
{
    const mpc_group *g = secp();
    mpc_cggmp_key_share_init(ks);
    REQUIRE_OK(mpc_cggmp_key_share_alloc(test_ctx(), ks, n));
    ks->t = t;
    ks->self = self;
    mpc_scalar r;
    for (uint32_t j = 0; j < n; j++) {
        mpc_scalar_set_u64(g, &ks->ids[j], j + 1);
        mpc_scalar_random(g, &r);
        mpc_point_mul_base(g, &ks->vshares[j], &r);
    }
    mpc_scalar_random(g, &ks->x);
    mpc_point_mul_base(g, &ks->vshares[self], &ks->x);
    mpc_scalar_random(g, &r);
    mpc_point_mul_base(g, &ks->pubkey, &r);
    mpc_ctx_random(test_ctx(), ks->rid, sizeof ks->rid);
    mpc_ctx_random(test_ctx(), ks->chain_code, sizeof ks->chain_code);
    return true;
}

static bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* ---- key share --------------------------------------------------------- */

TEST(cggmp_codec_key_share_round_trip_dealer)
{
    const mpc_ctx *ctx[4];
    mpc_cggmp_key_share ks[4];
    mpc_cggmp_aux_info aux[4];
    cggmp_fixture_ctxs(ctx, 4);
    if (!cggmp_fixture_dealer(ctx, 4, 3, MPC_PARAMS_COMPAT, ks, aux))
        return;
    bool ok = true;
    for (unsigned j = 0; ok && j < 4; j++)
        ok = share_round_trip(&ks[j]);
    cggmp_fixture_clear(ctx, 4, ks, aux);
    CHECK(ok);
}

/* Real protocol output: threshold keygen on simnet. */
TEST(cggmp_codec_key_share_round_trip_keygen)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_keygen(ctx, 3, 2, ks))
        return;
    bool ok = true;
    for (unsigned j = 0; ok && j < 3; j++)
        ok = share_round_trip(&ks[j]);
    cggmp_fixture_clear(ctx, 3, ks, NULL);
    CHECK(ok);
}

TEST(cggmp_codec_key_share_sizes)
{
    mpc_cggmp_key_share ks;
    CHECK(synthetic_share(&ks, MPC_CGGMP_MAX_PARTIES, 33, 63));
    bool ok = share_round_trip(&ks);
    CHECK(mpc_cggmp_key_share_encoded_bytes(&ks) ==
          MPC_CGGMP_KEY_SHARE_MAX_BYTES);
    mpc_cggmp_key_share_clear(test_ctx(), &ks);
    CHECK(ok);
    CHECK(synthetic_share(&ks, 2, 2, 0));
    ok = share_round_trip(&ks);
    mpc_cggmp_key_share_clear(test_ctx(), &ks);
    CHECK(ok);
}

TEST(cggmp_codec_key_share_truncated)
{
    static uint8_t buf[KS_BUF + 1];
    size_t len = 0;
    CHECK(dealer_record(buf, &len, NULL));
    for (size_t cut = 0; cut < len; cut++)
        CHECK(share_rejected(buf, len, buf, cut));
    buf[len] = 0;
    CHECK(share_rejected(buf, len, buf, len + 1));
}

/* Tag, version, n and self: every other value is refused. t carries no
 * redundancy: another t in 2..n is accepted (the seal guards it). */
TEST(cggmp_codec_key_share_header_flips)
{
    static uint8_t buf[KS_BUF], bad[KS_BUF];
    size_t len = 0;
    CHECK(dealer_record(buf, &len, NULL));
    static const size_t offs[] = {0, 1, KS_N, KS_SELF};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        for (unsigned x = 1; x < 256; x++) {
            memcpy(bad, buf, len);
            bad[offs[k]] ^= (uint8_t)x;
            CHECK(share_rejected(buf, len, bad, len));
        }
    }
    for (unsigned x = 1; x < 256; x++) {
        memcpy(bad, buf, len);
        bad[KS_T] ^= (uint8_t)x;
        mpc_cggmp_key_share ks;
        mpc_cggmp_key_share_init(&ks);
        if (bad[KS_T] < 2 || bad[KS_T] > 3) {
            CHECK(share_rejected(buf, len, bad, len));
            continue;
        }
        CHECK_OK(mpc_cggmp_key_share_decode(test_ctx(), &ks, bad, len));
        CHECK(ks.t == bad[KS_T]);
        mpc_cggmp_key_share_clear(test_ctx(), &ks);
    }
}

TEST(cggmp_codec_key_share_bad_fields)
{
    const uint32_t n = 3;
    static uint8_t buf[KS_BUF], bad[KS_BUF];
    size_t len = 0;
    CHECK(dealer_record(buf, &len, NULL));
    uint8_t order[32];
    mpc_group_order_be(secp(), order);

    /* x that does not match X_self (still canonical). */
    memcpy(bad, buf, len);
    scalar_inc(bad + KS_X(n));
    CHECK(share_rejected(buf, len, bad, len));
    /* X_self swapped with another party's X_j. */
    memcpy(bad, buf, len);
    memcpy(bad + KS_VSHARES(n) + 33, buf + KS_VSHARES(n), 33);
    memcpy(bad + KS_VSHARES(n), buf + KS_VSHARES(n) + 33, 33);
    CHECK(share_rejected(buf, len, bad, len));
    /* Non-canonical scalars: x = order, x = 2^256 - 1, an id = order. */
    memcpy(bad, buf, len);
    memcpy(bad + KS_X(n), order, 32);
    CHECK(share_rejected(buf, len, bad, len));
    memset(bad + KS_X(n), 0xff, 32);
    CHECK(share_rejected(buf, len, bad, len));
    memcpy(bad, buf, len);
    memcpy(bad + KS_IDS + 32, order, 32);
    CHECK(share_rejected(buf, len, bad, len));
    /* A zero id, a repeated id. */
    memcpy(bad, buf, len);
    memset(bad + KS_IDS + 64, 0, 32);
    CHECK(share_rejected(buf, len, bad, len));
    memcpy(bad, buf, len);
    memcpy(bad + KS_IDS + 64, buf + KS_IDS, 32);
    CHECK(share_rejected(buf, len, bad, len));
    /* Bad points: wrong prefix, x not on the curve, x >= p, identity. */
    memcpy(bad, buf, len);
    bad[KS_Y] = 0x04;
    CHECK(share_rejected(buf, len, bad, len));
    memcpy(bad, buf, len);
    memset(bad + KS_Y + 1, 0, 32);
    bad[KS_Y + 32] = 5; /* 5^3 + 7 is not a square mod p */
    CHECK(share_rejected(buf, len, bad, len));
    memcpy(bad, buf, len);
    memset(bad + KS_VSHARES(n) + 1, 0xff, 32);
    CHECK(share_rejected(buf, len, bad, len));
    memcpy(bad, buf, len);
    memset(bad + KS_VSHARES(n) + 66, 0, 33);
    CHECK(share_rejected(buf, len, bad, len));
    /* rid and chain code are opaque bytes: the seal guards them. */
    memcpy(bad, buf, len);
    bad[KS_RID] ^= 1;
    bad[KS_CHAIN + 31] ^= 1;
    mpc_cggmp_key_share ks;
    mpc_cggmp_key_share_init(&ks);
    CHECK_OK(mpc_cggmp_key_share_decode(test_ctx(), &ks, bad, len));
    CHECK(ks.rid[0] == bad[KS_RID] && ks.chain_code[31] == bad[KS_CHAIN + 31]);
    mpc_cggmp_key_share_clear(test_ctx(), &ks);
    /* A larger committee than the maximum. */
    mpc_cggmp_key_share big;
    CHECK(synthetic_share(&big, MPC_CGGMP_MAX_PARTIES, 2, 0));
    static uint8_t rec[KS_BUF + 65];
    size_t rec_len = 0;
    mpc_err err =
        mpc_cggmp_key_share_encode(secp(), rec, sizeof rec, &rec_len, &big);
    mpc_cggmp_key_share_clear(test_ctx(), &big);
    CHECK_OK(err);
    rec[KS_N] = MPC_CGGMP_MAX_PARTIES + 1;
    CHECK(share_rejected(buf, len, rec, rec_len));
    CHECK(share_rejected(buf, len, rec, rec_len + 65));
}

TEST(cggmp_codec_key_share_encode_misuse)
{
    const mpc_group *g = secp();
    static uint8_t buf[KS_BUF];
    size_t len = 0;
    mpc_cggmp_key_share ks;
    CHECK(dealer_record(buf, &len, &ks));
    size_t need = mpc_cggmp_key_share_encoded_bytes(&ks);
    CHECK(need == len);

    /* Too small a buffer: all of it zeroed, *len 0. */
    size_t got = 99;
    memset(buf, 0xaa, sizeof buf);
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, need - 1, &got, &ks),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0 && all_zero(buf, need - 1) && buf[need - 1] == 0xaa);
    got = 99;
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, 0, &got, &ks),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0);
    /* A larger buffer is fine. */
    CHECK_OK(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, &ks));
    CHECK(got == need);

    /* NULLs and the wrong group. */
    memset(buf, 0xaa, sizeof buf);
    got = 99;
    CHECK_ERR(mpc_cggmp_key_share_encode(NULL, buf, sizeof buf, &got, &ks),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0 && all_zero(buf, sizeof buf));
    CHECK_ERR(mpc_cggmp_key_share_encode(g, NULL, sizeof buf, &got, &ks),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, sizeof buf, NULL, &ks),
              MPC_ERR_INVALID_ARG);
    got = 99;
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0);
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    CHECK_ERR(mpc_cggmp_key_share_encode(ed, buf, sizeof buf, &got, &ks),
              MPC_ERR_INVALID_ARG);

    /* Unusable shares: encoded_bytes 0, encode refuses. */
    CHECK(mpc_cggmp_key_share_encoded_bytes(NULL) == 0);
    mpc_cggmp_key_share empty;
    mpc_cggmp_key_share_init(&empty);
    CHECK(mpc_cggmp_key_share_encoded_bytes(&empty) == 0);
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, &empty),
              MPC_ERR_INVALID_ARG);
    ks.t = 1;
    CHECK(mpc_cggmp_key_share_encoded_bytes(&ks) == 0);
    ks.t = 4;
    CHECK(mpc_cggmp_key_share_encoded_bytes(&ks) == 0);
    ks.t = 2;
    ks.self = 3;
    CHECK(mpc_cggmp_key_share_encoded_bytes(&ks) == 0);
    ks.self = 1;

    /* Shares decode would refuse: x G != X_self, a repeated id. */
    mpc_scalar x = ks.x, one;
    mpc_scalar_set_u64(g, &one, 1);
    mpc_scalar_add(g, &ks.x, &ks.x, &one);
    memset(buf, 0xaa, sizeof buf);
    got = 99;
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, &ks),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0 && all_zero(buf, sizeof buf));
    ks.x = x;
    mpc_scalar_clear(&x);
    mpc_scalar id = ks.ids[2];
    ks.ids[2] = ks.ids[0];
    CHECK_ERR(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, &ks),
              MPC_ERR_INVALID_ARG);
    ks.ids[2] = id;
    CHECK_OK(mpc_cggmp_key_share_encode(g, buf, sizeof buf, &got, &ks));
    mpc_cggmp_key_share_clear(test_ctx(), &ks);
}

TEST(cggmp_codec_key_share_decode_misuse)
{
    const mpc_ctx *ctx = test_ctx();
    static uint8_t buf[KS_BUF];
    size_t len = 0;
    mpc_cggmp_key_share ks;
    CHECK(dealer_record(buf, &len, &ks));
    /* A NULL ctx leaves ks alone (it cannot free its arrays). */
    CHECK_ERR(mpc_cggmp_key_share_decode(NULL, &ks, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(ks.n == 3 && ks.ids != NULL);
    CHECK_ERR(mpc_cggmp_key_share_decode(ctx, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_key_share_decode(ctx, &ks, NULL, len),
              MPC_ERR_INVALID_ARG);
    CHECK(share_empty(&ks));
    CHECK_ERR(mpc_cggmp_key_share_decode(ctx, &ks, buf, 0), MPC_ERR_PARSE);
    CHECK(share_empty(&ks));
    /* An aux-info record is not a key share. */
    buf[0] = MPC_CGGMP_AUX_INFO_TAG;
    CHECK_ERR(mpc_cggmp_key_share_decode(ctx, &ks, buf, len), MPC_ERR_PARSE);
    CHECK(share_empty(&ks));
}

/* ---- aux info ---------------------------------------------------------- */

static bool aux_empty(const mpc_cggmp_aux_info *aux)
{
    REQUIRE(aux->n == 0 && aux->self == 0 && aux->pks == NULL &&
            aux->rped == NULL);
    REQUIRE(aux->sk.pk.params == NULL && mpz_sgn(aux->sk.p) == 0 &&
            mpz_sgn(aux->sk.q) == 0 && mpz_sgn(aux->sk.phi) == 0);
    return true;
}

static bool aux_equal(const mpc_cggmp_aux_info *a, const mpc_cggmp_aux_info *b)
{
    REQUIRE(a->n == b->n && a->self == b->self && a->params == b->params);
    for (uint32_t j = 0; j < a->n; j++) {
        const mpc_paillier_pk *x = &a->pks[j], *y = &b->pks[j];
        REQUIRE(x->params == y->params && mpz_cmp(x->n, y->n) == 0 &&
                mpz_cmp(x->n2, y->n2) == 0);
        const mpc_rped *r = &a->rped[j], *s = &b->rped[j];
        REQUIRE(r->params == s->params && mpz_cmp(r->n, s->n) == 0 &&
                mpz_cmp(r->s, s->s) == 0 && mpz_cmp(r->t, s->t) == 0 &&
                mpz_cmp(r->s_inv, s->s_inv) == 0 &&
                mpz_cmp(r->t_inv, s->t_inv) == 0);
    }
    const mpc_paillier_sk *p = &a->sk, *q = &b->sk;
    REQUIRE(p->pk.params == q->pk.params && mpz_cmp(p->pk.n, q->pk.n) == 0);
    REQUIRE(mpz_cmp(p->p, q->p) == 0 && mpz_cmp(p->q, q->q) == 0 &&
            mpz_cmp(p->phi, q->phi) == 0 && mpz_cmp(p->hp, q->hp) == 0 &&
            mpz_cmp(p->hq, q->hq) == 0 && mpz_cmp(p->ep, q->ep) == 0 &&
            mpz_cmp(p->eq, q->eq) == 0 &&
            mpz_cmp(p->q_inv_p, q->q_inv_p) == 0 &&
            mpz_cmp(p->q2_inv_p2, q->q2_inv_p2) == 0);
    return true;
}

/* The decoded key works: Dec(Enc(m)) = m under pks[self] and sk. */
static bool aux_key_works(const mpc_cggmp_aux_info *aux)
{
    const mpc_ctx *ctx = test_ctx();
    mpz_t m, r, c, back;
    mpz_inits(m, r, c, back, NULL);
    mpz_set_si(m, -123456789);
    bool ok =
        mpc_paillier_nonce_random(ctx, &aux->pks[aux->self], r) == MPC_OK &&
        mpc_paillier_encrypt(ctx, &aux->pks[aux->self], c, m, r) == MPC_OK &&
        mpc_paillier_decrypt(ctx, &aux->sk, back, c) == MPC_OK &&
        mpz_cmp(back, m) == 0;
    mpz_clears(m, r, c, back, NULL);
    REQUIRE(ok);
    return true;
}

static bool aux_round_trip(const mpc_cggmp_aux_info *aux)
{
    const mpc_ctx *ctx = test_ctx();
    static uint8_t buf[AUX_BUF], again[AUX_BUF];
    size_t nb = mpc_params_get(aux->params)->n_bytes;
    size_t want = MPC_CGGMP_AUX_INFO_BYTES(aux->n, nb);
    REQUIRE(want == 5 + (3 * aux->n + 1) * nb);
    REQUIRE(mpc_cggmp_aux_info_encoded_bytes(aux) == want);
    size_t len = 0, len2 = 0;
    REQUIRE_OK(mpc_cggmp_aux_info_encode(buf, sizeof buf, &len, aux));
    REQUIRE(len == want);
    REQUIRE(buf[0] == MPC_CGGMP_AUX_INFO_TAG && buf[1] == 1 &&
            buf[AUX_PARAMS] == aux->params && buf[AUX_N] == aux->n &&
            buf[AUX_SELF] == aux->self);

    mpc_cggmp_aux_info back;
    mpc_cggmp_aux_info_init(&back);
    REQUIRE_OK(mpc_cggmp_aux_info_decode(ctx, &back, buf, len));
    /* Decode builds the own ring-Pedersen tables presign copies. */
    bool ok = aux_equal(aux, &back) && aux_key_works(&back) &&
              back.tab.s.pow != NULL && back.tab.t.pow != NULL &&
              mpz_cmp(back.tab.s.m, back.rped[back.self].n) == 0 &&
              mpc_cggmp_aux_info_encode(again, sizeof again, &len2, &back) ==
                  MPC_OK &&
              len2 == len && memcmp(again, buf, len) == 0;
    mpc_cggmp_aux_info_clear(ctx, &back);
    mpc_wipe(buf, len);
    REQUIRE(ok);
    return true;
}

/* Party 0's aux-info record of a compat committee of n (distinct fixture
 * keys), plus the dealer's structs when keep is set. */
static bool aux_record(unsigned n, uint8_t *buf, size_t *len,
                       const mpc_ctx **ctx, mpc_cggmp_aux_info *keep)
{
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_fixture_ctxs(ctx, n);
    REQUIRE(cggmp_fixture_dealer(ctx, n, 2, MPC_PARAMS_COMPAT, ks, aux));
    mpc_err err = mpc_cggmp_aux_info_encode(buf, AUX_BUF, len, &aux[0]);
    cggmp_fixture_clear(ctx, n, ks, keep != NULL ? NULL : aux);
    if (keep != NULL)
        memcpy(keep, aux, n * sizeof *aux);
    REQUIRE_OK(err);
    return true;
}

static bool aux_rejected(const uint8_t *buf, size_t len)
{
    const mpc_ctx *ctx = test_ctx();
    mpc_cggmp_aux_info aux;
    mpc_cggmp_aux_info_init(&aux);
    REQUIRE(mpc_cggmp_aux_info_decode(ctx, &aux, buf, len) == MPC_ERR_PARSE);
    REQUIRE(aux_empty(&aux));
    return true;
}

TEST(cggmp_codec_aux_round_trip_compat)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux))
        return;
    bool ok = true;
    for (unsigned j = 0; ok && j < 3; j++)
        ok = aux_round_trip(&aux[j]);
    cggmp_fixture_clear(ctx, 3, ks, aux);
    CHECK(ok);
}

TEST(cggmp_codec_aux_round_trip_128)
{
    const mpc_ctx *ctx[2];
    mpc_cggmp_key_share ks[2];
    mpc_cggmp_aux_info aux[2];
    cggmp_fixture_ctxs(ctx, 2);
    if (!cggmp_fixture_dealer(ctx, 2, 2, MPC_PARAMS_128, ks, aux))
        return;
    bool ok = aux_round_trip(&aux[0]) && aux_round_trip(&aux[1]);
    CHECK(mpc_cggmp_aux_info_encoded_bytes(&aux[0]) == 5 + 7 * 384);
    cggmp_fixture_clear(ctx, 2, ks, aux);
    CHECK(ok);
}

TEST(cggmp_codec_aux_truncated)
{
    const mpc_ctx *ctx[2];
    static uint8_t buf[AUX_BUF + 1];
    size_t len = 0;
    CHECK(aux_record(2, buf, &len, ctx, NULL));
    CHECK(len == 5 + 7 * 256);
    for (size_t cut = 0; cut < len; cut++)
        CHECK(aux_rejected(buf, cut));
    buf[len] = 0;
    CHECK(aux_rejected(buf, len + 1));
}

/* Every byte of the header: tag, version, parameter set, n, self (with
 * three distinct keys, another self names another party's modulus). */
TEST(cggmp_codec_aux_header_flips)
{
    const mpc_ctx *ctx[3];
    static uint8_t buf[AUX_BUF], bad[AUX_BUF];
    size_t len = 0;
    CHECK(aux_record(3, buf, &len, ctx, NULL));
    for (size_t off = 0; off < 5; off++) {
        for (unsigned x = 1; x < 256; x++) {
            memcpy(bad, buf, len);
            bad[off] ^= (uint8_t)x;
            CHECK(aux_rejected(bad, len));
        }
    }
}

TEST(cggmp_codec_aux_bad_fields)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_aux_info aux[3];
    static uint8_t buf[AUX_BUF], bad[AUX_BUF], other[AUX_BUF];
    size_t len = 0, other_len = 0;
    const size_t nb = 256;
    CHECK(aux_record(3, buf, &len, ctx, aux));
    mpc_err err =
        mpc_cggmp_aux_info_encode(other, sizeof other, &other_len, &aux[1]);
    cggmp_fixture_clear(ctx, 3, NULL, aux);
    CHECK_OK(err);
    const size_t own = AUX_PARTY(3, nb);

    /* Wrong own key: party 1's primes in party 0's record. */
    memcpy(bad, buf, len);
    memcpy(bad + own, other + own, nb);
    CHECK(aux_rejected(bad, len));
    /* Own modulus replaced by party 1's (with its s, t). */
    memcpy(bad, buf, len);
    memcpy(bad + AUX_PARTY(0, nb), buf + AUX_PARTY(1, nb), 3 * nb);
    CHECK(aux_rejected(bad, len));
    /* Primes that are no key: zero, or p = q. */
    memcpy(bad, buf, len);
    memset(bad + own, 0, nb);
    CHECK(aux_rejected(bad, len));
    memcpy(bad, buf, len);
    memcpy(bad + own + nb / 2, buf + own, nb / 2);
    CHECK(aux_rejected(bad, len));
    /* A peer's modulus even, or short (top byte zero). */
    memcpy(bad, buf, len);
    bad[AUX_PARTY(1, nb) + nb - 1] ^= 1;
    CHECK(aux_rejected(bad, len));
    memcpy(bad, buf, len);
    bad[AUX_PARTY(2, nb)] = 0;
    CHECK(aux_rejected(bad, len));
    /* Ring-Pedersen s = 1, t = 0, s = N. */
    memcpy(bad, buf, len);
    memset(bad + AUX_PARTY(1, nb) + nb, 0, nb);
    bad[AUX_PARTY(1, nb) + 2 * nb - 1] = 1;
    CHECK(aux_rejected(bad, len));
    memcpy(bad, buf, len);
    memset(bad + AUX_PARTY(2, nb) + 2 * nb, 0, nb);
    CHECK(aux_rejected(bad, len));
    memcpy(bad, buf, len);
    memcpy(bad + AUX_PARTY(1, nb) + nb, buf + AUX_PARTY(1, nb), nb);
    CHECK(aux_rejected(bad, len));
    /* Unknown parameter sets. */
    static const uint8_t ids[] = {0, 3, 255};
    for (size_t k = 0; k < sizeof ids; k++) {
        memcpy(bad, buf, len);
        bad[AUX_PARAMS] = ids[k];
        CHECK(aux_rejected(bad, len));
    }
    /* The 128-bit set with compat-sized moduli is the wrong length. */
    memcpy(bad, buf, len);
    bad[AUX_PARAMS] = MPC_PARAMS_128;
    CHECK(aux_rejected(bad, len));
    /* n = 1, n above the maximum. */
    memcpy(bad, buf, len);
    bad[AUX_N] = 1;
    CHECK(aux_rejected(bad, MPC_CGGMP_AUX_INFO_BYTES(1, nb)));
    bad[AUX_N] = MPC_CGGMP_MAX_PARTIES + 1;
    CHECK(aux_rejected(bad, len));
}

TEST(cggmp_codec_aux_encode_misuse)
{
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    static uint8_t buf[AUX_BUF];
    cggmp_fixture_ctxs(ctx, 3);
    if (!cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux))
        return;
    mpc_cggmp_aux_info *a = &aux[0];
    size_t need = mpc_cggmp_aux_info_encoded_bytes(a), got = 99;
    CHECK(need == MPC_CGGMP_AUX_INFO_BYTES(3, 256));

    /* Too small a buffer: all of it zeroed, *len 0. */
    memset(buf, 0xaa, sizeof buf);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, need - 1, &got, a),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0 && all_zero(buf, need - 1) && buf[need - 1] == 0xaa);
    got = 99;
    CHECK_ERR(mpc_cggmp_aux_info_encode(NULL, need, &got, a),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, need, NULL, a),
              MPC_ERR_INVALID_ARG);
    memset(buf, 0xaa, sizeof buf);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, need, &got, NULL),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(buf, need));

    /* Unusable: empty, unknown set, self out of range. */
    CHECK(mpc_cggmp_aux_info_encoded_bytes(NULL) == 0);
    mpc_cggmp_aux_info empty;
    mpc_cggmp_aux_info_init(&empty);
    CHECK(mpc_cggmp_aux_info_encoded_bytes(&empty) == 0);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, &empty),
              MPC_ERR_INVALID_ARG);
    a->params = (mpc_params_id)7;
    CHECK(mpc_cggmp_aux_info_encoded_bytes(a) == 0);
    /* Another known set than the keys were made for. */
    a->params = MPC_PARAMS_128;
    CHECK(mpc_cggmp_aux_info_encoded_bytes(a) > 0);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, a),
              MPC_ERR_INVALID_ARG);
    a->params = MPC_PARAMS_COMPAT;
    a->self = 3;
    CHECK(mpc_cggmp_aux_info_encoded_bytes(a) == 0);
    /* The own key of another party (self names party 1's modulus). */
    a->self = 1;
    memset(buf, 0xaa, sizeof buf);
    got = 99;
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, a),
              MPC_ERR_INVALID_ARG);
    CHECK(got == 0 && all_zero(buf, sizeof buf));
    a->self = 0;
    /* rped[1] over party 2's modulus. */
    mpc_rped tmp = a->rped[1];
    a->rped[1] = a->rped[2];
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, a),
              MPC_ERR_INVALID_ARG);
    a->rped[1] = tmp;
    CHECK_OK(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, a));
    CHECK(got == need);
    /* An empty entry. */
    mpc_paillier_pk_clear(&a->pks[2]);
    mpc_paillier_pk_init(&a->pks[2]);
    CHECK_ERR(mpc_cggmp_aux_info_encode(buf, sizeof buf, &got, a),
              MPC_ERR_INVALID_ARG);
    cggmp_fixture_clear(ctx, 3, ks, aux);
}

TEST(cggmp_codec_aux_decode_misuse)
{
    const mpc_ctx *c = test_ctx();
    const mpc_ctx *ctx[2];
    static uint8_t buf[AUX_BUF];
    size_t len = 0;
    CHECK(aux_record(2, buf, &len, ctx, NULL));
    mpc_cggmp_aux_info aux;
    mpc_cggmp_aux_info_init(&aux);
    CHECK_OK(mpc_cggmp_aux_info_decode(c, &aux, buf, len));
    /* Decoding again over a full struct releases the old one (LSan). */
    CHECK_OK(mpc_cggmp_aux_info_decode(c, &aux, buf, len));
    CHECK(aux.n == 2);
    CHECK_ERR(mpc_cggmp_aux_info_decode(NULL, &aux, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK(aux.n == 2 && aux.pks != NULL);
    CHECK_ERR(mpc_cggmp_aux_info_decode(c, NULL, buf, len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_aux_info_decode(c, &aux, NULL, len),
              MPC_ERR_INVALID_ARG);
    CHECK(aux_empty(&aux));
    CHECK_OK(mpc_cggmp_aux_info_decode(c, &aux, buf, len));
    CHECK_ERR(mpc_cggmp_aux_info_decode(c, &aux, buf, 0), MPC_ERR_PARSE);
    CHECK(aux_empty(&aux));
    /* A key-share record is not an aux info. */
    buf[0] = MPC_CGGMP_KEY_SHARE_TAG;
    CHECK(aux_rejected(buf, len));
}

/* ---- presignature ------------------------------------------------------ */

/* Presignature field offsets for c signers (the header's table). */
#define PS_COUNT 2
#define PS_VERSION 3
#define PS_TWEAK 71
#define PS_R 103
#define PS_POS 136
#define PS_KR(c) (136u + (c))
#define PS_CHIR(c) (136u + 34u * (c))
#define PS_K(c) (136u + 67u * (c))
#define PS_CHI(c) (168u + 67u * (c))

#define PS_BUF MPC_CGGMP_PRESIG_MAX_BYTES

/* One presign session, run once: signers {0, 2} of a dealt 2-of-3 key,
 * under an HD child. The fresh outputs are kept for the tests to copy
 * (copying a fresh presignature is fine in a test, never in a node). */
static struct {
    bool ready;
    mpc_cggmp_presig ps[2];
    mpc_point pubkey; /* the child key the signature verifies under */
    mpc_hd_child child;
} psf;

static bool presig_fixture(void)
{
    static const uint32_t signers[2] = {0, 2};
    static const uint32_t path[2] = {44, 7};
    if (psf.ready)
        return true;
    const mpc_ctx *ctx[3];
    mpc_cggmp_key_share ks[3];
    mpc_cggmp_aux_info aux[3];
    cggmp_signing s;
    cggmp_fixture_ctxs(ctx, 3);
    REQUIRE(cggmp_fixture_dealer(ctx, 3, 2, MPC_PARAMS_COMPAT, ks, aux));
    bool ok = mpc_hd_derive(secp(), &psf.child, &ks[0].pubkey, ks[0].chain_code,
                            path, 2) == MPC_OK;
    simnet *net = NULL;
    if (ok) {
        cggmp_signing_set(&s, ks, aux, signers, 2, &psf.child);
        net = cggmp_signing_net(&s, NULL);
    }
    ok = net != NULL && simnet_run(net, 100000) == SIMNET_ALL_DONE;
    for (unsigned k = 0; ok && k < 2; k++)
        ok = simnet_take_result(net, k, &psf.ps[k], sizeof psf.ps[k]) == MPC_OK;
    simnet_free(net);
    cggmp_fixture_clear(ctx, 3, ks, aux);
    REQUIRE(ok);
    psf.pubkey = psf.child.pub;
    psf.ready = true;
    return true;
}

/* Signer k's record into buf (PS_BUF bytes). */
static bool presig_record(unsigned k, uint8_t *buf, size_t *len)
{
    REQUIRE(presig_fixture());
    REQUIRE_OK(mpc_cggmp_presig_encode(secp(), buf, PS_BUF, len, &psf.ps[k]));
    REQUIRE(*len == MPC_CGGMP_PRESIG_BYTES(2));
    return true;
}

static bool presig_equal(const mpc_cggmp_presig *a, const mpc_cggmp_presig *b)
{
    const mpc_group *g = secp();
    REQUIRE(memcmp(&a->binding.key_id, &b->binding.key_id, 32) == 0);
    REQUIRE(a->binding.key_version == b->binding.key_version);
    REQUIRE(memcmp(a->binding.signers, b->binding.signers, 32) == 0);
    REQUIRE(mpc_scalar_eq(&a->binding.tweak, &b->binding.tweak));
    REQUIRE(memcmp(a->binding.presig_id, b->binding.presig_id, 32) == 0);
    REQUIRE(mpc_point_eq(g, &a->big_r, &b->big_r));
    REQUIRE(mpc_scalar_eq(&a->k, &b->k) && mpc_scalar_eq(&a->chi, &b->chi));
    REQUIRE(a->count == b->count);
    for (uint32_t j = 0; j < a->count; j++) {
        REQUIRE(a->positions[j] == b->positions[j]);
        REQUIRE(mpc_point_eq(g, &a->k_r[j], &b->k_r[j]));
        REQUIRE(mpc_point_eq(g, &a->chi_r[j], &b->chi_r[j]));
    }
    return true;
}

/* A presignature as mpc_cggmp_presig_clear leaves it. */
static bool presig_empty(const mpc_cggmp_presig *p)
{
    REQUIRE(!mpc_cggmp_presig_is_fresh(p));
    REQUIRE(all_zero((const uint8_t *)p, sizeof *p));
    return true;
}

/* Decoding buf[0..len) fails with PARSE over a decoded presignature and
 * leaves it empty. */
static bool presig_rejected(const uint8_t *buf, size_t len)
{
    uint8_t good[PS_BUF];
    size_t good_len;
    mpc_cggmp_presig p;
    REQUIRE(presig_record(0, good, &good_len));
    REQUIRE_OK(mpc_cggmp_presig_decode(secp(), &p, good, good_len));
    REQUIRE(mpc_cggmp_presig_decode(secp(), &p, buf, len) == MPC_ERR_PARSE);
    REQUIRE(presig_empty(&p));
    return true;
}

/* Both records decoded, signed with (each consumed), combined and checked
 * by libsecp256k1 and OpenSSL under the child key. */
static bool presig_sign(const uint8_t rec[2][PS_BUF], size_t len)
{
    const mpc_group *g = secp();
    const uint8_t msg[] = "pooled presignature from storage";
    mpc_cggmp_presig p[2];
    uint8_t shares[2][MPC_CGGMP_SIGN_SHARE_BYTES], digest[32], pub[33];
    mpc_cggmp_sign_request req;
    mpc_cggmp_combine_input ci;
    mpc_ecdsa_signature sig;
    mpc_blame blame;

    for (unsigned k = 0; k < 2; k++) {
        REQUIRE_OK(mpc_cggmp_presig_decode(g, &p[k], rec[k], len));
        REQUIRE(mpc_cggmp_presig_is_fresh(&p[k]));
        REQUIRE(presig_equal(&p[k], &psf.ps[k]));
    }
    memset(&req, 0, sizeof req);
    memcpy(req.key_id, p[0].binding.key_id, 32);
    req.key_version = p[0].binding.key_version;
    memcpy(req.signers, p[0].binding.signers, 32);
    req.tweak = psf.child.delta;
    req.alg = MPC_MSGHASH_SHA256;
    req.msg = msg;
    req.msg_len = sizeof msg - 1;
    for (unsigned k = 0; k < 2; k++) {
        REQUIRE_OK(mpc_cggmp_sign_share(g, shares[k], &p[k], &req));
        REQUIRE(!mpc_cggmp_presig_is_fresh(&p[k]));
    }
    REQUIRE_OK(mpc_msghash(digest, MPC_MSGHASH_SHA256, msg, sizeof msg - 1));
    memset(&ci, 0, sizeof ci);
    mpc_cggmp_combine_input_set_presig(&ci, &p[0]);
    ci.pubkey = &psf.pubkey;
    ci.digest = digest;
    ci.shares = (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares;
    REQUIRE_OK(mpc_cggmp_sign_combine(g, &sig, &blame, &ci));
    mpc_point_serialize(g, pub, &psf.pubkey);
    REQUIRE(ecdsa_oracle_both(pub, digest, &sig));

    /* A consumed presignature is never written again. */
    uint8_t out[PS_BUF];
    size_t out_len = 1;
    memset(out, 0xaa, sizeof out);
    REQUIRE(mpc_cggmp_presig_encode(g, out, sizeof out, &out_len, &p[0]) ==
            MPC_ERR_STATE);
    REQUIRE(out_len == 0 && all_zero(out, sizeof out));
    for (unsigned k = 0; k < 2; k++)
        mpc_cggmp_presig_clear(&p[k]);
    return true;
}

TEST(cggmp_codec_presig_round_trip_signs)
{
    static uint8_t rec[2][PS_BUF], again[PS_BUF];
    size_t len[2], len2;
    if (!presig_fixture())
        return;
    for (unsigned k = 0; k < 2; k++) {
        CHECK(mpc_cggmp_presig_encoded_bytes(&psf.ps[k]) ==
              MPC_CGGMP_PRESIG_BYTES(2));
        CHECK(presig_record(k, rec[k], &len[k]));
        CHECK(rec[k][0] == MPC_CGGMP_PRESIG_TAG && rec[k][1] == 1);
        CHECK(rec[k][PS_COUNT] == 2);
        CHECK(rec[k][PS_POS] == 0 && rec[k][PS_POS + 1] == 2);
        /* Decode then encode: the same bytes (one encoding). */
        mpc_cggmp_presig p;
        CHECK_OK(mpc_cggmp_presig_decode(secp(), &p, rec[k], len[k]));
        CHECK_OK(
            mpc_cggmp_presig_encode(secp(), again, sizeof again, &len2, &p));
        CHECK(len2 == len[k] && memcmp(again, rec[k], len2) == 0);
        mpc_cggmp_presig_clear(&p);
    }
    CHECK(len[0] == len[1]);
    /* The secrets differ, the public record is the same. */
    CHECK(memcmp(rec[0], rec[1], PS_K(2)) == 0);
    CHECK(memcmp(rec[0] + PS_K(2), rec[1] + PS_K(2), 64) != 0);
    CHECK(presig_sign((const uint8_t(*)[PS_BUF])rec, len[0]));
    mpc_wipe(rec, sizeof rec);
    mpc_wipe(again, sizeof again);
}

TEST(cggmp_codec_presig_sizes)
{
    mpc_cggmp_presig p;
    memset(&p, 0, sizeof p);
    CHECK(MPC_CGGMP_PRESIG_BYTES(2) == 334);
    CHECK(MPC_CGGMP_PRESIG_MAX_BYTES == 200u + 67u * MPC_CGGMP_MAX_PARTIES);
    CHECK(mpc_cggmp_presig_encoded_bytes(NULL) == 0);
    static const uint32_t bad[] = {0, 1, MPC_CGGMP_MAX_PARTIES + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p.count = bad[i];
        CHECK(mpc_cggmp_presig_encoded_bytes(&p) == 0);
    }
    p.count = MPC_CGGMP_MAX_PARTIES;
    CHECK(mpc_cggmp_presig_encoded_bytes(&p) == MPC_CGGMP_PRESIG_MAX_BYTES);
}

TEST(cggmp_codec_presig_truncated)
{
    uint8_t rec[PS_BUF + 1];
    size_t len;
    if (!presig_record(1, rec, &len))
        return;
    for (size_t cut = 0; cut < len; cut++)
        CHECK(presig_rejected(rec, cut));
    rec[len] = 0;
    CHECK(presig_rejected(rec, len + 1));
    mpc_wipe(rec, sizeof rec);
}

TEST(cggmp_codec_presig_header_flips)
{
    uint8_t rec[PS_BUF];
    size_t len;
    if (!presig_record(0, rec, &len))
        return;
    for (size_t i = 0; i <= PS_COUNT; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            rec[i] ^= (uint8_t)(1u << bit);
            CHECK(presig_rejected(rec, len));
            rec[i] ^= (uint8_t)(1u << bit);
        }
    }
    mpc_wipe(rec, sizeof rec);
}

/* rec with the scalar at off replaced by the group order (non-canonical). */
static void set_order(uint8_t *rec, size_t off)
{
    mpc_group_order_be(secp(), rec + off);
}

TEST(cggmp_codec_presig_bad_fields)
{
    uint8_t good[PS_BUF], rec[PS_BUF];
    size_t len;
    const size_t c = 2;
    if (!presig_record(0, good, &len))
        return;
#define FRESH() memcpy(rec, good, len)
    /* Non-canonical scalars: tweak, k, chi. */
    static const size_t scalars[] = {PS_TWEAK, PS_K(2), PS_CHI(2)};
    for (size_t i = 0; i < 3; i++) {
        FRESH();
        set_order(rec, scalars[i]);
        CHECK(presig_rejected(rec, len));
    }
    /* k or chi changed: no longer the secrets of a signer of the record. */
    FRESH();
    scalar_inc(rec + PS_K(c));
    CHECK(presig_rejected(rec, len));
    FRESH();
    scalar_inc(rec + PS_CHI(c));
    CHECK(presig_rejected(rec, len));
    /* k_0 R and k_1 R swapped: k R matches one signer, chi R the other. */
    FRESH();
    memcpy(rec + PS_KR(c), good + PS_KR(c) + 33, 33);
    memcpy(rec + PS_KR(c) + 33, good + PS_KR(c), 33);
    CHECK(presig_rejected(rec, len));
    /* Points: not on the curve / bad prefix, the identity encoding. */
    static const size_t points[] = {PS_R, PS_KR(2), PS_KR(2) + 33, PS_CHIR(2),
                                    PS_CHIR(2) + 33};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        FRESH();
        rec[points[i]] = 0x04;
        CHECK(presig_rejected(rec, len));
        FRESH();
        memset(rec + points[i], 0, 33);
        CHECK(presig_rejected(rec, len));
    }
    /* R replaced by another valid point: k R no longer matches. */
    FRESH();
    memcpy(rec + PS_R, good + PS_CHIR(c), 33);
    CHECK(presig_rejected(rec, len));
    /* Positions: equal, descending, at the limit. */
    static const uint8_t pos[][2] = {
        {2, 2}, {2, 0}, {0, MPC_CGGMP_MAX_PARTIES}, {0, 255}};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        FRESH();
        rec[PS_POS] = pos[i][0];
        rec[PS_POS + 1] = pos[i][1];
        CHECK(presig_rejected(rec, len));
    }
    /* Public binding fields are taken as stored (the sign request checks
     * them): another key version decodes, fresh, with that version. */
    FRESH();
    rec[PS_VERSION + 3] ^= 1;
    mpc_cggmp_presig p;
    CHECK_OK(mpc_cggmp_presig_decode(secp(), &p, rec, len));
    CHECK(mpc_cggmp_presig_is_fresh(&p));
    CHECK(p.binding.key_version == (psf.ps[0].binding.key_version ^ 1u));
    CHECK(p.binding.signers[0] == 0x05);
    mpc_cggmp_presig_clear(&p);
#undef FRESH
    mpc_wipe(good, sizeof good);
    mpc_wipe(rec, sizeof rec);
}

/* Encoding q fails with `want`, zeroing the buffer and the length. */
static bool presig_encode_fails(const mpc_group *g, const mpc_cggmp_presig *q,
                                size_t cap, mpc_err want)
{
    uint8_t out[PS_BUF];
    size_t len = 7;
    memset(out, 0xaa, sizeof out);
    REQUIRE(mpc_cggmp_presig_encode(g, out, cap, &len, q) == want);
    REQUIRE(len == 0 && all_zero(out, cap));
    return true;
}

TEST(cggmp_codec_presig_encode_misuse)
{
    const mpc_group *g = secp();
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    uint8_t out[PS_BUF];
    size_t len;
    mpc_cggmp_presig q;
    if (!presig_fixture())
        return;
    const mpc_cggmp_presig *ps = &psf.ps[1];

    CHECK(presig_encode_fails(NULL, ps, PS_BUF, MPC_ERR_INVALID_ARG));
    CHECK(presig_encode_fails(ed, ps, PS_BUF, MPC_ERR_INVALID_ARG));
    CHECK(presig_encode_fails(g, NULL, PS_BUF, MPC_ERR_INVALID_ARG));
    CHECK(mpc_cggmp_presig_encode(g, NULL, 0, &len, ps) == MPC_ERR_INVALID_ARG);
    CHECK(len == 0);
    CHECK(mpc_cggmp_presig_encode(g, out, sizeof out, NULL, ps) ==
          MPC_ERR_INVALID_ARG);
    CHECK(all_zero(out, sizeof out));
    CHECK(presig_encode_fails(g, ps, MPC_CGGMP_PRESIG_BYTES(2) - 1,
                              MPC_ERR_INVALID_ARG));

    /* Never made, consumed, cleared: STATE. */
    memset(&q, 0, sizeof q);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_STATE));
    q = *ps;
    mpc_cggmp_presig_consume(&q);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_STATE));
    q = *ps;
    mpc_cggmp_presig_clear(&q);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_STATE));

    /* Fresh but inconsistent: each decode check. */
    q = *ps;
    q.count = 1;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    q.count = 3;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    q.binding.signers[0] ^= 0x02;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    q.positions[0] = 2;
    q.positions[1] = 0;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    q.positions[1] = MPC_CGGMP_MAX_PARTIES;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    mpc_point_set_identity(g, &q.big_r);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    mpc_point_set_identity(g, &q.chi_r[0]);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    mpc_scalar_add(g, &q.k, &q.k, &q.chi);
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    q = *ps;
    q.k = ps->chi;
    q.chi = ps->k;
    CHECK(presig_encode_fails(g, &q, PS_BUF, MPC_ERR_INVALID_ARG));
    mpc_cggmp_presig_clear(&q);
}

TEST(cggmp_codec_presig_decode_misuse)
{
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    uint8_t rec[PS_BUF];
    size_t len;
    mpc_cggmp_presig p;
    if (!presig_record(0, rec, &len))
        return;
    CHECK_OK(mpc_cggmp_presig_decode(secp(), &p, rec, len));
    CHECK(mpc_cggmp_presig_decode(NULL, &p, rec, len) == MPC_ERR_INVALID_ARG);
    CHECK(presig_empty(&p));
    CHECK_OK(mpc_cggmp_presig_decode(secp(), &p, rec, len));
    CHECK(mpc_cggmp_presig_decode(ed, &p, rec, len) == MPC_ERR_INVALID_ARG);
    CHECK(presig_empty(&p));
    CHECK_OK(mpc_cggmp_presig_decode(secp(), &p, rec, len));
    CHECK(mpc_cggmp_presig_decode(secp(), &p, NULL, len) ==
          MPC_ERR_INVALID_ARG);
    CHECK(presig_empty(&p));
    CHECK(mpc_cggmp_presig_decode(secp(), NULL, rec, len) ==
          MPC_ERR_INVALID_ARG);
    /* Another record kind with a plausible length. */
    rec[0] = MPC_CGGMP_KEY_SHARE_TAG;
    CHECK(presig_rejected(rec, len));
    mpc_wipe(rec, sizeof rec);
}
