/* lib/frost DKG math: the ZF frost-core DKG vectors (commitments, proofs of
 * knowledge, shares, signing and verifying shares, group key), a full
 * random DKG that then signs, the context binding of the proofs, and the
 * failures — bad proof, threshold raise, inconsistent share (the dealer is
 * named), malformed packages, misuse. */
#include <stdlib.h>

#include <jansson.h>
#include <sodium.h>

#include "lib/frost/frost_internal.h"
#include "mpc/frost.h"
#include "mpc/group.h"
#include "mpc/vss.h"
#include "tests/harness/test.h"

#define MAXN 6

static const mpc_group *ed(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

static bool scalar_hex(mpc_scalar *s, const char *hex)
{
    uint8_t b[32];
    REQUIRE(hex != NULL && test_unhex(b, sizeof b, hex));
    REQUIRE_OK(mpc_scalar_parse(ed(), s, b));
    return true;
}

static bool point_hex(mpc_point *p, const char *hex)
{
    uint8_t b[32];
    REQUIRE(hex != NULL && test_unhex(b, sizeof b, hex));
    REQUIRE_OK(mpc_point_parse(ed(), p, b, sizeof b));
    return true;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool points_identity(const mpc_point *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        REQUIRE(mpc_point_is_identity(ed(), &p[k]));
    return true;
}

/* ---- ZF frost-core vectors_dkg.json -------------------------------------- */

/*
 * Fields per participant i: "signing_key" is a_{i,0}, "coefficient" a_{i,1},
 * "vss_commitments" phi_i, "proof_of_knowledge" R || mu, "signing_shares"
 * {j: f_j(i)} (what i received), "signing_share" s_i, "verifying_share"
 * PK_i; top-level "verifying_key" is PK. The "secret" fields are not used by
 * ZF's test and are not consistent with the rest (sum of signing_key is
 * the group secret), so they are ignored here.
 */
struct zf {
    size_t n, t;
    mpc_scalar ids[MAXN];
    mpc_scalar coef[MAXN][2];
    mpc_point commit[MAXN * 2];
    mpc_frost_pok pok[MAXN];
    uint8_t pok_bytes[MAXN][64];
    mpc_point pk;
};

static bool zf_load(struct zf *v, json_t *j)
{
    const mpc_group *g = ed();
    json_t *cfg = json_object_get(j, "config");
    json_t *in = json_object_get(j, "inputs");
    v->n = (size_t)json_integer_value(json_object_get(cfg, "MAX_PARTICIPANTS"));
    v->t = (size_t)json_integer_value(json_object_get(cfg, "MIN_PARTICIPANTS"));
    REQUIRE(v->n == 3 && v->t == 2);
    REQUIRE(point_hex(&v->pk, jstr(in, "verifying_key")));
    for (size_t i = 0; i < v->n; i++) {
        char key[24];
        snprintf(key, sizeof key, "%zu", i + 1);
        json_t *p = json_object_get(in, key);
        REQUIRE(p != NULL);
        mpc_scalar_set_u64(
            g, &v->ids[i],
            (uint64_t)json_integer_value(json_object_get(p, "identifier")));
        REQUIRE(scalar_hex(&v->coef[i][0], jstr(p, "signing_key")));
        REQUIRE(scalar_hex(&v->coef[i][1], jstr(p, "coefficient")));
        json_t *c = json_object_get(p, "vss_commitments");
        REQUIRE(json_array_size(c) == v->t);
        for (size_t k = 0; k < v->t; k++)
            REQUIRE(point_hex(&v->commit[i * v->t + k],
                              json_string_value(json_array_get(c, k))));
        REQUIRE(test_unhex(v->pok_bytes[i], 64, jstr(p, "proof_of_knowledge")));
        REQUIRE_OK(mpc_frost_pok_parse(g, &v->pok[i], v->pok_bytes[i], 64));
    }
    return true;
}

/* ZF's challenge, computed here independently with libsodium:
 * SHA-512("FROST-ED25519-SHA512-v1" "dkg" || id || phi0 || R) mod L. */
static void zf_challenge(uint8_t c[32], const uint8_t id[32],
                         const uint8_t phi0[32], const uint8_t r[32])
{
    static const char tag[] = "FROST-ED25519-SHA512-v1dkg";
    crypto_hash_sha512_state st;
    uint8_t h[64];
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    crypto_hash_sha512_update(&st, id, 32);
    crypto_hash_sha512_update(&st, phi0, 32);
    crypto_hash_sha512_update(&st, r, 32);
    crypto_hash_sha512_final(&st, h);
    crypto_core_ed25519_scalar_reduce(c, h);
}

TEST(frost_dkg_zf_vectors)
{
    const mpc_group *g = ed();
    char *buf =
        test_read_file("tests/vectors/frost-ed25519-vectors_dkg.json", NULL);
    CHECK(buf != NULL);
    json_t *j = json_loads(buf, 0, NULL);
    free(buf);
    CHECK(j != NULL);
    json_t *in = json_object_get(j, "inputs");
    struct zf v;
    CHECK(zf_load(&v, j));

    for (size_t i = 0; i < v.n; i++) {
        /* commitments from the given coefficients */
        mpc_point commit[2];
        mpc_poly_commit(g, commit, v.coef[i], v.t);
        for (size_t k = 0; k < v.t; k++)
            CHECK(mpc_point_eq(g, &commit[k], &v.commit[i * v.t + k]));

        /* the proof verifies (empty context) and round-trips */
        CHECK_OK(mpc_frost_dkg_round1_verify(g, &v.ids[i], &v.commit[i * v.t],
                                             v.t, &v.pok[i], v.t, NULL, 0));
        uint8_t enc[64];
        mpc_frost_pok_serialize(g, enc, &v.pok[i]);
        CHECK_MEM(enc, v.pok_bytes[i], 64);

        /* the prover reproduces it from its nonce k = mu - a0*c */
        uint8_t idb[32], phib[32], c[32], a0c[32], kb[32];
        mpc_scalar_serialize(g, idb, &v.ids[i]);
        mpc_point_serialize(g, phib, &v.commit[i * v.t]);
        zf_challenge(c, idb, phib, v.pok_bytes[i]);
        uint8_t a0b[32];
        mpc_scalar_serialize(g, a0b, &v.coef[i][0]);
        crypto_core_ed25519_scalar_mul(a0c, a0b, c);
        crypto_core_ed25519_scalar_sub(kb, v.pok_bytes[i] + 32, a0c);
        mpc_scalar k;
        mpc_frost_pok pok;
        CHECK_OK(mpc_scalar_parse(g, &k, kb));
        CHECK_OK(mpc_frost_dkg_pok_prove_with_nonce(
            g, &pok, &v.ids[i], &v.coef[i][0], &v.commit[i * v.t], &k, NULL,
            0));
        mpc_frost_pok_serialize(g, enc, &pok);
        CHECK_MEM(enc, v.pok_bytes[i], 64);

        /* the round-one package round-trips */
        uint8_t pkg[MPC_FROST_DKG_ROUND1_BYTES(2)];
        mpc_point got[MAXN];
        size_t t = 0;
        mpc_frost_dkg_round1_serialize(g, pkg, &v.commit[i * v.t], v.t,
                                       &v.pok[i]);
        CHECK_OK(mpc_frost_dkg_round1_parse(g, got, MAXN, &t, &pok, pkg,
                                            sizeof pkg));
        CHECK(t == v.t && mpc_point_eq(g, &got[1], &v.commit[i * v.t + 1]));
    }

    /* shares sent, then part 3 for every participant */
    for (size_t self = 0; self < v.n; self++) {
        char key[24];
        snprintf(key, sizeof key, "%zu", self + 1);
        json_t *p = json_object_get(in, key);
        json_t *recv = json_object_get(p, "signing_shares");
        mpc_scalar shares[MAXN];
        for (size_t j2 = 0; j2 < v.n; j2++) {
            CHECK_OK(mpc_frost_dkg_share(g, &shares[j2], v.coef[j2], v.t,
                                         &v.ids[self]));
            if (j2 == self)
                continue;
            char from[24];
            snprintf(from, sizeof from, "%zu", j2 + 1);
            mpc_scalar want;
            CHECK(scalar_hex(&want, jstr(recv, from)));
            CHECK(mpc_scalar_eq(&shares[j2], &want));
        }
        mpc_frost_key_package kp;
        mpc_point vshares[MAXN];
        size_t culprits[MAXN], nc = 9;
        CHECK_OK(mpc_frost_dkg_part3(g, &kp, vshares, culprits, &nc, v.ids, v.n,
                                     self, v.t, v.commit, shares));
        CHECK(nc == 0);
        mpc_scalar s;
        CHECK(scalar_hex(&s, jstr(p, "signing_share")));
        CHECK(mpc_scalar_eq(&kp.share, &s));
        CHECK(mpc_scalar_eq(&kp.id, &v.ids[self]));
        CHECK(kp.threshold == v.t);
        CHECK(mpc_point_eq(g, &kp.group_pk, &v.pk));
        for (size_t j2 = 0; j2 < v.n; j2++) {
            char other[24];
            snprintf(other, sizeof other, "%zu", j2 + 1);
            mpc_point want;
            CHECK(point_hex(
                &want, jstr(json_object_get(in, other), "verifying_share")));
            CHECK(mpc_point_eq(g, &vshares[j2], &want));
        }
    }
    json_decref(j);
}

/* ---- a random DKG, then signing ------------------------------------------ */

static const uint8_t CONTEXT[] = "sid:0123456789abcdef|parties:1,2,3,4,5";

struct dkg {
    size_t n, t;
    mpc_scalar ids[MAXN];
    mpc_scalar coef[MAXN][MAXN];
    mpc_point commit[MAXN * MAXN];
    mpc_frost_pok pok[MAXN];
    mpc_scalar sent[MAXN][MAXN]; /* sent[from][to] */
};

static bool dkg_round1(struct dkg *d, size_t n, size_t t)
{
    const mpc_group *g = ed();
    d->n = n;
    d->t = t;
    for (size_t i = 0; i < n; i++) {
        mpc_scalar_set_u64(g, &d->ids[i], 10 * i + 7);
        REQUIRE_OK(mpc_frost_dkg_part1(g, d->coef[i], &d->commit[i * t],
                                       &d->pok[i], &d->ids[i], t, CONTEXT,
                                       sizeof CONTEXT));
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            REQUIRE_OK(mpc_frost_dkg_round1_verify(
                g, &d->ids[j], &d->commit[j * t], t, &d->pok[j], t, CONTEXT,
                sizeof CONTEXT));
            REQUIRE_OK(mpc_frost_dkg_share(g, &d->sent[i][j], d->coef[i], t,
                                           &d->ids[j]));
        }
    }
    return true;
}

static bool dkg_part3(struct dkg *d, size_t self, mpc_frost_key_package *kp,
                      mpc_point *vshares)
{
    mpc_scalar recv[MAXN];
    for (size_t j = 0; j < d->n; j++)
        recv[j] = d->sent[j][self];
    REQUIRE_OK(mpc_frost_dkg_part3(ed(), kp, vshares, NULL, NULL, d->ids, d->n,
                                   self, d->t, d->commit, recv));
    return true;
}

TEST(frost_dkg_3_of_5_then_sign)
{
    const mpc_group *g = ed();
    static const uint8_t msg[] = "dkg then sign";
    struct dkg d;
    mpc_frost_key_package kp[5];
    mpc_point vshares[5][MAXN];
    CHECK(dkg_round1(&d, 5, 3));
    for (size_t i = 0; i < 5; i++) {
        CHECK(dkg_part3(&d, i, &kp[i], vshares[i]));
        CHECK(mpc_point_eq(g, &kp[i].group_pk, &kp[0].group_pk));
        for (size_t j = 0; j < 5; j++)
            CHECK(mpc_point_eq(g, &vshares[i][j], &vshares[0][j]));
        mpc_point sb;
        mpc_point_mul_base(g, &sb, &kp[i].share);
        CHECK(mpc_point_eq(g, &sb, &vshares[0][i]));
    }

    /* parties 2, 4, 5 sign */
    size_t sel[] = {1, 3, 4};
    mpc_frost_nonce nonce[3];
    mpc_frost_commitment list[3];
    mpc_scalar z[3];
    mpc_point vs[3];
    uint8_t sig[64], pkb[32];
    for (size_t k = 0; k < 3; k++) {
        CHECK_OK(mpc_frost_commit(g, &nonce[k], &list[k], &kp[sel[k]]));
        vs[k] = vshares[0][sel[k]];
    }
    for (size_t k = 0; k < 3; k++)
        CHECK_OK(mpc_frost_sign(g, &z[k], &nonce[k], &kp[sel[k]], NULL, msg,
                                sizeof msg, list, 3));
    CHECK_OK(mpc_frost_aggregate(g, sig, NULL, NULL, z, vs, &kp[0].group_pk,
                                 NULL, msg, sizeof msg, list, 3));
    mpc_point_serialize(g, pkb, &kp[0].group_pk);
    CHECK(crypto_sign_verify_detached(sig, msg, sizeof msg, pkb) == 0);
}

/* ---- failures ------------------------------------------------------------ */

TEST(frost_dkg_bad_proof_of_knowledge)
{
    const mpc_group *g = ed();
    struct dkg d;
    mpc_scalar one;
    mpc_scalar_set_u64(g, &one, 1);
    CHECK(dkg_round1(&d, 3, 2));
    const mpc_point *c1 = &d.commit[1 * 2];

    /* another context (session): the proof does not carry over */
    CHECK_ERR(
        mpc_frost_dkg_round1_verify(g, &d.ids[1], c1, 2, &d.pok[1], 2, NULL, 0),
        MPC_ERR_VERIFY);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], c1, 2, &d.pok[1], 2,
                                          CONTEXT, sizeof CONTEXT - 1),
              MPC_ERR_VERIFY);
    /* claimed by another sender */
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[0], c1, 2, &d.pok[1], 2,
                                          CONTEXT, sizeof CONTEXT),
              MPC_ERR_VERIFY);
    /* another party's proof for these commitments */
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], c1, 2, &d.pok[0], 2,
                                          CONTEXT, sizeof CONTEXT),
              MPC_ERR_VERIFY);
    /* mu tampered */
    mpc_frost_pok bad = d.pok[1];
    mpc_scalar_add(g, &bad.mu, &bad.mu, &one);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], c1, 2, &bad, 2, CONTEXT,
                                          sizeof CONTEXT),
              MPC_ERR_VERIFY);
    /* a rogue key: phi0 replaced, the proof kept */
    mpc_point rogue[2] = {d.commit[0], c1[1]};
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], rogue, 2, &d.pok[1], 2,
                                          CONTEXT, sizeof CONTEXT),
              MPC_ERR_VERIFY);
    /* identity R or phi0 (only reachable from code, parsing refuses them) */
    bad = d.pok[1];
    mpc_point_set_identity(g, &bad.r);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], c1, 2, &bad, 2, CONTEXT,
                                          sizeof CONTEXT),
              MPC_ERR_VERIFY);
    mpc_point_set_identity(g, &rogue[0]);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &d.ids[1], rogue, 2, &d.pok[1], 2,
                                          CONTEXT, sizeof CONTEXT),
              MPC_ERR_VERIFY);
}

