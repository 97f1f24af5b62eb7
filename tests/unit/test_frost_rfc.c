/* lib/frost signing: the RFC 9591 Appendix E.1 vectors (and the
 * big-identifier variant) with every intermediate value, end-to-end signing
 * over every signer subset with and without an HD tweak (checked by
 * libsodium and OpenSSL as plain Ed25519), single-use nonces, identifiable
 * abort, list validation, signing packages (made once per request, bound
 * to it), encodings, and misuse. */
#include <stdlib.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "lib/frost/frost_internal.h"
#include "mpc/frost.h"
#include "mpc/frost_session.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "mpc/session.h"
#include "mpc/vss.h"
#include "tests/harness/test.h"

#define MAXP 8

static const mpc_group *ed(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

/* ---- helpers ------------------------------------------------------------- */

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

static bool scalar_is(const mpc_scalar *s, const char *hex)
{
    uint8_t want[32], got[32];
    REQUIRE(test_unhex(want, sizeof want, hex));
    mpc_scalar_serialize(ed(), got, s);
    REQUIRE(memcmp(got, want, 32) == 0);
    return true;
}

static bool point_is(const mpc_point *p, const char *hex)
{
    uint8_t want[32], got[32];
    REQUIRE(test_unhex(want, sizeof want, hex));
    mpc_point_serialize(ed(), got, p);
    REQUIRE(memcmp(got, want, 32) == 0);
    return true;
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *load_json(const char *path)
{
    size_t len = 0;
    char *buf = test_read_file(path, &len);
    if (buf == NULL)
        return NULL;
    json_t *j = json_loadb(buf, len, 0, NULL);
    free(buf);
    return j;
}

/* Plain Ed25519 verification by two independent implementations. */
static bool ed25519_verifies(const uint8_t sig[64], const mpc_point *pk,
                             const uint8_t *msg, size_t msg_len)
{
    uint8_t pkb[32];
    mpc_point_serialize(ed(), pkb, pk);
    REQUIRE(crypto_sign_verify_detached(sig, msg, msg_len, pkb) == 0);

    EVP_PKEY *key =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pkb, sizeof pkb);
    REQUIRE(key != NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md != NULL &&
              EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestVerify(md, sig, 64, msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    REQUIRE(ok);
    return true;
}

/* A trusted-dealer key (RFC 9591 App. C): ids 1..n, threshold t. */
struct dealt {
    size_t n, t;
    mpc_scalar secret;
    mpc_point pk;
    mpc_frost_key_package key[MAXP];
    mpc_point vshare[MAXP];
};

static void deal(const mpc_group *g, struct dealt *d, size_t n, size_t t)
{
    mpc_scalar coef[MAXP];
    d->n = n;
    d->t = t;
    mpc_poly_random(g, coef, t, NULL);
    d->secret = coef[0];
    mpc_point_mul_base(g, &d->pk, &d->secret);
    for (size_t i = 0; i < n; i++) {
        mpc_frost_key_package *k = &d->key[i];
        mpc_scalar_set_u64(g, &k->id, i + 1);
        mpc_poly_eval(g, &k->share, coef, t, &k->id);
        k->group_pk = d->pk;
        k->threshold = t;
        mpc_point_mul_base(g, &d->vshare[i], &k->share);
    }
    for (size_t k = 0; k < t; k++)
        mpc_scalar_clear(&coef[k]);
}

/* One signing run by the parties sel[0..m) (sorted), everything in order. */
struct run {
    size_t m;
    mpc_frost_nonce nonce[MAXP];
    mpc_frost_commitment list[MAXP];
    mpc_scalar z[MAXP];
    mpc_point vshare[MAXP];
};

static bool run_commit(const mpc_group *g, struct run *r, const struct dealt *d,
                       const size_t *sel, size_t m)
{
    r->m = m;
    for (size_t k = 0; k < m; k++) {
        REQUIRE_OK(
            mpc_frost_commit(g, &r->nonce[k], &r->list[k], &d->key[sel[k]]));
        r->vshare[k] = d->vshare[sel[k]];
    }
    return true;
}

static bool run_sign(const mpc_group *g, struct run *r, const struct dealt *d,
                     const size_t *sel, const mpc_scalar *tweak,
                     const uint8_t *msg, size_t msg_len)
{
    for (size_t k = 0; k < r->m; k++)
        REQUIRE_OK(mpc_frost_sign(g, &r->z[k], &r->nonce[k], &d->key[sel[k]],
                                  tweak, msg, msg_len, r->list, r->m));
    return true;
}

static const uint8_t MSG[] = "transfer 1 SOL to mpcium";

/* ---- RFC 9591 Appendix E.1 ----------------------------------------------- */

static bool check_vector(const char *path)
{
    const mpc_group *g = ed();
    json_t *j = load_json(path);
    REQUIRE(j != NULL);
    json_t *in = json_object_get(j, "inputs");
    json_t *cfg = json_object_get(j, "config");
    size_t t = (size_t)strtoul(jstr(cfg, "MIN_PARTICIPANTS"), NULL, 10);
    REQUIRE(t == 2);

    /* Trusted dealer: f(x) = sk + a1*x reproduces every listed share. */
    mpc_scalar coef[2], share;
    mpc_point pk;
    REQUIRE(scalar_hex(&coef[0], jstr(in, "group_secret_key")));
    REQUIRE(scalar_hex(
        &coef[1],
        json_string_value(json_array_get(
            json_object_get(in, "share_polynomial_coefficients"), 0))));
    REQUIRE(point_hex(&pk, jstr(in, "verifying_key_key")));
    mpc_point sk_b;
    mpc_point_mul_base(g, &sk_b, &coef[0]);
    REQUIRE(mpc_point_eq(g, &sk_b, &pk));
    json_t *shares = json_object_get(in, "participant_shares");
    for (size_t i = 0; i < json_array_size(shares); i++) {
        json_t *s = json_array_get(shares, i);
        mpc_scalar id;
        mpc_scalar_set_u64(
            g, &id,
            (uint64_t)json_integer_value(json_object_get(s, "identifier")));
        mpc_poly_eval(g, &share, coef, 2, &id);
        REQUIRE(scalar_is(&share, jstr(s, "participant_share")));
    }

    size_t len = 0;
    uint8_t msg[64];
    const char *msg_hex = jstr(in, "message");
    len = strlen(msg_hex) / 2;
    REQUIRE(len <= sizeof msg && test_unhex(msg, len, msg_hex));

    /* Round one: nonces and commitments from the given randomness. */
    json_t *r1 =
        json_object_get(json_object_get(j, "round_one_outputs"), "outputs");
    size_t m = json_array_size(r1);
    REQUIRE(m >= 2 && m <= MAXP);
    mpc_frost_key_package key[MAXP];
    mpc_frost_nonce nonce[MAXP];
    mpc_frost_commitment list[MAXP];
    mpc_point vshare[MAXP];
    uint8_t hr[MAXP][32], br[MAXP][32];
    for (size_t k = 0; k < m; k++) {
        json_t *o = json_array_get(r1, k);
        REQUIRE(test_unhex(hr[k], 32, jstr(o, "hiding_nonce_randomness")));
        REQUIRE(test_unhex(br[k], 32, jstr(o, "binding_nonce_randomness")));
        mpc_scalar_set_u64(
            g, &key[k].id,
            (uint64_t)json_integer_value(json_object_get(o, "identifier")));
        mpc_poly_eval(g, &key[k].share, coef, 2, &key[k].id);
        key[k].group_pk = pk;
        key[k].threshold = t;
        mpc_point_mul_base(g, &vshare[k], &key[k].share);

        REQUIRE_OK(mpc_frost_commit_with_random(g, &nonce[k], &list[k], &key[k],
                                                hr[k], br[k]));
        REQUIRE(scalar_is(&nonce[k].hiding, jstr(o, "hiding_nonce")));
        REQUIRE(scalar_is(&nonce[k].binding, jstr(o, "binding_nonce")));
        REQUIRE(point_is(&list[k].hiding, jstr(o, "hiding_nonce_commitment")));
        REQUIRE(
            point_is(&list[k].binding, jstr(o, "binding_nonce_commitment")));
    }

    /* Binding factors and their inputs. */
    mpc_scalar rho[MAXP];
    REQUIRE_OK(mpc_frost_binding_factors(g, rho, &pk, NULL, msg, len, list, m));
    for (size_t k = 0; k < m; k++) {
        json_t *o = json_array_get(r1, k);
        uint8_t want[MPC_FROST_BINDING_INPUT_BYTES];
        uint8_t got[MPC_FROST_BINDING_INPUT_BYTES];
        REQUIRE(test_unhex(want, sizeof want, jstr(o, "binding_factor_input")));
        REQUIRE_OK(mpc_frost_binding_factor_input(g, got, &pk, NULL, msg, len,
                                                  list, m, k));
        REQUIRE(memcmp(got, want, sizeof want) == 0);
        REQUIRE(scalar_is(&rho[k], jstr(o, "binding_factor")));
    }

    /* Round two: signature shares, each verifying. */
    json_t *r2 =
        json_object_get(json_object_get(j, "round_two_outputs"), "outputs");
    REQUIRE(json_array_size(r2) == m);
    mpc_scalar z[MAXP];
    for (size_t k = 0; k < m; k++) {
        REQUIRE_OK(mpc_frost_sign(g, &z[k], &nonce[k], &key[k], NULL, msg, len,
                                  list, m));
        REQUIRE(scalar_is(&z[k], jstr(json_array_get(r2, k), "sig_share")));
        REQUIRE_OK(mpc_frost_verify_share(g, &key[k].id, &z[k], &vshare[k], &pk,
                                          NULL, msg, len, list, m));
    }

    /* The group commitment is R of the final signature; the challenge is
     * RFC 8032's, so z*B == R + c*PK. */
    mpc_point r;
    mpc_scalar c;
    REQUIRE_OK(mpc_frost_group_commitment(g, &r, list, rho, m));
    REQUIRE_OK(mpc_frost_challenge(g, &c, &r, &pk, NULL, msg, len));

    uint8_t sig[64], want_sig[64];
    size_t culprits[MAXP], n_culprits = 99;
    REQUIRE(test_unhex(want_sig, 64,
                       jstr(json_object_get(j, "final_output"), "sig")));
    REQUIRE_OK(mpc_frost_aggregate(g, sig, culprits, &n_culprits, z, vshare,
                                   &pk, NULL, msg, len, list, m));
    REQUIRE(n_culprits == 0);
    REQUIRE(memcmp(sig, want_sig, 64) == 0);
    uint8_t rb[32];
    mpc_point_serialize(g, rb, &r);
    REQUIRE(memcmp(rb, sig, 32) == 0);
    REQUIRE(ed25519_verifies(sig, &pk, msg, len));

    /* Without share verification the result is the same. */
    REQUIRE_OK(mpc_frost_aggregate(g, sig, NULL, NULL, z, NULL, &pk, NULL, msg,
                                   len, list, m));
    REQUIRE(memcmp(sig, want_sig, 64) == 0);

    /* The same values from one signing package: R, c, every share (the
     * nonces made again from the same randomness) and the signature. */
    mpc_frost_signing_package pkg, mine;
    REQUIRE_OK(
        mpc_frost_signing_package_init(g, &pkg, &pk, NULL, msg, len, list, m));
    REQUIRE(mpc_point_eq(g, &pkg.r, &r) && mpc_scalar_eq(&pkg.c, &c));
    REQUIRE(mpc_point_eq(g, &pkg.pk, &pk));
    for (size_t k = 0; k < m; k++) {
        mpc_frost_commitment com;
        mpc_scalar zk;
        REQUIRE_OK(mpc_frost_commit_with_random(g, &nonce[k], &com, &key[k],
                                                hr[k], br[k]));
        /* a signer's own package, its term from the nonce, is the same */
        REQUIRE_OK(mpc_frost_signing_package_init_signer(
            g, &mine, &nonce[k], &pk, NULL, msg, len, list, m));
        REQUIRE(mpc_point_eq(g, &mine.r, &r) && mpc_scalar_eq(&mine.c, &c));
        REQUIRE(mpc_frost_nonce_is_fresh(&nonce[k]));
        REQUIRE_OK(mpc_frost_signing_package_sign(g, &zk, &nonce[k], &key[k],
                                                  &pkg, list, m));
        REQUIRE(mpc_scalar_eq(&zk, &z[k]));
        REQUIRE_OK(mpc_frost_signing_package_verify_share(
            g, &key[k].id, &z[k], &vshare[k], &pkg, list, m));
    }
    n_culprits = 99;
    REQUIRE_OK(mpc_frost_signing_package_aggregate(
        g, sig, culprits, &n_culprits, z, vshare, &pkg, msg, len, list, m));
    REQUIRE(n_culprits == 0);
    REQUIRE(memcmp(sig, want_sig, 64) == 0);
    json_decref(j);
    return true;
}

TEST(frost_rfc9591_e1_vectors)
{
    CHECK(check_vector("tests/vectors/frost-ed25519-vectors.json"));
}

TEST(frost_rfc9591_big_identifier_vectors)
{
    CHECK(check_vector(
        "tests/vectors/frost-ed25519-vectors-big-identifier.json"));
}

/* ---- end to end ---------------------------------------------------------- */

/* Every subset of at least t of the n parties signs; with an HD tweak too. */
static bool sign_every_subset(size_t n, size_t t, const mpc_scalar *tweak)
{
    const mpc_group *g = ed();
    struct dealt d;
    deal(g, &d, n, t);
    mpc_point pk = d.pk;
    if (tweak != NULL) {
        mpc_point tb;
        mpc_point_mul_base(g, &tb, tweak);
        mpc_point_add(g, &pk, &pk, &tb);
    }
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        size_t sel[MAXP], m = 0;
        for (size_t i = 0; i < n; i++)
            if (mask & (1u << i))
                sel[m++] = i;
        if (m < t)
            continue;
        struct run r;
        uint8_t sig[64];
        REQUIRE(run_commit(g, &r, &d, sel, m));
        REQUIRE(run_sign(g, &r, &d, sel, tweak, MSG, sizeof MSG));
        REQUIRE_OK(mpc_frost_aggregate(g, sig, NULL, NULL, r.z, r.vshare, &d.pk,
                                       tweak, MSG, sizeof MSG, r.list, m));
        REQUIRE(ed25519_verifies(sig, &pk, MSG, sizeof MSG));
        for (size_t k = 0; k < m; k++)
            REQUIRE_OK(mpc_frost_verify_share(g, &r.list[k].id, &r.z[k],
                                              &r.vshare[k], &d.pk, tweak, MSG,
                                              sizeof MSG, r.list, m));
    }
    return true;
}

TEST(frost_sign_every_subset_2_of_3)
{
    CHECK(sign_every_subset(3, 2, NULL));
}

TEST(frost_sign_every_subset_3_of_5)
{
    CHECK(sign_every_subset(5, 3, NULL));
}

TEST(frost_sign_hd_tweak_every_subset_3_of_5)
{
    mpc_scalar delta;
    mpc_scalar_random(ed(), &delta);
    CHECK(sign_every_subset(5, 3, &delta));
}

/* The mpcium Ed25519 derivation KAT (crypto.md §4.2): the master key is
 * split 2-of-3, the path's delta goes in as the tweak, and the signature
 * verifies under the KAT's child key. */
TEST(frost_sign_hd_child_key_mpcium_kat)
{
    const mpc_group *g = ed();
    json_t *j = load_json("tests/vectors/hd-mpcium.json");
    CHECK(j != NULL);
    json_t *kat = NULL, *all = json_object_get(j, "kat");
    for (size_t i = 0; i < json_array_size(all); i++)
        if (strcmp(jstr(json_array_get(all, i), "curve"), "ed25519") == 0)
            kat = json_array_get(all, i);
    CHECK(kat != NULL);

    struct dealt d;
    mpc_scalar coef[2];
    CHECK(scalar_hex(&coef[0], jstr(kat, "master_sk")));
    mpc_scalar_random(g, &coef[1]);
    d.n = 3;
    d.t = 2;
    mpc_point_mul_base(g, &d.pk, &coef[0]);
    CHECK(point_is(&d.pk, jstr(kat, "master_pub")));
    for (size_t i = 0; i < 3; i++) {
        mpc_scalar_set_u64(g, &d.key[i].id, i + 1);
        mpc_poly_eval(g, &d.key[i].share, coef, 2, &d.key[i].id);
        d.key[i].group_pk = d.pk;
        d.key[i].threshold = 2;
        mpc_point_mul_base(g, &d.vshare[i], &d.key[i].share);
    }

    uint8_t cc[32];
    uint32_t path[8];
    json_t *jp = json_object_get(kat, "path");
    size_t plen = json_array_size(jp);
    CHECK(plen <= 8 && test_unhex(cc, 32, jstr(kat, "chain_code")));
    for (size_t i = 0; i < plen; i++)
        path[i] = (uint32_t)json_integer_value(json_array_get(jp, i));
    mpc_hd_child child;
    CHECK_OK(mpc_hd_derive(g, &child, &d.pk, cc, path, plen));
    CHECK(scalar_is(&child.delta, jstr(kat, "delta")));
    CHECK(point_is(&child.pub, jstr(kat, "child_pub")));

    struct run r;
    size_t sel[] = {1, 2};
    uint8_t sig[64];
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(run_sign(g, &r, &d, sel, &child.delta, MSG, sizeof MSG));
    CHECK_OK(mpc_frost_aggregate(g, sig, NULL, NULL, r.z, r.vshare, &d.pk,
                                 &child.delta, MSG, sizeof MSG, r.list, 2));
    CHECK(ed25519_verifies(sig, &child.pub, MSG, sizeof MSG));
    json_decref(j);
}

TEST(frost_sign_empty_message)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 2};
    uint8_t sig[64];
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(run_sign(g, &r, &d, sel, NULL, NULL, 0));
    CHECK_OK(mpc_frost_aggregate(g, sig, NULL, NULL, r.z, r.vshare, &d.pk, NULL,
                                 NULL, 0, r.list, 2));
    CHECK(ed25519_verifies(sig, &d.pk, (const uint8_t *)"", 0));
}

