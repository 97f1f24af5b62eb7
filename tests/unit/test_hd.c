/* lib/hd: BIP32 public vectors, mpcium's Ed25519 quirks, share shifting,
 * invalid children, misuse and the text path grammar. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "lib/hd/hd_internal.h"
#include "mpc/group.h"
#include "mpc/hd.h"
#include "tests/harness/test.h"

static const mpc_group *secp(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

static const mpc_group *ed(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

static const mpc_group *group_named(const char *name)
{
    if (strcmp(name, "secp256k1") == 0)
        return secp();
    if (strcmp(name, "ed25519") == 0)
        return ed();
    return NULL;
}

/* ---- vector plumbing ---------------------------------------------------- */

static json_t *load_json(const char *path)
{
    char *text = test_read_file(path, NULL);
    if (text == NULL)
        return NULL;
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    free(text);
    return root;
}

static bool json_hex(uint8_t *out, size_t len, const json_t *obj,
                     const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    REQUIRE(s != NULL);
    REQUIRE(test_unhex(out, len, s));
    return true;
}

static bool json_path(uint32_t path[MPC_HD_MAX_DEPTH], size_t *len,
                      const json_t *obj)
{
    const json_t *a = json_object_get(obj, "path");
    REQUIRE(json_is_array(a) && json_array_size(a) <= MPC_HD_MAX_DEPTH);
    *len = json_array_size(a);
    for (size_t i = 0; i < *len; i++) {
        json_int_t v = json_integer_value(json_array_get(a, i));
        REQUIRE(v >= 0 && v <= (json_int_t)UINT32_MAX);
        path[i] = (uint32_t)v;
    }
    return true;
}

/* An extended key (BIP32 "Serialization format"), fingerprint omitted. */
typedef struct xkey {
    uint8_t depth;
    uint32_t child_number;
    uint8_t chain_code[32];
    uint8_t key[33];
} xkey;

/* Base58Check-decodes exactly 78 payload bytes (4-byte SHA-256d checksum). */
static bool base58check_78(uint8_t out[78], const char *s)
{
    static const char alphabet[] =
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    uint8_t buf[82] = {0};
    for (; *s != '\0'; s++) {
        const char *p = strchr(alphabet, *s);
        REQUIRE(p != NULL);
        unsigned carry = (unsigned)(p - alphabet);
        for (size_t i = sizeof buf; i-- > 0;) {
            carry += 58u * buf[i];
            buf[i] = (uint8_t)carry;
            carry >>= 8;
        }
        REQUIRE(carry == 0);
    }
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, buf, 78);
    crypto_hash_sha256(h, h, sizeof h);
    REQUIRE(memcmp(h, buf + 78, 4) == 0);
    memcpy(out, buf, 78);
    return true;
}

static bool xkey_decode(xkey *k, const char *s)
{
    uint8_t b[78];
    REQUIRE(s != NULL);
    REQUIRE(base58check_78(b, s));
    k->depth = b[4];
    k->child_number = (uint32_t)b[9] << 24 | (uint32_t)b[10] << 16 |
                      (uint32_t)b[11] << 8 | b[12];
    memcpy(k->chain_code, b + 13, 32);
    memcpy(k->key, b + 45, 33);
    return true;
}

static bool child_is_zeroed(const mpc_group *g, const mpc_hd_child *c)
{
    static const uint8_t zero[64];
    return memcmp(c->delta.v, zero, sizeof c->delta.v) == 0 &&
           memcmp(c->chain_code, zero, sizeof c->chain_code) == 0 &&
           mpc_point_is_identity(g, &c->pub);
}

/* A child filled with junk, so tests see what a failing call writes. */
static void child_poison(const mpc_group *g, mpc_hd_child *c)
{
    memset(c, 0xa5, sizeof *c);
    mpc_point_generator(g, &c->pub);
}

static void random_chain_code(uint8_t cc[MPC_HD_CHAIN_CODE_BYTES])
{
    mpc_ctx_random(test_ctx(), cc, MPC_HD_CHAIN_CODE_BYTES);
}

/* A random non-hardened path of min..max indices. */
static size_t random_path(uint32_t *path, size_t min, size_t max)
{
    uint8_t b[1];
    mpc_ctx_random(test_ctx(), b, 1);
    size_t n = min + b[0] % (max - min + 1);
    mpc_ctx_random(test_ctx(), (uint8_t *)path, n * sizeof *path);
    for (size_t i = 0; i < n; i++)
        path[i] &= MPC_HD_HARDENED - 1;
    return n;
}