/* A dealer that sends t+1 commitments would raise the threshold. */
TEST(frost_dkg_threshold_raise_refused)
{
    const mpc_group *g = ed();
    mpc_scalar id, coef[4];
    mpc_point commit[4];
    mpc_frost_pok pok;
    mpc_scalar_set_u64(g, &id, 2);
    CHECK_OK(mpc_frost_dkg_part1(g, coef, commit, &pok, &id, 4, CONTEXT,
                                 sizeof CONTEXT));
    CHECK_OK(mpc_frost_dkg_round1_verify(g, &id, commit, 4, &pok, 4, CONTEXT,
                                         sizeof CONTEXT));
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &id, commit, 4, &pok, 3, CONTEXT,
                                          sizeof CONTEXT),
              MPC_ERR_VERIFY);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &id, commit, 3, &pok, 4, CONTEXT,
                                          sizeof CONTEXT),
              MPC_ERR_VERIFY);

    /* the same through the encoding: a package of t+1 parses, then fails */
    uint8_t pkg[MPC_FROST_DKG_ROUND1_BYTES(4)];
    mpc_point got[4];
    size_t t = 0;
    mpc_frost_pok pok2;
    mpc_frost_dkg_round1_serialize(g, pkg, commit, 4, &pok);
    CHECK_OK(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, pkg, sizeof pkg));
    CHECK(t == 4);
    CHECK_ERR(mpc_frost_dkg_round1_verify(g, &id, got, t, &pok2, 3, CONTEXT,
                                          sizeof CONTEXT),
              MPC_ERR_VERIFY);
    /* more than the receiver has room for is a parse error */
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 3, &t, &pok2, pkg, sizeof pkg),
              MPC_ERR_PARSE);
    CHECK(t == 0 && points_identity(got, 3));
}