/* The tweak must match between signers and aggregator. */
TEST(frost_sign_tweak_mismatch_fails)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    uint8_t sig[64], zero[64] = {0};
    size_t culprits[2], nc = 0;
    mpc_scalar delta;
    mpc_scalar_random(g, &delta);
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(run_sign(g, &r, &d, sel, &delta, MSG, sizeof MSG));
    CHECK_ERR(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, r.vshare, &d.pk,
                                  NULL, MSG, sizeof MSG, r.list, 2),
              MPC_ERR_VERIFY);
    CHECK(nc == 2);
    CHECK(memcmp(sig, zero, 64) == 0);
}

/* ---- single-use nonces --------------------------------------------------- */

TEST(frost_nonce_second_use_is_state_error)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    mpc_frost_nonce copy = r.nonce[0]; /* what the header forbids */
    mpc_scalar z, zero;
    mpc_scalar_set_zero(&zero);
    CHECK_OK(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                            sizeof MSG, r.list, 2));
    /* consumed: wiped */
    mpc_frost_nonce wiped;
    memset(&wiped, 0, sizeof wiped);
    CHECK(memcmp(&r.nonce[0], &wiped, sizeof wiped) == 0);
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_STATE);
    CHECK(mpc_scalar_eq(&z, &zero));
    /* a never-made nonce is refused the same way */
    CHECK_ERR(mpc_frost_sign(g, &z, &wiped, &d.key[0], NULL, MSG, sizeof MSG,
                             r.list, 2),
              MPC_ERR_STATE);
    mpc_frost_nonce_clear(&copy);
    CHECK_ERR(mpc_frost_sign(g, &z, &copy, &d.key[0], NULL, MSG, sizeof MSG,
                             r.list, 2),
              MPC_ERR_STATE);
}

