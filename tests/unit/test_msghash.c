/* lib/hash/keccak + msghash: Keccak-256 known answers (published values and
 * vectors from an independent implementation, on and around the 136-byte
 * rate boundary), incremental == one-shot for every split, the sponge
 * against OpenSSL's SHA3-256 (same permutation, other padding byte),
 * SHA-256 / SHA-256d known answers, name parsing and misuse. */
#include <stdlib.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "lib/hash/keccak_internal.h"
#include "mpc/msghash.h"
#include "tests/harness/test.h"

static bool hex32(uint8_t out[32], const char *hex)
{
    REQUIRE(test_unhex(out, 32, hex));
    return true;
}

/* Three ways to reach the same digest: one-shot, a byte at a time, and
 * through mpc_msghash. */
static bool keccak_all_ways(uint8_t out[32], const uint8_t *msg, size_t len)
{
    uint8_t bytewise[32], dispatched[32];
    mpc_keccak256(out, msg, len);

    mpc_keccak256_state st;
    mpc_keccak256_init(&st);
    for (size_t i = 0; i < len; i++)
        mpc_keccak256_update(&st, msg + i, 1);
    mpc_keccak256_final(&st, bytewise);
    REQUIRE(memcmp(out, bytewise, 32) == 0);

    REQUIRE_OK(mpc_msghash(dispatched, MPC_MSGHASH_KECCAK256, msg, len));
    REQUIRE(memcmp(out, dispatched, 32) == 0);
    return true;
}

/* Published values, inline so that they hold even without the vector file:
 * the empty string, "abc" and 200 bytes of 0xa3. */
TEST(msghash_keccak256_published)
{
    uint8_t msg[200], got[32], want[32];

    CHECK(hex32(want, "c5d2460186f7233c927e7db2dcc703c0"
                      "e500b653ca82273b7bfad8045d85a470"));
    CHECK(keccak_all_ways(got, NULL, 0));
    CHECK_MEM(got, want, 32);

    CHECK(hex32(want, "4e03657aea45a94fc7d47ba826c8d667"
                      "c0d1e6e33a64a036ec44f58fa12d6c45"));
    CHECK(keccak_all_ways(got, (const uint8_t *)"abc", 3));
    CHECK_MEM(got, want, 32);

    memset(msg, 0xa3, sizeof msg);
    CHECK(hex32(want, "3a57666b048777f2c953dc4456f45a25"
                      "88e1cb6f2da760122d530ac2ce607d4a"));
    CHECK(keccak_all_ways(got, msg, sizeof msg));
    CHECK_MEM(got, want, 32);
}

/* tests/vectors/keccak256.json: see its "_source" for where each digest
 * comes from. */
TEST(msghash_keccak256_vectors)
{
    size_t file_len = 0;
    char *text = test_read_file("tests/vectors/keccak256.json", &file_len);
    CHECK(text != NULL);
    json_error_t jerr;
    json_t *root = json_loadb(text, file_len, 0, &jerr);
    free(text);
    CHECK(root != NULL);

    json_t *vectors = json_object_get(root, "vectors");
    bool ok = json_is_array(vectors) && json_array_size(vectors) >= 15;
    size_t i;
    json_t *v;
    json_array_foreach(vectors, i, v)
    {
        const char *msg_hex = json_string_value(json_object_get(v, "msg"));
        const char *md_hex = json_string_value(json_object_get(v, "keccak256"));
        uint8_t msg[1024], want[32], got[32];
        size_t len = msg_hex ? strlen(msg_hex) / 2 : 0;
        if (msg_hex == NULL || md_hex == NULL || len > sizeof msg ||
            !test_unhex(msg, len, msg_hex) || !hex32(want, md_hex) ||
            !keccak_all_ways(got, msg, len) || memcmp(got, want, 32) != 0) {
            test_fail(__FILE__, __LINE__, "vector %zu (%s)", i,
                      json_string_value(json_object_get(v, "comment")));
            ok = false;
            break;
        }
    }
    json_decref(root);
    CHECK(ok);
}

/* Splitting the input anywhere must not change the digest: every single
 * split point of a 300-byte message (more than two blocks), then every
 * chunk size from 1 to just past the rate. */
