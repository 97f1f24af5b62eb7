/*
 * tests/integration/test_node_auth.c — a P-256 event initiator (ECDSA over
 * SHA-256, DER signatures: what AWS KMS produces for ECDSA_SHA_256) and
 * authorizer signatures, end to end on three nodes. The cluster requires
 * authorizer a1 (Ed25519) and also knows a2 (P-256). Correctly signed
 * keygen and signing succeed; a wrong initiator key, a missing required
 * authorizer, an altered or unknown authorizer signature each get mpcium's
 * error result at once; the nodes keep serving.
 *
 * The initiator key reaches the nodes through the environment
 * (MPCIUM_EVENT_INITIATOR_PUBKEY / _ALGORITHM override the file), which
 * the node processes inherit.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"
#include "tests/integration/cluster.h"
#include "tests/integration/e2e_util.h"

/* Errors are answered before any session: well under the barrier bound. */
#define ERROR_WAIT_MS 3000

enum {
    A1 = 1,      /* the required Ed25519 authorizer */
    A2 = 2,      /* the optional P-256 authorizer */
    A1_BAD = 4,  /* a1's signature with one bit flipped */
    UNKNOWN = 8, /* a valid signature under an id the nodes do not know */
};

typedef struct au {
    cluster *c;
    EVP_PKEY *init;  /* the configured P-256 initiator */
    EVP_PKEY *other; /* a P-256 key the nodes do not trust */
    EVP_PKEY *a2;
    uint8_t a1_pk[32], a1_sk[64];
    cluster_inbox *kg, *sg;
    uint8_t pk[32]; /* the wallet's EdDSA key */
} au;

static void hex(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* Hex of the DER SubjectPublicKeyInfo (mpcium's p256 key format). */
static bool spki_hex(char *out, size_t cap, EVP_PKEY *k)
{
    uint8_t *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    REQUIRE(n > 0 && (size_t)n * 2 + 1 <= cap);
    hex(out, der, (size_t)n);
    OPENSSL_free(der);
    return true;
}

/* ECDSA P-256 over SHA-256(msg), DER, into sig (≤ NODE_CLIENT_SIG_MAX). */
static bool p256_sign(EVP_PKEY *k, uint8_t *sig, size_t *sig_len,
                      const uint8_t *msg, size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    REQUIRE(md != NULL);
    size_t cap = NODE_CLIENT_SIG_MAX_BYTES;
    bool ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestSign(md, sig, &cap, msg, len) == 1;
    EVP_MD_CTX_free(md);
    REQUIRE(ok);
    *sig_len = cap;
    return true;
}

static void add_ed25519(node_client_request *r, const char *id,
                        const uint8_t *sk, const uint8_t *msg, size_t len)
{
    node_client_authorizer_sig *s = &r->authorizers[r->n_authorizers++];
    snprintf(s->id.s, sizeof s->id.s, "%s", id);
    crypto_sign_detached(s->sig, NULL, msg, len, sk);
    s->sig_len = 64;
    s->sig_present = true;
}

/* Signs r with `initiator`, adds the authorizer signatures `auths` asks
 * for (over the bytes mpcium's authorizers sign), and publishes it. */
static bool publish(au *a, node_client_request *r, EVP_PKEY *initiator,
                    unsigned auths)
{
    uint8_t *tbs = NULL, *ab = NULL;
    size_t tbs_len = 0, ab_len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&tbs, &tbs_len, r,
                                                NODE_CLIENT_SIGNED_CURRENT));
    bool ok =
        p256_sign(initiator, r->signature, &r->signature_len, tbs, tbs_len);
    r->signature_present = true;
    ok = ok && node_client_authorizer_bytes(
                   &ab, &ab_len, node_client_request_initiator_id(r), tbs,
                   tbs_len, r->signature, r->signature_len) == MPC_OK;
    free(tbs);
    r->n_authorizers = 0;
    if (ok && (auths & A1) != 0) {
        add_ed25519(r, "a1", a->a1_sk, ab, ab_len);
        if ((auths & A1_BAD) != 0)
            r->authorizers[r->n_authorizers - 1].sig[5] ^= 0x10;
    }
    if (ok && (auths & A2) != 0) {
        node_client_authorizer_sig *s = &r->authorizers[r->n_authorizers++];
        snprintf(s->id.s, sizeof s->id.s, "a2");
        ok = p256_sign(a->a2, s->sig, &s->sig_len, ab, ab_len);
        s->sig_present = true;
    }
    if (ok && (auths & UNKNOWN) != 0)
        add_ed25519(r, "zz", a->a1_sk, ab, ab_len);
    free(ab);
    return ok && e2e_publish_signed(a->c, r, "au");
}

/* A keygen; `want` is the error code expected ("" for success). */
static bool keygen(au *a, const char *wallet, EVP_PKEY *initiator,
                   unsigned auths, const char *want)
{
    node_client_request *r = calloc(1, sizeof *r);
    REQUIRE(r != NULL);
    r->op = NODE_CLIENT_OP_KEYGEN;
    snprintf(r->wallet_id.s, sizeof r->wallet_id.s, "%s", wallet);
    bool ok = publish(a, r, initiator, auths);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok);
    json_t *j = e2e_result_wait(a->kg, "wallet_id", wallet,
                                want[0] ? ERROR_WAIT_MS : E2E_RESULT_WAIT_MS);
    REQUIRE(j != NULL);
    ok = strcmp(e2e_str(j, "error_code"), want) == 0 &&
         (want[0] != '\0' || e2e_b64(j, "eddsa_pub_key", a->pk, 32));
    if (!ok)
        printf("keygen %s: want \"%s\", got %s: %s\n", wallet, want,
               e2e_str(j, "error_code"), e2e_str(j, "error_reason"));
    json_decref(j);
    return ok;
}

