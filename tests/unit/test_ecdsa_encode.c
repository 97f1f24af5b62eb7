/*
 * mpc/ecdsa.h: low-S with the recovery id, verification, DER and r‖s‖v,
 * checked against libsecp256k1 (verify + recover) and OpenSSL.
 */
#include <string.h>

#include <openssl/ecdsa.h>
#include <secp256k1.h>

#include "mpc/ecdsa.h"
#include "tests/harness/test.h"
#include "tests/unit/ecdsa_oracle.h"

static const mpc_group *secp(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_SECP256K1);
}

/* Plain single-party ECDSA: s = k^-1 (m + r x); returns R = k·G too. */
static bool plain_sign(mpc_point *big_r, mpc_scalar *s, const mpc_scalar *x,
                       const mpc_scalar *k, const uint8_t digest[32])
{
    const mpc_group *g = secp();
    mpc_scalar r, m, kinv, t;

    mpc_point_mul_base(g, big_r, k);
    REQUIRE_OK(mpc_ecdsa_r_from_point(g, &r, big_r));
    mpc_scalar_reduce_be(g, &m, digest, 32);
    REQUIRE_OK(mpc_scalar_inv(g, &kinv, k));
    mpc_scalar_mul(g, &t, &r, x);
    mpc_scalar_add(g, &t, &t, &m);
    mpc_scalar_mul(g, s, &kinv, &t);
    return true;
}

static void random_digest(uint8_t d[32])
{
    mpc_scalar t;
    mpc_scalar_random(secp(), &t);
    memcpy(d, t.v, 32);
}