TEST(msghash_keccak256_incremental_equals_oneshot)
{
    uint8_t msg[300], want[32], got[32];
    mpc_drbg_fill(test_drbg(), msg, sizeof msg);
    mpc_keccak256(want, msg, sizeof msg);

    for (size_t split = 0; split <= sizeof msg; split++) {
        mpc_keccak256_state st;
        mpc_keccak256_init(&st);
        mpc_keccak256_update(&st, msg, split);
        mpc_keccak256_update(&st, msg + split, sizeof msg - split);
        mpc_keccak256_final(&st, got);
        CHECK_MEM(got, want, 32);
    }

    for (size_t chunk = 1; chunk <= MPC_KECCAK256_RATE_BYTES + 1; chunk++) {
        mpc_keccak256_state st;
        mpc_keccak256_init(&st);
        for (size_t off = 0; off < sizeof msg; off += chunk) {
            size_t n = sizeof msg - off < chunk ? sizeof msg - off : chunk;
            mpc_keccak256_update(&st, msg + off, n);
        }
        mpc_keccak256_update(&st, NULL, 0);
        mpc_keccak256_final(&st, got);
        CHECK_MEM(got, want, 32);
    }
}

/* final wipes the state back to a fresh one; a copied state forks. */
TEST(msghash_keccak256_state_lifecycle)
{
    uint8_t a[32], b[32], want[32];
    mpc_keccak256_state st, fresh, fork;
    mpc_keccak256_init(&fresh);

    mpc_keccak256_init(&st);
    mpc_keccak256_update(&st, (const uint8_t *)"ab", 2);
    fork = st;
    mpc_keccak256_update(&st, (const uint8_t *)"c", 1);
    mpc_keccak256_final(&st, a);
    CHECK(memcmp(&st, &fresh, sizeof st) == 0);

    mpc_keccak256_update(&fork, (const uint8_t *)"c", 1);
    mpc_keccak256_final(&fork, b);
    CHECK_MEM(a, b, 32);

    /* Reusing the wiped state is the same as starting afresh. */
    mpc_keccak256_update(&st, (const uint8_t *)"abc", 3);
    mpc_keccak256_final(&st, b);
    mpc_keccak256(want, (const uint8_t *)"abc", 3);
    CHECK_MEM(b, want, 32);
    CHECK_MEM(a, want, 32);
}

static bool openssl_sha3_256(uint8_t out[32], const uint8_t *msg, size_t len)
{
    unsigned int out_len = 0;
    REQUIRE(EVP_Digest(msg, len, out, &out_len, EVP_sha3_256(), NULL) == 1);
    REQUIRE(out_len == 32);
    return true;
}

/* Our sponge finished with the SHA3 domain byte must equal OpenSSL's
 * SHA3-256 for every length up to three blocks and random splits: this
 * checks the permutation, absorbing and squeezing independently of the
 * vectors. The 0x01-vs-0x06 byte itself is pinned by the known answers. */
TEST(msghash_keccak_sponge_matches_openssl_sha3)
{
    uint8_t msg[3 * MPC_KECCAK256_RATE_BYTES + 2], got[32], want[32];
    mpc_drbg_fill(test_drbg(), msg, sizeof msg);

    mpc_keccak256_state st;
    mpc_keccak256_init(&st);
    mpc_keccak256_final_pad(&st, got, MPC_KECCAK_PAD_SHA3);
    CHECK(hex32(want, "a7ffc6f8bf1ed76651c14756a061d662"
                      "f580ff4de43b49fa82d80a4b80f8434a"));
    CHECK_MEM(got, want, 32);

    for (size_t len = 0; len <= sizeof msg; len++) {
        uint8_t r;
        mpc_drbg_fill(test_drbg(), &r, 1);
        size_t split = len == 0 ? 0 : r % (len + 1);
        mpc_keccak256_init(&st);
        mpc_keccak256_update(&st, msg, split);
        mpc_keccak256_update(&st, msg + split, len - split);
        mpc_keccak256_final_pad(&st, got, MPC_KECCAK_PAD_SHA3);
        CHECK(openssl_sha3_256(want, msg, len));
        CHECK_MEM(got, want, 32);
    }

    /* And a long message in uneven pieces. */
    size_t big_len = 64 * 1024 + 7;
    uint8_t *big = malloc(big_len);
    CHECK(big != NULL);
    mpc_drbg_fill(test_drbg(), big, big_len);
    mpc_keccak256_init(&st);
    for (size_t off = 0, n = 1; off < big_len; off += n, n = n * 3 % 1031)
        mpc_keccak256_update(&st, big + off,
                             big_len - off < n ? big_len - off : n);
    mpc_keccak256_final_pad(&st, got, MPC_KECCAK_PAD_SHA3);
    bool ok = openssl_sha3_256(want, big, big_len);
    free(big);
    CHECK(ok);
    CHECK_MEM(got, want, 32);
}