static bool sign(au *a, const char *tx_id, EVP_PKEY *initiator, unsigned auths,
                 const char *want)
{
    static const char tx[] = "authorized transfer";
    node_client_request *r = malloc(sizeof *r);
    REQUIRE(r != NULL);
    bool ok = e2e_sign_request(r, NODE_CLIENT_KEY_ED25519, "au-wallet", tx_id,
                               tx, sizeof tx - 1) &&
              publish(a, r, initiator, auths);
    node_client_request_clear(r);
    free(r);
    REQUIRE(ok);
    json_t *j = e2e_result_wait(a->sg, "tx_id", tx_id,
                                want[0] ? ERROR_WAIT_MS : E2E_RESULT_WAIT_MS);
    REQUIRE(j != NULL);
    uint8_t sig[64];
    ok = strcmp(e2e_str(j, "error_code"), want) == 0;
    if (ok && want[0] == '\0')
        ok = e2e_b64(j, "signature", sig, sizeof sig) &&
             crypto_sign_verify_detached(sig, (const uint8_t *)tx,
                                         sizeof tx - 1, a->pk) == 0;
    if (!ok)
        printf("sign %s: want \"%s\", got %s: %s\n", tx_id, want,
               e2e_str(j, "error_code"), e2e_str(j, "error_reason"));
    json_decref(j);
    return ok;
}

static bool scenario(au *a)
{
    static const char missing[] = "ERROR_MISSING_AUTHORIZER_SIGNATURE";
    static const char invalid[] = "ERROR_INVALID_AUTHORIZER_SIGNATURE";
    static const char initiator[] = "ERROR_INVALID_INITIATOR_SIGNATURE";
    REQUIRE(cluster_inbox_open(a->c, &a->kg, "mpc.mpc_keygen_result.au.*"));
    REQUIRE(cluster_inbox_open(a->c, &a->sg, "mpc.mpc_signing_result.au.*"));
    REQUIRE(keygen(a, "au-nokey", a->init, A2, missing));
    REQUIRE(keygen(a, "au-wallet", a->init, A1 | A2, ""));
    REQUIRE(sign(a, "au-ok-1", a->init, A1, ""));
    REQUIRE(sign(a, "au-wrong-initiator", a->other, A1, initiator));
    REQUIRE(sign(a, "au-no-authorizer", a->init, 0, missing));
    REQUIRE(sign(a, "au-only-optional", a->init, A2, missing));
    REQUIRE(sign(a, "au-altered", a->init, A1 | A1_BAD, invalid));
    REQUIRE(sign(a, "au-unknown", a->init, A1 | UNKNOWN, invalid));
    /* The nodes keep serving. */
    REQUIRE(sign(a, "au-ok-2", a->init, A1 | A2, ""));
    return true;
}

/* The authorization block of every node's YAML. */
static bool auth_yaml(au *a, char *out, size_t cap)
{
    char a1[65], a2[512];
    hex(a1, a->a1_pk, 32);
    REQUIRE(spki_hex(a2, sizeof a2, a->a2));
    int n = snprintf(out, cap,
                     "authorization:\n"
                     "  enabled: true\n"
                     "  required_authorizers:\n"
                     "    - a1\n"
                     "  authorizer_public_keys:\n"
                     "    a1:\n"
                     "      public_key: %s\n"
                     "      algorithm: ed25519\n"
                     "    a2:\n"
                     "      public_key: %s\n"
                     "      algorithm: p256\n",
                     a1, a2);
    REQUIRE(n > 0 && (size_t)n < cap);
    return true;
}

static bool start(au *a)
{
    a->init = EVP_EC_gen("P-256");
    a->other = EVP_EC_gen("P-256");
    a->a2 = EVP_EC_gen("P-256");
    REQUIRE(a->init != NULL && a->other != NULL && a->a2 != NULL);
    crypto_sign_keypair(a->a1_pk, a->a1_sk);
    char extra[1024], ipk[512];
    REQUIRE(auth_yaml(a, extra, sizeof extra));
    REQUIRE(spki_hex(ipk, sizeof ipk, a->init));
    REQUIRE(setenv("MPCIUM_EVENT_INITIATOR_PUBKEY", ipk, 1) == 0);
    REQUIRE(setenv("MPCIUM_EVENT_INITIATOR_ALGORITHM", "p256", 1) == 0);
    cluster_opts o = {.nodes = 3, .extra_yaml = extra, .ecdsa_fixtures = true};
    bool ok = cluster_start(&a->c, &o);
    unsetenv("MPCIUM_EVENT_INITIATOR_PUBKEY");
    unsetenv("MPCIUM_EVENT_INITIATOR_ALGORITHM");
    return ok;
}

TEST(node_auth_p256_initiator_and_authorizers)
{
    au a;
    memset(&a, 0, sizeof a);
    bool ok = start(&a) && scenario(&a);
    cluster_inbox_close(a.kg);
    cluster_inbox_close(a.sg);
    cluster_stop(a.c, !ok);
    EVP_PKEY_free(a.init);
    EVP_PKEY_free(a.other);
    EVP_PKEY_free(a.a2);
    sodium_memzero(a.a1_sk, sizeof a.a1_sk);
    CHECK(ok);
}
