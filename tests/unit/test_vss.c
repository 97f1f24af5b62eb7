/* lib/vss: Shamir sharing, Feldman commitments, Lagrange interpolation and
 * the reshare/refresh math, on both groups. Arithmetic is cross-checked
 * against OpenSSL's BIGNUM and EC code, and Ed25519 against the RFC 9591
 * E.1 trusted-dealer vector. */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "mpc/group.h"
#include "mpc/vss.h"
#include "tests/harness/test.h"

#define MAXN 8

/* ---- helpers ------------------------------------------------------------ */

static const char *curve_name(const mpc_group *g)
{
    return mpc_group_curve(g) == MPC_CURVE_SECP256K1 ? "secp256k1" : "ed25519";
}

/* Runs fn on both groups; a failure names the curve. */
static bool on_both(bool (*fn)(const mpc_group *g))
{
    static const mpc_curve curves[] = {MPC_CURVE_SECP256K1, MPC_CURVE_ED25519};
    for (size_t c = 0; c < 2; c++) {
        const mpc_group *g = mpc_ctx_group(test_ctx(), curves[c]);
        REQUIRE(g != NULL);
        if (!fn(g)) {
            test_fail(__FILE__, __LINE__, "failed on %s", curve_name(g));
            return false;
        }
    }
    return true;
}

static void set_ids(const mpc_group *g, mpc_scalar *ids, size_t n,
                    uint64_t first)
{
    for (size_t k = 0; k < n; k++)
        mpc_scalar_set_u64(g, &ids[k], first + k);
}

static void add_u64(const mpc_group *g, mpc_scalar *s, uint64_t v)
{
    mpc_scalar d;
    mpc_scalar_set_u64(g, &d, v);
    mpc_scalar_add(g, s, s, &d);
}

static bool scalars_zero(const mpc_scalar *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!mpc_scalar_is_zero(&s[k]))
            return false;
    return true;
}

static bool points_identity(const mpc_group *g, const mpc_point *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!mpc_point_is_identity(g, &p[k]))
            return false;
    return true;
}

/* Fills outputs with garbage so tests can see that failures zero them. */
static void poison(const mpc_group *g, mpc_scalar *s, size_t ns, mpc_point *p,
                   size_t np)
{
    for (size_t k = 0; k < ns; k++)
        mpc_scalar_set_u64(g, &s[k], 0xdead + k);
    for (size_t k = 0; k < np; k++)
        mpc_point_generator(g, &p[k]);
}

/* sum over sel of lambda_i * shares[sel[i]], Lagrange at 0 over the
 * selected ids. */
static bool interpolate(const mpc_group *g, mpc_scalar *out,
                        const mpc_scalar *ids, const mpc_scalar *shares,
                        const size_t *sel, size_t m)
{
    mpc_scalar xs[MAXN], lambda, term;
    for (size_t i = 0; i < m; i++)
        xs[i] = ids[sel[i]];
    mpc_scalar_set_zero(out);
    for (size_t i = 0; i < m; i++) {
        REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, xs, m, i, NULL));
        mpc_scalar_mul(g, &term, &lambda, &shares[sel[i]]);
        mpc_scalar_add(g, out, out, &term);
    }
    return true;
}

/* The same in the exponent: the public key from verifying shares. */
static bool interpolate_points(const mpc_group *g, mpc_point *out,
                               const mpc_scalar *ids, const mpc_point *vshares,
                               const size_t *sel, size_t m)
{
    mpc_scalar xs[MAXN], lambda;
    mpc_point term;
    for (size_t i = 0; i < m; i++)
        xs[i] = ids[sel[i]];
    mpc_point_set_identity(g, out);
    for (size_t i = 0; i < m; i++) {
        REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, xs, m, i, NULL));
        mpc_point_mul(g, &term, &lambda, &vshares[sel[i]]);
        mpc_point_add(g, out, out, &term);
    }
    return true;
}

static size_t mask_to_sel(unsigned mask, size_t *sel)
{
    size_t m = 0;
    for (size_t i = 0; mask != 0; i++, mask >>= 1)
        if (mask & 1)
            sel[m++] = i;
    return m;
}

/* Every subset of exactly t shares gives the secret; every subset of t-1
 * does not. */
static bool check_threshold(const mpc_group *g, const mpc_scalar *secret,
                            const mpc_scalar *ids, const mpc_scalar *shares,
                            size_t n, size_t t)
{
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        size_t sel[MAXN], m = mask_to_sel(mask, sel);
        if (m != t && m + 1 != t)
            continue;
        mpc_scalar got;
        REQUIRE(interpolate(g, &got, ids, shares, sel, m));
        REQUIRE(mpc_scalar_eq(&got, secret) == (m == t));
    }
    return true;
}

/* ---- polynomials -------------------------------------------------------- */

static bool poly_eval_small(const mpc_group *g)
{
    mpc_scalar coef[3], x, got, want;
    mpc_scalar_set_u64(g, &coef[0], 5);
    mpc_scalar_set_u64(g, &coef[1], 3);
    mpc_scalar_set_u64(g, &coef[2], 2);
    mpc_scalar_set_u64(g, &x, 4);
    mpc_poly_eval(g, &got, coef, 3, &x);
    mpc_scalar_set_u64(g, &want, 5 + 3 * 4 + 2 * 16);
    REQUIRE(mpc_scalar_eq(&got, &want));

    mpc_poly_eval(g, &x, coef, 3, &x); /* out aliases x */
    REQUIRE(mpc_scalar_eq(&x, &want));

    mpc_scalar_set_zero(&x);
    mpc_poly_eval(g, &got, coef, 3, &x);
    REQUIRE(mpc_scalar_eq(&got, &coef[0]));

    mpc_poly_eval(g, &got, coef, 0, &x);
    REQUIRE(mpc_scalar_is_zero(&got));
    return true;
}

TEST(vss_poly_eval_small)
{
    CHECK(on_both(poly_eval_small));
}