TEST(frost_dkg_inconsistent_share_blames_dealer)
{
    const mpc_group *g = ed();
    struct dkg d;
    mpc_frost_key_package kp;
    mpc_point vshares[MAXN];
    size_t culprits[MAXN], nc = 0;
    mpc_scalar recv[MAXN], one;
    mpc_scalar_set_u64(g, &one, 1);
    CHECK(dkg_round1(&d, 4, 3));

    /* dealers 1 and 3 send party 0 bad shares */
    for (size_t j = 0; j < 4; j++)
        recv[j] = d.sent[j][0];
    mpc_scalar_add(g, &recv[1], &recv[1], &one);
    recv[3] = d.sent[3][2]; /* the share meant for someone else */
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, culprits, &nc, d.ids, 4, 0,
                                  3, d.commit, recv),
              MPC_ERR_VERIFY);
    CHECK(nc == 2 && culprits[0] == 1 && culprits[1] == 3);
    CHECK(mpc_scalar_is_zero(&kp.share) && mpc_scalar_is_zero(&kp.id));
    CHECK(kp.threshold == 0 && mpc_point_is_identity(g, &kp.group_pk));
    CHECK(points_identity(vshares, 4));

    /* a dealer whose commitments do not match its polynomial */
    for (size_t j = 0; j < 4; j++)
        recv[j] = d.sent[j][0];
    d.commit[2 * 3 + 1] = d.commit[2 * 3 + 2];
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, culprits, &nc, d.ids, 4, 0,
                                  3, d.commit, recv),
              MPC_ERR_VERIFY);
    CHECK(nc == 1 && culprits[0] == 2);
}