/* ---- BIP32 (secp256k1) -------------------------------------------------- */

static bool bip32_public_case(const json_t *v)
{
    const mpc_group *g = secp();
    xkey parent, child;
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len;
    REQUIRE(
        xkey_decode(&parent, json_string_value(json_object_get(v, "parent"))));
    REQUIRE(
        xkey_decode(&child, json_string_value(json_object_get(v, "child"))));
    REQUIRE(json_path(path, &len, v));

    mpc_point master;
    REQUIRE_OK(mpc_point_parse(g, &master, parent.key, sizeof parent.key));
    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, parent.chain_code, path, len));

    uint8_t pub[33];
    mpc_point_serialize(g, pub, &c.pub);
    REQUIRE(memcmp(pub, child.key, 33) == 0);
    REQUIRE(memcmp(c.chain_code, child.chain_code, 32) == 0);
    REQUIRE(child.depth == parent.depth + len);
    if (len > 0)
        REQUIRE(child.child_number == path[len - 1]);
    else
        REQUIRE(mpc_scalar_is_zero(&c.delta));

    /* The delta alone reproduces the child key from the master key. */
    mpc_point shifted;
    mpc_hd_point_shift(g, &shifted, &master, &c.delta);
    REQUIRE(mpc_point_eq(g, &shifted, &c.pub));
    return true;
}

TEST(hd_bip32_public_vectors)
{
    json_t *root = load_json("tests/vectors/hd-bip32.json");
    CHECK(root != NULL);
    const json_t *cases = json_object_get(root, "public");
    size_t i;
    const json_t *v;
    bool ok = json_array_size(cases) >= 18;
    json_array_foreach(cases, i, v)
    {
        if (ok && !bip32_public_case(v)) {
            fprintf(stderr, "case: %s\n",
                    json_string_value(json_object_get(v, "name")));
            ok = false;
        }
    }
    json_decref(root);
    CHECK(ok);
}

/* BIP32's private derivation gives child_sk = parent_sk + IL: the delta must
 * be exactly that difference. */
static bool bip32_private_case(const json_t *v)
{
    const mpc_group *g = secp();
    xkey parent, child;
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len;
    REQUIRE(
        xkey_decode(&parent, json_string_value(json_object_get(v, "parent"))));
    REQUIRE(
        xkey_decode(&child, json_string_value(json_object_get(v, "child"))));
    REQUIRE(json_path(path, &len, v));
    REQUIRE(parent.key[0] == 0 && child.key[0] == 0);

    mpc_scalar sk, child_sk, shifted;
    REQUIRE_OK(mpc_scalar_parse(g, &sk, parent.key + 1));
    REQUIRE_OK(mpc_scalar_parse(g, &child_sk, child.key + 1));
    mpc_point master, want;
    mpc_point_mul_base(g, &master, &sk);
    mpc_point_mul_base(g, &want, &child_sk);

    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, parent.chain_code, path, len));
    mpc_hd_share_shift(g, &shifted, &sk, &c.delta);
    REQUIRE(mpc_scalar_eq(&shifted, &child_sk));
    REQUIRE(mpc_point_eq(g, &c.pub, &want));
    REQUIRE(memcmp(c.chain_code, child.chain_code, 32) == 0);
    return true;
}

TEST(hd_bip32_private_vectors)
{
    json_t *root = load_json("tests/vectors/hd-bip32.json");
    CHECK(root != NULL);
    const json_t *cases = json_object_get(root, "private");
    size_t i;
    const json_t *v;
    bool ok = json_array_size(cases) >= 5;
    json_array_foreach(cases, i, v)
    {
        if (ok && !bip32_private_case(v)) {
            fprintf(stderr, "case: %s\n",
                    json_string_value(json_object_get(v, "name")));
            ok = false;
        }
    }
    json_decref(root);
    CHECK(ok);
}

TEST(hd_bip32_hardened_rejected)
{
    const mpc_group *g = secp();
    xkey m;
    CHECK(xkey_decode(
        &m, "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29"
            "ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"));
    mpc_point master;
    CHECK_OK(mpc_point_parse(g, &master, m.key, sizeof m.key));
    const uint32_t h0[] = {MPC_HD_HARDENED};
    mpc_hd_child c;
    child_poison(g, &c);
    CHECK_ERR(mpc_hd_derive(g, &c, &master, m.chain_code, h0, 1),
              MPC_ERR_INVALID_ARG);
    CHECK(child_is_zeroed(g, &c));
}

/* ---- mpcium KATs (both curves) ------------------------------------------ */