static bool poly_random(const mpc_group *g)
{
    mpc_scalar a[4], b[4], c;
    mpc_scalar_set_u64(g, &c, 42);
    mpc_poly_random(g, a, 4, &c);
    REQUIRE(mpc_scalar_eq(&a[0], &c));
    mpc_poly_random(g, b, 4, NULL);
    for (size_t k = 0; k < 4; k++) {
        REQUIRE(!mpc_scalar_is_zero(&b[k]));
        REQUIRE(!mpc_scalar_eq(&a[k], &b[k]) || k == 0);
    }
    REQUIRE(!mpc_scalar_eq(&b[0], &c));
    return true;
}

TEST(vss_poly_random)
{
    CHECK(on_both(poly_random));
}

/* ---- Shamir: every t-of-n for n <= 7 ------------------------------------ */

static bool shamir_every_subset(const mpc_group *g)
{
    for (size_t n = 1; n <= 7; n++) {
        for (size_t t = 1; t <= n; t++) {
            mpc_scalar ids[MAXN], shares[MAXN], secret;
            mpc_point commit[MAXN], sg;
            set_ids(g, ids, n, 1);
            mpc_scalar_random(g, &secret);
            REQUIRE_OK(mpc_vss_deal(g, commit, shares, &secret, ids, n, t));
            mpc_point_mul_base(g, &sg, &secret);
            REQUIRE(mpc_point_eq(g, &commit[0], &sg));
            for (size_t j = 0; j < n; j++)
                REQUIRE_OK(
                    mpc_vss_verify_share(g, commit, t, &ids[j], &shares[j]));
            REQUIRE(check_threshold(g, &secret, ids, shares, n, t));
        }
    }
    return true;
}

TEST(vss_shamir_every_t_of_n)
{
    CHECK(on_both(shamir_every_subset));
}

/* The same through the polynomial API, with large random ids. */
static bool shamir_poly_api(const mpc_group *g)
{
    enum { N = 5, T = 3 };
    mpc_scalar coef[T], ids[N], shares[N];
    mpc_point commit[T];
    mpc_poly_random(g, coef, T, NULL);
    mpc_poly_commit(g, commit, coef, T);
    for (size_t j = 0; j < N; j++) {
        mpc_scalar_random(g, &ids[j]);
        mpc_poly_eval(g, &shares[j], coef, T, &ids[j]);
        REQUIRE_OK(mpc_vss_verify_share(g, commit, T, &ids[j], &shares[j]));
    }
    REQUIRE(check_threshold(g, &coef[0], ids, shares, N, T));
    return true;
}

TEST(vss_shamir_poly_api_random_ids)
{
    CHECK(on_both(shamir_poly_api));
}

static bool deal_misuse(const mpc_group *g)
{
    mpc_scalar ids[4], shares[4], secret;
    mpc_point commit[4];
    mpc_scalar_random(g, &secret);
    set_ids(g, ids, 4, 1);

    poison(g, shares, 4, commit, 4);
    REQUIRE(mpc_vss_deal(g, commit, shares, &secret, ids, 3, 4) ==
            MPC_ERR_INVALID_ARG); /* t > n */
    REQUIRE(scalars_zero(shares, 3) && points_identity(g, commit, 4));

    poison(g, shares, 4, commit, 4);
    REQUIRE(mpc_vss_deal(g, commit, shares, &secret, ids, 3, 0) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(shares, 3));

    mpc_scalar_set_zero(&ids[2]);
    poison(g, shares, 4, commit, 4);
    REQUIRE(mpc_vss_deal(g, commit, shares, &secret, ids, 4, 2) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(shares, 4) && points_identity(g, commit, 2));

    set_ids(g, ids, 4, 1);
    ids[3] = ids[0];
    poison(g, shares, 4, commit, 4);
    REQUIRE(mpc_vss_deal(g, commit, shares, &secret, ids, 4, 2) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(shares, 4) && points_identity(g, commit, 2));
    return true;
}

TEST(vss_deal_misuse)
{
    CHECK(on_both(deal_misuse));
}

/* ---- Lagrange ----------------------------------------------------------- */

/* sum_i lambda_i(at) f(x_i) == f(at) for f of degree < n. */
static bool lagrange_at(const mpc_group *g)
{
    enum { N = 4 };
    mpc_scalar coef[N], xs[N], ys[N], at, want, got, lambda, term;
    mpc_poly_random(g, coef, N, NULL);
    for (size_t i = 0; i < N; i++) {
        mpc_scalar_random(g, &xs[i]);
        mpc_poly_eval(g, &ys[i], coef, N, &xs[i]);
    }
    mpc_scalar_random(g, &at);
    mpc_poly_eval(g, &want, coef, N, &at);
    mpc_scalar_set_zero(&got);
    for (size_t i = 0; i < N; i++) {
        REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, xs, N, i, &at));
        mpc_scalar_mul(g, &term, &lambda, &ys[i]);
        mpc_scalar_add(g, &got, &got, &term);
    }
    REQUIRE(mpc_scalar_eq(&got, &want));

    /* At one of the ids the basis is an indicator. */
    mpc_scalar one;
    mpc_scalar_set_u64(g, &one, 1);
    for (size_t i = 0; i < N; i++) {
        REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, xs, N, i, &xs[2]));
        REQUIRE(i == 2 ? mpc_scalar_eq(&lambda, &one)
                       : mpc_scalar_is_zero(&lambda));
    }

    /* A set of one: lambda = 1 at any point. */
    REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, xs, 1, 0, NULL));
    REQUIRE(mpc_scalar_eq(&lambda, &one));
    return true;
}

TEST(vss_lagrange_at_nonzero)
{
    CHECK(on_both(lagrange_at));
}