/* A failed sign still consumes the nonce: a retry needs a new commitment. */
TEST(frost_nonce_consumed_on_error)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_scalar z;
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 1),
              MPC_ERR_PROTOCOL);
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_STATE);
}

/* ---- commitment list validation ----------------------------------------- */

/* Ways a coordinator (or a buggy caller) can spoil the list. */
enum spoil {
    SPOIL_MISSING_SELF,
    SPOIL_DUPLICATE,
    SPOIL_UNSORTED,
    SPOIL_ZERO_ID,
    SPOIL_IDENTITY,
    SPOIL_BELOW_THRESHOLD,
    SPOIL_EMPTY,
    SPOIL_REPLACED_SELF,
    SPOIL_TOO_MANY,
};

/* Parties 1, 2, 3 of a 2-of-4 key commit; party 1 signs a spoiled list. */
static bool sign_spoiled_list(enum spoil how)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1, 2};
    mpc_frost_commitment l[3];
    size_t n = 3;
    mpc_scalar z;

    deal(g, &d, 4, 2);
    REQUIRE(run_commit(g, &r, &d, sel, 3));
    memcpy(l, r.list, sizeof l);
    switch (how) {
    case SPOIL_MISSING_SELF:
        l[0] = r.list[1];
        l[1] = r.list[2];
        n = 2;
        break;
    case SPOIL_DUPLICATE:
        l[2] = r.list[1];
        break;
    case SPOIL_UNSORTED:
        l[1] = r.list[2];
        l[2] = r.list[1];
        break;
    case SPOIL_ZERO_ID:
        mpc_scalar_set_zero(&l[0].id);
        break;
    case SPOIL_IDENTITY:
        mpc_point_set_identity(g, &l[2].binding);
        break;
    case SPOIL_BELOW_THRESHOLD:
        n = 1;
        break;
    case SPOIL_EMPTY:
        n = 0;
        break;
    case SPOIL_REPLACED_SELF:
        l[0].binding = r.list[1].binding;
        break;
    case SPOIL_TOO_MANY:
        n = MPC_FROST_MAX_PARTIES + 1; /* refused before it is read */
        break;
    }
    mpc_scalar_set_u64(g, &z, 7);
    REQUIRE(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG, sizeof MSG,
                           l, n) == MPC_ERR_PROTOCOL);
    REQUIRE(mpc_scalar_is_zero(&z));
    REQUIRE(r.nonce[0].magic == 0);
    /* a malformed list is refused by the aggregator and verifier too */
    bool malformed = how != SPOIL_MISSING_SELF &&
                     how != SPOIL_BELOW_THRESHOLD && how != SPOIL_REPLACED_SELF;
    if (malformed) {
        uint8_t sig[64];
        memset(r.z, 0, sizeof r.z);
        REQUIRE(mpc_frost_aggregate(g, sig, NULL, NULL, r.z, NULL, &d.pk, NULL,
                                    MSG, sizeof MSG, l, n) == MPC_ERR_PROTOCOL);
        REQUIRE(mpc_frost_verify_share(g, &d.key[1].id, &r.z[0], &d.vshare[1],
                                       &d.pk, NULL, MSG, sizeof MSG, l,
                                       n) == MPC_ERR_PROTOCOL);
    }
    return true;
}