static bool mpcium_kat_case(const json_t *v)
{
    const mpc_group *g =
        group_named(json_string_value(json_object_get(v, "curve")));
    REQUIRE(g != NULL);
    size_t pb = mpc_group_point_bytes(g);
    uint8_t sk_b[32], pub_b[33], cc[32], data[37], delta_b[32], child_b[33],
        child_cc[32], got[37];
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len;
    REQUIRE(json_hex(sk_b, 32, v, "master_sk"));
    REQUIRE(json_hex(pub_b, pb, v, "master_pub"));
    REQUIRE(json_hex(cc, 32, v, "chain_code"));
    REQUIRE(json_hex(data, 37, v, "step1_hmac_data"));
    REQUIRE(json_hex(delta_b, 32, v, "delta"));
    REQUIRE(json_hex(child_b, pb, v, "child_pub"));
    REQUIRE(json_hex(child_cc, 32, v, "child_chain_code"));
    REQUIRE(json_path(path, &len, v));
    REQUIRE(len > 0);

    mpc_scalar sk, child_sk;
    mpc_point master, parsed;
    REQUIRE_OK(mpc_scalar_parse(g, &sk, sk_b));
    mpc_point_mul_base(g, &master, &sk);
    REQUIRE_OK(mpc_point_parse(g, &parsed, pub_b, pb));
    REQUIRE(mpc_point_eq(g, &master, &parsed));

    /* Quirk 1: what the first HMAC actually hashes. */
    REQUIRE_OK(mpc_hd_ser_var(g, got, &master));
    got[33] = (uint8_t)(path[0] >> 24);
    got[34] = (uint8_t)(path[0] >> 16);
    got[35] = (uint8_t)(path[0] >> 8);
    got[36] = (uint8_t)path[0];
    REQUIRE(memcmp(got, data, 37) == 0);

    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, cc, path, len));
    uint8_t out[33];
    mpc_scalar_serialize(g, out, &c.delta);
    REQUIRE(memcmp(out, delta_b, 32) == 0);
    mpc_point_serialize(g, out, &c.pub);
    REQUIRE(memcmp(out, child_b, pb) == 0);
    REQUIRE(memcmp(c.chain_code, child_cc, 32) == 0);

    mpc_point want;
    mpc_hd_share_shift(g, &child_sk, &sk, &c.delta);
    mpc_point_mul_base(g, &want, &child_sk);
    REQUIRE(mpc_point_eq(g, &want, &c.pub));
    mpc_scalar_clear(&sk);
    mpc_scalar_clear(&child_sk);
    return true;
}

static bool mpcium_fixture_case(const json_t *v)
{
    const mpc_group *g =
        group_named(json_string_value(json_object_get(v, "curve")));
    REQUIRE(g != NULL);
    size_t pb = mpc_group_point_bytes(g);
    uint8_t cc[32], child_b[33], delta_be[32];
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len;
    REQUIRE(json_hex(cc, 32, v, "chain_code"));
    REQUIRE(json_hex(child_b, pb, v, "child_pub"));
    REQUIRE(json_hex(delta_be, 32, v, "delta_be"));
    REQUIRE(json_path(path, &len, v));

    mpc_point master;
    mpc_point_generator(g, &master);
    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, cc, path, len));
    uint8_t out[33];
    mpc_point_serialize(g, out, &c.pub);
    REQUIRE(memcmp(out, child_b, pb) == 0);
    mpc_scalar want;
    mpc_scalar_reduce_be(g, &want, delta_be, 32);
    REQUIRE(mpc_scalar_eq(&want, &c.delta));
    return true;
}

TEST(hd_mpcium_vectors)
{
    json_t *root = load_json("tests/vectors/hd-mpcium.json");
    CHECK(root != NULL);
    size_t i, n = 0;
    const json_t *v;
    bool ok = true;
    json_array_foreach(json_object_get(root, "kat"), i, v)
    {
        ok = ok && mpcium_kat_case(v);
        n++;
    }
    json_array_foreach(json_object_get(root, "fixtures"), i, v)
    {
        ok = ok && mpcium_fixture_case(v);
        n++;
    }
    json_decref(root);
    CHECK(ok);
    CHECK(n == 10);
}

/* Quirk 1 on points whose affine coordinates are known: B (RFC 8032 5.1),
 * -B (x -> p - x, same y), 2B (odd y), 3B and 4B (their x needs the
 * sqrt(-1) correction). */