/* ids {1, 3}: lambda_1 = 3/2, lambda_3 = -1/2 (RFC 9591 E.1). */
static bool lagrange_small(const mpc_group *g)
{
    mpc_scalar xs[2], l1, l3, two, t;
    mpc_scalar_set_u64(g, &xs[0], 1);
    mpc_scalar_set_u64(g, &xs[1], 3);
    mpc_scalar_set_u64(g, &two, 2);
    REQUIRE_OK(mpc_lagrange_coeff_var(g, &l1, xs, 2, 0, NULL));
    REQUIRE_OK(mpc_lagrange_coeff_var(g, &l3, xs, 2, 1, NULL));
    mpc_scalar_mul(g, &l1, &l1, &two);
    mpc_scalar_set_u64(g, &t, 3);
    REQUIRE(mpc_scalar_eq(&l1, &t));
    mpc_scalar_mul(g, &l3, &l3, &two);
    mpc_scalar_set_u64(g, &t, 1);
    mpc_scalar_neg(g, &t, &t);
    REQUIRE(mpc_scalar_eq(&l3, &t));
    return true;
}

TEST(vss_lagrange_small_ids)
{
    CHECK(on_both(lagrange_small));
}

static bool lagrange_misuse(const mpc_group *g)
{
    mpc_scalar xs[3], out;
    set_ids(g, xs, 3, 1);

    mpc_scalar_set_u64(g, &out, 7);
    REQUIRE(mpc_lagrange_coeff_var(g, &out, xs, 3, 3, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&out));

    mpc_scalar_set_u64(g, &out, 7);
    REQUIRE(mpc_lagrange_coeff_var(g, &out, xs, 0, 0, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&out));

    xs[2] = xs[0]; /* duplicate, not involving i = 1 */
    mpc_scalar_set_u64(g, &out, 7);
    REQUIRE(mpc_lagrange_coeff_var(g, &out, xs, 3, 1, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&out));

    set_ids(g, xs, 3, 1);
    mpc_scalar_set_zero(&xs[1]);
    mpc_scalar_set_u64(g, &out, 7);
    REQUIRE(mpc_lagrange_coeff_var(g, &out, xs, 3, 0, NULL) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&out));

    REQUIRE(mpc_vss_ids_check_var(g, xs, 0) == MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_vss_ids_check_var(g, xs, 1) == MPC_OK);
    REQUIRE(mpc_vss_ids_check_var(g, xs, 2) == MPC_ERR_INVALID_ARG);
    return true;
}

TEST(vss_lagrange_misuse)
{
    CHECK(on_both(lagrange_misuse));
}

/* ---- cross-checks against OpenSSL --------------------------------------- */

static bool is_ed(const mpc_group *g)
{
    return mpc_group_curve(g) == MPC_CURVE_ED25519;
}

static BIGNUM *bn_of(const mpc_group *g, const mpc_scalar *s)
{
    uint8_t b[MPC_SCALAR_BYTES];
    mpc_scalar_serialize(g, b, s);
    return is_ed(g) ? BN_lebin2bn(b, sizeof b, NULL)
                    : BN_bin2bn(b, sizeof b, NULL);
}

static bool eq_bn(const mpc_group *g, const mpc_scalar *s, const BIGNUM *bn)
{
    uint8_t a[MPC_SCALAR_BYTES], b[MPC_SCALAR_BYTES];
    mpc_scalar_serialize(g, a, s);
    int n = is_ed(g) ? BN_bn2lebinpad(bn, b, sizeof b)
                     : BN_bn2binpad(bn, b, sizeof b);
    return n == (int)sizeof b && memcmp(a, b, sizeof a) == 0;
}

static bool matches_bignum(const mpc_group *g)
{
    enum { N = 5 };
    bool ok = false;
    uint8_t ob[MPC_SCALAR_BYTES];
    mpc_group_order_be(g, ob);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *q = BN_bin2bn(ob, sizeof ob, NULL), *num = BN_new(),
           *den = BN_new(), *d = BN_new(), *acc = BN_new(), *xi = NULL,
           *xj = NULL, *at = NULL, *c = NULL;
    mpc_scalar xs[N], s_at, lambda, coef[N], y;
    for (size_t i = 0; i < N; i++)
        mpc_scalar_random(g, &xs[i]);
    mpc_scalar_random(g, &s_at);
    at = bn_of(g, &s_at);
    if (bc == NULL || q == NULL || at == NULL || acc == NULL)
        goto out;

    for (size_t i = 0; i < N; i++) {
        BN_one(num);
        BN_one(den);
        BN_free(xi);
        xi = bn_of(g, &xs[i]);
        for (size_t j = 0; j < N; j++) {
            if (j == i)
                continue;
            BN_free(xj);
            xj = bn_of(g, &xs[j]);
            BN_mod_sub(d, at, xj, q, bc);
            BN_mod_mul(num, num, d, q, bc);
            BN_mod_sub(d, xi, xj, q, bc);
            BN_mod_mul(den, den, d, q, bc);
        }
        if (BN_mod_inverse(den, den, q, bc) == NULL)
            goto out;
        BN_mod_mul(num, num, den, q, bc);
        if (mpc_lagrange_coeff_var(g, &lambda, xs, N, i, &s_at) != MPC_OK ||
            !eq_bn(g, &lambda, num))
            goto out;
    }

    /* Horner in BIGNUM against mpc_poly_eval. */
    mpc_poly_random(g, coef, N, NULL);
    mpc_poly_eval(g, &y, coef, N, &s_at);
    BN_zero(acc);
    for (size_t k = N; k-- > 0;) {
        BN_free(c);
        c = bn_of(g, &coef[k]);
        BN_mod_mul(acc, acc, at, q, bc);
        BN_mod_add(acc, acc, c, q, bc);
    }
    ok = eq_bn(g, &y, acc);
out:
    BN_free(q);
    BN_free(num);
    BN_free(den);
    BN_free(d);
    BN_free(acc);
    BN_free(xi);
    BN_free(xj);
    BN_free(at);
    BN_free(c);
    BN_CTX_free(bc);
    REQUIRE(ok);
    return true;
}

TEST(vss_lagrange_and_eval_match_bignum)
{
    CHECK(on_both(matches_bignum));
}