TEST(frost_sign_rejects_spoiled_lists)
{
    CHECK(sign_spoiled_list(SPOIL_MISSING_SELF));
    CHECK(sign_spoiled_list(SPOIL_DUPLICATE));
    CHECK(sign_spoiled_list(SPOIL_UNSORTED));
    CHECK(sign_spoiled_list(SPOIL_ZERO_ID));
    CHECK(sign_spoiled_list(SPOIL_IDENTITY));
    CHECK(sign_spoiled_list(SPOIL_BELOW_THRESHOLD));
    CHECK(sign_spoiled_list(SPOIL_EMPTY));
    CHECK(sign_spoiled_list(SPOIL_REPLACED_SELF));
    CHECK(sign_spoiled_list(SPOIL_TOO_MANY));
}

/* A placeholder commitment for party `id`. */
static mpc_frost_commitment com_for(uint64_t id)
{
    const mpc_group *g = ed();
    mpc_frost_commitment c;
    mpc_scalar two;
    mpc_scalar_set_u64(g, &c.id, id);
    mpc_point_generator(g, &c.hiding);
    mpc_scalar_set_u64(g, &two, 2);
    mpc_point_mul_base(g, &c.binding, &two);
    return c;
}

TEST(frost_sign_rejects_oversized_list)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_scalar z;
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, MPC_FROST_MAX_PARTIES + 1),
              MPC_ERR_PROTOCOL);
}

TEST(frost_commitment_list_check_signer_set)
{
    const mpc_group *g = ed();
    mpc_frost_commitment l[3] = {com_for(1), com_for(3), com_for(4)};
    mpc_scalar s[3];
    mpc_scalar_set_u64(g, &s[0], 1);
    mpc_scalar_set_u64(g, &s[1], 3);
    mpc_scalar_set_u64(g, &s[2], 4);
    CHECK_OK(mpc_frost_commitment_list_check(g, l, 3, NULL, 0));
    CHECK_OK(mpc_frost_commitment_list_check(g, l, 3, s, 3));
    /* a party the signer did not agree to */
    mpc_scalar_set_u64(g, &s[1], 2);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 3, s, 3), MPC_ERR_PROTOCOL);
    /* a party dropped */
    mpc_scalar_set_u64(g, &s[1], 3);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 2, s, 3), MPC_ERR_PROTOCOL);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 3, s, 2), MPC_ERR_PROTOCOL);
    /* the agreed set itself must be sorted and non-zero */
    mpc_scalar_set_u64(g, &s[1], 5);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 3, s, 3),
              MPC_ERR_INVALID_ARG);
    mpc_scalar_set_zero(&s[0]);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 3, s, 3),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commitment_list_check(g, l, 3, s, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commitment_list_check(NULL, l, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commitment_list_check(g, NULL, 3, NULL, 0),
              MPC_ERR_INVALID_ARG);
}

/* ---- identifiable abort -------------------------------------------------- */

TEST(frost_aggregate_names_culprits)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 2, 3, 4};
    uint8_t sig[64], zero[64] = {0};
    size_t culprits[4], nc = 0;
    mpc_scalar one;
    mpc_scalar_set_u64(g, &one, 1);
    deal(g, &d, 5, 3);
    CHECK(run_commit(g, &r, &d, sel, 4));
    CHECK(run_sign(g, &r, &d, sel, NULL, MSG, sizeof MSG));

    /* signers at list indices 1 and 3 send wrong shares */
    mpc_scalar_add(g, &r.z[1], &r.z[1], &one);
    mpc_scalar_add(g, &r.z[3], &r.z[3], &one);
    CHECK_ERR(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, r.vshare, &d.pk,
                                  NULL, MSG, sizeof MSG, r.list, 4),
              MPC_ERR_VERIFY);
    CHECK(nc == 2 && culprits[0] == 1 && culprits[1] == 3);
    CHECK(memcmp(sig, zero, 64) == 0);
    CHECK_ERR(mpc_frost_verify_share(g, &r.list[1].id, &r.z[1], &r.vshare[1],
                                     &d.pk, NULL, MSG, sizeof MSG, r.list, 4),
              MPC_ERR_VERIFY);
    CHECK_OK(mpc_frost_verify_share(g, &r.list[2].id, &r.z[2], &r.vshare[2],
                                    &d.pk, NULL, MSG, sizeof MSG, r.list, 4));

    /* without verifying shares: the bad signature is caught, nobody named */
    CHECK_ERR(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, NULL, &d.pk, NULL,
                                  MSG, sizeof MSG, r.list, 4),
              MPC_ERR_VERIFY);
    CHECK(nc == 0 && culprits[0] == 0);
    CHECK(memcmp(sig, zero, 64) == 0);

    /* a share computed for another message is named too */
    mpc_scalar_sub(g, &r.z[1], &r.z[1], &one);
    mpc_scalar_sub(g, &r.z[3], &r.z[3], &one);
    CHECK_OK(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, r.vshare, &d.pk,
                                 NULL, MSG, sizeof MSG, r.list, 4));
    CHECK_ERR(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, r.vshare, &d.pk,
                                  NULL, MSG, sizeof MSG - 1, r.list, 4),
              MPC_ERR_VERIFY);
    CHECK(nc == 4);
}

/* Shares that each verify but come from fewer than t signers. */
TEST(frost_aggregate_below_threshold_fails)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    uint8_t sig[64];
    size_t culprits[2], nc = 9;
    deal(g, &d, 5, 3);
    CHECK(run_commit(g, &r, &d, sel, 2));
    /* each signer refuses a list below its threshold... */
    mpc_scalar z;
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_PROTOCOL);
    /* ...and a key package lying about t gives shares that do not sum */
    mpc_frost_key_package k2[2] = {d.key[0], d.key[1]};
    k2[0].threshold = k2[1].threshold = 2;
    CHECK(run_commit(g, &r, &d, sel, 2));
    for (size_t k = 0; k < 2; k++)
        CHECK_OK(mpc_frost_sign(g, &r.z[k], &r.nonce[k], &k2[k], NULL, MSG,
                                sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_aggregate(g, sig, culprits, &nc, r.z, r.vshare, &d.pk,
                                  NULL, MSG, sizeof MSG, r.list, 2),
              MPC_ERR_VERIFY);
    CHECK(nc == 0);
}