TEST(hd_ed25519_ser_quirk)
{
    static const struct {
        const char *enc, *ser;
    } tv[] = {
        {"5866666666666666666666666666666666666666666666666666666666666666",
         "02216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a"},
        {"58666666666666666666666666666666666666666666666666666666666666e6",
         "025e96c92c3291ac013f5b1dce022923a396d3389f6ada584d36a9d29f70da2ad3"},
        {"c9a3f86aae465f0e56513864510f3997561fa2c9e85ea21dc2292309f3cd6022",
         "0336ab384c9f5a046c3d043b7d1833e7ac080d8e4515d7a45f83c5a14e2843ce0e"},
        {"d4b4f5784868c3020403246717ec169ff79e26608ea126a1ab69ee77d1b16712",
         "0267ae9c4a22928f491ff4ae743edac83a6343981981624886ac62485fd3f8e25c"},
        {"2f1132ca61ab38dff00f2fea3228f24c6c71d58085b80e47e19515cb27e8d047",
         "03203da8db56cff1468325d4b87a3520f91a739ec193ce1547493aa657c4c9f870"},
    };
    const mpc_group *g = ed();
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++) {
        uint8_t enc[32], want[33], got[33];
        CHECK(test_unhex(enc, 32, tv[i].enc));
        CHECK(test_unhex(want, 33, tv[i].ser));
        mpc_point p;
        CHECK_OK(mpc_point_parse(g, &p, enc, 32));
        CHECK_OK(mpc_hd_ser_var(g, got, &p));
        CHECK_MEM(got, want, 33);
    }

    /* secp256k1: ser33 is the compressed point. */
    mpc_point gen;
    uint8_t a[33], b[33];
    mpc_point_generator(secp(), &gen);
    CHECK_OK(mpc_hd_ser_var(secp(), a, &gen));
    mpc_point_serialize(secp(), b, &gen);
    CHECK_MEM(a, b, 33);

    /* The identity has no ser33. */
    static const uint8_t zero[33];
    const mpc_group *gs[] = {secp(), ed()};
    for (size_t i = 0; i < 2; i++) {
        mpc_point id;
        mpc_point_set_identity(gs[i], &id);
        memset(a, 0xa5, sizeof a);
        CHECK_ERR(mpc_hd_ser_var(gs[i], a, &id), MPC_ERR_INVALID_ARG);
        CHECK_MEM(a, zero, 33);
    }
}

/* Affine x recovery on encodings lib/ec would never hand over. */
TEST(hd_ed25519_x_recovery)
{
    static const struct {
        const char *enc;
        mpc_err want;
    } tv[] = {
        /* y = 1: the identity, x = 0. */
        {"0100000000000000000000000000000000000000000000000000000000000000",
         MPC_OK},
        /* y = -1: the point of order 2, x = 0. */
        {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         MPC_OK},
        /* x = 0 with the sign bit set ("negative zero"). */
        {"0100000000000000000000000000000000000000000000000000000000000080",
         MPC_ERR_INTERNAL},
        /* y = 2: (y^2 - 1) / (d y^2 + 1) is not a square. */
        {"0200000000000000000000000000000000000000000000000000000000000000",
         MPC_ERR_INTERNAL},
        /* y = p: not reduced. */
        {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         MPC_ERR_INTERNAL},
    };
    static const uint8_t zero[32];
    for (size_t i = 0; i < sizeof tv / sizeof tv[0]; i++) {
        uint8_t enc[32], x[32];
        CHECK(test_unhex(enc, 32, tv[i].enc));
        memset(x, 0xa5, sizeof x);
        CHECK_ERR(mpc_hd_ed25519_x_var(x, enc), tv[i].want);
        CHECK_MEM(x, zero, 32);
    }
}

/* ---- properties --------------------------------------------------------- */

static bool child_secret_matches(const mpc_group *g)
{
    mpc_scalar sk, child_sk;
    mpc_point master, want;
    uint8_t cc[32];
    uint32_t path[12];
    mpc_scalar_random(g, &sk);
    mpc_point_mul_base(g, &master, &sk);
    random_chain_code(cc);
    size_t len = random_path(path, 0, 12);

    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, cc, path, len));
    mpc_hd_share_shift(g, &child_sk, &sk, &c.delta);
    mpc_point_mul_base(g, &want, &child_sk);
    REQUIRE(mpc_point_eq(g, &want, &c.pub));

    /* Deriving in two legs gives the same child, with deltas that add up;
     * the second leg writes over its own inputs (out aliases master and
     * chain_code). */
    size_t k = len / 2;
    mpc_hd_child leg, first;
    REQUIRE_OK(mpc_hd_derive(g, &leg, &master, cc, path, k));
    first = leg;
    REQUIRE_OK(
        mpc_hd_derive(g, &leg, &leg.pub, leg.chain_code, path + k, len - k));
    mpc_scalar sum;
    mpc_scalar_add(g, &sum, &first.delta, &leg.delta);
    REQUIRE(mpc_scalar_eq(&sum, &c.delta));
    REQUIRE(mpc_point_eq(g, &leg.pub, &c.pub));
    REQUIRE(memcmp(leg.chain_code, c.chain_code, 32) == 0);
    mpc_scalar_clear(&sk);
    mpc_scalar_clear(&child_sk);
    return true;
}