/* Feldman commitments and their evaluation against OpenSSL's secp256k1. */
TEST(vss_secp256k1_commitments_match_openssl)
{
    enum { T = 4 };
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
    EC_GROUP *ec = EC_GROUP_new_by_curve_name(NID_secp256k1);
    EC_POINT *p = EC_POINT_new(ec), *acc = EC_POINT_new(ec);
    BN_CTX *bc = BN_CTX_new();
    CHECK(ec != NULL && p != NULL && acc != NULL && bc != NULL);
    mpc_scalar coef[T], x;
    mpc_point commit[T], ev;
    uint8_t ours[33], theirs[33];
    mpc_poly_random(g, coef, T, NULL);
    mpc_poly_commit(g, commit, coef, T);
    mpc_scalar_random(g, &x);
    mpc_vss_commitment_eval_var(g, &ev, commit, T, &x);

    bool ok = true;
    BIGNUM *bx = bn_of(g, &x), *xk = BN_new(), *q = BN_new();
    EC_GROUP_get_order(ec, q, bc);
    BN_one(xk);
    EC_POINT_set_to_infinity(ec, acc);
    for (size_t k = 0; k < T; k++) {
        BIGNUM *c = bn_of(g, &coef[k]);
        EC_POINT_mul(ec, p, c, NULL, NULL, bc);
        BN_free(c);
        EC_POINT_point2oct(ec, p, POINT_CONVERSION_COMPRESSED, theirs, 33, bc);
        mpc_point_serialize(g, ours, &commit[k]);
        ok = ok && memcmp(ours, theirs, 33) == 0;
        /* acc += x^k * C_k */
        EC_POINT_mul(ec, p, NULL, p, xk, bc);
        EC_POINT_add(ec, acc, acc, p, bc);
        BN_mod_mul(xk, xk, bx, q, bc);
    }
    EC_POINT_point2oct(ec, acc, POINT_CONVERSION_COMPRESSED, theirs, 33, bc);
    mpc_point_serialize(g, ours, &ev);
    ok = ok && memcmp(ours, theirs, 33) == 0;
    BN_free(bx);
    BN_free(xk);
    BN_free(q);
    EC_POINT_free(p);
    EC_POINT_free(acc);
    EC_GROUP_free(ec);
    BN_CTX_free(bc);
    CHECK(ok);
}

/* RFC 9591 E.1 (FROST(Ed25519, SHA-512)): the trusted dealer's polynomial
 * f(x) = sk + a1 x, its shares at 1, 2, 3 and the group public key. */
TEST(vss_ed25519_rfc9591_dealer_vector)
{
    const mpc_group *g = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    static const char *const share_hex[3] = {
        "929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509",
        "a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d",
        "d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02"};
    uint8_t b[32], pk[32], ser[32];
    mpc_scalar coef[2], ids[3], shares[3], got;
    mpc_point commit[2];
    CHECK(test_unhex(b, 32,
                     "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78"
                     "b3a790c6e13a98304"));
    CHECK_OK(mpc_scalar_parse(g, &coef[0], b));
    CHECK(test_unhex(b, 32,
                     "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506"
                     "866bae57e7030b204"));
    CHECK_OK(mpc_scalar_parse(g, &coef[1], b));
    CHECK(test_unhex(pk, 32,
                     "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf"
                     "66040d380fb9738673"));
    set_ids(g, ids, 3, 1);

    mpc_poly_commit(g, commit, coef, 2);
    mpc_point_serialize(g, ser, &commit[0]);
    CHECK_MEM(ser, pk, 32);
    for (size_t j = 0; j < 3; j++) {
        CHECK(test_unhex(b, 32, share_hex[j]));
        CHECK_OK(mpc_scalar_parse(g, &shares[j], b));
        mpc_poly_eval(g, &got, coef, 2, &ids[j]);
        CHECK(mpc_scalar_eq(&got, &shares[j]));
        CHECK_OK(mpc_vss_verify_share(g, commit, 2, &ids[j], &shares[j]));
    }
    CHECK(check_threshold(g, &coef[0], ids, shares, 3, 2));
}

/* ---- Feldman ------------------------------------------------------------ */

static bool feldman(const mpc_group *g)
{
    enum { N = 5, T = 3 };
    mpc_scalar ids[N], shares[N], other_shares[N], secret, s, x0;
    mpc_point commit[T], other[T], e;
    set_ids(g, ids, N, 1);
    mpc_scalar_random(g, &secret);
    REQUIRE_OK(mpc_vss_deal(g, commit, shares, &secret, ids, N, T));
    REQUIRE_OK(mpc_vss_deal(g, other, other_shares, &secret, ids, N, T));

    for (size_t j = 0; j < N; j++) {
        REQUIRE_OK(mpc_vss_verify_share(g, commit, T, &ids[j], &shares[j]));
        s = shares[j];
        add_u64(g, &s, 1);
        REQUIRE(mpc_vss_verify_share(g, commit, T, &ids[j], &s) ==
                MPC_ERR_VERIFY);
        /* Same secret, another polynomial: the constants agree, the rest
         * does not. */
        REQUIRE(mpc_vss_verify_share(g, other, T, &ids[j], &shares[j]) ==
                MPC_ERR_VERIFY);
        /* Another party's share. */
        REQUIRE(mpc_vss_verify_share(g, commit, T, &ids[(j + 1) % N],
                                     &shares[j]) == MPC_ERR_VERIFY);
        /* Fewer commitments than the threshold: a different polynomial. */
        REQUIRE(mpc_vss_verify_share(g, commit, T - 1, &ids[j], &shares[j]) ==
                MPC_ERR_VERIFY);
    }
    mpc_scalar_set_zero(&x0);
    REQUIRE(mpc_vss_verify_share(g, commit, T, &x0, &secret) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_vss_verify_share(g, commit, 0, &ids[0], &shares[0]) ==
            MPC_ERR_INVALID_ARG);

    /* F(0) = C_0, F with no terms is the identity. */
    mpc_vss_commitment_eval_var(g, &e, commit, T, &x0);
    REQUIRE(mpc_point_eq(g, &e, &commit[0]));
    mpc_vss_commitment_eval_var(g, &e, commit, 0, &ids[0]);
    REQUIRE(mpc_point_is_identity(g, &e));
    return true;
}