static bool is_low(const uint8_t s[32])
{
    static const uint8_t half[32] = {
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
        0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
    return memcmp(s, half, 32) <= 0;
}

/* Both parities of s occur; every signature verifies everywhere. */
TEST(ecdsa_make_lowS_recid_oracles)
{
    const mpc_group *g = secp();
    int seen_flip = 0, seen_keep = 0;

    for (int i = 0; i < test_iters(32); i++) {
        mpc_scalar x, k, s;
        mpc_point y, big_r;
        mpc_ecdsa_signature sig;
        uint8_t pub[33], digest[32], der[MPC_ECDSA_DER_MAX_BYTES];
        size_t der_len;

        mpc_scalar_random(g, &x);
        mpc_scalar_random(g, &k);
        mpc_point_mul_base(g, &y, &x);
        mpc_point_serialize(g, pub, &y);
        random_digest(digest);
        CHECK(plain_sign(&big_r, &s, &x, &k, digest));
        if (is_low(s.v))
            seen_keep++;
        else
            seen_flip++;

        /* The raw (possibly high) s verifies with OpenSSL. */
        {
            ECDSA_SIG *os = ECDSA_SIG_new();
            uint8_t *p = NULL;
            mpc_scalar r;
            int n;
            CHECK_OK(mpc_ecdsa_r_from_point(g, &r, &big_r));
            CHECK(ECDSA_SIG_set0(os, BN_bin2bn(r.v, 32, NULL),
                                 BN_bin2bn(s.v, 32, NULL)) == 1);
            n = i2d_ECDSA_SIG(os, &p);
            CHECK(n > 0);
            CHECK(ecdsa_oracle_openssl(pub, digest, p, (size_t)n));
            OPENSSL_free(p);
            ECDSA_SIG_free(os);
        }

        CHECK_OK(mpc_ecdsa_signature_make(g, &sig, &big_r, &s));
        CHECK(is_low(sig.s));
        CHECK(sig.recid <= 1);
        CHECK_OK(mpc_ecdsa_verify_var(g, &y, digest, &sig));
        CHECK(ecdsa_oracle_both(pub, digest, &sig));

        /* A wrong recovery id, digest or s fails everywhere. */
        {
            mpc_ecdsa_signature bad = sig;
            uint8_t d2[32];
            bad.recid ^= 1;
            CHECK_ERR(mpc_ecdsa_verify_var(g, &y, digest, &bad),
                      MPC_ERR_VERIFY);
            CHECK(!ecdsa_oracle_secp256k1(pub, digest, &bad));
            memcpy(d2, digest, 32);
            d2[31] ^= 1;
            CHECK_ERR(mpc_ecdsa_verify_var(g, &y, d2, &sig), MPC_ERR_VERIFY);
            CHECK(!ecdsa_oracle_both(pub, d2, &sig));
            CHECK_OK(mpc_ecdsa_signature_to_der(&sig, der, &der_len));
            CHECK(ecdsa_oracle_openssl(pub, digest, der, der_len));
            bad = sig;
            bad.s[31] ^= 1;
            CHECK_ERR(mpc_ecdsa_verify_var(g, &y, digest, &bad),
                      MPC_ERR_VERIFY);
        }
    }
    CHECK(seen_flip > 0 && seen_keep > 0);
}

/* A high-S signature is refused by our verifier (libsecp256k1 agrees). */
TEST(ecdsa_verify_rejects_high_s)
{
    const mpc_group *g = secp();
    mpc_scalar x, k, s, ns;
    mpc_point y, big_r;
    mpc_ecdsa_signature sig, high;
    uint8_t pub[33], digest[32], rsv[MPC_ECDSA_RSV_BYTES];

    mpc_scalar_random(g, &x);
    mpc_scalar_random(g, &k);
    mpc_point_mul_base(g, &y, &x);
    mpc_point_serialize(g, pub, &y);
    random_digest(digest);
    CHECK(plain_sign(&big_r, &s, &x, &k, digest));
    CHECK_OK(mpc_ecdsa_signature_make(g, &sig, &big_r, &s));
    /* make() is idempotent in the sense that -s gives the same signature */
    mpc_scalar_neg(g, &ns, &s);
    CHECK_OK(mpc_ecdsa_signature_make(g, &high, &big_r, &ns));
    CHECK(memcmp(high.s, sig.s, 32) == 0);
    CHECK(high.recid == (sig.recid ^ 1));

    high = sig;
    CHECK_OK(mpc_scalar_parse(g, &ns, sig.s));
    mpc_scalar_neg(g, &ns, &ns);
    memcpy(high.s, ns.v, 32);
    high.recid ^= 1;
    CHECK_ERR(mpc_ecdsa_verify_var(g, &y, digest, &high), MPC_ERR_VERIFY);
    CHECK(!ecdsa_oracle_secp256k1(pub, digest, &high));

    mpc_ecdsa_signature_to_rsv(&sig, rsv);
    CHECK_MEM(rsv, sig.r, 32);
    CHECK_MEM(rsv + 32, sig.s, 32);
    CHECK(rsv[64] == sig.recid);
}

/* Our DER equals libsecp256k1's (minimal) and round-trips. */
TEST(ecdsa_der_matches_libsecp256k1)
{
    const mpc_group *g = secp();
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);

    for (int i = 0; i < test_iters(64); i++) {
        mpc_ecdsa_signature sig, back;
        secp256k1_ecdsa_signature ls;
        uint8_t compact[64], der[MPC_ECDSA_DER_MAX_BYTES], lder[80];
        size_t der_len, lder_len = sizeof(lder);
        mpc_scalar a, b;

        mpc_scalar_random(g, &a);
        mpc_scalar_random(g, &b);
        /* exercise short integers and the 0x80 padding */
        if (i % 4 == 1)
            memset(a.v, 0, 1 + (size_t)(i % 7));
        if (i % 4 == 2)
            a.v[0] = 0x80;
        if (i % 4 == 3)
            memset(b.v, 0, 3);
        b.v[0] &= 0x7f;
        memcpy(sig.r, a.v, 32);
        memcpy(sig.s, b.v, 32);
        sig.recid = 0;
        memcpy(compact, sig.r, 32);
        memcpy(compact + 32, sig.s, 32);

        CHECK_OK(mpc_ecdsa_signature_to_der(&sig, der, &der_len));
        CHECK(secp256k1_ecdsa_signature_parse_compact(c, &ls, compact));
        CHECK(secp256k1_ecdsa_signature_serialize_der(c, lder, &lder_len, &ls));
        CHECK(lder_len == der_len);
        CHECK_MEM(der, lder, der_len);
        CHECK_OK(mpc_ecdsa_signature_from_der(g, &back, der, der_len));
        CHECK_MEM(back.r, sig.r, 32);
        CHECK_MEM(back.s, sig.s, 32);
    }
    secp256k1_context_destroy(c);
}

static void der_of(uint8_t *der, size_t *len, const char *hex)
{
    *len = strlen(hex) / 2;
    (void)test_unhex(der, *len, hex);
}