TEST(hd_child_secret_matches_pub)
{
    int n = test_iters(16);
    for (int i = 0; i < n; i++) {
        CHECK(child_secret_matches(secp()));
        CHECK(child_secret_matches(ed()));
    }
}

enum { T = 3, N = 5 };

/* sum over S of lambda_i(0) * y_i, with x_i = i. */
static bool interpolate(const mpc_group *g, mpc_scalar *r, const int *xs,
                        const mpc_scalar *ys, size_t k)
{
    mpc_scalar_set_zero(r);
    for (size_t i = 0; i < k; i++) {
        mpc_scalar num, den, xi, xj, t, lambda;
        mpc_scalar_set_u64(g, &num, 1);
        mpc_scalar_set_u64(g, &den, 1);
        mpc_scalar_set_u64(g, &xi, (uint64_t)xs[i]);
        for (size_t j = 0; j < k; j++) {
            if (j == i)
                continue;
            mpc_scalar_set_u64(g, &xj, (uint64_t)xs[j]);
            mpc_scalar_mul(g, &num, &num, &xj);
            mpc_scalar_sub(g, &t, &xj, &xi);
            mpc_scalar_mul(g, &den, &den, &t);
        }
        REQUIRE_OK(mpc_scalar_inv_var(g, &den, &den));
        mpc_scalar_mul(g, &lambda, &num, &den);
        mpc_scalar_mul(g, &t, &lambda, &ys[xs[i] - 1]);
        mpc_scalar_add(g, r, r, &t);
    }
    return true;
}

static bool shamir_shift(const mpc_group *g)
{
    /* f(x) = a0 + a1 x + a2 x^2, shares s_i = f(i), X_i = s_i*G. */
    mpc_scalar a[T], s[N], s2[N];
    mpc_point X[N], X2[N], master;
    for (int j = 0; j < T; j++)
        mpc_scalar_random(g, &a[j]);
    for (int i = 0; i < N; i++) {
        mpc_scalar x, acc;
        mpc_scalar_set_u64(g, &x, (uint64_t)(i + 1));
        acc = a[T - 1];
        for (int j = T - 2; j >= 0; j--) {
            mpc_scalar_mul(g, &acc, &acc, &x);
            mpc_scalar_add(g, &acc, &acc, &a[j]);
        }
        s[i] = acc;
        mpc_point_mul_base(g, &X[i], &s[i]);
    }
    mpc_point_mul_base(g, &master, &a[0]);

    uint8_t cc[32];
    uint32_t path[6];
    random_chain_code(cc);
    size_t len = random_path(path, 1, 6); /* delta != 0 below */
    mpc_hd_child c;
    REQUIRE_OK(mpc_hd_derive(g, &c, &master, cc, path, len));

    /* Every party shifts its share and every verifying share. */
    for (int i = 0; i < N; i++) {
        mpc_point want;
        mpc_hd_share_shift(g, &s2[i], &s[i], &c.delta);
        mpc_hd_point_shift(g, &X2[i], &X[i], &c.delta);
        mpc_point_mul_base(g, &want, &s2[i]);
        REQUIRE(mpc_point_eq(g, &want, &X2[i]));
    }
    mpc_point shifted_master;
    mpc_hd_point_shift(g, &shifted_master, &master, &c.delta);
    REQUIRE(mpc_point_eq(g, &shifted_master, &c.pub));

    /* Any T of them reconstruct master + delta. */
    mpc_scalar want, got;
    mpc_hd_share_shift(g, &want, &a[0], &c.delta);
    for (int m = 0; m < 1 << N; m++) {
        int xs[N], k = 0;
        for (int i = 0; i < N; i++) {
            if (m & (1 << i))
                xs[k++] = i + 1;
        }
        if (k != T)
            continue;
        REQUIRE(interpolate(g, &got, xs, s2, (size_t)k));
        REQUIRE(mpc_scalar_eq(&got, &want));
    }

    /* Additive shares w_i = lambda_i s_i of signer set {1,2,3}: one party
     * adds delta and the sum is master + delta; all adding it is wrong. */
    const int xs[T] = {1, 2, 3};
    mpc_scalar w, sum_one, sum_all;
    mpc_scalar_set_zero(&sum_one);
    mpc_scalar_set_zero(&sum_all);
    for (int i = 0; i < T; i++) {
        /* w_i = lambda_i * s_i: interpolate a vector that is s_i at x_i and
         * zero elsewhere. */
        mpc_scalar only[N], wd;
        memset(only, 0, sizeof only);
        only[xs[i] - 1] = s[xs[i] - 1];
        REQUIRE(interpolate(g, &w, xs, only, T));
        mpc_hd_share_shift(g, &wd, &w, &c.delta);
        mpc_scalar_add(g, &sum_one, &sum_one, i == 0 ? &wd : &w);
        mpc_scalar_add(g, &sum_all, &sum_all, &wd);
        mpc_scalar_clear(&only[xs[i] - 1]);
    }
    REQUIRE(mpc_scalar_eq(&sum_one, &want));
    REQUIRE(!mpc_scalar_eq(&sum_all, &want));

    for (int i = 0; i < N; i++) {
        mpc_scalar_clear(&s[i]);
        mpc_scalar_clear(&s2[i]);
    }
    for (int j = 0; j < T; j++)
        mpc_scalar_clear(&a[j]);
    return true;
}