TEST(vss_feldman_verify)
{
    CHECK(on_both(feldman));
}

static bool commitments_sum(const mpc_group *g)
{
    enum { D = 3, T = 3 };
    mpc_scalar coef[D][T], total[T];
    mpc_point commit[D][T], sum[T], want[T];
    const mpc_point *vecs[D];
    for (size_t k = 0; k < T; k++)
        mpc_scalar_set_zero(&total[k]);
    for (size_t d = 0; d < D; d++) {
        mpc_poly_random(g, coef[d], T, NULL);
        mpc_poly_commit(g, commit[d], coef[d], T);
        for (size_t k = 0; k < T; k++)
            mpc_scalar_add(g, &total[k], &total[k], &coef[d][k]);
        vecs[d] = commit[d];
    }
    mpc_poly_commit(g, want, total, T);
    mpc_vss_commitments_sum(g, sum, vecs, D, T);
    for (size_t k = 0; k < T; k++)
        REQUIRE(mpc_point_eq(g, &sum[k], &want[k]));

    mpc_vss_commitments_sum(g, commit[1], vecs, D, T); /* out aliases */
    for (size_t k = 0; k < T; k++)
        REQUIRE(mpc_point_eq(g, &commit[1][k], &want[k]));

    mpc_vss_commitments_sum(g, sum, vecs, 0, T);
    REQUIRE(points_identity(g, sum, T));
    return true;
}

TEST(vss_commitments_sum)
{
    CHECK(on_both(commitments_sum));
}

static bool commitment_codec(const mpc_group *g)
{
    enum { T = 3 };
    size_t pb = mpc_group_point_bytes(g);
    uint8_t buf[(T + 1) * MPC_POINT_MAX_BYTES + 1];
    mpc_scalar coef[T];
    mpc_point commit[T], back[T + 1];
    mpc_poly_random(g, coef, T, NULL);
    mpc_poly_commit(g, commit, coef, T);
    size_t len = mpc_vss_commitment_bytes(g, T);
    REQUIRE(len == T * pb);
    mpc_vss_commitment_serialize(g, buf, commit, T);
    REQUIRE_OK(mpc_vss_commitment_parse(g, back, T, buf, len));
    for (size_t k = 0; k < T; k++)
        REQUIRE(mpc_point_eq(g, &back[k], &commit[k]));

    /* A length from the wire: one point more (threshold raise), one less,
     * a stray byte. Failure leaves the identity everywhere. */
    mpc_vss_commitment_serialize(g, buf + len, &commit[0], 1);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, len + pb) ==
            MPC_ERR_PARSE);
    REQUIRE(points_identity(g, back, T));
    REQUIRE(mpc_vss_commitment_parse(g, back, T + 1, buf, len) ==
            MPC_ERR_PARSE);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, len - pb) ==
            MPC_ERR_PARSE);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, len + 1) ==
            MPC_ERR_PARSE);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, 0) == MPC_ERR_PARSE);
    REQUIRE(mpc_vss_commitment_parse(g, back, 0, buf, 0) ==
            MPC_ERR_INVALID_ARG);

    /* The identity is allowed as the constant term only. */
    mpc_point_set_identity(g, &commit[0]);
    mpc_vss_commitment_serialize(g, buf, commit, T);
    REQUIRE_OK(mpc_vss_commitment_parse(g, back, T, buf, len));
    REQUIRE(mpc_point_is_identity(g, &back[0]));
    REQUIRE(mpc_point_eq(g, &back[1], &commit[1]));
    mpc_point_serialize(g, buf + pb, &commit[0]);
    mpc_point_serialize(g, buf, &commit[1]);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, len) == MPC_ERR_PARSE);
    REQUIRE(points_identity(g, back, T));

    /* Bytes that are no point. */
    mpc_vss_commitment_serialize(g, buf, commit, T);
    memset(buf + 2 * pb, 0xff, pb);
    REQUIRE(mpc_vss_commitment_parse(g, back, T, buf, len) == MPC_ERR_PARSE);
    REQUIRE(points_identity(g, back, T));
    return true;
}

TEST(vss_commitment_parse_strict)
{
    CHECK(on_both(commitment_codec));
}

/* ---- reshare ------------------------------------------------------------ */

/* A key shared by a committee, as every member would hold it. */
struct keyset {
    mpc_scalar ids[MAXN];
    mpc_scalar shares[MAXN];
    mpc_point vshares[MAXN];
    mpc_point pubkey;
    size_t n, t;
};

static bool keyset_deal(const mpc_group *g, struct keyset *k,
                        const mpc_scalar *secret, uint64_t first_id, size_t n,
                        size_t t)
{
    mpc_point commit[MAXN];
    k->n = n;
    k->t = t;
    set_ids(g, k->ids, n, first_id);
    REQUIRE_OK(mpc_vss_deal(g, commit, k->shares, secret, k->ids, n, t));
    for (size_t j = 0; j < n; j++)
        mpc_vss_commitment_eval_var(g, &k->vshares[j], commit, t, &k->ids[j]);
    k->pubkey = commit[0];
    return true;
}

/* The quorum `sel` of `old` as a dealing committee. */
struct quorum {
    mpc_scalar ids[MAXN];
    mpc_point vshares[MAXN];
    mpc_vss_committee c;
};

static void quorum_of(struct quorum *q, const struct keyset *old,
                      const size_t *sel, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        q->ids[i] = old->ids[sel[i]];
        q->vshares[i] = old->vshares[sel[i]];
    }
    q->c = (mpc_vss_committee){q->ids, q->vshares, m, old->t};
}

static mpc_vss_committee committee_of(const struct keyset *k)
{
    return (mpc_vss_committee){k->ids, k->vshares, k->n, k->t};
}

/* Everything the dealers of a reshare send. */
struct dealt {
    mpc_point commit[MAXN][MAXN + 1];
    size_t commit_len[MAXN];
    mpc_scalar sub[MAXN][MAXN]; /* sub[dealer][receiver] */
};