/* Strictness: every non-canonical form is MPC_ERR_PARSE, sig zeroed. */
TEST(ecdsa_der_strict)
{
    const mpc_group *g = secp();
    static const char *bad[] = {
        "",
        "30",
        "3006020101020101"
        "00",                 /* trailing byte */
        "3007020101020101",   /* wrong outer length */
        "310602010102010100", /* not a SEQUENCE */
        "3006030101020101",   /* not an INTEGER */
        "300702020001020101", /* leading zero */
        "3006020181020101",   /* negative r */
        "3006020101020181",   /* negative s */
        "3006020100020101",   /* r = 0 */
        "3006020101020100",   /* s = 0 */
        "30050200020101",     /* empty INTEGER */
        "3006020101020201",   /* s length past end */
        "308106020101020101", /* long-form length */
        /* r = n */
        "3026022100fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd036"
        "4141020101",
        /* s = n/2 + 1 (high) */
        "302502010102207fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46"
        "681b20a1",
        /* 33-byte r whose first byte is not 00 */
        "3026022101ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "ffff020101",
    };
    uint8_t der[128];
    size_t len;
    mpc_ecdsa_signature sig;
    static const mpc_ecdsa_signature zero;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        der_of(der, &len, bad[i]);
        memset(&sig, 0xaa, sizeof(sig));
        CHECK_ERR(mpc_ecdsa_signature_from_der(g, &sig, der, len),
                  MPC_ERR_PARSE);
        CHECK_MEM(&sig, &zero, sizeof(sig));
    }
    der_of(der, &len, "3006020101020101");
    CHECK_OK(mpc_ecdsa_signature_from_der(g, &sig, der, len));
    CHECK(sig.r[31] == 1 && sig.s[31] == 1);
    /* s = n/2 exactly is low */
    der_of(der, &len,
           "302502010102207fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92"
           "f46681b20a0");
    CHECK_OK(mpc_ecdsa_signature_from_der(g, &sig, der, len));
}

TEST(ecdsa_misuse)
{
    const mpc_group *g = secp();
    const mpc_group *ed = mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
    static const mpc_ecdsa_signature zero;
    mpc_ecdsa_signature sig;
    mpc_point inf, y, edp;
    mpc_scalar s, r, x;
    uint8_t digest[32] = {1}, der[MPC_ECDSA_DER_MAX_BYTES];
    size_t len = 5;

    mpc_point_set_identity(g, &inf);
    mpc_scalar_random(g, &s);
    mpc_scalar_random(g, &x);
    mpc_point_mul_base(g, &y, &x);
    mpc_point_generator(ed, &edp);

    memset(&sig, 0xaa, sizeof(sig));
    CHECK_ERR(mpc_ecdsa_signature_make(g, &sig, &inf, &s), MPC_ERR_INVALID_ARG);
    CHECK_MEM(&sig, &zero, sizeof(sig));
    mpc_scalar_set_zero(&r);
    memset(&sig, 0xaa, sizeof(sig));
    CHECK_ERR(mpc_ecdsa_signature_make(g, &sig, &y, &r), MPC_ERR_INVALID_ARG);
    CHECK_MEM(&sig, &zero, sizeof(sig));
    CHECK_ERR(mpc_ecdsa_signature_make(ed, &sig, &edp, &s),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_ecdsa_r_from_point(g, &r, &inf), MPC_ERR_INVALID_ARG);
    CHECK(mpc_scalar_is_zero(&r));
    CHECK_ERR(mpc_ecdsa_r_from_point(ed, &r, &edp), MPC_ERR_INVALID_ARG);

    CHECK_ERR(mpc_ecdsa_verify_var(g, &inf, digest, &sig), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_ecdsa_verify_var(ed, &edp, digest, &sig),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_ecdsa_verify_var(g, &y, digest, &zero), MPC_ERR_VERIFY);
    sig = zero;
    sig.r[31] = 1;
    sig.s[31] = 1;
    sig.recid = 4;
    CHECK_ERR(mpc_ecdsa_verify_var(g, &y, digest, &sig), MPC_ERR_VERIFY);

    memset(der, 0xaa, sizeof(der));
    CHECK_ERR(mpc_ecdsa_signature_to_der(&zero, der, &len),
              MPC_ERR_INVALID_ARG);
    CHECK(len == 0 && der[0] == 0 && der[MPC_ECDSA_DER_MAX_BYTES - 1] == 0);
    CHECK_ERR(mpc_ecdsa_signature_from_der(ed, &sig, der, 8),
              MPC_ERR_INVALID_ARG);
}