TEST(hd_shamir_shares_shift_secret)
{
    int n = test_iters(4);
    for (int i = 0; i < n; i++) {
        CHECK(shamir_shift(secp()));
        CHECK(shamir_shift(ed()));
    }
}

/* ---- invalid children (white box: IL chosen directly) ------------------- */

/* Big-endian bytes of -k mod the order. */
static void neg_be(const mpc_group *g, uint8_t out[32], const mpc_scalar *k)
{
    mpc_scalar n;
    uint8_t b[32];
    mpc_scalar_neg(g, &n, k);
    mpc_scalar_serialize(g, b, &n);
    for (int i = 0; i < 32; i++)
        out[i] = mpc_group_curve(g) == MPC_CURVE_ED25519 ? b[31 - i] : b[i];
}

static bool step_rejects(const mpc_group *g, const mpc_point *pub,
                         const uint8_t il[32])
{
    mpc_point p = *pub;
    mpc_scalar d;
    mpc_scalar_set_u64(g, &d, 7);
    mpc_scalar seven = d;
    REQUIRE(mpc_hd_step_apply(g, &p, &d, il) == MPC_ERR_NOT_FOUND);
    REQUIRE(mpc_point_eq(g, &p, pub));
    REQUIRE(mpc_scalar_eq(&d, &seven));
    return true;
}

TEST(hd_invalid_child_rejected)
{
    const mpc_group *gs[] = {secp(), ed()};
    for (size_t gi = 0; gi < 2; gi++) {
        const mpc_group *g = gs[gi];
        mpc_scalar k;
        mpc_point pub;
        mpc_scalar_random(g, &k);
        mpc_point_mul_base(g, &pub, &k);

        uint8_t il[32] = {0};
        CHECK(step_rejects(g, &pub, il)); /* IL = 0 */
        mpc_group_order_be(g, il);
        CHECK(step_rejects(g, &pub, il)); /* IL = order */
        neg_be(g, il, &k);
        CHECK(step_rejects(g, &pub, il)); /* pub + IL*G = identity */
    }

    /* secp256k1: IL >= n is refused, never reduced (BIP32). */
    const mpc_group *g = secp();
    mpc_point gen, two_g, p, want;
    mpc_scalar d, two, want_d;
    uint8_t il[32];
    mpc_point_generator(g, &gen);
    mpc_scalar_set_u64(g, &two, 2);
    mpc_point_mul_base(g, &two_g, &two);
    mpc_group_order_be(g, il);
    il[31]++;
    CHECK(step_rejects(g, &two_g, il)); /* n + 1 */
    memset(il, 0xff, sizeof il);
    CHECK(step_rejects(g, &two_g, il)); /* 2^256 - 1 */
    mpc_group_order_be(g, il);
    il[31]--; /* n - 1 is the largest valid IL: 2G + (n-1)G = G */
    p = two_g;
    mpc_scalar_set_zero(&d);
    CHECK_OK(mpc_hd_step_apply(g, &p, &d, il));
    CHECK(mpc_point_eq(g, &p, &gen));
    mpc_scalar_set_u64(g, &want_d, 1);
    mpc_scalar_neg(g, &want_d, &want_d);
    CHECK(mpc_scalar_eq(&d, &want_d));

    /* Ed25519 (quirk 2): IL >= L is reduced mod L, not refused. */
    g = ed();
    mpc_point_generator(g, &gen);
    mpc_scalar_set_u64(g, &two, 2);
    mpc_point_mul_base(g, &two_g, &two);
    mpc_group_order_be(g, il);
    il[31]++; /* L + 1 = 1 mod L (L ends in 0xed: no carry) */
    p = gen;
    mpc_scalar_set_zero(&d);
    CHECK_OK(mpc_hd_step_apply(g, &p, &d, il));
    CHECK(mpc_point_eq(g, &p, &two_g));
    mpc_scalar_set_u64(g, &want_d, 1);
    CHECK(mpc_scalar_eq(&d, &want_d));

    memset(il, 0xff, sizeof il); /* 2^256 - 1, about 16 L */
    p = gen;
    mpc_scalar_set_zero(&d);
    CHECK_OK(mpc_hd_step_apply(g, &p, &d, il));
    mpc_scalar_reduce_be(g, &want_d, il, sizeof il);
    CHECK(mpc_scalar_eq(&d, &want_d));
    mpc_hd_point_shift(g, &want, &gen, &want_d);
    CHECK(mpc_point_eq(g, &p, &want));
}