static bool reshare_deal_all(const mpc_group *g, struct dealt *dl,
                             const struct keyset *old, const size_t *sel,
                             const struct quorum *q,
                             const mpc_vss_committee *to)
{
    for (size_t i = 0; i < q->c.n; i++) {
        REQUIRE_OK(mpc_vss_reshare_deal(g, dl->commit[i], dl->sub[i], &q->c, i,
                                        &old->shares[sel[i]], to));
        dl->commit_len[i] = to->t;
    }
    return true;
}

static void dealings_for(struct dealt *dl, mpc_vss_dealing *d, size_t ndealers,
                         size_t receiver)
{
    for (size_t i = 0; i < ndealers; i++)
        d[i] = (mpc_vss_dealing){dl->commit[i], dl->commit_len[i],
                                 &dl->sub[i][receiver]};
}

/* Runs a whole reshare from `old` (quorum `sel`) to `next` (ids, n, t
 * already set) and checks what every new party derives. */
static bool reshare(const mpc_group *g, const struct keyset *old,
                    const size_t *sel, size_t m, struct keyset *next)
{
    static struct dealt dl;
    struct quorum q;
    quorum_of(&q, old, sel, m);
    mpc_vss_committee to = {next->ids, NULL, next->n, next->t};
    REQUIRE(reshare_deal_all(g, &dl, old, sel, &q, &to));
    for (size_t j = 0; j < next->n; j++) {
        mpc_vss_dealing d[MAXN];
        mpc_vss_blame blame;
        mpc_point vs[MAXN], sg;
        dealings_for(&dl, d, m, j);
        REQUIRE_OK(mpc_vss_reshare_receive(g, &next->shares[j], vs, &blame,
                                           &old->pubkey, &q.c, d, &to, j));
        REQUIRE(blame.fault == MPC_VSS_FAULT_NONE &&
                blame.dealer == MPC_VSS_NO_DEALER);
        for (size_t k = 0; k < next->n; k++) {
            if (j == 0)
                next->vshares[k] = vs[k];
            REQUIRE(mpc_point_eq(g, &vs[k], &next->vshares[k]));
        }
        mpc_point_mul_base(g, &sg, &next->shares[j]);
        REQUIRE(mpc_point_eq(g, &sg, &vs[j]));
    }
    next->pubkey = old->pubkey;
    return true;
}

static bool same_key(const mpc_group *g, const struct keyset *k,
                     const mpc_scalar *secret)
{
    size_t sel[MAXN];
    mpc_point y;
    for (size_t i = 0; i < k->t; i++)
        sel[i] = k->n - 1 - i;
    REQUIRE(interpolate_points(g, &y, k->ids, k->vshares, sel, k->t));
    REQUIRE(mpc_point_eq(g, &y, &k->pubkey));
    REQUIRE(check_threshold(g, secret, k->ids, k->shares, k->n, k->t));
    return true;
}

static bool reshare_round_trip(const mpc_group *g)
{
    static struct keyset a, b, c;
    mpc_scalar secret, mixed[2], got;
    mpc_point y;
    mpc_scalar_random(g, &secret);
    REQUIRE(keyset_deal(g, &a, &secret, 1, 3, 2));
    mpc_point_mul_base(g, &y, &secret);
    REQUIRE(mpc_point_eq(g, &a.pubkey, &y));

    /* 2-of-3 -> 3-of-5 (ids 11..15), dealt by parties {1, 3}. */
    b.n = 5;
    b.t = 3;
    set_ids(g, b.ids, 5, 11);
    REQUIRE(reshare(g, &a, (const size_t[]){0, 2}, 2, &b));
    REQUIRE(same_key(g, &b, &secret));

    /* 3-of-5 -> 2-of-3 on the first committee's ids, dealt by a quorum of
     * four (more than the threshold works too). */
    c.n = 3;
    c.t = 2;
    set_ids(g, c.ids, 3, 1);
    REQUIRE(reshare(g, &b, (const size_t[]){4, 1, 3, 0}, 4, &c));
    REQUIRE(same_key(g, &c, &secret));

    /* Old and new shares of the same ids do not mix. */
    for (size_t j = 0; j < 3; j++)
        REQUIRE(!mpc_scalar_eq(&a.shares[j], &c.shares[j]));
    mixed[0] = a.shares[0];
    mixed[1] = c.shares[1];
    REQUIRE(interpolate(g, &got, a.ids, mixed, (const size_t[]){0, 1}, 2));
    REQUIRE(!mpc_scalar_eq(&got, &secret));
    return true;
}

TEST(vss_reshare_2of3_3of5_2of3)
{
    CHECK(on_both(reshare_round_trip));
}

/* Receiver 2 of a 2-of-3 -> 3-of-5 reshare, after `tamper` edited what the
 * dealers sent. */
static mpc_err reshare_with(const mpc_group *g, mpc_vss_blame *blame,
                            mpc_scalar *share, mpc_point *vs,
                            const struct keyset *old, struct dealt *dl,
                            const mpc_point *pubkey)
{
    static const size_t sel[2] = {0, 2};
    struct quorum q;
    mpc_scalar ids[5];
    mpc_vss_dealing d[2];
    quorum_of(&q, old, sel, 2);
    set_ids(g, ids, 5, 11);
    mpc_vss_committee to = {ids, NULL, 5, 3};
    dealings_for(dl, d, 2, 2);
    poison(g, share, 1, vs, 5);
    return mpc_vss_reshare_receive(g, share, vs, blame, pubkey, &q.c, d, &to,
                                   2);
}

