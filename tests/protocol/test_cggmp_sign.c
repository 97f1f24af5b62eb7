/*
 * CGGMP21 sign round and combiner (mpc/cggmp_sign.h). The presignatures
 * here come from a trusted dealer (the presign protocol is not written
 * yet): k = Σk_i, Σχ_i = k·(x + tweak), R = k⁻¹·G, so that
 * Σσ_i = k·(m + r·x') is the ECDSA s for R.
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/cggmp_sign.h"
#include "mpc/hd.h"
#include "tests/harness/test.h"
#include "tests/unit/ecdsa_oracle.h"

#define MAXS 5

static const mpc_group *secp(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

typedef struct dealt {
    size_t t;
    mpc_point pub; /* the key signatures verify under (Y + tweak·G) */
    mpc_point big_r;
    mpc_point k_r[MAXS];
    mpc_point chi_r[MAXS];
    uint32_t pos[MAXS];
    mpc_cggmp_presig presig[MAXS];
} dealt;

static const uint8_t key_id[32] = {0x6b, 0x65, 0x79};

static bool deal(dealt *d, size_t t, const uint32_t *pos, const mpc_scalar *x,
                 const mpc_scalar *tweak)
{
    const mpc_group *g = secp();
    mpc_scalar xt, k, kinv, acc, want;
    uint8_t signers[32] = {0}, id[32];

    REQUIRE(t <= MAXS);
    memset(d, 0, sizeof(*d));
    d->t = t;
    mpc_scalar_add(g, &xt, x, tweak);
    mpc_point_mul_base(g, &d->pub, &xt);
    for (size_t i = 0; i < t; i++)
        signers[pos[i] / 8] |= (uint8_t)(1u << (pos[i] % 8));
    mpc_scalar_random(g, &acc);
    memcpy(id, acc.v, 32);

    mpc_scalar_set_zero(&k);
    for (size_t i = 0; i < t; i++) {
        mpc_scalar_random(g, &d->presig[i].k);
        mpc_scalar_add(g, &k, &k, &d->presig[i].k);
    }
    REQUIRE_OK(mpc_scalar_inv(g, &kinv, &k));
    mpc_point_mul_base(g, &d->big_r, &kinv);
    mpc_scalar_mul(g, &want, &k, &xt);
    mpc_scalar_set_zero(&acc);
    for (size_t i = 0; i < t; i++) {
        mpc_cggmp_presig *p = &d->presig[i];
        if (i + 1 < t) {
            mpc_scalar_random(g, &p->chi);
            mpc_scalar_add(g, &acc, &acc, &p->chi);
        } else {
            mpc_scalar_sub(g, &p->chi, &want, &acc);
        }
        memcpy(p->binding.key_id, key_id, 32);
        p->binding.key_version = 1;
        memcpy(p->binding.signers, signers, 32);
        p->binding.tweak = *tweak;
        memcpy(p->binding.presig_id, id, 32);
        p->big_r = d->big_r;
        p->magic = MPC_CGGMP_PRESIG_MAGIC;
        d->pos[i] = pos[i];
        mpc_point_mul(g, &d->k_r[i], &p->k, &d->big_r);
        mpc_point_mul(g, &d->chi_r[i], &p->chi, &d->big_r);
    }
    return true;
}

static void request_for(mpc_cggmp_sign_request *req, const dealt *d,
                        const uint8_t *msg, size_t len)
{
    memset(req, 0, sizeof(*req));
    memcpy(req->key_id, d->presig[0].binding.key_id, 32);
    req->key_version = d->presig[0].binding.key_version;
    memcpy(req->signers, d->presig[0].binding.signers, 32);
    req->tweak = d->presig[0].binding.tweak;
    req->alg = MPC_MSGHASH_KECCAK256;
    req->msg = msg;
    req->msg_len = len;
}

static void input_for(mpc_cggmp_combine_input *in, const dealt *d,
                      const uint8_t *digest,
                      const uint8_t (*shares)[MPC_CGGMP_SIGN_SHARE_BYTES])
{
    in->pubkey = &d->pub;
    in->digest = digest;
    in->big_r = &d->big_r;
    in->count = d->t;
    in->positions = d->pos;
    in->shares = shares;
    in->k_r = d->k_r;
    in->chi_r = d->chi_r;
}

/* Every signer makes its share; combine; both oracles accept. */
static bool sign_all(dealt *d, const uint8_t *msg, size_t len,
                     mpc_ecdsa_signature *sig)
{
    const mpc_group *g = secp();
    uint8_t shares[MAXS][MPC_CGGMP_SIGN_SHARE_BYTES], digest[32], pub[33];
    mpc_cggmp_sign_request req;
    mpc_cggmp_combine_input in;
    mpc_blame blame;

    request_for(&req, d, msg, len);
    for (size_t i = 0; i < d->t; i++) {
        REQUIRE_OK(mpc_cggmp_sign_share(g, shares[i], &d->presig[i], &req));
        REQUIRE(!mpc_cggmp_presig_is_fresh(&d->presig[i]));
    }
    REQUIRE_OK(mpc_msghash(digest, MPC_MSGHASH_KECCAK256, msg, len));
    input_for(&in, d, digest, (const uint8_t(*)[32])shares);
    REQUIRE_OK(mpc_cggmp_sign_combine(g, sig, &blame, &in));
    REQUIRE(blame.err == MPC_OK && mpc_blame_count(&blame) == 0);
    mpc_point_serialize(g, pub, &d->pub);
    REQUIRE(ecdsa_oracle_both(pub, digest, sig));
    return true;
}

