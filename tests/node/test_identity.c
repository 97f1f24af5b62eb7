/*
 * Tests of node/identity: public keys in every accepted form and the
 * rejection of bad ones, the sealed format (checked against its documented
 * layout with libsodium directly), node identity files (RFC 8032 key pairs
 * in mpcium's format as known answers), the peers file and its validation,
 * initiator keys, and mpcium-cli end to end.
 */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "node/config.h"
#include "node/identity.h"
#include "tests/harness/test.h"
#include "tests/node/nodecfg_util.h"

#define ERRLEN 1024

/* RFC 8032 §7.1 tests 1 and 2. */
#define RFC1_SEED                                                              \
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define RFC1_PK                                                                \
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define RFC2_PK                                                                \
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
/* P-256 generator G (private key 1) as SPKI: uncompressed and compressed. */
#define G_SPKI                                                                 \
    "3059301306072a8648ce3d020106082a8648ce3d030107034200046b17d1f2e12c4247f"  \
    "8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a"  \
    "7c0f9e162bce33576b315ececbb6406837bf51f5"
#define G_SPKI_B64                                                             \
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5" \
    "RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q=="
#define G_SPKI_COMPRESSED                                                      \
    "3039301306072a8648ce3d020106082a8648ce3d030107032200036b17d1f2e12c4247f"  \
    "8bce6e563a440f277037d812deb33a0f4a13945d898c296"

static const node_kdf_params fast_kdf = {1, 8}; /* libsodium's minimum */

static bool has(const char *haystack, const char *needle)
{
    return needle == NULL || strstr(haystack, needle) != NULL;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

static void to_hex(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

/* DER SPKI of an OpenSSL key, in the given point form. */
static size_t spki_of(EVP_PKEY *pkey, uint8_t *out, size_t cap,
                      const char *form)
{
    unsigned char *der = NULL;
    if (form != NULL &&
        EVP_PKEY_set_utf8_string_param(
            pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form) != 1)
        return 0;
    int n = i2d_PUBKEY(pkey, &der);
    if (n <= 0 || (size_t)n > cap) {
        OPENSSL_free(der);
        return 0;
    }
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    return (size_t)n;
}

/* ---- algorithms, names, ids, UUIDs --------------------------------- */

TEST(nodecfg_identity_alg_and_names)
{
    node_key_alg alg;
    CHECK_OK(node_key_alg_parse(&alg, "ed25519"));
    CHECK(alg == NODE_KEY_ALG_ED25519);
    CHECK_OK(node_key_alg_parse(&alg, "p256"));
    CHECK(alg == NODE_KEY_ALG_P256);
    static const char *const bad_alg[] = {"",      "Ed25519",   "P256",
                                          "p-256", "secp256k1", "ed25519 "};
    for (size_t i = 0; i < sizeof bad_alg / sizeof bad_alg[0]; i++) {
        alg = NODE_KEY_ALG_P256;
        CHECK_ERR(node_key_alg_parse(&alg, bad_alg[i]), MPC_ERR_PARSE);
        CHECK(alg == 0);
    }
    CHECK(strcmp(node_key_alg_name(NODE_KEY_ALG_ED25519), "ed25519") == 0);
    CHECK(strcmp(node_key_alg_name(NODE_KEY_ALG_P256), "p256") == 0);
    CHECK(strcmp(node_key_alg_name((node_key_alg)9), "unknown") == 0);

    static const char *const good_names[] = {"node0", "N", "a-b_c.d", "0node"};
    static const char *const bad_names[] = {
        "",
        ".hidden",
        "-x",
        "_x",
        "a/b",
        "a b",
        "../x",
        "a:b",
        "é",
        "0123456789012345678901234567890123456789012345678901234567890123x"};
    for (size_t i = 0; i < sizeof good_names / sizeof good_names[0]; i++)
        CHECK(node_name_is_valid(good_names[i]));
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
        CHECK(!node_name_is_valid(bad_names[i]));

    static const char *const good_ids[] = {
        "7a6f2d4e-1b3c-4d5e-8f90-a1b2c3d4e5f6", "node1", "A_b-C~!"};
    static const char *const bad_ids[] = {"",   "a:b", "a.b",  "a b",
                                          "a*", "a>b", "a\tb", "a\x7f"};
    for (size_t i = 0; i < sizeof good_ids / sizeof good_ids[0]; i++)
        CHECK(node_id_is_valid(good_ids[i]));
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++)
        CHECK(!node_id_is_valid(bad_ids[i]));
    char long_id[NODE_ID_MAX_BYTES + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[NODE_ID_MAX_BYTES] = '\0';
    CHECK(node_id_is_valid(long_id));
    long_id[NODE_ID_MAX_BYTES] = 'a';
    long_id[NODE_ID_MAX_BYTES + 1] = '\0';
    CHECK(!node_id_is_valid(long_id));
}

static void ones(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xff, len);
}

static void zeros(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0, len);
}

TEST(nodecfg_identity_uuid_v4)
{
    char a[NODE_UUID_BYTES + 1], b[NODE_UUID_BYTES + 1];
    for (int it = 0; it < test_iters(200); it++) {
        node_uuid_v4(a, mpc_drbg_fill, test_drbg());
        CHECK(strlen(a) == 36);
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23)
                CHECK(a[i] == '-');
            else
                CHECK((a[i] >= '0' && a[i] <= '9') ||
                      (a[i] >= 'a' && a[i] <= 'f'));
        }
        CHECK(a[14] == '4');                  /* version */
        CHECK(strchr("89ab", a[19]) != NULL); /* variant */
        CHECK(node_id_is_valid(a));
    }
    node_uuid_v4(b, mpc_drbg_fill, test_drbg());
    CHECK(strcmp(a, b) != 0);
    /* Known answer: an all-ones generator keeps only the forced bits. */
    node_uuid_v4(a, ones, NULL);
    CHECK(strcmp(a, "ffffffff-ffff-4fff-bfff-ffffffffffff") == 0);
    node_uuid_v4(a, zeros, NULL);
    CHECK(strcmp(a, "00000000-0000-4000-8000-000000000000") == 0);
}

/* ---- public keys ----------------------------------------------------- */

TEST(nodecfg_pubkey_ed25519)
{
    node_pubkey pk;
    char err[ERRLEN];
    uint8_t want[32];
    CHECK(test_unhex(want, 32, RFC1_PK));
    CHECK_OK(
        node_pubkey_parse(&pk, NODE_KEY_ALG_ED25519, RFC1_PK, err, ERRLEN));
    CHECK(pk.alg == NODE_KEY_ALG_ED25519 && pk.len == 32);
    CHECK_MEM(pk.bytes, want, 32);
    CHECK_OK(node_pubkey_parse(&pk, NODE_KEY_ALG_ED25519,
                               "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62"
                               "325AF021A68F707511A",
                               NULL, 0));
    CHECK_MEM(pk.bytes, want, 32);

    static const struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"", "empty"},
        {"d75a98", "64 hex digits"},
        {RFC1_PK "00", "64 hex digits"},
        {"0x" RFC1_PK, "64 hex digits"},
        {"g75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
         "64 hex digits"},
        /* identity point (small order) */
        {"0100000000000000000000000000000000000000000000000000000000000000",
         "small order"},
        /* y = p, not canonical */
        {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "not a valid Ed25519"},
        /* order-8 point */
        {"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
         "not a valid Ed25519"},
        {G_SPKI, "64 hex digits"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&pk, 0xaa, sizeof pk);
        CHECK_ERR(node_pubkey_parse(&pk, NODE_KEY_ALG_ED25519, bad[i].text, err,
                                    ERRLEN),
                  MPC_ERR_PARSE);
        CHECK(has(err, bad[i].msg));
        CHECK(all_zero(&pk, sizeof pk));
    }
    memset(&pk, 0xaa, sizeof pk);
    CHECK_ERR(node_pubkey_parse(&pk, (node_key_alg)7, RFC1_PK, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&pk, sizeof pk));
}