/* ---- misuse ------------------------------------------------------------- */

TEST(hd_path_is_valid)
{
    static uint32_t deep[MPC_HD_MAX_DEPTH + 1];
    const uint32_t ok[] = {0, 1, MPC_HD_HARDENED - 1};
    CHECK(mpc_hd_path_is_valid(NULL, 0));
    CHECK(mpc_hd_path_is_valid(ok, 3));
    CHECK(mpc_hd_path_is_valid(deep, MPC_HD_MAX_DEPTH));
    CHECK(!mpc_hd_path_is_valid(deep, MPC_HD_MAX_DEPTH + 1));
    CHECK(!mpc_hd_path_is_valid(NULL, 1));
    const uint32_t hard[] = {44, MPC_HD_HARDENED, 0};
    const uint32_t top[] = {UINT32_MAX};
    CHECK(!mpc_hd_path_is_valid(hard, 3));
    CHECK(mpc_hd_path_is_valid(hard, 1)); /* only path_len indices count */
    CHECK(!mpc_hd_path_is_valid(top, 1));
}

static bool derive_fails(const mpc_group *g, const mpc_point *master,
                         const uint8_t *cc, const uint32_t *path, size_t len,
                         mpc_err want)
{
    mpc_hd_child c;
    child_poison(g != NULL ? g : secp(), &c);
    REQUIRE(mpc_hd_derive(g, &c, master, cc, path, len) == want);
    if (g != NULL) {
        REQUIRE(child_is_zeroed(g, &c));
    } else {
        static const uint8_t zero[sizeof c];
        REQUIRE(memcmp(&c, zero, sizeof c) == 0);
    }
    return true;
}

