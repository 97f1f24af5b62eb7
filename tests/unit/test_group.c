/*
 * lib/ec: scalars and points of secp256k1 and Ed25519.
 *
 * Oracles, independent of the code under test where possible:
 * - scalar arithmetic: GMP mpz mod n / mod L, computed here;
 * - secp256k1 points: published multiples of G, values from an independent
 *   Python implementation of the curve formulas (hard-coded below), and
 *   OpenSSL's EC implementation for random scalars and points;
 * - Ed25519 points: RFC 8032 §7.1 test 1, the same Python implementation,
 *   and libsodium's crypto_scalarmult_ed25519_base_noclamp.
 */
#include <gmp.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <secp256k1.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#include "lib/core/ctx_internal.h"
#include "mpc/group.h"
#include "tests/harness/test.h"

static const mpc_group *k1(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

static const mpc_group *ed(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

static bool is_k1(const mpc_group *g)
{
    return mpc_group_curve(g) == MPC_CURVE_SECP256K1;
}

/* ---- GMP oracle --------------------------------------------------------- */

/* The scalar encoding's byte order, as mpz_import/export `order`. */
static int byte_order(const mpc_group *g)
{
    return is_k1(g) ? 1 : -1;
}

static void to_mpz(const mpc_group *g, mpz_t z, const uint8_t *bytes,
                   size_t len)
{
    mpz_import(z, len, byte_order(g), 1, 0, 0, bytes);
}

/* The 32-byte encoding of z (0 <= z < 2^256) in the curve's byte order. */
static void from_mpz(const mpc_group *g, mpc_scalar *s, const mpz_t z)
{
    uint8_t le[32] = {0};
    size_t count = 0;
    mpz_export(le, &count, -1, 1, 0, 0, z);
    for (size_t i = 0; i < 32; i++)
        s->v[i] = is_k1(g) ? le[31 - i] : le[i];
}

static void order_mpz(const mpc_group *g, mpz_t n)
{
    uint8_t be[32];
    mpc_group_order_be(g, be);
    mpz_import(n, 32, 1, 1, 0, 0, be);
}

/* s = v mod order, v given as a (possibly negative) mpz. */
static void scalar_from_mpz_mod(const mpc_group *g, mpc_scalar *s,
                                const mpz_t v)
{
    mpz_t n, t;
    mpz_inits(n, t, NULL);
    order_mpz(g, n);
    mpz_mod(t, v, n);
    from_mpz(g, s, t);
    mpz_clears(n, t, NULL);
}

/* Edge values: 0, 1, 2, order-1, order-2, (order-1)/2, (order+1)/2, 2^64. */
#define N_EDGES 8
static void edge_scalar(const mpc_group *g, mpc_scalar *s, int i)
{
    static const long delta[N_EDGES] = {0, 1, 2, -1, -2, 0, 0, 0};
    mpz_t v, n;
    mpz_inits(v, n, NULL);
    order_mpz(g, n);
    if (i == 5 || i == 6) {
        mpz_add_ui(v, n, i == 5 ? 0 : 2);
        mpz_sub_ui(v, v, 1);
        mpz_fdiv_q_2exp(v, v, 1);
    } else if (i == 7) {
        mpz_setbit(v, 64);
    } else {
        mpz_set_si(v, delta[i]);
    }
    scalar_from_mpz_mod(g, s, v);
    mpz_clears(v, n, NULL);
}

/* Checks add, sub, mul, neg, inv and inv_var of (a, b) against mpz. */
static bool check_arith(const mpc_group *g, const mpc_scalar *a,
                        const mpc_scalar *b)
{
    mpz_t x, y, n, t;
    mpz_inits(x, y, n, t, NULL);
    to_mpz(g, x, a->v, 32);
    to_mpz(g, y, b->v, 32);
    order_mpz(g, n);
    mpc_scalar got, want;
    bool ok = true;

    mpz_add(t, x, y);
    scalar_from_mpz_mod(g, &want, t);
    mpc_scalar_add(g, &got, a, b);
    ok &= mpc_scalar_eq(&got, &want);

    mpz_sub(t, x, y);
    scalar_from_mpz_mod(g, &want, t);
    mpc_scalar_sub(g, &got, a, b);
    ok &= mpc_scalar_eq(&got, &want);

    mpz_mul(t, x, y);
    scalar_from_mpz_mod(g, &want, t);
    mpc_scalar_mul(g, &got, a, b);
    ok &= mpc_scalar_eq(&got, &want);

    mpz_neg(t, x);
    scalar_from_mpz_mod(g, &want, t);
    mpc_scalar_neg(g, &got, a);
    ok &= mpc_scalar_eq(&got, &want);

    if (mpz_sgn(x) != 0) {
        mpz_invert(t, x, n);
        scalar_from_mpz_mod(g, &want, t);
        ok &= mpc_scalar_inv(g, &got, a) == MPC_OK;
        ok &= mpc_scalar_eq(&got, &want);
        ok &= mpc_scalar_inv_var(g, &got, a) == MPC_OK;
        ok &= mpc_scalar_eq(&got, &want);
    }
    mpz_clears(x, y, n, t, NULL);
    REQUIRE(ok);
    return true;
}

static bool arith_matches_gmp(const mpc_group *g)
{
    mpc_scalar a, b;
    for (int i = 0; i < N_EDGES; i++) {
        for (int j = 0; j < N_EDGES; j++) {
            edge_scalar(g, &a, i);
            edge_scalar(g, &b, j);
            REQUIRE(check_arith(g, &a, &b));
        }
    }
    int iters = test_iters(200);
    for (int i = 0; i < iters; i++) {
        mpc_scalar_random(g, &a);
        mpc_scalar_random(g, &b);
        REQUIRE(check_arith(g, &a, &b));
        edge_scalar(g, &b, i % N_EDGES);
        REQUIRE(check_arith(g, &a, &b));
        REQUIRE(check_arith(g, &b, &a));
    }
    return true;
}

TEST(group_scalar_arith_matches_gmp_secp256k1)
{
    CHECK(arith_matches_gmp(k1()));
}

TEST(group_scalar_arith_matches_gmp_ed25519)
{
    CHECK(arith_matches_gmp(ed()));
}

/* reduce_be / reduce_le of every length 0..64 against mpz, with all-ones
 * inputs (2^(8 len) - 1, e.g. 2^256 - 1 and 2^512 - 1) and random ones. */
static bool reduce_matches_gmp(const mpc_group *g)
{
    mpz_t v;
    mpz_init(v);
    uint8_t in[64];
    int iters = test_iters(20);
    for (int it = 0; it <= iters; it++) {
        if (it == 0)
            memset(in, 0xff, sizeof in);
        else
            mpc_drbg_fill(test_drbg(), in, sizeof in);
        for (size_t len = 0; len <= 64; len++) {
            mpc_scalar got, want;
            mpz_import(v, len, 1, 1, 0, 0, in);
            scalar_from_mpz_mod(g, &want, v);
            mpc_scalar_reduce_be(g, &got, in, len);
            REQUIRE(mpc_scalar_eq(&got, &want));
            mpz_import(v, len, -1, 1, 0, 0, in);
            scalar_from_mpz_mod(g, &want, v);
            mpc_scalar_reduce_le(g, &got, in, len);
            REQUIRE(mpc_scalar_eq(&got, &want));
        }
    }
    mpz_clear(v);
    return true;
}

TEST(group_scalar_reduce_matches_gmp)
{
    CHECK(reduce_matches_gmp(k1()));
    CHECK(reduce_matches_gmp(ed()));
}

TEST(group_scalar_reduce_rejects_long_input)
{
    /* len > 64 is a caller bug: the process aborts rather than reduce a
     * truncated value. Run it in a child to observe the abort. */
    const mpc_group *groups[2] = {k1(), ed()};
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            uint8_t in[65] = {0};
            mpc_scalar r;
            mpc_scalar_reduce_be(groups[i], &r, in, sizeof in);
            _exit(0);
        }
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    }
}