TEST(frost_verify_share_signer_not_in_list)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_scalar other;
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(run_sign(g, &r, &d, sel, NULL, MSG, sizeof MSG));
    mpc_scalar_set_u64(g, &other, 3);
    CHECK_ERR(mpc_frost_verify_share(g, &other, &r.z[0], &r.vshare[0], &d.pk,
                                     NULL, MSG, sizeof MSG, r.list, 2),
              MPC_ERR_PROTOCOL);
    /* another signer's verifying share */
    CHECK_ERR(mpc_frost_verify_share(g, &r.list[0].id, &r.z[0], &r.vshare[1],
                                     &d.pk, NULL, MSG, sizeof MSG, r.list, 2),
              MPC_ERR_VERIFY);
}

/* ---- signing packages ---------------------------------------------------- */

/* Every subset of at least 3 of 5 signs from one package per request, with
 * an HD tweak; every signer's own package equals the public one. */
TEST(frost_signing_package_every_subset_3_of_5_tweaked)
{
    const mpc_group *g = ed();
    struct dealt d;
    mpc_scalar delta;
    mpc_point child, tb;
    mpc_scalar_random(g, &delta);
    deal(g, &d, 5, 3);
    mpc_point_mul_base(g, &tb, &delta);
    mpc_point_add(g, &child, &d.pk, &tb);
    for (unsigned mask = 1; mask < 32u; mask++) {
        size_t sel[MAXP], m = 0;
        for (size_t i = 0; i < 5; i++)
            if (mask & (1u << i))
                sel[m++] = i;
        if (m < 3)
            continue;
        struct run r;
        mpc_frost_signing_package pkg, mine;
        uint8_t sig[64];
        size_t culprits[MAXP], nc = 9;
        CHECK(run_commit(g, &r, &d, sel, m));
        CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, &delta, MSG,
                                                sizeof MSG, r.list, m));
        CHECK(mpc_point_eq(g, &pkg.pk, &child));
        for (size_t k = 0; k < m; k++) {
            CHECK_OK(mpc_frost_signing_package_init_signer(
                g, &mine, &r.nonce[k], &d.pk, &delta, MSG, sizeof MSG, r.list,
                m));
            CHECK(mpc_point_eq(g, &mine.r, &pkg.r));
            CHECK(mpc_scalar_eq(&mine.c, &pkg.c));
            CHECK_OK(mpc_frost_signing_package_sign(
                g, &r.z[k], &r.nonce[k], &d.key[sel[k]], &pkg, r.list, m));
            CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[k]));
        }
        for (size_t k = 0; k < m; k++)
            CHECK_OK(mpc_frost_signing_package_verify_share(
                g, &r.list[k].id, &r.z[k], &r.vshare[k], &pkg, r.list, m));
        CHECK_OK(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, r.z,
                                                     r.vshare, &pkg, MSG,
                                                     sizeof MSG, r.list, m));
        CHECK(nc == 0);
        CHECK(ed25519_verifies(sig, &child, MSG, sizeof MSG));
    }
}

/* A package answers one request only: another list, message or key is
 * refused, and a share made from another message does not verify. */
TEST(frost_signing_package_is_bound_to_its_request)
{
    static const uint8_t MSG2[] = "transfer 2 SOL to mpcium";
    const mpc_group *g = ed();
    struct dealt d, other;
    struct run r, r2;
    size_t sel[] = {0, 1};
    mpc_frost_signing_package pkg, pkg2, pkg_msg2;
    mpc_scalar z, z2[2];
    uint8_t sig[64], zero[64] = {0};
    size_t culprits[2], nc = 0;
    deal(g, &d, 3, 2);
    deal(g, &other, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(run_commit(g, &r2, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg2, &d.pk, NULL, MSG,
                                            sizeof MSG, r2.list, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg_msg2, &d.pk, NULL, MSG2,
                                            sizeof MSG2, r.list, 2));
    CHECK(!mpc_point_eq(g, &pkg.r, &pkg2.r));

    /* another list: refused, the nonce consumed all the same */
    mpc_scalar_set_u64(g, &z, 7);
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[0], &d.key[0],
                                             &pkg2, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&z));
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[0]));
    /* its own list cut short, or changed after the package was made */
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r2.nonce[0], &d.key[0],
                                             &pkg2, r2.list, 1),
              MPC_ERR_INVALID_ARG);
    mpc_frost_commitment changed[2] = {r2.list[0], r2.list[1]};
    changed[1].binding = r2.list[0].binding;
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  g, &changed[0].id, &z, &d.vshare[0], &pkg2, changed, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, r2.z,
                                                  NULL, &pkg2, MSG, sizeof MSG,
                                                  changed, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(memcmp(sig, zero, 64) == 0 && nc == 0);

    /* another group key: refused */
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    mpc_frost_key_package wrong = d.key[0];
    wrong.group_pk = other.pk;
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[0], &wrong, &pkg,
                                             r.list, 2),
              MPC_ERR_INVALID_ARG);

    /* another message: shares for MSG2 over r's list... */
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg_msg2, &d.pk, NULL, MSG2,
                                            sizeof MSG2, r.list, 2));
    for (size_t k = 0; k < 2; k++)
        CHECK_OK(mpc_frost_signing_package_sign(
            g, &z2[k], &r.nonce[k], &d.key[k], &pkg_msg2, r.list, 2));
    /* ...do not verify against MSG's package, and every signer is named */
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  g, &r.list[0].id, &z2[0], &d.vshare[0], &pkg, r.list, 2),
              MPC_ERR_VERIFY);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, z2,
                                                  r.vshare, &pkg, MSG,
                                                  sizeof MSG, r.list, 2),
              MPC_ERR_VERIFY);
    CHECK(nc == 2 && culprits[0] == 0 && culprits[1] == 1);
    CHECK(memcmp(sig, zero, 64) == 0);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, z2,
                                                  NULL, &pkg, MSG, sizeof MSG,
                                                  r.list, 2),
              MPC_ERR_VERIFY);
    CHECK(nc == 0 && memcmp(sig, zero, 64) == 0);
    /* a message other than the package's is refused by the aggregator */
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, z2,
                                                  r.vshare, &pkg_msg2, MSG,
                                                  sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(nc == 0 && memcmp(sig, zero, 64) == 0);
    CHECK_OK(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, z2,
                                                 r.vshare, &pkg_msg2, MSG2,
                                                 sizeof MSG2, r.list, 2));
    CHECK(ed25519_verifies(sig, &d.pk, MSG2, sizeof MSG2));
}

