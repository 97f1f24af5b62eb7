/* Fuzzes every FROST decoder: commitments, commitment lists, signature and
 * DKG shares, proofs of knowledge, DKG round-one packages. The first byte
 * picks the decoder, the rest is its input. Besides memory safety it checks
 * the contract: a failure is MPC_ERR_PARSE with zeroed outputs, and an
 * accepted input re-serializes to exactly the same bytes (one encoding per
 * value). A list that parses also passes mpc_frost_commitment_list_check,
 * and a proof of knowledge is verified (the result may be either). */
#include <stdlib.h>
#include <string.h>

#include "mpc/ctx.h"
#include "mpc/frost.h"
#include "mpc/rng.h"
#include "tests/fuzz/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CAP = 8 };

static const mpc_group *group(void)
{
    static mpc_drbg drbg;
    static mpc_ctx *ctx;
    if (ctx == NULL) {
        mpc_drbg_init(&drbg, (const uint8_t *)"fuzz", 4);
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbg};
        CHECK(mpc_ctx_new(&ctx, &cfg) == MPC_OK);
    }
    return mpc_ctx_group(ctx, MPC_CURVE_ED25519);
}

static bool commitment_zero(const mpc_group *g, const mpc_frost_commitment *c)
{
    return mpc_scalar_is_zero(&c->id) && mpc_point_is_identity(g, &c->hiding) &&
           mpc_point_is_identity(g, &c->binding);
}

static void commitment(const mpc_group *g, const uint8_t *in, size_t len)
{
    mpc_frost_commitment com;
    uint8_t out[MPC_FROST_COMMITMENT_BYTES];
    if (mpc_frost_commitment_parse(g, &com, in, len) != MPC_OK) {
        CHECK(commitment_zero(g, &com));
        return;
    }
    mpc_frost_commitment_serialize(g, out, &com);
    CHECK(len == sizeof out && memcmp(out, in, len) == 0);
}

static void list(const mpc_group *g, const uint8_t *in, size_t len)
{
    mpc_frost_commitment l[CAP];
    uint8_t out[CAP * MPC_FROST_COMMITMENT_BYTES];
    size_t n = 99;
    mpc_err err = mpc_frost_commitment_list_parse(g, l, CAP, &n, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && n == 0);
        for (size_t k = 0; k < CAP; k++)
            CHECK(commitment_zero(g, &l[k]));
        return;
    }
    CHECK(n >= 1 && n <= CAP);
    CHECK(mpc_frost_commitment_list_check(g, l, n, NULL, 0) == MPC_OK);
    mpc_frost_commitment_list_serialize(g, out, l, n);
    CHECK(len == n * MPC_FROST_COMMITMENT_BYTES && memcmp(out, in, len) == 0);
}

static void share(const mpc_group *g, const uint8_t *in, size_t len)
{
    mpc_scalar z;
    uint8_t out[MPC_FROST_SCALAR_BYTES];
    if (mpc_frost_share_parse(g, &z, in, len) != MPC_OK) {
        CHECK(mpc_scalar_is_zero(&z));
        return;
    }
    mpc_scalar_serialize(g, out, &z);
    CHECK(len == sizeof out && memcmp(out, in, len) == 0);
}

static void pok(const mpc_group *g, const uint8_t *in, size_t len)
{
    mpc_frost_pok p;
    uint8_t out[MPC_FROST_POK_BYTES];
    if (mpc_frost_pok_parse(g, &p, in, len) != MPC_OK) {
        CHECK(mpc_point_is_identity(g, &p.r) && mpc_scalar_is_zero(&p.mu));
        return;
    }
    mpc_frost_pok_serialize(g, out, &p);
    CHECK(len == sizeof out && memcmp(out, in, len) == 0);
}

static void round1(const mpc_group *g, const uint8_t *in, size_t len)
{
    mpc_point commit[CAP];
    mpc_frost_pok p;
    uint8_t out[MPC_FROST_DKG_ROUND1_BYTES(CAP)];
    size_t t = 99;
    mpc_err err = mpc_frost_dkg_round1_parse(g, commit, CAP, &t, &p, in, len);
    if (err != MPC_OK) {
        CHECK(err == MPC_ERR_PARSE && t == 0);
        CHECK(mpc_point_is_identity(g, &p.r) && mpc_scalar_is_zero(&p.mu));
        for (size_t k = 0; k < CAP; k++)
            CHECK(mpc_point_is_identity(g, &commit[k]));
        return;
    }
    CHECK(t >= 1 && t <= CAP);
    mpc_frost_dkg_round1_serialize(g, out, commit, t, &p);
    CHECK(len == MPC_FROST_DKG_ROUND1_BYTES(t) && memcmp(out, in, len) == 0);
    mpc_scalar sender;
    mpc_scalar_set_u64(g, &sender, 1);
    err = mpc_frost_dkg_round1_verify(g, &sender, commit, t, &p, t < 2 ? 2 : t,
                                      NULL, 0);
    CHECK(err == MPC_OK || err == MPC_ERR_VERIFY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const mpc_group *g = group();
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    switch (data[0] % 5) {
    case 0:
        commitment(g, in, len);
        break;
    case 1:
        list(g, in, len);
        break;
    case 2:
        share(g, in, len);
        break;
    case 3:
        pok(g, in, len);
        break;
    default:
        round1(g, in, len);
        break;
    }
    return 0;
}