TEST(cggmp_sign_dealt_2of3_every_subset)
{
    static const uint32_t subsets[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    const uint8_t msg[] = "transfer 1 ETH";
    mpc_scalar x, zero;
    mpc_ecdsa_signature sig;
    dealt d;

    mpc_scalar_random(secp(), &x);
    mpc_scalar_set_zero(&zero);
    for (size_t s = 0; s < 3; s++) {
        CHECK(deal(&d, 2, subsets[s], &x, &zero));
        CHECK(sign_all(&d, msg, sizeof(msg) - 1, &sig));
    }
}

TEST(cggmp_sign_dealt_3of5_with_hd_path)
{
    const mpc_group *g = secp();
    static const uint32_t pos[3] = {0, 2, 4};
    static const uint32_t path[2] = {0, 7};
    uint8_t cc[32] = {0xcc};
    const uint8_t msg[] = "hd child";
    mpc_scalar x;
    mpc_point y;
    mpc_hd_child child;
    mpc_ecdsa_signature sig;
    dealt d;

    mpc_scalar_random(g, &x);
    mpc_point_mul_base(g, &y, &x);
    CHECK_OK(mpc_hd_derive(g, &child, &y, cc, path, 2));
    CHECK(!mpc_scalar_is_zero(&child.delta));
    CHECK(deal(&d, 3, pos, &x, &child.delta));
    CHECK(mpc_point_eq(g, &d.pub, &child.pub));
    CHECK(sign_all(&d, msg, sizeof(msg) - 1, &sig));
}

TEST(cggmp_sign_presig_single_use)
{
    const mpc_group *g = secp();
    static const uint32_t pos[2] = {0, 1};
    static const mpc_scalar zero;
    uint8_t share[32], share2[32];
    const uint8_t msg[] = "m";
    mpc_cggmp_sign_request req;
    mpc_scalar x;
    dealt d;

    mpc_scalar_random(g, &x);
    CHECK(deal(&d, 2, pos, &x, &zero));
    request_for(&req, &d, msg, 1);
    CHECK_OK(mpc_cggmp_sign_share(g, share, &d.presig[0], &req));
    CHECK(!mpc_cggmp_presig_is_fresh(&d.presig[0]));
    CHECK(mpc_scalar_is_zero(&d.presig[0].k));
    CHECK(mpc_scalar_is_zero(&d.presig[0].chi));
    memset(share2, 0xaa, sizeof(share2));
    CHECK_ERR(mpc_cggmp_sign_share(g, share2, &d.presig[0], &req),
              MPC_ERR_STATE);
    for (size_t i = 0; i < 32; i++)
        CHECK(share2[i] == 0);
    /* A zeroed struct is not a presignature either. */
    {
        mpc_cggmp_presig none;
        memset(&none, 0, sizeof(none));
        CHECK_ERR(mpc_cggmp_sign_share(g, share2, &none, &req), MPC_ERR_STATE);
    }
}

/* Pooled mode: binding and preimage rules; a refused call spends nothing. */
TEST(cggmp_sign_pooled_preconditions)
{
    const mpc_group *g = secp();
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    static const uint32_t pos[2] = {1, 2};
    static const mpc_scalar zero;
    const uint8_t msg[] = "pay";
    uint8_t share[32];
    mpc_cggmp_sign_request req, bad;
    mpc_scalar x;
    dealt d;

    mpc_scalar_random(g, &x);
    CHECK(deal(&d, 2, pos, &x, &zero));
    request_for(&req, &d, msg, 3);

    bad = req;
    bad.key_id[0] ^= 1;
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    bad = req;
    bad.key_version = 2;
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    bad = req;
    bad.signers[0] ^= 1; /* another signer set */
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    bad = req;
    mpc_scalar_set_u64(g, &bad.tweak, 5); /* HD path chosen after presign */
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    bad = req;
    bad.alg = (mpc_msghash_alg)0; /* a raw digest is not a preimage */
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    bad = req;
    bad.msg = NULL;
    CHECK_ERR(mpc_cggmp_sign_share(g, share, &d.presig[0], &bad),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_sign_share(ed, share, &d.presig[0], &req),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_cggmp_presig_is_fresh(&d.presig[0]));

    /* The untouched presignatures still sign. */
    {
        mpc_ecdsa_signature sig;
        CHECK(sign_all(&d, msg, 3, &sig));
    }
}

static bool shares_for(dealt *d, uint8_t (*shares)[32], const uint8_t *msg,
                       size_t len)
{
    mpc_cggmp_sign_request req;
    request_for(&req, d, msg, len);
    for (size_t i = 0; i < d->t; i++)
        REQUIRE_OK(
            mpc_cggmp_sign_share(secp(), shares[i], &d->presig[i], &req));
    return true;
}

/* A wrong share is named (level 3); without k·R, χ·R nobody is. */
TEST(cggmp_sign_blame_bad_share)
{
    const mpc_group *g = secp();
    static const uint32_t pos[3] = {1, 3, 4};
    static const mpc_scalar zero;
    static const mpc_ecdsa_signature zsig;
    const uint8_t msg[] = "x";
    uint8_t shares[MAXS][32], digest[32];
    mpc_cggmp_combine_input in;
    mpc_ecdsa_signature sig;
    mpc_blame blame;
    mpc_scalar x, s;
    dealt d;

    mpc_scalar_random(g, &x);
    CHECK(deal(&d, 3, pos, &x, &zero));
    CHECK(shares_for(&d, shares, msg, 1));
    CHECK_OK(mpc_msghash(digest, MPC_MSGHASH_KECCAK256, msg, 1));
    input_for(&in, &d, digest, (const uint8_t(*)[32])shares);

    /* signer 1 (position 3) adds one to its share */
    CHECK_OK(mpc_scalar_parse(g, &s, shares[1]));
    mpc_scalar_add(g, &s, &s, &(mpc_scalar){.v = {[31] = 1}});
    mpc_scalar_serialize(g, shares[1], &s);
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &in), MPC_ERR_VERIFY);
    CHECK_MEM(&sig, &zsig, sizeof(sig));
    CHECK(blame.err == MPC_ERR_VERIFY && blame.reason == MPC_BLAME_VERIFY);
    CHECK(blame.attributable);
    CHECK(mpc_blame_count(&blame) == 1 && mpc_blame_has(&blame, 3));

    in.k_r = NULL;
    in.chi_r = NULL;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &in), MPC_ERR_VERIFY);
    CHECK(!blame.attributable && mpc_blame_count(&blame) == 0);

    /* every share checks but the key is wrong: not attributable */
    input_for(&in, &d, digest, (const uint8_t(*)[32])shares);
    mpc_scalar_sub(g, &s, &s, &(mpc_scalar){.v = {[31] = 1}});
    mpc_scalar_serialize(g, shares[1], &s);
    CHECK_OK(mpc_cggmp_sign_combine(g, &sig, &blame, &in));
    in.pubkey = &d.k_r[0];
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &in), MPC_ERR_VERIFY);
    CHECK(!blame.attributable && mpc_blame_count(&blame) == 0);
    in.pubkey = &d.pub;

    /* a share >= n does not parse: blamed as PARSE */
    memset(shares[2], 0xff, 32);
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &in), MPC_ERR_PARSE);
    CHECK(blame.reason == MPC_BLAME_PARSE && blame.attributable);
    CHECK(mpc_blame_count(&blame) == 1 && mpc_blame_has(&blame, 4));
}