TEST(msghash_sha256_and_sha256d)
{
    static const struct {
        mpc_msghash_alg alg;
        const char *msg, *hex;
    } kat[] = {
        /* FIPS 180-4 example and the empty string. */
        {MPC_MSGHASH_SHA256, "abc",
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {MPC_MSGHASH_SHA256, "",
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        /* SHA-256 of the two digests above. */
        {MPC_MSGHASH_SHA256D, "abc",
         "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358"},
        {MPC_MSGHASH_SHA256D, "",
         "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint8_t got[32], want[32];
        CHECK(hex32(want, kat[i].hex));
        CHECK_OK(mpc_msghash(got, kat[i].alg, (const uint8_t *)kat[i].msg,
                             strlen(kat[i].msg)));
        CHECK_MEM(got, want, 32);
    }
    /* The empty message may come as NULL. */
    uint8_t got[32], want[32];
    CHECK(hex32(want, kat[3].hex));
    CHECK_OK(mpc_msghash(got, MPC_MSGHASH_SHA256D, NULL, 0));
    CHECK_MEM(got, want, 32);
}

static mpc_err parse(mpc_msghash_alg *alg, const char *s)
{
    return mpc_msghash_parse_name(alg, s, strlen(s));
}

TEST(msghash_parse_name)
{
    static const struct {
        const char *name;
        mpc_msghash_alg alg;
    } good[] = {
        {"sha256", MPC_MSGHASH_SHA256},
        {"sha256d", MPC_MSGHASH_SHA256D},
        {"keccak256", MPC_MSGHASH_KECCAK256},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        mpc_msghash_alg alg = 0;
        CHECK_OK(parse(&alg, good[i].name));
        CHECK(alg == good[i].alg);
        CHECK(strcmp(mpc_msghash_name(alg), good[i].name) == 0);
        /* The length delimits the name: no terminator is needed. */
        char buf[16];
        size_t n = strlen(good[i].name);
        memcpy(buf, good[i].name, n);
        buf[n] = 'x';
        alg = 0;
        CHECK_OK(mpc_msghash_parse_name(&alg, buf, n));
        CHECK(alg == good[i].alg);
    }

    static const char *const bad[] = {
        "",          "SHA256",      "Sha256", "KECCAK256",  "Keccak256",
        "sha3-256",  "sha3_256",    "keccak", "keccak-256", "sha-256",
        "sha256 ",   " sha256",     "sha25",  "sha256dd",   "sha256\n",
        "ripemd160", "keccak256\t",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mpc_msghash_alg alg = MPC_MSGHASH_SHA256;
        CHECK_ERR(parse(&alg, bad[i]), MPC_ERR_PARSE);
        CHECK(alg == 0);
    }

    /* An embedded NUL is part of the bytes, so "sha256\0" is not "sha256". */
    mpc_msghash_alg alg = MPC_MSGHASH_SHA256;
    CHECK_ERR(mpc_msghash_parse_name(&alg, "sha256\0", 7), MPC_ERR_PARSE);
    CHECK(alg == 0);
    alg = MPC_MSGHASH_SHA256;
    CHECK_ERR(mpc_msghash_parse_name(&alg, NULL, 0), MPC_ERR_PARSE);
    CHECK(alg == 0);

    /* Misuse. */
    alg = MPC_MSGHASH_SHA256;
    CHECK_ERR(mpc_msghash_parse_name(&alg, NULL, 6), MPC_ERR_INVALID_ARG);
    CHECK(alg == 0);
    CHECK_ERR(mpc_msghash_parse_name(NULL, "sha256", 6), MPC_ERR_INVALID_ARG);
}

TEST(msghash_name_unknown)
{
    CHECK(mpc_msghash_name(0) == NULL);
    CHECK(mpc_msghash_name(4) == NULL);
    CHECK(mpc_msghash_name((mpc_msghash_alg)-1) == NULL);
}

TEST(msghash_misuse_zeroes_output)
{
    uint8_t out[32], zero[32] = {0};
    const uint8_t msg[1] = {0};

    memset(out, 0xff, sizeof out);
    CHECK_ERR(mpc_msghash(out, 0, msg, 1), MPC_ERR_INVALID_ARG);
    CHECK_MEM(out, zero, 32);

    memset(out, 0xff, sizeof out);
    CHECK_ERR(mpc_msghash(out, (mpc_msghash_alg)4, msg, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_MEM(out, zero, 32);

    memset(out, 0xff, sizeof out);
    CHECK_ERR(mpc_msghash(out, MPC_MSGHASH_KECCAK256, NULL, 1),
              MPC_ERR_INVALID_ARG);
    CHECK_MEM(out, zero, 32);

    CHECK_ERR(mpc_msghash(NULL, MPC_MSGHASH_SHA256, msg, 1),
              MPC_ERR_INVALID_ARG);
}