TEST(frost_dkg_misuse)
{
    const mpc_group *g = ed();
    const mpc_group *k1 = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    struct dkg d;
    mpc_scalar coef[3], id, zero, out;
    mpc_point commit[3], vshares[MAXN];
    mpc_frost_pok pok;
    mpc_frost_key_package kp;
    mpc_scalar_set_u64(g, &id, 1);
    mpc_scalar_set_zero(&zero);

    CHECK_ERR(mpc_frost_dkg_part1(g, coef, commit, &pok, &id, 1, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part1(g, coef, commit, &pok, &id,
                                  MPC_FROST_MAX_PARTIES + 1, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part1(g, coef, commit, &pok, &zero, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&coef[0]) && points_identity(commit, 3));
    CHECK(mpc_point_is_identity(g, &pok.r) && mpc_scalar_is_zero(&pok.mu));
    CHECK_ERR(mpc_frost_dkg_part1(g, coef, commit, &pok, &id, 3, NULL, 5),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part1(k1, coef, commit, &pok, &id, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part1(g, coef, commit, NULL, &id, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);

    CHECK_OK(mpc_frost_dkg_part1(g, coef, commit, &pok, &id, 3, NULL, 0));
    CHECK_ERR(
        mpc_frost_dkg_round1_verify(g, &zero, commit, 3, &pok, 3, NULL, 0),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_round1_verify(k1, &id, commit, 3, &pok, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);

    /* a share at zero would be the dealt secret */
    mpc_scalar_set_u64(g, &out, 9);
    CHECK_ERR(mpc_frost_dkg_share(g, &out, coef, 3, &zero),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&out));
    CHECK_ERR(mpc_frost_dkg_share(g, &out, coef, 0, &id), MPC_ERR_INVALID_ARG);

    /* part 3: n < t, self >= n, duplicate or zero ids */
    CHECK(dkg_round1(&d, 3, 2));
    mpc_scalar recv[3] = {d.sent[0][0], d.sent[1][0], d.sent[2][0]};
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, d.ids, 3, 3, 2,
                                  d.commit, recv),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, d.ids, 1, 0, 2,
                                  d.commit, recv),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, d.ids, 3, 0, 1,
                                  d.commit, recv),
              MPC_ERR_INVALID_ARG);
    mpc_scalar ids[3] = {d.ids[0], d.ids[0], d.ids[2]};
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, ids, 3, 0, 2,
                                  d.commit, recv),
              MPC_ERR_INVALID_ARG);
    ids[1] = zero;
    CHECK_ERR(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, ids, 3, 0, 2,
                                  d.commit, recv),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&kp.share) && points_identity(vshares, 3));
    CHECK_OK(mpc_frost_dkg_part3(g, &kp, vshares, NULL, NULL, d.ids, 3, 0, 2,
                                 d.commit, recv));
}