TEST(hd_derive_misuse)
{
    const mpc_group *gs[] = {secp(), ed()};
    static uint32_t deep[MPC_HD_MAX_DEPTH + 1];
    for (size_t gi = 0; gi < 2; gi++) {
        const mpc_group *g = gs[gi];
        mpc_point master, id;
        uint8_t cc[32];
        mpc_point_generator(g, &master);
        mpc_point_set_identity(g, &id);
        random_chain_code(cc);
        const uint32_t p1[] = {44, 60, 0};
        const uint32_t hard_last[] = {44, 60, MPC_HD_HARDENED | 1};
        const uint32_t hard_first[] = {UINT32_MAX, 0};

        CHECK(derive_fails(g, &master, cc, hard_last, 3, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &master, cc, hard_first, 2, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &master, cc, deep, MPC_HD_MAX_DEPTH + 1,
                           MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &master, cc, NULL, 1, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &id, cc, p1, 3, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &id, cc, NULL, 0, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, NULL, cc, p1, 3, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(g, &master, NULL, p1, 3, MPC_ERR_INVALID_ARG));
        CHECK(derive_fails(NULL, &master, cc, p1, 3, MPC_ERR_INVALID_ARG));
        CHECK_ERR(mpc_hd_derive(g, NULL, &master, cc, p1, 3),
                  MPC_ERR_INVALID_ARG);

        /* The empty path (NULL or not) is the master key, delta 0. */
        mpc_hd_child c;
        for (int k = 0; k < 2; k++) {
            child_poison(g, &c);
            CHECK_OK(mpc_hd_derive(g, &c, &master, cc, k ? p1 : NULL, 0));
            CHECK(mpc_scalar_is_zero(&c.delta));
            CHECK(mpc_point_eq(g, &c.pub, &master));
            CHECK_MEM(c.chain_code, cc, 32);
        }
        /* A zero delta shifts nothing. */
        mpc_point p;
        mpc_scalar s, t;
        mpc_hd_point_shift(g, &p, &master, &c.delta);
        CHECK(mpc_point_eq(g, &p, &master));
        mpc_scalar_set_u64(g, &s, 5);
        mpc_hd_share_shift(g, &t, &s, &c.delta);
        CHECK(mpc_scalar_eq(&t, &s));

        /* The deepest path is accepted. */
        CHECK_OK(mpc_hd_derive(g, &c, &master, cc, deep, MPC_HD_MAX_DEPTH));
        CHECK(!mpc_point_is_identity(g, &c.pub));
    }
}

/* ---- text paths ---------------------------------------------------------- */

static bool parse_ok(const char *s, const uint32_t *want, size_t want_len)
{
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len = 99;
    memset(path, 0xa5, sizeof path);
    REQUIRE_OK(mpc_hd_path_parse(path, &len, s, strlen(s)));
    REQUIRE(len == want_len);
    REQUIRE(want_len == 0 || memcmp(path, want, len * sizeof *path) == 0);
    REQUIRE(mpc_hd_path_is_valid(path, len));
    return true;
}

static bool parse_fails(const char *s, size_t n)
{
    uint32_t path[MPC_HD_MAX_DEPTH];
    static const uint32_t zero[MPC_HD_MAX_DEPTH];
    size_t len = 99;
    memset(path, 0xa5, sizeof path);
    REQUIRE(mpc_hd_path_parse(path, &len, s, n) == MPC_ERR_PARSE);
    REQUIRE(len == 0);
    REQUIRE(memcmp(path, zero, sizeof path) == 0);
    return true;
}

TEST(hd_path_parse)
{
    const uint32_t eth[] = {44, 60, 0, 0, 0};
    const uint32_t top[] = {2147483647u, 0, 10};
    CHECK(parse_ok("m", NULL, 0));
    CHECK(parse_ok("m/44/60/0/0/0", eth, 5));
    CHECK(parse_ok("m/2147483647/0/10", top, 3));

    static const char *bad[] = {
        "",
        "M",
        "m/",
        "/44",
        "44/60",
        "m44",
        "m//1",
        "m/1/",
        "m/01",
        "m/00",
        "m/1'",
        "m/1h",
        "m/1H",
        "m/-1",
        "m/+1",
        " m/1",
        "m/1 ",
        "m/ 1",
        "m/1/a",
        "m\\1",
        "m/0x10",
        "m/2147483648",
        "m/4294967295",
        "m/4294967296",
        "m/99999999999999999999999",
        "m/1.5",
        "mm",
        "m/1//2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (!parse_fails(bad[i], strlen(bad[i]))) {
            fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
            CHECK(false);
        }
    }
    CHECK(parse_fails("m/1\0", 4)); /* NUL inside the length */

    /* Depth: 255 indices parse, 256 do not; str_len bounds the input. */
    char buf[2 + 2 * (MPC_HD_MAX_DEPTH + 1)];
    size_t n = 0;
    buf[n++] = 'm';
    for (int i = 0; i < MPC_HD_MAX_DEPTH + 1; i++) {
        buf[n++] = '/';
        buf[n++] = '7';
    }
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len;
    CHECK_OK(mpc_hd_path_parse(path, &len, buf, n - 2));
    CHECK(len == MPC_HD_MAX_DEPTH && path[MPC_HD_MAX_DEPTH - 1] == 7);
    CHECK(parse_fails(buf, n));
    CHECK_OK(mpc_hd_path_parse(path, &len, "m/1/2", 3));
    CHECK(len == 1 && path[0] == 1);

    /* NULL arguments. */
    len = 99;
    CHECK_ERR(mpc_hd_path_parse(path, &len, NULL, 0), MPC_ERR_INVALID_ARG);
    CHECK(len == 0);
    CHECK_ERR(mpc_hd_path_parse(path, NULL, "m", 1), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_hd_path_parse(NULL, &len, "m", 1), MPC_ERR_INVALID_ARG);
}