static bool reshare_blame(const mpc_group *g)
{
    static const size_t sel[2] = {0, 2};
    static struct keyset old;
    static struct dealt honest, dl;
    struct quorum q;
    mpc_scalar secret, ids[5], share, w, lambda;
    mpc_point vs[5], y;
    mpc_vss_blame blame;
    mpc_scalar_random(g, &secret);
    REQUIRE(keyset_deal(g, &old, &secret, 1, 3, 2));
    quorum_of(&q, &old, sel, 2);
    set_ids(g, ids, 5, 11);
    mpc_vss_committee to = {ids, NULL, 5, 3};
    REQUIRE(reshare_deal_all(g, &honest, &old, sel, &q, &to));

    dl = honest;
    REQUIRE_OK(reshare_with(g, &blame, &share, vs, &old, &dl, &old.pubkey));

#define EXPECT_BLAME(err, who, why)                                            \
    do {                                                                       \
        REQUIRE(reshare_with(g, &blame, &share, vs, &old, &dl, &old.pubkey) == \
                (err));                                                        \
        REQUIRE(blame.dealer == (who) && blame.fault == (why));                \
        REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 5));      \
    } while (0)

    /* A bad sub-share. */
    dl = honest;
    add_u64(g, &dl.sub[1][2], 1);
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 1, MPC_VSS_FAULT_SHARE);

    /* A sub-share that belongs to another receiver. */
    dl = honest;
    dl.sub[0][2] = dl.sub[0][3];
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 0, MPC_VSS_FAULT_SHARE);

    /* Dealer 1 deals its w with t_new + 1 coefficients: a threshold raise
     * whose shares are consistent with its own (longer) commitments. */
    dl = honest;
    REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, q.ids, 2, 1, NULL));
    mpc_scalar_mul(g, &w, &lambda, &old.shares[2]);
    REQUIRE_OK(mpc_vss_deal(g, dl.commit[1], dl.sub[1], &w, ids, 5, 4));
    dl.commit_len[1] = 4;
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 1, MPC_VSS_FAULT_LENGTH);

    /* ... or sends one commitment too few, or none. */
    dl = honest;
    dl.commit_len[0] = 2;
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 0, MPC_VSS_FAULT_LENGTH);
    dl.commit_len[0] = 0;
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 0, MPC_VSS_FAULT_LENGTH);

    /* Dealer 0 deals a consistent sharing of the wrong constant: every
     * sub-share checks out, the constant term gives it away. */
    dl = honest;
    REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, q.ids, 2, 0, NULL));
    mpc_scalar_mul(g, &w, &lambda, &old.shares[0]);
    add_u64(g, &w, 1);
    REQUIRE_OK(mpc_vss_deal(g, dl.commit[0], dl.sub[0], &w, ids, 5, 3));
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 0, MPC_VSS_FAULT_CONSTANT);

    /* Both dealers shift their constants by opposite amounts: the sum is
     * still Y, but each constant is wrong, so dealer 0 is named. */
    dl = honest;
    mpc_point_generator(g, &y);
    mpc_point_add(g, &dl.commit[0][0], &dl.commit[0][0], &y);
    mpc_point_sub(g, &dl.commit[1][0], &dl.commit[1][0], &y);
    EXPECT_BLAME(MPC_ERR_PROTOCOL, 0, MPC_VSS_FAULT_CONSTANT);

    /* Honest dealers, but the receiver's idea of Y is not this key's. */
    dl = honest;
    mpc_point_add(g, &y, &old.pubkey, &y);
    REQUIRE(reshare_with(g, &blame, &share, vs, &old, &dl, &y) ==
            MPC_ERR_VERIFY);
    REQUIRE(blame.dealer == MPC_VSS_NO_DEALER &&
            blame.fault == MPC_VSS_FAULT_NONE);
    REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 5));
#undef EXPECT_BLAME
    return true;
}

TEST(vss_reshare_blames_the_dealer)
{
    CHECK(on_both(reshare_blame));
}

static bool reshare_misuse(const mpc_group *g)
{
    static const size_t sel[2] = {0, 2};
    static struct keyset old;
    static struct dealt dl;
    struct quorum q;
    mpc_scalar secret, ids[5], share, sub[5];
    mpc_point vs[5], commit[3];
    mpc_vss_dealing d[2];
    mpc_vss_blame blame;
    mpc_scalar_random(g, &secret);
    REQUIRE(keyset_deal(g, &old, &secret, 1, 3, 2));
    quorum_of(&q, &old, sel, 2);
    set_ids(g, ids, 5, 11);
    mpc_vss_committee to = {ids, NULL, 5, 3};
    REQUIRE(reshare_deal_all(g, &dl, &old, sel, &q, &to));
    dealings_for(&dl, d, 2, 0);

#define EXPECT_MISUSE(call)                                                    \
    do {                                                                       \
        poison(g, &share, 1, vs, 5);                                           \
        blame = (mpc_vss_blame){0, MPC_VSS_FAULT_SHARE};                       \
        REQUIRE((call) == MPC_ERR_INVALID_ARG);                                \
        REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 5));      \
        REQUIRE(blame.dealer == MPC_VSS_NO_DEALER &&                           \
                blame.fault == MPC_VSS_FAULT_NONE);                            \
    } while (0)

    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &q.c, d, &to, 5));
    mpc_vss_committee bad = q.c;
    bad.vshares = NULL;
    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &bad, d, &to, 0));
    bad = q.c;
    bad.t = 3; /* a quorum smaller than the old threshold */
    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &bad, d, &to, 0));
    mpc_vss_committee bad_to = to;
    bad_to.t = 6;
    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &q.c, d, &bad_to, 0));
    ids[1] = ids[0]; /* two new parties with one id */
    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &q.c, d, &to, 0));
    set_ids(g, ids, 5, 11);
    d[1].share = NULL;
    EXPECT_MISUSE(mpc_vss_reshare_receive(g, &share, vs, &blame, &old.pubkey,
                                          &q.c, d, &to, 0));
#undef EXPECT_MISUSE

    /* The dealer side. */
    poison(g, sub, 5, commit, 3);
    REQUIRE(mpc_vss_reshare_deal(g, commit, sub, &q.c, 2, &old.shares[0],
                                 &to) == MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(sub, 5) && points_identity(g, commit, 3));
    bad = q.c;
    bad.ids = NULL;
    poison(g, sub, 5, commit, 3);
    REQUIRE(mpc_vss_reshare_deal(g, commit, sub, &bad, 0, &old.shares[0],
                                 &to) == MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(sub, 5) && points_identity(g, commit, 3));
    ids[4] = ids[0];
    poison(g, sub, 5, commit, 3);
    REQUIRE(mpc_vss_reshare_deal(g, commit, sub, &q.c, 0, &old.shares[0],
                                 &to) == MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(sub, 5) && points_identity(g, commit, 3));
    return true;
}