TEST(group_scalar_set_u64)
{
    const mpc_group *groups[2] = {k1(), ed()};
    const uint64_t vals[4] = {0, 1, 0x0102030405060708u, UINT64_MAX};
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
            mpz_t v;
            mpz_init(v);
            mpz_import(v, 1, 1, sizeof vals[j], 0, 0, &vals[j]);
            mpc_scalar got, want;
            scalar_from_mpz_mod(groups[i], &want, v);
            mpz_clear(v);
            mpc_scalar_set_u64(groups[i], &got, vals[j]);
            CHECK(mpc_scalar_eq(&got, &want));
        }
    }
}

/* ---- scalar parsing ----------------------------------------------------- */

static bool parse_rejects(const mpc_group *g, const char *hex)
{
    uint8_t in[32];
    REQUIRE(test_unhex(in, sizeof in, hex));
    mpc_scalar r;
    memset(r.v, 0xaa, sizeof r.v);
    REQUIRE(mpc_scalar_parse(g, &r, in) == MPC_ERR_PARSE);
    REQUIRE(mpc_scalar_is_zero(&r));
    return true;
}

static bool parse_accepts(const mpc_group *g, const char *hex)
{
    uint8_t in[32], out[32];
    REQUIRE(test_unhex(in, sizeof in, hex));
    mpc_scalar r;
    REQUIRE_OK(mpc_scalar_parse(g, &r, in));
    mpc_scalar_serialize(g, out, &r);
    REQUIRE(memcmp(in, out, 32) == 0);
    return true;
}