/* A package with a tweak signs for the child key only. */
TEST(frost_signing_package_tweak_mismatch_fails)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {1, 2};
    mpc_scalar delta;
    mpc_frost_signing_package tweaked, plain;
    uint8_t sig[64];
    size_t culprits[2], nc = 0;
    mpc_scalar_random(g, &delta);
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &tweaked, &d.pk, &delta, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &plain, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    for (size_t k = 0; k < 2; k++)
        CHECK_OK(mpc_frost_signing_package_sign(
            g, &r.z[k], &r.nonce[k], &d.key[sel[k]], &tweaked, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, r.z,
                                                  r.vshare, &plain, MSG,
                                                  sizeof MSG, r.list, 2),
              MPC_ERR_VERIFY);
    CHECK(nc == 2);
    CHECK_OK(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, r.z,
                                                 r.vshare, &tweaked, MSG,
                                                 sizeof MSG, r.list, 2));
    CHECK(ed25519_verifies(sig, &tweaked.pk, MSG, sizeof MSG));
}

/* A reset package: what a failed init leaves. */
static bool package_is_reset(const mpc_frost_signing_package *pkg)
{
    const mpc_group *g = ed();
    REQUIRE(mpc_point_is_identity(g, &pkg->pk));
    REQUIRE(mpc_point_is_identity(g, &pkg->r));
    REQUIRE(mpc_scalar_is_zero(&pkg->c));
    REQUIRE(pkg->magic == 0 && pkg->n == 0);
    return true;
}

TEST(frost_signing_package_misuse)
{
    const mpc_group *g = ed();
    const mpc_group *k1 = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_frost_signing_package pkg, bad;
    mpc_scalar z, neg;
    uint8_t sig[64], zero[64] = {0};
    size_t culprits[2] = {5, 5}, nc = 9;
    deal(g, &d, 3, 2);
    mpc_scalar_neg(g, &neg, &d.secret);
    CHECK(run_commit(g, &r, &d, sel, 2));

    /* init: each error resets the package */
    CHECK_ERR(mpc_frost_signing_package_init(g, NULL, &d.pk, NULL, MSG,
                                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_init(k1, &bad, &d.pk, NULL, MSG,
                                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_init(NULL, &bad, &d.pk, NULL, MSG,
                                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, NULL, NULL, MSG,
                                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(package_is_reset(&bad));
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, MSG,
                                             sizeof MSG, NULL, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, NULL, 3,
                                             r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, &d.pk, &neg, MSG,
                                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(package_is_reset(&bad));
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, MSG,
                                             sizeof MSG, r.list, 0),
              MPC_ERR_PROTOCOL);
    CHECK(package_is_reset(&bad));
    mpc_frost_commitment twice[2] = {r.list[0], r.list[0]};
    CHECK_ERR(mpc_frost_signing_package_init(g, &bad, &d.pk, NULL, MSG,
                                             sizeof MSG, twice, 2),
              MPC_ERR_PROTOCOL);
    CHECK(package_is_reset(&bad));
    CHECK_ERR(mpc_frost_signing_package_init_signer(g, &bad, NULL, &d.pk, NULL,
                                                    MSG, sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(package_is_reset(&bad));

    /* a failed (reset) or zero-filled package is refused everywhere */
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    mpc_scalar_set_u64(g, &z, 7);
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[0], &d.key[0],
                                             &bad, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&z) && !mpc_frost_nonce_is_fresh(&r.nonce[0]));
    bad = pkg;
    bad.magic = 0; /* only init makes a package */
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], &d.key[1],
                                             &bad, r.list, 2),
              MPC_ERR_INVALID_ARG);
    memset(&bad, 0, sizeof bad);
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  g, &r.list[1].id, &z, &d.vshare[1], &bad, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, culprits, &nc, r.z,
                                                  NULL, &bad, MSG, sizeof MSG,
                                                  r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(memcmp(sig, zero, 64) == 0 && nc == 0);
    CHECK(culprits[0] == 0 && culprits[1] == 0);

    /* sign: the nonce is consumed by every call that reaches it */
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[1]));
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], &d.key[1],
                                             &pkg, r.list, 2),
              MPC_ERR_STATE);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], &d.key[1],
                                             NULL, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[1]));
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_sign(g, NULL, &r.nonce[0], &d.key[0],
                                             &pkg, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[0]));
    CHECK_ERR(
        mpc_frost_signing_package_sign(g, &z, NULL, &d.key[0], &pkg, r.list, 2),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], NULL, &pkg,
                                             r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_sign(k1, &z, &r.nonce[0], &d.key[0],
                                             &pkg, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], &d.key[1],
                                             &pkg, NULL, 2),
              MPC_ERR_INVALID_ARG);
    /* a nonce for another signer, and a list without this signer */
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pkg, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[0], &d.key[1],
                                             &pkg, r.list, 2),
              MPC_ERR_INVALID_ARG);
    mpc_frost_nonce third;
    mpc_frost_commitment com;
    CHECK_OK(mpc_frost_commit(g, &third, &com, &d.key[2]));
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &third, &d.key[2], &pkg,
                                             r.list, 2),
              MPC_ERR_PROTOCOL);
    CHECK(mpc_scalar_is_zero(&z) && !mpc_frost_nonce_is_fresh(&third));
    /* a key of higher threshold than the list */
    mpc_frost_key_package t3 = d.key[1];
    t3.threshold = 3;
    CHECK_ERR(mpc_frost_signing_package_sign(g, &z, &r.nonce[1], &t3, &pkg,
                                             r.list, 2),
              MPC_ERR_PROTOCOL);

    /* verify_share and aggregate */
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  g, &r.list[0].id, &z, &d.vshare[0], NULL, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  k1, &r.list[0].id, &z, &d.vshare[0], &pkg, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_verify_share(g, NULL, &z, &d.vshare[0],
                                                     &pkg, r.list, 2),
              MPC_ERR_INVALID_ARG);
    mpc_scalar three;
    mpc_scalar_set_u64(g, &three, 3);
    CHECK_ERR(mpc_frost_signing_package_verify_share(
                  g, &three, &z, &d.vshare[2], &pkg, r.list, 2),
              MPC_ERR_PROTOCOL);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, NULL, NULL, NULL,
                                                  NULL, &pkg, MSG, sizeof MSG,
                                                  r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, NULL, NULL, NULL, r.z,
                                                  NULL, &pkg, MSG, sizeof MSG,
                                                  r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, NULL, NULL, r.z, NULL,
                                                  &pkg, NULL, 1, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_signing_package_aggregate(g, sig, NULL, NULL, r.z, NULL,
                                                  NULL, MSG, sizeof MSG, r.list,
                                                  2),
              MPC_ERR_INVALID_ARG);
    CHECK(memcmp(sig, zero, 64) == 0);
}

/* A signer's package does not depend on its nonce being usable: with a
 * used nonce, or one not in the list, it is the public package. */
TEST(frost_signing_package_signer_nonce_not_needed)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 2};
    mpc_frost_signing_package pub, mine;
    mpc_frost_nonce used, stranger;
    mpc_frost_commitment com;
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_OK(mpc_frost_signing_package_init(g, &pub, &d.pk, NULL, MSG,
                                            sizeof MSG, r.list, 2));
    used = r.nonce[0];
    mpc_frost_nonce_clear(&used);
    memset(&used, 0, sizeof used);
    CHECK_OK(mpc_frost_signing_package_init_signer(g, &mine, &used, &d.pk, NULL,
                                                   MSG, sizeof MSG, r.list, 2));
    CHECK(mpc_point_eq(g, &mine.r, &pub.r) && mpc_scalar_eq(&mine.c, &pub.c));
    CHECK_OK(mpc_frost_commit(g, &stranger, &com, &d.key[1]));
    CHECK_OK(mpc_frost_signing_package_init_signer(
        g, &mine, &stranger, &d.pk, NULL, MSG, sizeof MSG, r.list, 2));
    CHECK(mpc_point_eq(g, &mine.r, &pub.r) && mpc_scalar_eq(&mine.c, &pub.c));
    CHECK(mpc_frost_nonce_is_fresh(&stranger)); /* read, not consumed */
    mpc_frost_nonce_clear(&stranger);
}