TEST(frost_dkg_codec_rejects_malformed)
{
    const mpc_group *g = ed();
    mpc_scalar id, coef[2];
    mpc_point commit[2], got[4];
    mpc_frost_pok pok, pok2;
    uint8_t pkg[MPC_FROST_DKG_ROUND1_BYTES(2)], bad[sizeof pkg];
    size_t t = 9;
    mpc_scalar_set_u64(g, &id, 1);
    CHECK_OK(mpc_frost_dkg_part1(g, coef, commit, &pok, &id, 2, NULL, 0));
    mpc_frost_dkg_round1_serialize(g, pkg, commit, 2, &pok);

    /* lengths: no commitment, a partial one, nothing at all */
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, pkg + 64, 64),
              MPC_ERR_PARSE);
    CHECK_ERR(
        mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, pkg, sizeof pkg - 1),
        MPC_ERR_PARSE);
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, pkg, 0),
              MPC_ERR_PARSE);
    CHECK(t == 0);

    /* an identity commitment, a small-order R, mu >= L */
    memcpy(bad, pkg, sizeof bad);
    memset(bad + 32, 0, 32);
    bad[32] = 1;
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, bad, sizeof bad),
              MPC_ERR_PARSE);
    CHECK(points_identity(got, 2));
    memcpy(bad, pkg, sizeof bad);
    memset(bad + 64, 0, 32);
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, bad, sizeof bad),
              MPC_ERR_PARSE);
    CHECK(mpc_point_is_identity(g, &pok2.r) && points_identity(got, 2));
    memcpy(bad, pkg, sizeof bad);
    memset(bad + 96, 0xff, 32);
    CHECK_ERR(mpc_frost_dkg_round1_parse(g, got, 4, &t, &pok2, bad, sizeof bad),
              MPC_ERR_PARSE);
    CHECK_ERR(mpc_frost_pok_parse(g, &pok2, bad + 64, 64), MPC_ERR_PARSE);
    CHECK(mpc_scalar_is_zero(&pok2.mu));
    CHECK_ERR(mpc_frost_pok_parse(g, &pok2, pkg + 64, 63), MPC_ERR_PARSE);
    CHECK_OK(mpc_frost_pok_parse(g, &pok2, pkg + 64, 64));
    CHECK_ERR(mpc_frost_pok_parse(NULL, &pok2, pkg + 64, 64),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_frost_dkg_round1_parse(g, got, 4, NULL, &pok2, pkg, sizeof pkg),
        MPC_ERR_INVALID_ARG);
}