TEST(group_scalar_parse_secp256k1)
{
    const mpc_group *g = k1();
    /* n, n+1, 2^256-1, 2^255 */
    CHECK(parse_rejects(g, "fffffffffffffffffffffffffffffffe"
                           "baaedce6af48a03bbfd25e8cd0364141"));
    CHECK(parse_rejects(g, "fffffffffffffffffffffffffffffffe"
                           "baaedce6af48a03bbfd25e8cd0364142"));
    CHECK(parse_rejects(g, "ffffffffffffffffffffffffffffffff"
                           "ffffffffffffffffffffffffffffffff"));
    /* n-1, 0, 1 and 2^255 (below n) */
    CHECK(parse_accepts(g, "fffffffffffffffffffffffffffffffe"
                           "baaedce6af48a03bbfd25e8cd0364140"));
    CHECK(parse_accepts(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000000"));
    CHECK(parse_accepts(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000001"));
    CHECK(parse_accepts(g, "80000000000000000000000000000000"
                           "00000000000000000000000000000000"));
}

TEST(group_scalar_parse_ed25519)
{
    const mpc_group *g = ed();
    /* L, L+1, 2^256-1, 2^255, 2^253 (little-endian) */
    CHECK(parse_rejects(g, "edd3f55c1a631258d69cf7a2def9de14"
                           "00000000000000000000000000000010"));
    CHECK(parse_rejects(g, "eed3f55c1a631258d69cf7a2def9de14"
                           "00000000000000000000000000000010"));
    CHECK(parse_rejects(g, "ffffffffffffffffffffffffffffffff"
                           "ffffffffffffffffffffffffffffffff"));
    CHECK(parse_rejects(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000080"));
    CHECK(parse_rejects(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000020"));
    /* L-1, 0, 1, 2^252 */
    CHECK(parse_accepts(g, "ecd3f55c1a631258d69cf7a2def9de14"
                           "00000000000000000000000000000010"));
    CHECK(parse_accepts(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000000"));
    CHECK(parse_accepts(g, "01000000000000000000000000000000"
                           "00000000000000000000000000000000"));
    CHECK(parse_accepts(g, "00000000000000000000000000000000"
                           "00000000000000000000000000000010"));
}

TEST(group_scalar_order_be)
{
    uint8_t out[32], want[32];
    mpc_group_order_be(k1(), out);
    CHECK(test_unhex(want, 32,
                     "fffffffffffffffffffffffffffffffe"
                     "baaedce6af48a03bbfd25e8cd0364141"));
    CHECK_MEM(out, want, 32);
    mpc_group_order_be(ed(), out);
    CHECK(test_unhex(want, 32,
                     "10000000000000000000000000000000"
                     "14def9dea2f79cd65812631a5cf5d3ed"));
    CHECK_MEM(out, want, 32);
}

/* ---- scalar misc -------------------------------------------------------- */

static bool inv_of_zero_fails(const mpc_group *g)
{
    mpc_scalar zero, r;
    mpc_scalar_set_zero(&zero);
    memset(r.v, 0xaa, sizeof r.v);
    REQUIRE(mpc_scalar_inv(g, &r, &zero) == MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&r));
    memset(r.v, 0xaa, sizeof r.v);
    REQUIRE(mpc_scalar_inv_var(g, &r, &zero) == MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&r));
    return true;
}

TEST(group_scalar_inv_zero_is_invalid_arg)
{
    CHECK(inv_of_zero_fails(k1()));
    CHECK(inv_of_zero_fails(ed()));
}

static bool random_is_canonical_nonzero(const mpc_group *g)
{
    mpc_scalar prev;
    mpc_scalar_set_zero(&prev);
    for (int i = 0; i < test_iters(100); i++) {
        mpc_scalar r, p;
        mpc_scalar_random(g, &r);
        REQUIRE(!mpc_scalar_is_zero(&r));
        REQUIRE(!mpc_scalar_eq(&r, &prev));
        REQUIRE_OK(mpc_scalar_parse(g, &p, r.v));
        prev = r;
    }
    return true;
}

TEST(group_scalar_random)
{
    CHECK(random_is_canonical_nonzero(k1()));
    CHECK(random_is_canonical_nonzero(ed()));
}

TEST(group_scalar_eq_zero_clear)
{
    mpc_scalar a, b;
    mpc_scalar_set_zero(&a);
    CHECK(mpc_scalar_is_zero(&a));
    mpc_scalar_set_u64(k1(), &b, 1);
    CHECK(!mpc_scalar_is_zero(&b));
    CHECK(!mpc_scalar_eq(&a, &b));
    a = b;
    CHECK(mpc_scalar_eq(&a, &b));
    a.v[0] ^= 0x80; /* a difference in the first byte counts too */
    CHECK(!mpc_scalar_eq(&a, &b));
    mpc_scalar_clear(&b);
    /* Test builds poison wiped memory for valgrind; reading it here is the
     * point of the check. */
    VALGRIND_MAKE_MEM_DEFINED(b.v, sizeof b.v);
    mpc_scalar z;
    mpc_scalar_set_zero(&z);
    CHECK_MEM(b.v, z.v, sizeof z.v);
}

/* Outputs may alias inputs: r = a op r, r = r op b, r = r op r. */
static bool aliasing_ok(const mpc_group *g)
{
    typedef void (*binop)(const mpc_group *, mpc_scalar *, const mpc_scalar *,
                          const mpc_scalar *);
    const binop ops[3] = {mpc_scalar_add, mpc_scalar_sub, mpc_scalar_mul};
    mpc_scalar a, b, want, r;
    mpc_scalar_random(g, &a);
    mpc_scalar_random(g, &b);
    for (int i = 0; i < 3; i++) {
        ops[i](g, &want, &a, &b);
        r = a;
        ops[i](g, &r, &r, &b);
        REQUIRE(mpc_scalar_eq(&r, &want));
        r = b;
        ops[i](g, &r, &a, &r);
        REQUIRE(mpc_scalar_eq(&r, &want));
        ops[i](g, &want, &a, &a);
        r = a;
        ops[i](g, &r, &r, &r);
        REQUIRE(mpc_scalar_eq(&r, &want));
    }
    mpc_scalar_neg(g, &want, &a);
    r = a;
    mpc_scalar_neg(g, &r, &r);
    REQUIRE(mpc_scalar_eq(&r, &want));
    REQUIRE_OK(mpc_scalar_inv(g, &want, &a));
    r = a;
    REQUIRE_OK(mpc_scalar_inv(g, &r, &r));
    REQUIRE(mpc_scalar_eq(&r, &want));
    r = a;
    REQUIRE_OK(mpc_scalar_inv_var(g, &r, &r));
    REQUIRE(mpc_scalar_eq(&r, &want));
    mpc_scalar_reduce_be(g, &want, a.v, 32);
    r = a;
    mpc_scalar_reduce_be(g, &r, r.v, 32);
    REQUIRE(mpc_scalar_eq(&r, &want));
    return true;
}

TEST(group_scalar_outputs_may_alias_inputs)
{
    CHECK(aliasing_ok(k1()));
    CHECK(aliasing_ok(ed()));
}

/* ---- group handles ------------------------------------------------------ */

TEST(group_ctx_accessors)
{
    const mpc_ctx *ctx = test_ctx();
    CHECK(k1() != NULL && ed() != NULL && k1() != ed());
    CHECK(mpc_ctx_group(ctx, (mpc_curve)0) == NULL);
    CHECK(mpc_ctx_group(ctx, (mpc_curve)3) == NULL);
    CHECK(mpc_group_ctx(k1()) == ctx && mpc_group_ctx(ed()) == ctx);
    CHECK(mpc_group_curve(k1()) == MPC_CURVE_SECP256K1);
    CHECK(mpc_group_curve(ed()) == MPC_CURVE_ED25519);
    CHECK(mpc_group_point_bytes(k1()) == 33);
    CHECK(mpc_group_point_bytes(ed()) == 32);
}

/* ---- known answers for k*G ---------------------------------------------- */

struct kat {
    const char *k;
    const char *kg;
};

/* Multiples of G: 2G and 3G are the published values; (n-1)G = -G; the
 * last k is SHA-256("mpcium-c group kat") mod n. All computed with an
 * independent affine-formula implementation in Python. */
static const struct kat k1_kats[] = {
    {"0000000000000000000000000000000000000000000000000000000000000001",
     "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
    {"0000000000000000000000000000000000000000000000000000000000000002",
     "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"},
    {"0000000000000000000000000000000000000000000000000000000000000003",
     "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9"},
    {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
     "0379be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
    {"e7b35095db37036479c5ca8d3222446dc6781b688701dd28518d36c299a91b5a",
     "03c40a7897e5aff238ed3245c203de0e1ef5904d9c4f2fff37c13c6c786f3f42b0"},
};

/* Multiples of B (scalars little-endian): B itself (RFC 8032 §5.1), 2B,
 * 3B, (L-1)B = -B, and SHA-256("mpcium-c group kat ed25519") mod L. */
static const struct kat ed_kats[] = {
    {"0100000000000000000000000000000000000000000000000000000000000000",
     "5866666666666666666666666666666666666666666666666666666666666666"},
    {"0200000000000000000000000000000000000000000000000000000000000000",
     "c9a3f86aae465f0e56513864510f3997561fa2c9e85ea21dc2292309f3cd6022"},
    {"0300000000000000000000000000000000000000000000000000000000000000",
     "d4b4f5784868c3020403246717ec169ff79e26608ea126a1ab69ee77d1b16712"},
    {"ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
     "58666666666666666666666666666666666666666666666666666666666666e6"},
    {"c4afc5f492d91a1e9573e058b8d1456e223327951ad074fb80a0e2a5f84cf107",
     "1a3b4659249d4842b553e56da142cfa6d65fffeb74797ec0581c087579eb4673"},
};

static bool check_kats(const mpc_group *g, const struct kat *kats, size_t n)
{
    size_t plen = mpc_group_point_bytes(g);
    for (size_t i = 0; i < n; i++) {
        uint8_t kb[32], want[33], got[33];
        REQUIRE(test_unhex(kb, 32, kats[i].k));
        REQUIRE(test_unhex(want, plen, kats[i].kg));
        mpc_scalar k;
        REQUIRE_OK(mpc_scalar_parse(g, &k, kb));
        mpc_point p, q, gen;
        mpc_point_mul_base(g, &p, &k);
        mpc_point_serialize(g, got, &p);
        REQUIRE(memcmp(got, want, plen) == 0);
        /* The same through the variable-base path and the parser. */
        mpc_point_generator(g, &gen);
        mpc_point_mul(g, &q, &k, &gen);
        REQUIRE(mpc_point_eq(g, &p, &q));
        REQUIRE_OK(mpc_point_parse(g, &q, want, plen));
        REQUIRE(mpc_point_eq(g, &p, &q));
    }
    return true;
}

TEST(group_mul_base_kat_secp256k1)
{
    CHECK(check_kats(k1(), k1_kats, sizeof k1_kats / sizeof k1_kats[0]));
}

TEST(group_mul_base_kat_ed25519)
{
    CHECK(check_kats(ed(), ed_kats, sizeof ed_kats / sizeof ed_kats[0]));
}

/* RFC 8032 §7.1 TEST 1: the public key is a*B for the clamped hash of the
 * secret key; a mod L gives the same point because B has order L. */
TEST(group_mul_base_rfc8032_test1)
{
    uint8_t sk[32], want[32], h[64], got[32];
    CHECK(test_unhex(sk, 32,
                     "9d61b19deffd5a60ba844af492ec2cc4"
                     "4449c5697b326919703bac031cae7f60"));
    CHECK(test_unhex(want, 32,
                     "d75a980182b10ab7d54bfed3c964073a"
                     "0ee172f3daa62325af021a68f707511a"));
    crypto_hash_sha512(h, sk, sizeof sk);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    mpc_scalar a;
    mpc_scalar_reduce_le(ed(), &a, h, 32);
    mpc_point p;
    mpc_point_mul_base(ed(), &p, &a);
    mpc_point_serialize(ed(), got, &p);
    CHECK_MEM(got, want, 32);
}

/* Random k: k*G against libsecp256k1 and libsodium used directly. */
TEST(group_mul_base_matches_library_oracles)
{
    const mpc_ctx *ctx = test_ctx();
    for (int i = 0; i < test_iters(50); i++) {
        mpc_scalar k;
        mpc_point p;
        uint8_t got[33], want[33];

        mpc_scalar_random(k1(), &k);
        mpc_point_mul_base(k1(), &p, &k);
        mpc_point_serialize(k1(), got, &p);
        secp256k1_pubkey pk;
        size_t len = 33;
        CHECK(secp256k1_ec_pubkey_create(ctx->secp, &pk, k.v));
        CHECK(secp256k1_ec_pubkey_serialize(ctx->secp, want, &len, &pk,
                                            SECP256K1_EC_COMPRESSED));
        CHECK_MEM(got, want, 33);

        mpc_scalar_random(ed(), &k);
        mpc_point_mul_base(ed(), &p, &k);
        mpc_point_serialize(ed(), got, &p);
        CHECK(crypto_scalarmult_ed25519_base_noclamp(want, k.v) == 0);
        CHECK_MEM(got, want, 32);
    }
}

/* ---- secp256k1 against OpenSSL ------------------------------------------ */

struct ossl {
    EC_GROUP *grp;
    BN_CTX *bn;
};

/* out = k*P (+ Q if q33 != NULL), P = G if p33 is NULL, compressed. */
static bool ossl_mul_add(const struct ossl *o, uint8_t out[33],
                         const uint8_t k[32], const uint8_t *p33,
                         const uint8_t *q33)
{
    BIGNUM *bk = BN_bin2bn(k, 32, NULL);
    EC_POINT *r = EC_POINT_new(o->grp), *p = EC_POINT_new(o->grp);
    EC_POINT *q = EC_POINT_new(o->grp);
    bool ok = bk && r && p && q;
    if (ok && p33 == NULL)
        ok = EC_POINT_mul(o->grp, r, bk, NULL, NULL, o->bn) == 1;
    else if (ok)
        ok = EC_POINT_oct2point(o->grp, p, p33, 33, o->bn) == 1 &&
             EC_POINT_mul(o->grp, r, NULL, p, bk, o->bn) == 1;
    if (ok && q33 != NULL)
        ok = EC_POINT_oct2point(o->grp, q, q33, 33, o->bn) == 1 &&
             EC_POINT_add(o->grp, r, r, q, o->bn) == 1;
    if (ok)
        ok = EC_POINT_point2oct(o->grp, r, POINT_CONVERSION_COMPRESSED, out, 33,
                                o->bn) == 33;
    EC_POINT_free(q);
    EC_POINT_free(p);
    EC_POINT_free(r);
    BN_free(bk);
    return ok;
}

static bool matches_openssl(const struct ossl *o)
{
    const mpc_group *g = k1();
    for (int i = 0; i < test_iters(50); i++) {
        mpc_scalar k, a;
        mpc_point p, q, r;
        uint8_t pb[33], qb[33], got[33], want[33];
        mpc_scalar_random(g, &k);
        mpc_scalar_random(g, &a);
        mpc_point_mul_base(g, &p, &a);
        mpc_point_serialize(g, pb, &p);

        mpc_point_mul_base(g, &r, &k);
        mpc_point_serialize(g, got, &r);
        REQUIRE(ossl_mul_add(o, want, k.v, NULL, NULL));
        REQUIRE(memcmp(got, want, 33) == 0);

        mpc_point_mul(g, &q, &k, &p);
        mpc_point_serialize(g, qb, &q);
        REQUIRE(ossl_mul_add(o, want, k.v, pb, NULL));
        REQUIRE(memcmp(qb, want, 33) == 0);

        /* k*P + P, through a separate addition */
        mpc_point_add(g, &r, &q, &p);
        mpc_point_serialize(g, got, &r);
        REQUIRE(ossl_mul_add(o, want, k.v, pb, pb));
        REQUIRE(memcmp(got, want, 33) == 0);
    }
    return true;
}

TEST(group_secp256k1_matches_openssl)
{
    struct ossl o = {EC_GROUP_new_by_curve_name(NID_secp256k1), BN_CTX_new()};
    bool ok = o.grp != NULL && o.bn != NULL && matches_openssl(&o);
    BN_CTX_free(o.bn);
    EC_GROUP_free(o.grp);
    CHECK(ok);
}

/* ---- algebra ------------------------------------------------------------ */

static bool algebra_holds(const mpc_group *g)
{
    mpc_point id, gen, p, q, r, s;
    mpc_point_set_identity(g, &id);
    mpc_point_generator(g, &gen);
    REQUIRE(mpc_point_is_identity(g, &id));
    REQUIRE(!mpc_point_is_identity(g, &gen));

    mpc_scalar zero, one;
    mpc_scalar_set_zero(&zero);
    mpc_scalar_set_u64(g, &one, 1);
    mpc_point_mul_base(g, &p, &one);
    REQUIRE(mpc_point_eq(g, &p, &gen));
    mpc_point_mul_base(g, &p, &zero);
    REQUIRE(mpc_point_is_identity(g, &p));
    mpc_point_mul(g, &p, &zero, &gen);
    REQUIRE(mpc_point_is_identity(g, &p));
    mpc_point_mul(g, &p, &one, &id);
    REQUIRE(mpc_point_is_identity(g, &p));

    for (int i = 0; i < test_iters(20); i++) {
        mpc_scalar a, b, c;
        mpc_scalar_random(g, &a);
        mpc_scalar_random(g, &b);

        /* (a+b)G = aG + bG */
        mpc_point_mul_base(g, &p, &a);
        mpc_point_mul_base(g, &q, &b);
        mpc_point_add(g, &r, &p, &q);
        mpc_scalar_add(g, &c, &a, &b);
        mpc_point_mul_base(g, &s, &c);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* (a-b)G = aG - bG */
        mpc_point_sub(g, &r, &p, &q);
        mpc_scalar_sub(g, &c, &a, &b);
        mpc_point_mul_base(g, &s, &c);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* a(bG) = (ab)G */
        mpc_point_mul(g, &r, &a, &q);
        mpc_scalar_mul(g, &c, &a, &b);
        mpc_point_mul_base(g, &s, &c);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* a * a^-1 = 1, and a^-1 (aG) = G */
        REQUIRE_OK(mpc_scalar_inv(g, &c, &a));
        mpc_scalar_mul(g, &c, &c, &a);
        REQUIRE(mpc_scalar_eq(&c, &one));
        REQUIRE_OK(mpc_scalar_inv(g, &c, &a));
        mpc_point_mul(g, &r, &c, &p);
        REQUIRE(mpc_point_eq(g, &r, &gen));
        /* P - P = identity, P + (-P) = identity, -(-P) = P, (-a)G = -(aG) */
        mpc_point_sub(g, &r, &p, &p);
        REQUIRE(mpc_point_is_identity(g, &r));
        mpc_point_neg(g, &s, &p);
        mpc_point_add(g, &r, &p, &s);
        REQUIRE(mpc_point_is_identity(g, &r));
        REQUIRE(!mpc_point_eq(g, &s, &p));
        mpc_point_neg(g, &r, &s);
        REQUIRE(mpc_point_eq(g, &r, &p));
        mpc_scalar_neg(g, &c, &a);
        mpc_point_mul_base(g, &r, &c);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* P + identity = identity + P = P; identity - P = -P */
        mpc_point_add(g, &r, &p, &id);
        REQUIRE(mpc_point_eq(g, &r, &p));
        mpc_point_add(g, &r, &id, &p);
        REQUIRE(mpc_point_eq(g, &r, &p));
        mpc_point_sub(g, &r, &p, &id);
        REQUIRE(mpc_point_eq(g, &r, &p));
        mpc_point_sub(g, &r, &id, &p);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* P + P = 2P (doubling through the addition) */
        mpc_point_add(g, &r, &p, &p);
        mpc_scalar_add(g, &c, &a, &a);
        mpc_point_mul_base(g, &s, &c);
        REQUIRE(mpc_point_eq(g, &r, &s));
        /* 0 * P = identity, k * identity = identity */
        mpc_point_mul(g, &r, &zero, &p);
        REQUIRE(mpc_point_is_identity(g, &r));
        mpc_point_mul(g, &r, &a, &id);
        REQUIRE(mpc_point_is_identity(g, &r));
        REQUIRE(!mpc_point_eq(g, &p, &id) && !mpc_point_eq(g, &id, &p));
    }
    mpc_point_neg(g, &r, &id);
    REQUIRE(mpc_point_is_identity(g, &r));
    mpc_point_add(g, &r, &id, &id);
    REQUIRE(mpc_point_is_identity(g, &r));
    REQUIRE(mpc_point_eq(g, &id, &r));
    return true;
}

TEST(group_algebra_secp256k1)
{
    CHECK(algebra_holds(k1()));
}

TEST(group_algebra_ed25519)
{
    CHECK(algebra_holds(ed()));
}

static bool point_aliasing_ok(const mpc_group *g)
{
    mpc_scalar k;
    mpc_point p, q, want, r;
    mpc_scalar_random(g, &k);
    mpc_point_mul_base(g, &p, &k);
    mpc_scalar_random(g, &k);
    mpc_point_mul_base(g, &q, &k);

    mpc_point_add(g, &want, &p, &q);
    r = p;
    mpc_point_add(g, &r, &r, &q);
    REQUIRE(mpc_point_eq(g, &r, &want));
    r = q;
    mpc_point_add(g, &r, &p, &r);
    REQUIRE(mpc_point_eq(g, &r, &want));
    mpc_point_sub(g, &want, &p, &q);
    r = p;
    mpc_point_sub(g, &r, &r, &q);
    REQUIRE(mpc_point_eq(g, &r, &want));
    r = q;
    mpc_point_sub(g, &r, &p, &r);
    REQUIRE(mpc_point_eq(g, &r, &want));
    mpc_point_neg(g, &want, &p);
    r = p;
    mpc_point_neg(g, &r, &r);
    REQUIRE(mpc_point_eq(g, &r, &want));
    mpc_point_mul(g, &want, &k, &p);
    r = p;
    mpc_point_mul(g, &r, &k, &r);
    REQUIRE(mpc_point_eq(g, &r, &want));
    return true;
}

TEST(group_point_outputs_may_alias_inputs)
{
    CHECK(point_aliasing_ok(k1()));
    CHECK(point_aliasing_ok(ed()));
}

/* ---- serialization and parsing ------------------------------------------ */

static bool roundtrip_ok(const mpc_group *g)
{
    size_t plen = mpc_group_point_bytes(g);
    uint8_t buf[MPC_POINT_MAX_BYTES], again[MPC_POINT_MAX_BYTES];
    for (int i = 0; i < test_iters(50); i++) {
        mpc_scalar k;
        mpc_point p, q;
        mpc_scalar_random(g, &k);
        mpc_point_mul_base(g, &p, &k);
        mpc_point_serialize(g, buf, &p);
        REQUIRE_OK(mpc_point_parse(g, &q, buf, plen));
        REQUIRE(mpc_point_eq(g, &p, &q));
        REQUIRE_OK(mpc_point_parse_allow_identity(g, &q, buf, plen));
        REQUIRE(mpc_point_eq(g, &p, &q));
        mpc_point_serialize(g, again, &q);
        REQUIRE(memcmp(buf, again, plen) == 0);
    }
    /* The identity: only parse_allow_identity takes its encoding. */
    mpc_point id, q;
    mpc_point_set_identity(g, &id);
    mpc_point_serialize(g, buf, &id);
    mpc_point_generator(g, &q);
    REQUIRE(mpc_point_parse(g, &q, buf, plen) == MPC_ERR_PARSE);
    REQUIRE(mpc_point_is_identity(g, &q));
    mpc_point_generator(g, &q);
    REQUIRE_OK(mpc_point_parse_allow_identity(g, &q, buf, plen));
    REQUIRE(mpc_point_is_identity(g, &q));
    return true;
}

TEST(group_point_roundtrip)
{
    CHECK(roundtrip_ok(k1()));
    CHECK(roundtrip_ok(ed()));
}

TEST(group_point_identity_encoding)
{
    uint8_t buf[33], want[33] = {0};
    mpc_point id;
    mpc_point_set_identity(k1(), &id);
    mpc_point_serialize(k1(), buf, &id);
    CHECK_MEM(buf, want, 33);
    mpc_point_set_identity(ed(), &id);
    mpc_point_serialize(ed(), buf, &id);
    want[0] = 1;
    CHECK_MEM(buf, want, 32);
}

/* Both parsers reject `hex` (any length), leaving the identity. */
static bool point_rejects(const mpc_group *g, const char *hex)
{
    uint8_t in[80];
    size_t len = strlen(hex) / 2;
    REQUIRE(len <= sizeof in && test_unhex(in, len, hex));
    mpc_point r;
    mpc_point_generator(g, &r);
    REQUIRE(mpc_point_parse(g, &r, in, len) == MPC_ERR_PARSE);
    REQUIRE(mpc_point_is_identity(g, &r));
    mpc_point_generator(g, &r);
    REQUIRE(mpc_point_parse_allow_identity(g, &r, in, len) == MPC_ERR_PARSE);
    REQUIRE(mpc_point_is_identity(g, &r));
    return true;
}

#define K1_GX "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define K1_GY "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"

TEST(group_point_parse_rejects_secp256k1)
{
    const mpc_group *g = k1();
    /* wrong length: empty, 32, 34 bytes, and the valid uncompressed G */
    CHECK(point_rejects(g, ""));
    CHECK(point_rejects(g, K1_GX));
    CHECK(point_rejects(g, "02" K1_GX "00"));
    CHECK(point_rejects(g, "04" K1_GX K1_GY));
    /* prefixes other than 02/03 on a valid x */
    CHECK(point_rejects(g, "00" K1_GX));
    CHECK(point_rejects(g, "01" K1_GX));
    CHECK(point_rejects(g, "04" K1_GX));
    CHECK(point_rejects(g, "05" K1_GX));
    CHECK(point_rejects(g, "06" K1_GX));
    CHECK(point_rejects(g, "07" K1_GX));
    CHECK(point_rejects(g, "ff" K1_GX));
    /* x >= p: p itself, and p + 1, which reduces to the valid x = 1 */
    CHECK(point_rejects(g, "02ffffffffffffffffffffffffffffffff"
                           "fffffffffffffffffffffffefffffc2f"));
    CHECK(point_rejects(g, "03ffffffffffffffffffffffffffffffff"
                           "fffffffffffffffffffffffefffffc30"));
    CHECK(point_rejects(g, "02ffffffffffffffffffffffffffffffff"
                           "ffffffffffffffffffffffffffffffff"));
    /* x not on the curve: x^3 + 7 is not a square for x = 0 and x = 5 */
    CHECK(point_rejects(g, "02000000000000000000000000000000"
                           "0000000000000000000000000000000000"));
    CHECK(point_rejects(g, "03000000000000000000000000000000"
                           "0000000000000000000000000000000005"));
    /* the identity's encoding with a non-zero byte is nothing */
    CHECK(point_rejects(g, "00000000000000000000000000000000"
                           "0000000000000000000000000000000001"));
    /* x = 1 itself is a valid point, for contrast with p + 1 above */
    uint8_t one[33];
    CHECK(test_unhex(one, 33,
                     "02000000000000000000000000000000"
                     "0000000000000000000000000000000001"));
    mpc_point r;
    CHECK_OK(mpc_point_parse(g, &r, one, 33));
    /* 33 zero bytes: the identity, accepted only where allowed */
    uint8_t zero[33] = {0};
    CHECK_ERR(mpc_point_parse(g, &r, zero, 33), MPC_ERR_PARSE);
    CHECK(mpc_point_is_identity(g, &r));
    CHECK_OK(mpc_point_parse_allow_identity(g, &r, zero, 33));
    CHECK(mpc_point_is_identity(g, &r));
    CHECK_ERR(mpc_point_parse_allow_identity(g, &r, zero, 32), MPC_ERR_PARSE);
}

/* The eight points of small order on edwards25519 (the torsion subgroup):
 * the identity, (0, -1) of order 2, (+-sqrt(-1), 0) of order 4, and four
 * points of order 8 — the list in libsodium's and the "Taming the many
 * EdDSAs" (Chalkias et al., 2020) blocklists, recomputed here in Python. */
static const char *const ed_small_order[8] = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
};

TEST(group_point_parse_rejects_ed25519)
{
    const mpc_group *g = ed();
    uint8_t in[32];
    mpc_point r;
    /* wrong lengths */
    CHECK(point_rejects(g, ""));
    CHECK(point_rejects(g, "58666666666666666666666666666666"
                           "666666666666666666666666666666"));
    CHECK(point_rejects(g, "58666666666666666666666666666666"
                           "6666666666666666666666666666666600"));
    /* the identity: rejected by parse, accepted by parse_allow_identity */
    CHECK(test_unhex(in, 32, ed_small_order[0]));
    CHECK_ERR(mpc_point_parse(g, &r, in, 32), MPC_ERR_PARSE);
    CHECK_OK(mpc_point_parse_allow_identity(g, &r, in, 32));
    CHECK(mpc_point_is_identity(g, &r));
    /* the other seven small-order points, by both parsers */
    for (int i = 1; i < 8; i++)
        CHECK(point_rejects(g, ed_small_order[i]));
    /* negative zero: x = 0 with the sign bit set (y = 1 and y = -1) */
    CHECK(point_rejects(g, "01000000000000000000000000000000"
                           "00000000000000000000000000000080"));
    CHECK(point_rejects(g, "ecffffffffffffffffffffffffffffff"
                           "ffffffffffffffffffffffffffffffff"));
    /* y >= p: every value p..2^255-1 with either sign bit. No prime-order
     * point has y < 19 (checked in Python), so each of these would denote
     * the identity, a torsion point or nothing; y = p + 1 is the identity
     * in a non-canonical encoding, which parse_allow_identity must refuse
     * too. */
    for (int d = 0; d < 19; d++) {
        for (int sign = 0; sign < 2; sign++) {
            memset(in, 0xff, sizeof in);
            in[0] = (uint8_t)(0xed + d);
            in[31] = sign ? 0xff : 0x7f;
            CHECK_ERR(mpc_point_parse(g, &r, in, 32), MPC_ERR_PARSE);
            CHECK_ERR(mpc_point_parse_allow_identity(g, &r, in, 32),
                      MPC_ERR_PARSE);
            CHECK(mpc_point_is_identity(g, &r));
        }
    }
    /* mixed order: a valid point plus each non-trivial torsion point */
    mpc_scalar k;
    mpc_point p;
    mpc_scalar_random(g, &k);
    mpc_point_mul_base(g, &p, &k);
    uint8_t pb[32], t[32], mixed[32];
    mpc_point_serialize(g, pb, &p);
    CHECK_OK(mpc_point_parse(g, &r, pb, 32));
    for (int i = 1; i < 8; i++) {
        CHECK(test_unhex(t, 32, ed_small_order[i]));
        CHECK(crypto_core_ed25519_add(mixed, pb, t) == 0);
        CHECK_ERR(mpc_point_parse(g, &r, mixed, 32), MPC_ERR_PARSE);
        CHECK(mpc_point_is_identity(g, &r));
        CHECK_ERR(mpc_point_parse_allow_identity(g, &r, mixed, 32),
                  MPC_ERR_PARSE);
    }
    /* a y whose x^2 is not a square (y = 2): not on the curve */
    CHECK(point_rejects(g, "02000000000000000000000000000000"
                           "00000000000000000000000000000000"));
}

TEST(group_generator_encoding)
{
    uint8_t buf[33], want[33];
    mpc_point p;
    mpc_point_generator(k1(), &p);
    mpc_point_serialize(k1(), buf, &p);
    CHECK(test_unhex(want, 33, "02" K1_GX));
    CHECK_MEM(buf, want, 33);
    mpc_point_generator(ed(), &p);
    mpc_point_serialize(ed(), buf, &p);
    CHECK(test_unhex(want, 32, ed_kats[0].kg));
    CHECK_MEM(buf, want, 32);
}