TEST(cggmp_sign_combine_misuse)
{
    const mpc_group *g = secp();
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    static const uint32_t pos[2] = {0, 1};
    static const mpc_scalar zero;
    static const mpc_ecdsa_signature zsig;
    const uint8_t msg[] = "y";
    uint8_t shares[MAXS][32], digest[32];
    uint32_t badpos[2] = {0, MPC_CGGMP_MAX_PARTIES};
    mpc_cggmp_combine_input in, bad;
    mpc_ecdsa_signature sig;
    mpc_blame blame;
    mpc_point inf;
    mpc_scalar x;
    dealt d;

    mpc_scalar_random(g, &x);
    CHECK(deal(&d, 2, pos, &x, &zero));
    CHECK(shares_for(&d, shares, msg, 1));
    CHECK_OK(mpc_msghash(digest, MPC_MSGHASH_KECCAK256, msg, 1));
    input_for(&in, &d, digest, (const uint8_t(*)[32])shares);
    mpc_point_set_identity(g, &inf);

    bad = in;
    bad.count = 0;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    bad = in;
    bad.count = MPC_CGGMP_MAX_PARTIES + 1;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    bad = in;
    bad.chi_r = NULL;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    bad = in;
    bad.pubkey = &inf;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    bad = in;
    bad.big_r = &inf;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    bad = in;
    bad.positions = badpos;
    CHECK_ERR(mpc_cggmp_sign_combine(g, &sig, &blame, &bad),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_cggmp_sign_combine(ed, &sig, &blame, &in),
              MPC_ERR_INVALID_ARG);
    CHECK_MEM(&sig, &zsig, sizeof(sig));
    CHECK_OK(mpc_cggmp_sign_combine(g, &sig, &blame, &in));
}