TEST(nodecfg_pubkey_p256_known_answer)
{
    node_pubkey pk;
    char err[ERRLEN], hex[2 * 91 + 3], upper[2 * 91 + 3];
    uint8_t want[91];
    CHECK(test_unhex(want, 91, G_SPKI));
    /* Every accepted spelling of G gives the canonical SPKI. */
    nc_fmt(hex, sizeof hex, "0x%s", G_SPKI);
    nc_fmt(upper, sizeof upper, "0X%s", G_SPKI);
    for (char *c = upper + 2; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    const char *forms[] = {G_SPKI, hex, upper, G_SPKI_B64, G_SPKI_COMPRESSED};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        memset(&pk, 0xaa, sizeof pk);
        CHECK_OK(
            node_pubkey_parse(&pk, NODE_KEY_ALG_P256, forms[i], err, ERRLEN));
        CHECK(pk.alg == NODE_KEY_ALG_P256 && pk.len == 91);
        CHECK_MEM(pk.bytes, want, 91);
    }
}

TEST(nodecfg_pubkey_p256_random_keys)
{
    for (int it = 0; it < test_iters(8); it++) {
        EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        uint8_t unc[128], cmp[128];
        char hex[300], b64[300];
        node_pubkey a, b, c;
        CHECK(key != NULL);
        size_t un = spki_of(key, unc, sizeof unc, "uncompressed");
        size_t cn = spki_of(key, cmp, sizeof cmp, "compressed");
        EVP_PKEY_free(key);
        CHECK(un == 91 && cn == 59);
        to_hex(hex, unc, un);
        sodium_bin2base64(b64, sizeof b64, unc, un,
                          sodium_base64_VARIANT_ORIGINAL);
        CHECK_OK(node_pubkey_parse(&a, NODE_KEY_ALG_P256, hex, NULL, 0));
        CHECK_OK(node_pubkey_parse(&b, NODE_KEY_ALG_P256, b64, NULL, 0));
        to_hex(hex, cmp, cn);
        CHECK_OK(node_pubkey_parse(&c, NODE_KEY_ALG_P256, hex, NULL, 0));
        CHECK(a.len == 91);
        CHECK_MEM(a.bytes, unc, 91);
        CHECK_MEM(b.bytes, unc, 91);
        CHECK_MEM(c.bytes, unc, 91);
    }
}

static void mutate_hex(char *out, size_t cap, const char *hex, size_t pos,
                       char c)
{
    nc_fmt(out, cap, "%s", hex);
    out[pos] = c;
}

TEST(nodecfg_pubkey_p256_rejects)
{
    node_pubkey pk;
    char err[ERRLEN], buf[600];
    uint8_t der[256];

    /* Other curves and key types. */
    static const char *const curves[] = {"secp256k1", "P-384"};
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]);
        size_t n = spki_of(k, der, sizeof der, NULL);
        EVP_PKEY_free(k);
        CHECK(n > 0);
        to_hex(buf, der, n);
        memset(&pk, 0xaa, sizeof pk);
        CHECK_ERR(node_pubkey_parse(&pk, NODE_KEY_ALG_P256, buf, err, ERRLEN),
                  MPC_ERR_PARSE);
        CHECK(has(err, "curve is not P-256"));
        CHECK(all_zero(&pk, sizeof pk));
    }
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    size_t n = spki_of(ed, der, sizeof der, NULL);
    EVP_PKEY_free(ed);
    to_hex(buf, der, n);
    CHECK_ERR(node_pubkey_parse(&pk, NODE_KEY_ALG_P256, buf, err, ERRLEN),
              MPC_ERR_PARSE);
    CHECK(has(err, "not an elliptic-curve key"));

    static const struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"", "empty"},
        {RFC1_PK, "SubjectPublicKeyInfo"},
        {G_SPKI "00", "1 bytes after the SubjectPublicKeyInfo"},
        {"3059301306072a8648ce3d020106082a8648ce3d03010703420004",
         "SubjectPublicKeyInfo"},
        {G_SPKI "0", "hex (even number of digits)"},
        {"0x", "hex (even number of digits)"},
        {"0x" G_SPKI_B64, "hex (even number of digits)"},
        {"MFkw EwYH", "not valid hex or standard base64"},
        /* base64 without its padding */
        {"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg"
         "9KE5RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q",
         "not valid hex or standard base64"},
        /* URL-safe alphabet */
        {"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg"
         "9KE5RdiYwpZP40Li_hp_m47n60p8D54WK84zV2sxXs7LtkBoN79R9Q==",
         "not valid hex or standard base64"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&pk, 0xaa, sizeof pk);
        CHECK_ERR(
            node_pubkey_parse(&pk, NODE_KEY_ALG_P256, bad[i].text, err, ERRLEN),
            MPC_ERR_PARSE);
        if (!has(err, bad[i].msg))
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, err);
        CHECK(has(err, bad[i].msg));
        CHECK(all_zero(&pk, sizeof pk));
    }
    /* A point off the curve: change the last digit of y. */
    mutate_hex(buf, sizeof buf, G_SPKI, strlen(G_SPKI) - 1, '4');
    CHECK_ERR(node_pubkey_parse(&pk, NODE_KEY_ALG_P256, buf, err, ERRLEN),
              MPC_ERR_PARSE);
    /* x = p on the compressed form: not a field element. */
    CHECK_ERR(node_pubkey_parse(
                  &pk, NODE_KEY_ALG_P256,
                  "3039301306072a8648ce3d020106082a8648ce3d0301070322000"
                  "3ffffffff00000001000000000000000000000000ffffffffffffffff"
                  "ffffffff",
                  err, ERRLEN),
              MPC_ERR_PARSE);
}

/* ---- sealing ----------------------------------------------------------- */