TEST(frost_nonce_is_fresh_until_used)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_frost_nonce zeroed;
    mpc_scalar z;
    deal(g, &d, 3, 2);
    memset(&zeroed, 0, sizeof zeroed);
    CHECK(!mpc_frost_nonce_is_fresh(NULL));
    CHECK(!mpc_frost_nonce_is_fresh(&zeroed));
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK(mpc_frost_nonce_is_fresh(&r.nonce[0]));
    CHECK(mpc_frost_nonce_is_fresh(&r.nonce[1]));
    CHECK_OK(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                            sizeof MSG, r.list, 2));
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[0]));
    /* a failed sign consumes it too */
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[1], &d.key[1], NULL, MSG,
                             sizeof MSG, r.list, 1),
              MPC_ERR_PROTOCOL);
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[1]));
    CHECK(run_commit(g, &r, &d, sel, 2));
    mpc_frost_nonce_clear(&r.nonce[0]);
    memset(&r.nonce[0], 0, sizeof r.nonce[0]);
    CHECK(!mpc_frost_nonce_is_fresh(&r.nonce[0]));
}

/* The signing session reads the nonce's use marker, not its scalars: a
 * nonce whose marker is gone is refused even with its scalars intact. */
TEST(frost_sign_session_refuses_nonce_not_fresh)
{
    const mpc_group *g = ed();
    struct dealt d;
    mpc_frost_nonce nonce;
    mpc_frost_commitment com;
    mpc_scalar ids[2];
    mpc_point vs[2];
    deal(g, &d, 3, 2);
    for (size_t i = 0; i < 2; i++) {
        ids[i] = d.key[i].id;
        vs[i] = d.vshare[i];
    }
    mpc_frost_sign_input in = {.key = &d.key[0],
                               .ids = ids,
                               .vshares = vs,
                               .n_signers = 2,
                               .msg = MSG,
                               .msg_len = sizeof MSG,
                               .nonce = &nonce};
    mpc_session_params p;
    mpc_session_params_default(&p);
    p.protocol = &mpc_frost_sign_protocol;
    p.sid[0] = 0x5a;
    p.self = 0;
    p.n = 2;
    p.threshold = 2;
    p.input = &in;
    mpc_session *s = NULL;

    CHECK_OK(mpc_frost_commit(g, &nonce, &com, &d.key[0]));
    nonce.magic = 0; /* scalars intact, marker gone */
    CHECK(!mpc_scalar_is_zero(&nonce.hiding));
    CHECK_ERR(mpc_session_new(&s, test_ctx(), &p), MPC_ERR_STATE);
    CHECK(s == NULL);

    CHECK_OK(mpc_frost_commit(g, &nonce, &com, &d.key[0]));
    CHECK_OK(mpc_session_new(&s, test_ctx(), &p));
    CHECK(s != NULL && !mpc_frost_nonce_is_fresh(&nonce));
    mpc_session_free(s);
}

/* ---- misuse -------------------------------------------------------------- */