TEST(vss_reshare_misuse)
{
    CHECK(on_both(reshare_misuse));
}

/* ---- refresh ------------------------------------------------------------ */

static bool refresh(const mpc_group *g)
{
    static struct keyset k, next;
    static mpc_point commit[5][3];
    static mpc_scalar sub[5][5];
    mpc_scalar secret;
    mpc_scalar_random(g, &secret);
    REQUIRE(keyset_deal(g, &k, &secret, 1, 5, 3));
    mpc_vss_committee c = committee_of(&k);

    for (size_t i = 0; i < 5; i++) {
        REQUIRE_OK(mpc_vss_refresh_deal(g, commit[i], sub[i], &c));
        REQUIRE(mpc_point_is_identity(g, &commit[i][0]));
    }
    next = k;
    for (size_t j = 0; j < 5; j++) {
        mpc_vss_dealing d[5];
        mpc_vss_blame blame;
        mpc_point vs[5], sg;
        for (size_t i = 0; i < 5; i++)
            d[i] = (mpc_vss_dealing){commit[i], 3, &sub[i][j]};
        REQUIRE_OK(mpc_vss_refresh_receive(g, &next.shares[j], vs, &blame, &c,
                                           j, &k.shares[j], d, 5));
        REQUIRE(blame.fault == MPC_VSS_FAULT_NONE);
        for (size_t m = 0; m < 5; m++) {
            if (j == 0)
                next.vshares[m] = vs[m];
            REQUIRE(mpc_point_eq(g, &vs[m], &next.vshares[m]));
        }
        mpc_point_mul_base(g, &sg, &next.shares[j]);
        REQUIRE(mpc_point_eq(g, &sg, &vs[j]));
    }
    for (size_t j = 0; j < 5; j++) {
        REQUIRE(!mpc_scalar_eq(&next.shares[j], &k.shares[j]));
        REQUIRE(!mpc_point_eq(g, &next.vshares[j], &k.vshares[j]));
    }
    REQUIRE(same_key(g, &next, &secret));
    return true;
}

TEST(vss_refresh_keeps_key_changes_shares)
{
    CHECK(on_both(refresh));
}

static bool refresh_blame(const mpc_group *g)
{
    static struct keyset k;
    static mpc_point commit[3][3], big[4];
    static mpc_scalar sub[3][3], bigsub[3];
    mpc_scalar secret, share, one;
    mpc_point vs[3];
    mpc_vss_dealing d[3];
    mpc_vss_blame blame;
    mpc_scalar_random(g, &secret);
    REQUIRE(keyset_deal(g, &k, &secret, 1, 3, 2));
    mpc_vss_committee c = committee_of(&k);
    for (size_t i = 0; i < 3; i++)
        REQUIRE_OK(mpc_vss_refresh_deal(g, commit[i], sub[i], &c));

#define RECEIVE(n)                                                             \
    (poison(g, &share, 1, vs, 3),                                              \
     mpc_vss_refresh_receive(g, &share, vs, &blame, &c, 1, &k.shares[1], d,    \
                             (n)))
#define EXPECT_BLAME(who, why)                                                 \
    do {                                                                       \
        REQUIRE(RECEIVE(3) == MPC_ERR_PROTOCOL);                               \
        REQUIRE(blame.dealer == (who) && blame.fault == (why));                \
        REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 3));      \
    } while (0)

    for (size_t i = 0; i < 3; i++)
        d[i] = (mpc_vss_dealing){commit[i], 2, &sub[i][1]};
    REQUIRE_OK(RECEIVE(3));

    /* A dealer that shares 1 instead of 0 would move the key. */
    mpc_scalar_set_u64(g, &one, 1);
    REQUIRE_OK(mpc_vss_deal(g, big, bigsub, &one, k.ids, 3, 2));
    d[2] = (mpc_vss_dealing){big, 2, &bigsub[1]};
    EXPECT_BLAME(2, MPC_VSS_FAULT_CONSTANT);

    /* A zero-sharing of degree t: raises the threshold. */
    mpc_scalar_set_zero(&one);
    REQUIRE_OK(mpc_vss_deal(g, big, bigsub, &one, k.ids, 3, 3));
    d[2] = (mpc_vss_dealing){big, 3, &bigsub[1]};
    EXPECT_BLAME(2, MPC_VSS_FAULT_LENGTH);

    d[2] = (mpc_vss_dealing){commit[2], 2, &sub[2][1]};
    d[1].share = &sub[1][0];
    EXPECT_BLAME(1, MPC_VSS_FAULT_SHARE);

    /* Misuse. */
    d[1].share = &sub[1][1];
    REQUIRE(RECEIVE(0) == MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 3));
    REQUIRE(blame.fault == MPC_VSS_FAULT_NONE);
    c.vshares = NULL;
    REQUIRE(RECEIVE(3) == MPC_ERR_INVALID_ARG);
    REQUIRE(mpc_scalar_is_zero(&share) && points_identity(g, vs, 3));
    c = committee_of(&k);
    c.t = 4;
    REQUIRE(RECEIVE(3) == MPC_ERR_INVALID_ARG);
    c = committee_of(&k);
    REQUIRE_OK(RECEIVE(3));

    c.ids = NULL;
    poison(g, sub[0], 3, commit[0], 2);
    REQUIRE(mpc_vss_refresh_deal(g, commit[0], sub[0], &c) ==
            MPC_ERR_INVALID_ARG);
    REQUIRE(scalars_zero(sub[0], 3) && points_identity(g, commit[0], 2));
#undef EXPECT_BLAME
#undef RECEIVE
    return true;
}

TEST(vss_refresh_blames_the_dealer)
{
    CHECK(on_both(refresh_blame));
}