TEST(nodecfg_seal_round_trip_and_layout)
{
    const uint8_t pt[40] = "a secret of forty bytes, for this test!";
    const char *pw = "correct horse battery staple";
    uint8_t blob[sizeof pt + NODE_SEAL_OVERHEAD_BYTES];
    uint8_t back[sizeof pt];
    CHECK_OK(node_identity_seal(blob, sizeof blob, pt, sizeof pt, "purpose A",
                                (const uint8_t *)pw, strlen(pw), &fast_kdf,
                                mpc_drbg_fill, test_drbg()));
    CHECK_OK(node_identity_unseal(back, sizeof back, blob, sizeof blob,
                                  "purpose A", (const uint8_t *)pw,
                                  strlen(pw)));
    CHECK_MEM(back, pt, sizeof pt);

    /* The documented layout, opened with libsodium directly. */
    CHECK(memcmp(blob, "MPCSEAL\x01", 8) == 0);
    CHECK(blob[8] == 1 && blob[9] == 1 && blob[10] == 0 && blob[11] == 0);
    uint32_t ops = (uint32_t)blob[12] << 24 | (uint32_t)blob[13] << 16 |
                   (uint32_t)blob[14] << 8 | blob[15];
    uint32_t mem = (uint32_t)blob[16] << 24 | (uint32_t)blob[17] << 16 |
                   (uint32_t)blob[18] << 8 | blob[19];
    CHECK(ops == 1 && mem == 8);
    uint8_t key[32], ad[60 + 9], pt2[sizeof pt];
    CHECK(crypto_pwhash(key, 32, pw, strlen(pw), blob + 20, ops,
                        (size_t)mem * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0);
    memcpy(ad, blob, 60);
    memcpy(ad + 60, "purpose A", 9);
    CHECK(crypto_aead_xchacha20poly1305_ietf_decrypt(
              pt2, NULL, NULL, blob + 60, sizeof blob - 60, ad, sizeof ad,
              blob + 36, key) == 0);
    CHECK_MEM(pt2, pt, sizeof pt);

    /* Fresh salt and nonce every time. */
    uint8_t blob2[sizeof blob];
    CHECK_OK(node_identity_seal(blob2, sizeof blob2, pt, sizeof pt, "purpose A",
                                (const uint8_t *)pw, strlen(pw), &fast_kdf,
                                mpc_drbg_fill, test_drbg()));
    CHECK(memcmp(blob + 20, blob2 + 20, 40) != 0);
}

TEST(nodecfg_seal_rejects)
{
    const uint8_t pt[16] = "0123456789abcdef";
    const uint8_t pw[] = "pw-pw-pw-pw-pw";
    uint8_t blob[sizeof pt + NODE_SEAL_OVERHEAD_BYTES];
    uint8_t out[sizeof pt];
    CHECK_OK(node_identity_seal(blob, sizeof blob, pt, sizeof pt, "p", pw,
                                sizeof pw - 1, &fast_kdf, mpc_drbg_fill,
                                test_drbg()));
    /* wrong password, wrong purpose */
    memset(out, 0xaa, sizeof out);
    CHECK_ERR(node_identity_unseal(out, sizeof out, blob, sizeof blob, "p",
                                   (const uint8_t *)"pw-pw-pw-pw-pX", 14),
              MPC_ERR_AUTH);
    CHECK(all_zero(out, sizeof out));
    CHECK_ERR(node_identity_unseal(out, sizeof out, blob, sizeof blob, "q", pw,
                                   sizeof pw - 1),
              MPC_ERR_AUTH);
    /* Every byte matters: the header fields are checked or authenticated,
     * the rest is ciphertext and tag. */
    for (size_t i = 0; i < sizeof blob; i++) {
        uint8_t t[sizeof blob];
        memcpy(t, blob, sizeof t);
        t[i] ^= 0x01;
        memset(out, 0xaa, sizeof out);
        mpc_err rc = node_identity_unseal(out, sizeof out, t, sizeof t, "p", pw,
                                          sizeof pw - 1);
        if (i < 12)
            CHECK(rc == MPC_ERR_PARSE);
        else
            CHECK(rc == MPC_ERR_PARSE || rc == MPC_ERR_AUTH);
        CHECK(all_zero(out, sizeof out));
    }
    /* A header asking for more than the cap is refused before any work. */
    uint8_t t[sizeof blob];
    memcpy(t, blob, sizeof t);
    t[16] = 0x7f; /* memlimit far above NODE_SEAL_MEMLIMIT_KIB_MAX */
    CHECK_ERR(node_identity_unseal(out, sizeof out, t, sizeof t, "p", pw,
                                   sizeof pw - 1),
              MPC_ERR_PARSE);
    memcpy(t, blob, sizeof t);
    t[15] = 0; /* opslimit 0 */
    CHECK_ERR(node_identity_unseal(out, sizeof out, t, sizeof t, "p", pw,
                                   sizeof pw - 1),
              MPC_ERR_PARSE);
    /* sizes */
    CHECK_ERR(
        node_identity_unseal(out, sizeof out, blob, 10, "p", pw, sizeof pw - 1),
        MPC_ERR_PARSE);
    CHECK_ERR(node_identity_unseal(out, sizeof out - 1, blob, sizeof blob, "p",
                                   pw, sizeof pw - 1),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(
        node_identity_unseal(out, sizeof out, blob, sizeof blob, "p", pw, 0),
        MPC_ERR_INVALID_ARG);
    /* sealing misuse: output zeroed */
    memset(blob, 0xaa, sizeof blob);
    CHECK_ERR(node_identity_seal(blob, sizeof blob, pt, sizeof pt, "p", pw, 0,
                                 &fast_kdf, mpc_drbg_fill, test_drbg()),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(blob, sizeof blob));
    node_kdf_params weak = {0, 8}, huge = {1, NODE_SEAL_MEMLIMIT_KIB_MAX + 1};
    CHECK_ERR(node_identity_seal(blob, sizeof blob, pt, sizeof pt, "p", pw,
                                 sizeof pw - 1, &weak, mpc_drbg_fill,
                                 test_drbg()),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_identity_seal(blob, sizeof blob, pt, sizeof pt, "p", pw,
                                 sizeof pw - 1, &huge, mpc_drbg_fill,
                                 test_drbg()),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_identity_seal(blob, sizeof blob - 1, pt, sizeof pt, "p", pw,
                                 sizeof pw - 1, &fast_kdf, mpc_drbg_fill,
                                 test_drbg()),
              MPC_ERR_INVALID_ARG);
    node_kdf_params def;
    node_kdf_params_default(&def);
    CHECK(def.opslimit == 3 && def.memlimit_kib == 256 * 1024);
}

/* ---- node identity ----------------------------------------------------- */

/* The checked-in cluster: RFC 8032 keys in mpcium's file format. */
TEST(nodecfg_identity_mpcium_format_known_answer)
{
    node_identity *id = NULL;
    char err[ERRLEN];
    uint8_t pk[32], seed[32];
    CHECK_OK(node_identity_load(&id, "tests/node/data/cluster/identity",
                                "node0", NULL, 0, err, ERRLEN));
    CHECK(test_unhex(pk, 32, RFC1_PK) && test_unhex(seed, 32, RFC1_SEED));
    CHECK(strcmp(id->name, "node0") == 0);
    CHECK(strcmp(id->id, "7a6f2d4e-1b3c-4d5e-8f90-a1b2c3d4e5f6") == 0);
    CHECK_MEM(id->pk, pk, 32);
    CHECK_MEM(id->sk, seed, 32);
    CHECK_MEM(id->sk + 32, pk, 32);
    /* RFC 8032 test 1: the signature of the empty message. */
    uint8_t sig[64], want[64];
    CHECK(test_unhex(want, 64,
                     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06"
                     "522490155"
                     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438"
                     "e7a100b"));
    crypto_sign_detached(sig, NULL, (const uint8_t *)"", 0, id->sk);
    CHECK_MEM(sig, want, 64);
    node_identity_free(id);
    /* node1's key file ends with a newline: accepted. */
    CHECK_OK(node_identity_load(&id, "tests/node/data/cluster/identity",
                                "node1", NULL, 0, err, ERRLEN));
    CHECK(test_unhex(pk, 32, RFC2_PK));
    CHECK_MEM(id->pk, pk, 32);
    node_identity_free(id);
    node_identity_free(NULL);
}

TEST(nodecfg_identity_round_trip)
{
    char dir[NC_PATH], sub[NC_PATH], err[ERRLEN];
    node_identity *id = NULL, *back = NULL;
    CHECK(nc_tmpdir(dir));
    nc_fmt(sub, sizeof sub, "%s/a/identity", dir);
    CHECK_OK(node_identity_generate(&id, "node2",
                                    "0ce02715-0ead-48ef-9772-2583316cc860",
                                    mpc_drbg_fill, test_drbg(), err, ERRLEN));
    CHECK_OK(node_identity_save(id, sub, 1700000000, NULL, false, err, ERRLEN));
    CHECK(nc_mode(sub, "node2_identity.json") == 0644);
    CHECK(nc_mode(sub, "node2_private.key") == 0600);
    CHECK(nc_mode(sub, ".") == 0700);

    /* The JSON is mpcium's: four fields, in order, hex key, RFC 3339. */
    char *text = nc_read(sub, "node2_identity.json", NULL);
    char pk_hex[65], sk_hex[129], want[512];
    to_hex(pk_hex, id->pk, 32);
    to_hex(sk_hex, id->sk, 64);
    nc_fmt(want, sizeof want,
           "{\n  \"node_name\": \"node2\",\n  \"node_id\": "
           "\"0ce02715-0ead-48ef-9772-2583316cc860\",\n  \"public_key\": "
           "\"%s\",\n  \"created_at\": \"2023-11-14T22:13:20Z\"\n}\n",
           pk_hex);
    CHECK(text != NULL && strcmp(text, want) == 0);
    free(text);
    text = nc_read(sub, "node2_private.key", NULL);
    CHECK(text != NULL && strcmp(text, sk_hex) == 0);
    free(text);

    CHECK_OK(node_identity_load(&back, sub, "node2", NULL, 0, err, ERRLEN));
    CHECK(strcmp(back->name, id->name) == 0 && strcmp(back->id, id->id) == 0);
    CHECK_MEM(back->pk, id->pk, 32);
    CHECK_MEM(back->sk, id->sk, 64);
    node_identity_free(back);

    /* No silent overwrite; --overwrite replaces both files. */
    node_identity *other = NULL;
    CHECK_OK(node_identity_generate(&other, "node2", id->id, mpc_drbg_fill,
                                    test_drbg(), err, ERRLEN));
    CHECK_ERR(node_identity_save(other, sub, 1, NULL, false, err, ERRLEN),
              MPC_ERR_CONFLICT);
    CHECK(has(err, "already exists"));
    CHECK_OK(node_identity_load(&back, sub, "node2", NULL, 0, err, ERRLEN));
    CHECK_MEM(back->pk, id->pk, 32);
    node_identity_free(back);
    CHECK_OK(node_identity_save(other, sub, 1, NULL, true, err, ERRLEN));
    CHECK(nc_mode(sub, "node2_private.key") == 0600);
    CHECK_OK(node_identity_load(&back, sub, "node2", NULL, 0, err, ERRLEN));
    CHECK_MEM(back->pk, other->pk, 32);
    node_identity_free(back);
    node_identity_free(other);
    node_identity_free(id);
    nc_rmtree(dir);
}

TEST(nodecfg_identity_sealed)
{
    char dir[NC_PATH], err[ERRLEN];
    node_identity *id = NULL, *back = NULL;
    const char *pw = "a long operator password";
    node_identity_seal_opts seal = {(const uint8_t *)pw, strlen(pw), fast_kdf,
                                    mpc_drbg_fill, test_drbg()};
    CHECK(nc_tmpdir(dir));
    CHECK_OK(node_identity_generate(&id, "n1", "id-1", mpc_drbg_fill,
                                    test_drbg(), err, ERRLEN));
    CHECK_OK(node_identity_save(id, dir, 0, &seal, false, err, ERRLEN));
    CHECK(nc_mode(dir, "n1_private.key.enc") == 0600);
    CHECK(!nc_exists(dir, "n1_private.key"));
    size_t len = 0;
    char *blob = nc_read(dir, "n1_private.key.enc", &len);
    CHECK(blob != NULL && len == 64 + NODE_SEAL_OVERHEAD_BYTES);
    /* the plaintext key is nowhere in the file */
    CHECK(memmem(blob, len, id->sk, 32) == NULL);
    free(blob);

    CHECK_OK(node_identity_load(&back, dir, "n1", (const uint8_t *)pw,
                                strlen(pw), err, ERRLEN));
    CHECK_MEM(back->sk, id->sk, 64);
    node_identity_free(back);
    back = (node_identity *)1;
    CHECK_ERR(node_identity_load(&back, dir, "n1", (const uint8_t *)"wrong", 5,
                                 err, ERRLEN),
              MPC_ERR_AUTH);
    CHECK(back == NULL && has(err, "wrong password"));
    CHECK_ERR(node_identity_load(&back, dir, "n1", (const uint8_t *)"", 0, err,
                                 ERRLEN),
              MPC_ERR_INVALID_ARG);
    /* no plain file: NOT_FOUND */
    CHECK_ERR(node_identity_load(&back, dir, "n1", NULL, 0, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(has(err, "n1_private.key"));
    /* A sealed key renamed to another node does not open (purpose). */
    node_identity *id2 = NULL;
    CHECK_OK(node_identity_generate(&id2, "n2", "id-2", mpc_drbg_fill,
                                    test_drbg(), err, ERRLEN));
    CHECK_OK(node_identity_save(id2, dir, 0, NULL, false, err, ERRLEN));
    char from[NC_PATH], to[NC_PATH];
    nc_fmt(from, sizeof from, "%s/n1_private.key.enc", dir);
    nc_fmt(to, sizeof to, "%s/n2_private.key.enc", dir);
    CHECK(rename(from, to) == 0);
    CHECK_ERR(node_identity_load(&back, dir, "n2", (const uint8_t *)pw,
                                 strlen(pw), err, ERRLEN),
              MPC_ERR_AUTH);
    /* truncated sealed file */
    blob = nc_read(dir, "n2_private.key.enc", &len);
    CHECK(nc_write(dir, "n2_private.key.enc", blob, len - 1, NULL));
    free(blob);
    CHECK_ERR(node_identity_load(&back, dir, "n2", (const uint8_t *)pw,
                                 strlen(pw), err, ERRLEN),
              MPC_ERR_PARSE);
    /* bad seal options */
    node_identity_seal_opts bad = seal;
    bad.password = NULL;
    CHECK_ERR(node_identity_save(id, dir, 0, &bad, true, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    node_identity_free(id2);
    node_identity_free(id);
    nc_rmtree(dir);
}

struct load_case {
    const char *json;
    const char *key; /* private key file text, NULL = the good one */
    mpc_err rc;
    const char *msg;
};

TEST(nodecfg_identity_load_rejects)
{
    char dir[NC_PATH], err[ERRLEN], good_key[129], json[1024];
    node_identity *id = NULL;
    CHECK(nc_tmpdir(dir));
    nc_fmt(good_key, sizeof good_key, "%s%s", RFC1_SEED, RFC1_PK);
#define J(name, nid, pk)                                                       \
    "{\"node_name\":\"" name "\",\"node_id\":\"" nid "\",\"public_key\":\"" pk \
    "\",\"created_at\":\"x\"}"
    static const struct load_case cases[] = {
        {J("node0", "id0", RFC1_PK), NULL, MPC_OK, NULL},
        {J("node0", "id0", RFC1_PK), RFC1_SEED RFC1_PK "\r\n  \t", MPC_OK,
         NULL},
        {J("node9", "id0", RFC1_PK), NULL, MPC_ERR_VERIFY,
         "node_name is \"node9\", expected \"node0\""},
        {J("node0", "id0", RFC2_PK), NULL, MPC_ERR_VERIFY,
         "does not belong to the public_key"},
        {J("node0", "id0", RFC1_PK), RFC1_SEED RFC2_PK, MPC_ERR_VERIFY,
         "does not match its seed"},
        {J("node0", "id:0", RFC1_PK), NULL, MPC_ERR_PARSE, "invalid node_id"},
        {J("node0", "id0", "abcd"), NULL, MPC_ERR_PARSE, "public_key must be"},
        {J("node0", "id0",
           "0100000000000000000000000000000000000000000000000000000000000000"),
         NULL, MPC_ERR_PARSE, "not a valid Ed25519 key"},
        {"{\"node_name\":\"node0\",\"node_id\":\"id0\"}", NULL, MPC_ERR_PARSE,
         "must be strings"},
        {"{\"node_name\":\"node0\",\"node_id\":7,\"public_key\":\"" RFC1_PK
         "\"}",
         NULL, MPC_ERR_PARSE, "must be strings"},
        {"[1]", NULL, MPC_ERR_PARSE, "not a JSON object"},
        {"{\"node_name\":\"node0\",", NULL, MPC_ERR_PARSE, "node0_identity"},
        {"{\"node_name\":\"node0\",\"node_name\":\"node0\",\"node_id\":\"id0\","
         "\"public_key\":\"" RFC1_PK "\"}",
         NULL, MPC_ERR_PARSE, "duplicate"},
        {J("node0", "id0", RFC1_PK), RFC1_SEED, MPC_ERR_PARSE,
         "expected 128 hex digits"},
        {J("node0", "id0", RFC1_PK), RFC1_SEED RFC1_PK "00", MPC_ERR_PARSE,
         "expected 128 hex digits"},
        {J("node0", "id0", RFC1_PK), "x" RFC1_SEED RFC1_PK, MPC_ERR_PARSE,
         "expected 128 hex digits"},
    };
#undef J
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct load_case *c = &cases[i];
        nc_fmt(json, sizeof json, "%s", c->json);
        CHECK(nc_write_str(dir, "node0_identity.json", json, NULL));
        CHECK(nc_write_str(dir, "node0_private.key", c->key ? c->key : good_key,
                           NULL));
        id = (node_identity *)1;
        mpc_err rc =
            node_identity_load(&id, dir, "node0", NULL, 0, err, ERRLEN);
        if (rc != c->rc || !has(err, c->msg))
            test_fail(__FILE__, __LINE__, "case %zu: %s: %s", i,
                      mpc_err_name(rc), err);
        CHECK(rc == c->rc && has(err, c->msg));
        CHECK((rc == MPC_OK) == (id != NULL));
        node_identity_free(rc == MPC_OK ? id : NULL);
    }
    /* missing files, a directory, a bad name */
    CHECK_ERR(node_identity_load(&id, dir, "nodeX", NULL, 0, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(has(err, "nodeX_identity.json"));
    nc_fmt(json, sizeof json, "%s/node0_private.key", dir);
    CHECK(unlink(json) == 0);
    CHECK_ERR(node_identity_load(&id, dir, "node0", NULL, 0, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    char sub[NC_PATH];
    nc_fmt(sub, sizeof sub, "%s/node0_private.key", dir);
    CHECK(mkdir(sub, 0700) == 0);
    CHECK_ERR(node_identity_load(&id, dir, "node0", NULL, 0, err, ERRLEN),
              MPC_ERR_IO);
    CHECK(has(err, "not a regular file"));
    CHECK_ERR(node_identity_load(&id, dir, "../x", NULL, 0, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(id == NULL);
    /* generate misuse */
    CHECK_ERR(node_identity_generate(&id, "bad/name", "id", mpc_drbg_fill,
                                     test_drbg(), err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "invalid node name"));
    CHECK_ERR(node_identity_generate(&id, "ok", "bad:id", mpc_drbg_fill,
                                     test_drbg(), err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "invalid node id") && id == NULL);
    nc_rmtree(dir);
}

TEST(nodecfg_identity_file_errors)
{
    char dir[NC_PATH], sub[NC_PATH], err[ERRLEN];
    node_identity *id = NULL, *back = NULL;
    CHECK(nc_tmpdir(dir));
    CHECK_OK(node_identity_generate(&id, "n0", "id0", mpc_drbg_fill,
                                    test_drbg(), err, ERRLEN));
    /* a directory path through a regular file */
    CHECK(nc_write_str(dir, "file", "x", NULL));
    nc_fmt(sub, sizeof sub, "%s/file/identity", dir);
    CHECK_ERR(node_identity_save(id, sub, 0, NULL, false, err, ERRLEN),
              MPC_ERR_IO);
    CHECK(has(err, "cannot create") || has(err, "not a directory"));
    nc_fmt(sub, sizeof sub, "%s/file", dir);
    CHECK_ERR(node_identity_save(id, sub, 0, NULL, false, err, ERRLEN),
              MPC_ERR_IO);
    CHECK(has(err, "not a directory"));
    CHECK_ERR(node_identity_save(id, "", 0, NULL, false, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    /* a path too long for any buffer */
    char *deep = malloc(5000);
    memset(deep, 'd', 4999);
    deep[4999] = '\0';
    CHECK_ERR(node_identity_save(id, deep, 0, NULL, false, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "path too long"));
    CHECK_ERR(node_identity_load(&back, deep, "n0", NULL, 0, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    free(deep);
    /* sealing options the sealer refuses: nothing is written */
    node_identity_seal_opts bad = {
        (const uint8_t *)"password", 8, {0, 8}, mpc_drbg_fill, test_drbg()};
    CHECK_ERR(node_identity_save(id, dir, 0, &bad, false, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK(has(err, "cannot seal"));
    CHECK(!nc_exists(dir, "n0_identity.json") &&
          !nc_exists(dir, "n0_private.key.enc"));
    /* an identity struct with a bad name */
    node_identity fake;
    memset(&fake, 0, sizeof fake);
    memcpy(fake.name, "a/b", 4);
    memcpy(fake.id, "id", 3);
    CHECK_ERR(node_identity_save(&fake, dir, 0, NULL, false, err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    /* an identity file over the size limit */
    CHECK_OK(node_identity_save(id, dir, 0, NULL, false, err, ERRLEN));
    char *big = malloc(70000);
    memset(big, ' ', 70000);
    CHECK(nc_write(dir, "n0_identity.json", big, 70000, NULL));
    free(big);
    CHECK_ERR(node_identity_load(&back, dir, "n0", NULL, 0, err, ERRLEN),
              MPC_ERR_IO);
    CHECK(has(err, "too large") && back == NULL);
    node_identity_free(id);
    nc_rmtree(dir);
}

/* ---- peers ------------------------------------------------------------- */

TEST(nodecfg_peers_load_cluster)
{
    node_peers *peers = NULL;
    node_identity *self = NULL;
    char err[ERRLEN];
    uint8_t pk1[32], pk2[32];
    CHECK(test_unhex(pk1, 32, RFC1_PK) && test_unhex(pk2, 32, RFC2_PK));
    CHECK_OK(node_peers_load(&peers, "tests/node/data/cluster/peers.json",
                             "tests/node/data/cluster/identity", err, ERRLEN));
    CHECK(peers->n == 2 && peers->have_keys);
    /* sorted by id: node1's id 0b1c… sorts before node0's 7a6f… */
    CHECK(strcmp(peers->peer[0].name, "node1") == 0);
    CHECK(strcmp(peers->peer[1].name, "node0") == 0);
    CHECK_MEM(peers->peer[0].pk, pk2, 32);
    CHECK_MEM(peers->peer[1].pk, pk1, 32);
    CHECK(node_peers_find_id(peers, "7a6f2d4e-1b3c-4d5e-8f90-a1b2c3d4e5f6") ==
          &peers->peer[1]);
    CHECK(node_peers_find_id(peers, "nope") == NULL);
    CHECK(node_peers_find_name(peers, "node1") == &peers->peer[0]);
    CHECK(node_peers_find_name(peers, "node2") == NULL);

    CHECK_OK(node_identity_load(&self, "tests/node/data/cluster/identity",
                                "node0", NULL, 0, err, ERRLEN));
    CHECK_OK(node_peers_check_self(peers, self, err, ERRLEN));
    self->pk[0] ^= 1;
    CHECK_ERR(node_peers_check_self(peers, self, err, ERRLEN), MPC_ERR_VERIFY);
    CHECK(has(err, "public key differs"));
    self->pk[0] ^= 1;
    memcpy(self->id, "other", 6);
    CHECK_ERR(node_peers_check_self(peers, self, err, ERRLEN), MPC_ERR_VERIFY);
    CHECK(has(err, "node0: id 7a6f"));
    memcpy(self->name, "node5", 6);
    CHECK_ERR(node_peers_check_self(peers, self, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(has(err, "node5 is not in the peers file"));
    node_identity_free(self);
    node_peers_free(peers);
    node_peers_free(NULL);
}

struct peers_case {
    const char *json;
    mpc_err rc;
    const char *msg;
};

TEST(nodecfg_peers_read_rejects)
{
    static const struct peers_case cases[] = {
        {"{\"node0\":\"a\",\"node1\":\"b\"}", MPC_OK, NULL},
        {"not json", MPC_ERR_PARSE, "peers.json:1"},
        {"[{\"id\":\"a\",\"name\":\"node0\"}]", MPC_ERR_PARSE,
         "expected a JSON object"},
        {"{}", MPC_ERR_PARSE, "0 peers; expected 1 to 255"},
        {"{\"node0\":7}", MPC_ERR_PARSE,
         "node node0: invalid node id (not a "
         "string)"},
        {"{\"../x\":\"a\"}", MPC_ERR_PARSE, "invalid node name \"../x\""},
        {"{\"node0\":\"a:b\"}", MPC_ERR_PARSE,
         "node node0: invalid node id "
         "\"a:b\""},
        {"{\"node0\":\"a.b\"}", MPC_ERR_PARSE, "invalid node id"},
        {"{\"node0\":\"a b\"}", MPC_ERR_PARSE, "invalid node id"},
        {"{\"node0\":\"a*\"}", MPC_ERR_PARSE, "invalid node id"},
        {"{\"node0\":\"a>\"}", MPC_ERR_PARSE, "invalid node id"},
        {"{\"node0\":\"\"}", MPC_ERR_PARSE, "invalid node id"},
        {"{\"node0\":\"same\",\"node1\":\"same\"}", MPC_ERR_CONFLICT,
         "nodes node0 and node1 have the same id same"},
        {"{\"node0\":\"a\",\"node0\":\"b\"}", MPC_ERR_CONFLICT, "duplicate"},
    };
    char dir[NC_PATH], path[NC_PATH], err[ERRLEN];
    CHECK(nc_tmpdir(dir));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        node_peers *peers = (node_peers *)1;
        CHECK(nc_write_str(dir, "peers.json", cases[i].json, path));
        mpc_err rc = node_peers_read(&peers, path, err, ERRLEN);
        if (rc != cases[i].rc || !has(err, cases[i].msg))
            test_fail(__FILE__, __LINE__, "case %zu: %s: %s", i,
                      mpc_err_name(rc), err);
        CHECK(rc == cases[i].rc && has(err, cases[i].msg));
        CHECK((rc == MPC_OK) == (peers != NULL));
        node_peers_free(rc == MPC_OK ? peers : NULL);
    }
    /* 256 peers is one too many */
    char *big = malloc(256 * 32 + 8);
    size_t o = 0;
    big[o++] = '{';
    for (int i = 0; i < 256; i++)
        o += (size_t)sprintf(big + o, "%s\"n%d\":\"i%d\"", i ? "," : "", i, i);
    big[o++] = '}';
    big[o] = '\0';
    CHECK(nc_write_str(dir, "peers.json", big, path));
    free(big);
    node_peers *peers = NULL;
    CHECK_ERR(node_peers_read(&peers, path, err, ERRLEN), MPC_ERR_PARSE);
    CHECK(has(err, "256 peers"));
    nc_fmt(path, sizeof path, "%s/none.json", dir);
    CHECK_ERR(node_peers_read(&peers, path, err, ERRLEN), MPC_ERR_NOT_FOUND);
    CHECK(peers == NULL && has(err, "none.json"));
    nc_rmtree(dir);
}

/* A three-node cluster written with our generators, then broken in each
 * way the loader must notice. */
TEST(nodecfg_peers_identity_checks)
{
    char dir[NC_PATH], ids[NC_PATH], path[NC_PATH], err[ERRLEN];
    node_peers *peers = NULL;
    CHECK(nc_tmpdir(dir));
    nc_fmt(path, sizeof path, "%s/peers.json", dir);
    nc_fmt(ids, sizeof ids, "%s/identity", dir);
    CHECK_OK(node_peers_generate(path, 3, false, mpc_drbg_fill, test_drbg(),
                                 err, ERRLEN));
    CHECK(nc_mode(dir, "peers.json") == 0600);
    CHECK_ERR(node_peers_generate(path, 3, false, mpc_drbg_fill, test_drbg(),
                                  err, ERRLEN),
              MPC_ERR_CONFLICT);
    CHECK_ERR(node_peers_generate(path, 0, true, mpc_drbg_fill, test_drbg(),
                                  err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_peers_generate(path, NODE_PEERS_MAX + 1, true, mpc_drbg_fill,
                                  test_drbg(), err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(node_peers_read(&peers, path, err, ERRLEN));
    CHECK(peers->n == 3 && !peers->have_keys);
    for (size_t i = 0; i < 3; i++) {
        char want[8];
        nc_fmt(want, sizeof want, "node%zu", i);
        const node_peer *p = node_peers_find_name(peers, want);
        CHECK(p != NULL && strlen(p->id) == 36 && p->id[14] == '4');
        node_identity *id = NULL;
        CHECK_OK(node_identity_generate(&id, p->name, p->id, mpc_drbg_fill,
                                        test_drbg(), err, ERRLEN));
        CHECK_OK(node_identity_save(id, ids, 0, NULL, false, err, ERRLEN));
        node_identity_free(id);
    }
    CHECK_OK(node_peers_load_identities(peers, ids, err, ERRLEN));
    CHECK(peers->have_keys);

    /* node id mismatch: node1's JSON claims another id */
    char *orig = nc_read(ids, "node1_identity.json", NULL);
    const char *p1 = node_peers_find_name(peers, "node1")->id;
    char *at = strstr(orig, p1);
    CHECK(at != NULL);
    char *edited = strdup(orig);
    edited[at - orig] = at[0] == 'a' ? 'b' : 'a';
    CHECK(nc_write_str(ids, "node1_identity.json", edited, NULL));
    CHECK_ERR(node_peers_load_identities(peers, ids, err, ERRLEN),
              MPC_ERR_VERIFY);
    CHECK(has(err, "node id mismatch for node1"));
    CHECK(!peers->have_keys);
    for (size_t i = 0; i < 3; i++)
        CHECK(all_zero(peers->peer[i].pk, 32));
    free(edited);

    /* two peers with one key: node1's JSON carries node2's key */
    char *n2 = nc_read(ids, "node2_identity.json", NULL);
    char *k2 = strstr(n2, "\"public_key\": \"") + 15;
    char *k1 = strstr(orig, "\"public_key\": \"") + 15;
    edited = strdup(orig);
    memcpy(edited + (k1 - orig), k2, 64);
    CHECK(nc_write_str(ids, "node1_identity.json", edited, NULL));
    CHECK_ERR(node_peers_load_identities(peers, ids, err, ERRLEN),
              MPC_ERR_CONFLICT);
    CHECK(has(err, "same public key"));
    free(edited);
    free(n2);

    /* a missing identity file names the peer */
    CHECK(nc_write_str(ids, "node1_identity.json", orig, NULL));
    free(orig);
    nc_fmt(path, sizeof path, "%s/node2_identity.json", ids);
    CHECK(unlink(path) == 0);
    CHECK_ERR(node_peers_load_identities(peers, ids, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(has(err, "missing identity file for peer node2"));
    node_peers_free(peers);

    nc_fmt(path, sizeof path, "%s/peers.json", dir);
    peers = (node_peers *)1;
    CHECK_ERR(node_peers_load(&peers, path, ids, err, ERRLEN),
              MPC_ERR_NOT_FOUND);
    CHECK(peers == NULL);
    nc_rmtree(dir);
}

/* ---- initiator keys ---------------------------------------------------- */

TEST(nodecfg_initiator_generate)
{
    char dir[NC_PATH], err[ERRLEN];
    node_pubkey pub, parsed;
    CHECK(nc_tmpdir(dir));
    CHECK_OK(node_initiator_generate(&pub, dir, "event_initiator",
                                     NODE_KEY_ALG_ED25519, 1700000000, false,
                                     mpc_drbg_fill, test_drbg(), err, ERRLEN));
    CHECK(nc_mode(dir, "event_initiator.key") == 0600);
    CHECK(nc_mode(dir, "event_initiator.identity.json") == 0644);
    /* key = hex(seed); its public key is the JSON's and the returned one */
    char *key = nc_read(dir, "event_initiator.key", NULL);
    uint8_t seed[32], pk[32], sk[64];
    CHECK(key != NULL && strlen(key) == 64 && test_unhex(seed, 32, key));
    free(key);
    crypto_sign_seed_keypair(pk, sk, seed);
    CHECK(pub.alg == NODE_KEY_ALG_ED25519 && pub.len == 32);
    CHECK_MEM(pub.bytes, pk, 32);
    char *text = nc_read(dir, "event_initiator.identity.json", NULL);
    json_t *j = json_loads(text, 0, NULL);
    free(text);
    CHECK(j != NULL);
    const char *jpk = json_string_value(json_object_get(j, "public_key"));
    CHECK(strcmp(json_string_value(json_object_get(j, "node_name")),
                 "event_initiator") == 0);
    CHECK(strcmp(json_string_value(json_object_get(j, "algorithm")),
                 "ed25519") == 0);
    CHECK(strcmp(json_string_value(json_object_get(j, "created_at")),
                 "2023-11-14T22:13:20Z") == 0);
    CHECK(json_string_value(json_object_get(j, "created_by")) != NULL);
    CHECK(json_string_value(json_object_get(j, "machine_os")) != NULL);
    CHECK(json_string_value(json_object_get(j, "machine_name")) != NULL);
    CHECK_OK(
        node_pubkey_parse(&parsed, NODE_KEY_ALG_ED25519, jpk, err, ERRLEN));
    CHECK_MEM(parsed.bytes, pk, 32);
    json_decref(j);

    CHECK_ERR(node_initiator_generate(&pub, dir, "event_initiator",
                                      NODE_KEY_ALG_P256, 0, false,
                                      mpc_drbg_fill, test_drbg(), err, ERRLEN),
              MPC_ERR_CONFLICT);
    CHECK(all_zero(&pub, sizeof pub));

    /* P-256: SEC1 DER private key whose public key is the JSON's SPKI */
    CHECK_OK(node_initiator_generate(&pub, dir, "event_initiator",
                                     NODE_KEY_ALG_P256, 0, true, mpc_drbg_fill,
                                     test_drbg(), err, ERRLEN));
    key = nc_read(dir, "event_initiator.key", NULL);
    uint8_t der[256];
    size_t der_len = strlen(key) / 2;
    CHECK(der_len < sizeof der && test_unhex(der, der_len, key));
    free(key);
    const unsigned char *p = der;
    EVP_PKEY *priv = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)der_len);
    CHECK(priv != NULL && p == der + der_len);
    uint8_t spki[128];
    size_t sn = spki_of(priv, spki, sizeof spki, "uncompressed");
    EVP_PKEY_free(priv);
    CHECK(sn == 91 && pub.alg == NODE_KEY_ALG_P256 && pub.len == 91);
    CHECK_MEM(pub.bytes, spki, 91);
    text = nc_read(dir, "event_initiator.identity.json", NULL);
    j = json_loads(text, 0, NULL);
    free(text);
    CHECK(strcmp(json_string_value(json_object_get(j, "algorithm")), "p256") ==
          0);
    CHECK_OK(node_pubkey_parse(
        &parsed, NODE_KEY_ALG_P256,
        json_string_value(json_object_get(j, "public_key")), err, ERRLEN));
    CHECK_MEM(parsed.bytes, spki, 91);
    json_decref(j);

    CHECK_ERR(node_initiator_generate(&pub, dir, "a/b", NODE_KEY_ALG_P256, 0,
                                      true, mpc_drbg_fill, test_drbg(), err,
                                      ERRLEN),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_initiator_generate(NULL, dir, "x", (node_key_alg)0, 0, true,
                                      mpc_drbg_fill, test_drbg(), err, ERRLEN),
              MPC_ERR_INVALID_ARG);
    nc_rmtree(dir);
}

/* ---- mpcium-cli, end to end ---------------------------------------------- */

struct cli_run {
    int status; /* exit code, or -1 */
    char out[8192];
    char err[8192];
};

static bool cli_path(char out[PATH_MAX])
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    nc_fmt(out, PATH_MAX, "%.4000s/mpcium-cli", self);
    return access(out, X_OK) == 0;
}

static void drain(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    char sink[256];
    while (read(fd, sink, sizeof sink) > 0)
        ;
    close(fd);
}

/* Runs mpcium-cli with `args` (NULL-terminated) in `cwd`, in a new session
 * (no controlling terminal) with environment `envp`. */
static bool run_cli(struct cli_run *r, const char *cwd, const char *const *args,
                    const char *const *envp)
{
    char bin[PATH_MAX];
    char *argv[32];
    int po[2], pe[2], argc = 0;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    memset(r, 0, sizeof *r);
    r->status = -1;
    if (!cli_path(bin)) {
        test_fail(__FILE__, __LINE__, "mpcium-cli not built next to %s",
                  "mpc-tests");
        return false;
    }
    argv[argc++] = bin;
    for (; *args != NULL && argc < 31; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    if (pipe(po) != 0 || pipe(pe) != 0)
        return false;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, cwd);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
    int rc = posix_spawn(&pid, bin, &fa, &at, argv, (char *const *)envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return false;
    }
    drain(po[0], r->out, sizeof r->out);
    drain(pe[0], r->err, sizeof r->err);
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return false;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return true;
}

#define RUN(r, cwd, ...)                                                       \
    CHECK(run_cli(&(r), (cwd), (const char *const[]){__VA_ARGS__, NULL},       \
                  env_plain))

static const char *const env_plain[] = {"PATH=/usr/bin:/bin", NULL};

TEST(nodecfg_cli_basics)
{
    struct cli_run r;
    char dir[NC_PATH];
    CHECK(nc_tmpdir(dir));
    CHECK(run_cli(&r, dir, (const char *const[]){NULL}, env_plain));
    CHECK(r.status == 2 && has(r.err, "usage: mpcium-cli"));
    RUN(r, dir, "help");
    CHECK(r.status == 0 && has(r.out, "generate-identity"));
    RUN(r, dir, "version");
    CHECK(r.status == 0 && has(r.out, "mpcium-cli 0.1.0") &&
          has(r.out, "0.3.5"));
    RUN(r, dir, "frobnicate");
    CHECK(r.status == 2 && has(r.err, "unknown command \"frobnicate\""));
    RUN(r, dir, "generate-peers", "--help");
    CHECK(r.status == 0 && has(r.out, "--number N"));
    nc_rmtree(dir);
}

TEST(nodecfg_cli_generate_peers)
{
    struct cli_run r;
    char dir[NC_PATH], path[NC_PATH], err[ERRLEN];
    node_peers *peers = NULL;
    CHECK(nc_tmpdir(dir));
    RUN(r, dir, "generate-peers");
    CHECK(r.status == 2 && has(r.err, "--number is required"));
    RUN(r, dir, "generate-peers", "--number", "x");
    CHECK(r.status == 2 && has(r.err, "--number must be 1 to 255"));
    RUN(r, dir, "generate-peers", "-n", "256");
    CHECK(r.status == 2);
    RUN(r, dir, "generate-peers", "-n", "3", "--bogus");
    CHECK(r.status == 2 && has(r.err, "unknown option \"--bogus\""));
    RUN(r, dir, "generate-peers", "-n");
    CHECK(r.status == 2 && has(r.err, "--number needs a value"));
    CHECK(!nc_exists(dir, "peers.json"));

    RUN(r, dir, "generate-peers", "--number", "3");
    CHECK(r.status == 0 && has(r.out, "wrote peers.json with 3 peers"));
    CHECK(nc_mode(dir, "peers.json") == 0600);
    nc_fmt(path, sizeof path, "%s/peers.json", dir);
    CHECK_OK(node_peers_read(&peers, path, err, ERRLEN));
    CHECK(peers->n == 3 && node_peers_find_name(peers, "node2") != NULL);
    node_peers_free(peers);
    char *before = nc_read(dir, "peers.json", NULL);
    RUN(r, dir, "generate-peers", "--number", "5");
    CHECK(r.status == 1 && has(r.err, "already exists"));
    char *after = nc_read(dir, "peers.json", NULL);
    CHECK(strcmp(before, after) == 0);
    free(before);
    free(after);
    RUN(r, dir, "generate-peers", "-n", "1", "--output=sub.json");
    CHECK(r.status == 0 && nc_exists(dir, "sub.json"));
    nc_rmtree(dir);
}

TEST(nodecfg_cli_generate_identity)
{
    struct cli_run r;
    char dir[NC_PATH], path[NC_PATH], ids[NC_PATH], err[ERRLEN];
    node_peers *peers = NULL;
    node_identity *id = NULL;
    CHECK(nc_tmpdir(dir));
    RUN(r, dir, "generate-identity", "--node", "node0");
    CHECK(r.status == 1 && has(r.err, "peers.json"));
    RUN(r, dir, "generate-peers", "-n", "3");
    CHECK(r.status == 0);
    RUN(r, dir, "generate-identity");
    CHECK(r.status == 2 && has(r.err, "--node is required"));
    RUN(r, dir, "generate-identity", "--node", "node7");
    CHECK(r.status == 1 && has(r.err, "node \"node7\" is not in peers.json"));
    for (int i = 0; i < 3; i++) {
        char name[8];
        nc_fmt(name, sizeof name, "node%d", i);
        RUN(r, dir, "generate-identity", "--node", name);
        CHECK(r.status == 0 && has(r.out, name));
    }
    nc_fmt(path, sizeof path, "%s/peers.json", dir);
    nc_fmt(ids, sizeof ids, "%s/identity", dir);
    CHECK(nc_mode(ids, "node0_private.key") == 0600);
    CHECK_OK(node_peers_load(&peers, path, ids, err, ERRLEN));
    CHECK_OK(node_identity_load(&id, ids, "node1", NULL, 0, err, ERRLEN));
    CHECK_OK(node_peers_check_self(peers, id, err, ERRLEN));
    node_identity_free(id);

    /* again: refused, files untouched; --overwrite replaces */
    char *before = nc_read(ids, "node1_private.key", NULL);
    RUN(r, dir, "generate-identity", "--node", "node1");
    CHECK(r.status == 1 && has(r.err, "already exists") &&
          has(r.err, "--overwrite"));
    char *mid = nc_read(ids, "node1_private.key", NULL);
    CHECK(strcmp(before, mid) == 0);
    RUN(r, dir, "generate-identity", "--node", "node1", "-f");
    CHECK(r.status == 0);
    char *after = nc_read(ids, "node1_private.key", NULL);
    CHECK(strcmp(before, after) != 0);
    free(before);
    free(mid);
    free(after);

    /* sealed, password from a file */
    CHECK(nc_write_str(dir, "pw.txt", "twelve chars+ password\n", NULL));
    CHECK(nc_write_str(dir, "short.txt", "short\n", NULL));
    RUN(r, dir, "generate-identity", "--node", "node2", "-o", "sealed",
        "--encrypt", "--password-file", "short.txt", "--kdf", "interactive");
    CHECK(r.status == 1 && has(r.err, "shorter than 12"));
    RUN(r, dir, "generate-identity", "--node", "node2", "-o", "sealed",
        "--password-file", "pw.txt");
    CHECK(r.status == 2 && has(r.err, "only apply with --encrypt"));
    RUN(r, dir, "generate-identity", "--node", "node2", "-o", "sealed", "-e",
        "--password-file", "pw.txt", "--kdf", "extreme");
    CHECK(r.status == 2 && has(r.err, "--kdf must be"));
    RUN(r, dir, "generate-identity", "--node", "node2", "-o", "sealed", "-e",
        "--password-file", "pw.txt", "--kdf", "interactive");
    CHECK(r.status == 0 && has(r.out, "node2_private.key.enc"));
    nc_fmt(path, sizeof path, "%s/sealed", dir);
    CHECK(!nc_exists(path, "node2_private.key"));
    const char *pw = "twelve chars+ password";
    CHECK_OK(node_identity_load(&id, path, "node2", (const uint8_t *)pw,
                                strlen(pw), err, ERRLEN));
    node_identity_free(id);

    /* password from MPCIUM_IDENTITY_PASSWORD; without any source and no
     * terminal the command fails instead of hanging */
    const char *env_pw[] = {"PATH=/usr/bin:/bin",
                            "MPCIUM_IDENTITY_PASSWORD=from the environment",
                            NULL};
    CHECK(run_cli(&r, dir,
                  (const char *const[]){"generate-identity", "--node", "node0",
                                        "-o", "envsealed", "-e", "--kdf",
                                        "interactive", NULL},
                  env_pw));
    CHECK(r.status == 0);
    nc_fmt(path, sizeof path, "%s/envsealed", dir);
    CHECK_OK(node_identity_load(&id, path, "node0",
                                (const uint8_t *)"from the environment", 20,
                                err, ERRLEN));
    node_identity_free(id);
    RUN(r, dir, "generate-identity", "--node", "node0", "-o", "nopw", "-e");
    CHECK(r.status == 1 && has(r.err, "terminal"));
    CHECK(!nc_exists(dir, "nopw/node0_identity.json"));
    node_peers_free(peers);
    nc_rmtree(dir);
}

TEST(nodecfg_cli_generate_initiator)
{
    struct cli_run r;
    char dir[NC_PATH], err[ERRLEN];
    CHECK(nc_tmpdir(dir));
    RUN(r, dir, "generate-initiator", "--algorithm", "rsa");
    CHECK(r.status == 2 && has(r.err, "--algorithm must be ed25519 or p256"));
    RUN(r, dir, "generate-initiator", "--node-name", "../x");
    CHECK(r.status == 2 && has(r.err, "invalid name"));

    RUN(r, dir, "generate-initiator");
    CHECK(r.status == 0 && nc_mode(dir, "event_initiator.key") == 0600);
    CHECK(has(r.out, "event_initiator_algorithm: ed25519"));
    RUN(r, dir, "generate-initiator");
    CHECK(r.status == 1 && has(r.err, "already exists"));
    RUN(r, dir, "generate-initiator", "-a", "p256", "-n", "kms", "-o", "keys");
    CHECK(r.status == 0 && has(r.out, "event_initiator_algorithm: p256"));

    /* The printed key configures a node: a full start-up config check. */
    const char *line = strstr(r.out, "event_initiator_pubkey: ");
    CHECK(line != NULL);
    char hex[400];
    CHECK(sscanf(line, "event_initiator_pubkey: %399s", hex) == 1);
    char yaml[1200];
    nc_fmt(yaml, sizeof yaml,
           "environment: development\nnode_name: node0\nthreshold: 2\n"
           "chain_code: "
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
           "event_initiator_algorithm: p256\n"
           "event_initiator_pubkey: %s\n",
           hex);
    char cpath[NC_PATH];
    CHECK(nc_write_str(dir, "config.yaml", yaml, cpath));
    node_config_args a;
    char *argv[] = {(char *)"-c", cpath};
    node_config *cfg = NULL;
    CHECK_OK(node_config_args_parse(&a, 2, argv, err, ERRLEN));
    CHECK_OK(node_config_load(&cfg, &a, NULL, err, ERRLEN));
    CHECK(cfg->event_initiator.alg == NODE_KEY_ALG_P256);
    node_config_free(cfg);
    RUN(r, dir, "generate-initiator", "-a", "p256", "-n", "kms", "-o", "keys",
        "--overwrite");
    CHECK(r.status == 0);
    nc_rmtree(dir);
}