TEST(frost_misuse_is_invalid_arg_with_zeroed_outputs)
{
    const mpc_group *g = ed();
    const mpc_group *k1 = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1};
    mpc_frost_nonce nonce;
    mpc_frost_commitment com;
    mpc_scalar z, rho[2], c;
    mpc_point pt;
    uint8_t sig[64], zero[64] = {0};
    uint8_t rnd[32] = {1};
    deal(g, &d, 3, 2);

    /* commit */
    CHECK_ERR(mpc_frost_commit(k1, &nonce, &com, &d.key[0]),
              MPC_ERR_INVALID_ARG);
    CHECK(nonce.magic == 0 && mpc_scalar_is_zero(&com.id));
    CHECK_ERR(mpc_frost_commit(NULL, &nonce, &com, &d.key[0]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commit(g, NULL, &com, &d.key[0]), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commit(g, &nonce, NULL, &d.key[0]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commit(g, &nonce, &com, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        mpc_frost_commit_with_random(g, &nonce, &com, &d.key[0], NULL, rnd),
        MPC_ERR_INVALID_ARG);
    mpc_frost_key_package bad = d.key[0];
    mpc_scalar_set_zero(&bad.id);
    CHECK_ERR(mpc_frost_commit(g, &nonce, &com, &bad), MPC_ERR_INVALID_ARG);
    CHECK(nonce.magic == 0 && mpc_point_is_identity(g, &com.hiding));

    /* sign: bad key packages, a nonce made for someone else */
    CHECK(run_commit(g, &r, &d, sel, 2));
    bad = d.key[0];
    bad.threshold = 1;
    z = d.key[0].share;
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &bad, NULL, MSG, sizeof MSG,
                             r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&z));
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[1], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(
        mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], NULL, NULL, 3, r.list, 2),
        MPC_ERR_INVALID_ARG);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_sign(k1, &z, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_sign(g, NULL, &r.nonce[0], &d.key[0], NULL, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(r.nonce[0].magic == 0); /* consumed all the same */
    CHECK_ERR(mpc_frost_sign(g, &z, NULL, &d.key[0], NULL, MSG, sizeof MSG,
                             r.list, 2),
              MPC_ERR_INVALID_ARG);
    /* a tweak that cancels the key */
    mpc_scalar neg;
    mpc_scalar_neg(g, &neg, &d.secret);
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_sign(g, &z, &r.nonce[0], &d.key[0], &neg, MSG,
                             sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);

    /* helpers */
    CHECK(run_commit(g, &r, &d, sel, 2));
    CHECK_ERR(mpc_frost_binding_factors(k1, rho, &d.pk, NULL, MSG, sizeof MSG,
                                        r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&rho[0]) && mpc_scalar_is_zero(&rho[1]));
    CHECK_ERR(mpc_frost_binding_factors(g, rho, &d.pk, &neg, MSG, sizeof MSG,
                                        r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_binding_factors(g, rho, &d.pk, NULL, MSG, sizeof MSG,
                                        r.list, 0),
              MPC_ERR_PROTOCOL);
    CHECK_OK(mpc_frost_binding_factors(g, rho, &d.pk, NULL, MSG, sizeof MSG,
                                       r.list, 2));
    CHECK_ERR(mpc_frost_group_commitment(g, &pt, r.list, NULL, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_point_is_identity(g, &pt));
    mpc_point_set_identity(g, &pt);
    CHECK_ERR(mpc_frost_challenge(g, &c, &pt, &d.pk, NULL, MSG, sizeof MSG),
              MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&c));
    CHECK_ERR(mpc_frost_challenge(g, &c, &d.pk, &d.pk, &neg, MSG, sizeof MSG),
              MPC_ERR_INVALID_ARG);
    uint8_t bfi[MPC_FROST_BINDING_INPUT_BYTES];
    CHECK_ERR(mpc_frost_binding_factor_input(g, bfi, &d.pk, NULL, MSG,
                                             sizeof MSG, r.list, 2, 2),
              MPC_ERR_INVALID_ARG);

    /* verify / aggregate */
    CHECK_ERR(mpc_frost_verify_share(k1, &r.list[0].id, &z, &r.vshare[0], &d.pk,
                                     NULL, MSG, sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_verify_share(g, &r.list[0].id, &z, &r.vshare[0], &d.pk,
                                     NULL, NULL, 1, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_aggregate(g, sig, NULL, NULL, NULL, NULL, &d.pk, NULL,
                                  MSG, sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_aggregate(g, sig, NULL, NULL, r.z, NULL, &d.pk, &neg,
                                  MSG, sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
    CHECK(memcmp(sig, zero, 64) == 0);
    CHECK_ERR(mpc_frost_aggregate(NULL, sig, NULL, NULL, r.z, NULL, &d.pk, NULL,
                                  MSG, sizeof MSG, r.list, 2),
              MPC_ERR_INVALID_ARG);
}

/* ---- encodings ----------------------------------------------------------- */

/* L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const char L_HEX[] =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
/* The identity, small-order points (orders 2, 4, 8), y = p (not
 * canonical), and y = 2 (not on the curve). */
static const char *const BAD_POINTS[] = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0200000000000000000000000000000000000000000000000000000000000000",
};

/* B + T for T of order 2: on the curve, outside the prime-order group. */
static bool mixed_order_point(uint8_t out[32])
{
    uint8_t t[32], b[32];
    REQUIRE(test_unhex(t, 32, BAD_POINTS[1]));
    REQUIRE(test_unhex(
        b, 32,
        "5866666666666666666666666666666666666666666666666666666666666666"));
    REQUIRE(crypto_core_ed25519_add(out, b, t) == 0);
    return true;
}

TEST(frost_codec_commitments)
{
    const mpc_group *g = ed();
    struct dealt d;
    struct run r;
    size_t sel[] = {0, 1, 2};
    uint8_t buf[4 * MPC_FROST_COMMITMENT_BYTES], one[96];
    mpc_frost_commitment com, list[4];
    size_t n = 99;
    deal(g, &d, 3, 2);
    CHECK(run_commit(g, &r, &d, sel, 3));

    /* round trips */
    mpc_frost_commitment_serialize(g, one, &r.list[1]);
    CHECK_OK(mpc_frost_commitment_parse(g, &com, one, sizeof one));
    CHECK(mpc_scalar_eq(&com.id, &r.list[1].id) &&
          mpc_point_eq(g, &com.hiding, &r.list[1].hiding) &&
          mpc_point_eq(g, &com.binding, &r.list[1].binding));
    mpc_frost_commitment_list_serialize(g, buf, r.list, 3);
    CHECK_OK(mpc_frost_commitment_list_parse(g, list, 4, &n, buf, 3 * 96));
    CHECK(n == 3);
    for (size_t k = 0; k < 3; k++)
        CHECK(mpc_scalar_eq(&list[k].id, &r.list[k].id) &&
              mpc_point_eq(g, &list[k].binding, &r.list[k].binding));

    /* lengths */
    CHECK_ERR(mpc_frost_commitment_parse(g, &com, one, 95), MPC_ERR_PARSE);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, &n, buf, 0),
              MPC_ERR_PARSE);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, &n, buf, 3 * 96 - 1),
              MPC_ERR_PARSE);
    CHECK(n == 0);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 2, &n, buf, 3 * 96),
              MPC_ERR_PARSE);

    /* bad identifiers: zero, L, all ones */
    uint8_t bad[96];
    memcpy(bad, one, 96);
    memset(bad, 0, 32);
    CHECK_ERR(mpc_frost_commitment_parse(g, &com, bad, 96), MPC_ERR_PARSE);
    CHECK(mpc_scalar_is_zero(&com.id) && mpc_point_is_identity(g, &com.hiding));
    CHECK(test_unhex(bad, 32, L_HEX));
    CHECK_ERR(mpc_frost_commitment_parse(g, &com, bad, 96), MPC_ERR_PARSE);
    memset(bad, 0xff, 32);
    CHECK_ERR(mpc_frost_commitment_parse(g, &com, bad, 96), MPC_ERR_PARSE);

    /* bad points in either position */
    for (size_t i = 0; i < sizeof BAD_POINTS / sizeof BAD_POINTS[0]; i++) {
        for (size_t pos = 32; pos <= 64; pos += 32) {
            memcpy(bad, one, 96);
            CHECK(test_unhex(bad + pos, 32, BAD_POINTS[i]));
            CHECK(crypto_core_ed25519_is_valid_point(bad + pos) == 0);
            CHECK_ERR(mpc_frost_commitment_parse(g, &com, bad, 96),
                      MPC_ERR_PARSE);
        }
    }
    memcpy(bad, one, 96);
    CHECK(mixed_order_point(bad + 64));
    CHECK_ERR(mpc_frost_commitment_parse(g, &com, bad, 96), MPC_ERR_PARSE);

    /* lists: unsorted, duplicate, a bad entry; outputs zeroed */
    uint8_t two[192];
    memcpy(two, buf + 96, 96);
    memcpy(two + 96, buf, 96);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, &n, two, 192),
              MPC_ERR_PARSE);
    CHECK(n == 0 && mpc_scalar_is_zero(&list[0].id) &&
          mpc_scalar_is_zero(&list[1].id));
    memcpy(two + 96, buf + 96, 96);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, &n, two, 192),
              MPC_ERR_PARSE);
    memcpy(two, buf, 96);
    CHECK(test_unhex(two + 96 + 64, 32, BAD_POINTS[1]));
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, &n, two, 192),
              MPC_ERR_PARSE);

    CHECK_ERR(mpc_frost_commitment_parse(NULL, &com, one, 96),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_commitment_list_parse(g, list, 4, NULL, buf, 96),
              MPC_ERR_INVALID_ARG);
}

TEST(frost_codec_signature_share_rejects_z_ge_l)
{
    const mpc_group *g = ed();
    uint8_t b[33];
    mpc_scalar z;
    /* L - 1 is the largest share */
    CHECK(test_unhex(b, 32, L_HEX));
    b[0]--;
    CHECK_OK(mpc_frost_share_parse(g, &z, b, 32));
    b[0]++;
    mpc_scalar_set_u64(g, &z, 5);
    CHECK_ERR(mpc_frost_share_parse(g, &z, b, 32), MPC_ERR_PARSE);
    CHECK(mpc_scalar_is_zero(&z));
    memset(b, 0xff, sizeof b);
    CHECK_ERR(mpc_frost_share_parse(g, &z, b, 32), MPC_ERR_PARSE);
    memset(b, 0, sizeof b);
    CHECK_ERR(mpc_frost_share_parse(g, &z, b, 33), MPC_ERR_PARSE);
    CHECK_ERR(mpc_frost_share_parse(g, &z, b, 31), MPC_ERR_PARSE);
    CHECK_OK(mpc_frost_share_parse(g, &z, b, 32));
    CHECK_ERR(mpc_frost_share_parse(g, NULL, b, 32), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_frost_share_parse(g, &z, NULL, 32), MPC_ERR_INVALID_ARG);
}
