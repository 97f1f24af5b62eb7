/* node/client_proto: initiator and authorizer signatures. Ed25519 keys come
 * from libsodium (seeded, so the runs repeat); P-256 keys and signatures
 * from OpenSSL, as AWS KMS or the Go client would make them. Covers round
 * trips for every operation, tampering, the derivation-path coverage rule
 * and its legacy switch, strict DER, wrong curves, and every authorizer
 * rule of the wire spec §3.3. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "node/client_proto.h"
#include "tests/harness/test.h"

/* A signing key of either algorithm, with the public key in the form the
 * configuration gives it (32 raw bytes, or DER SPKI). */
typedef struct key {
    node_key_alg alg;
    uint8_t pub[128];
    size_t pub_len;
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    EVP_PKEY *p256;
} key;

static bool key_ed25519(key *k, uint8_t seed_byte)
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    memset(k, 0, sizeof *k);
    memset(seed, seed_byte, sizeof seed);
    k->alg = NODE_KEY_ALG_ED25519;
    REQUIRE(crypto_sign_seed_keypair(k->pub, k->sk, seed) == 0);
    k->pub_len = crypto_sign_PUBLICKEYBYTES;
    return true;
}

static bool key_openssl(key *k, const char *curve)
{
    memset(k, 0, sizeof *k);
    k->alg = NODE_KEY_ALG_P256;
    k->p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    REQUIRE(k->p256 != NULL);
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->p256, &der);
    REQUIRE(n > 0 && (size_t)n <= sizeof k->pub);
    memcpy(k->pub, der, (size_t)n);
    k->pub_len = (size_t)n;
    OPENSSL_free(der);
    return true;
}

static bool key_p256(key *k)
{
    return key_openssl(k, "P-256");
}

static void key_free(key *k)
{
    EVP_PKEY_free(k->p256);
    k->p256 = NULL;
}

/* Signs msg: Ed25519 raw, or ECDSA P-256 over SHA-256 (DER). */
static bool key_sign(const key *k, uint8_t *sig, size_t *sig_len,
                     const uint8_t *msg, size_t msg_len)
{
    if (k->alg == NODE_KEY_ALG_ED25519) {
        REQUIRE(crypto_sign_detached(sig, NULL, msg, msg_len, k->sk) == 0);
        *sig_len = crypto_sign_BYTES;
        return true;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    REQUIRE(md != NULL);
    size_t cap = NODE_CLIENT_SIG_MAX_BYTES;
    bool ok = EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k->p256) == 1 &&
              EVP_DigestSign(md, sig, &cap, msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    REQUIRE(ok);
    *sig_len = cap;
    return true;
}

static bool parse(node_client_request *req, node_client_op op, const char *json)
{
    node_client_problem pb;
    mpc_err err = node_client_request_parse(req, &pb, op, (const uint8_t *)json,
                                            strlen(json));
    if (err != MPC_OK)
        test_fail(__FILE__, __LINE__, "parse: %s", pb.reason);
    return err == MPC_OK;
}

/* Signs the request's signed bytes of `form` into req->signature. */
static bool sign_request(node_client_request *req, const key *k,
                         node_client_signed_form form)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&raw, &len, req, form));
    bool ok = key_sign(k, req->signature, &req->signature_len, raw, len);
    free(raw);
    req->signature_present = ok;
    return ok;
}

static mpc_err auth(node_client_problem *pb, const node_client_request *req,
                    const key *k, const node_client_auth_policy *pol,
                    bool legacy)
{
    return node_client_request_authenticate(pb, req, k->alg, k->pub, k->pub_len,
                                            pol, legacy);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static const char *const bodies[4] = {
    "{\"wallet_id\":\"w1\"}",
    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\","
    "\"network_internal_code\":\"eth\",\"tx_id\":\"t<1&\",\"tx\":"
    "\"3q2+7w==\"}",
    "{\"session_id\":\"s1\",\"node_ids\":[\"a\",\"b\",\"c\"],"
    "\"new_threshold\":1,\"key_type\":\"ed25519\",\"wallet_id\":\"w1\"}",
    "{\"request_id\":\"r1\",\"wallet_id\":\"w1\",\"key_type\":\"secp256k1\","
    "\"count\":5,\"derivation_path\":[44,60]}",
};

static bool round_trips(const key *k)
{
    for (int op = 1; op <= 4; op++) {
        node_client_request req;
        node_client_problem pb;
        REQUIRE(parse(&req, (node_client_op)op, bodies[op - 1]));
        REQUIRE(sign_request(&req, k, NODE_CLIENT_SIGNED_CURRENT));
        REQUIRE_OK(auth(&pb, &req, k, NULL, false));
        REQUIRE(all_zero(&pb, sizeof pb));
        /* The signature travels in the body: encode, parse, verify. */
        uint8_t *body = NULL;
        size_t len = 0;
        node_client_request back;
        REQUIRE_OK(node_client_request_encode(&body, &len, &req));
        REQUIRE_OK(node_client_request_parse(&back, &pb, (node_client_op)op,
                                             body, len));
        free(body);
        REQUIRE_OK(auth(&pb, &back, k, NULL, false));
        node_client_request_clear(&back);
        /* Any change to a signed field breaks it. */
        req.wallet_id.s[1] ^= 1;
        REQUIRE(auth(&pb, &req, k, NULL, false) == MPC_ERR_VERIFY);
        REQUIRE(pb.fail == NODE_CLIENT_FAIL_INITIATOR_SIGNATURE);
        REQUIRE(strcmp(node_client_code_str(pb.code),
                       "ERROR_INVALID_INITIATOR_SIGNATURE") == 0);
        req.wallet_id.s[1] ^= 1;
        req.signature[req.signature_len - 1] ^= 0x40;
        REQUIRE(auth(&pb, &req, k, NULL, false) == MPC_ERR_VERIFY);
        node_client_request_clear(&req);
    }
    return true;
}

TEST(clientproto_sig_ed25519_round_trip)
{
    key k;
    CHECK(key_ed25519(&k, 7));
    CHECK(round_trips(&k));
}

TEST(clientproto_sig_p256_round_trip)
{
    key k;
    CHECK(key_p256(&k));
    bool ok = round_trips(&k);
    key_free(&k);
    CHECK(ok);
}

TEST(clientproto_sig_ed25519_known_answer)
{
    /* RFC 8032 test 2: one-byte message 0x72, through our verifier. */
    uint8_t pk[32], sig[64], msg[1] = {0x72};
    CHECK(test_unhex(pk, 32,
                     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f1"
                     "2af4660c"));
    CHECK(test_unhex(sig, 64,
                     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223"
                     "ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
                     "b00d291612bb0c00"));
    CHECK_OK(node_client_signature_verify(NODE_KEY_ALG_ED25519, pk, 32, msg, 1,
                                          sig, 64));
    msg[0] ^= 1;
    CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_ED25519, pk, 32, msg, 1,
                                           sig, 64),
              MPC_ERR_VERIFY);
    msg[0] ^= 1;
    /* Non-canonical S (S + L) is refused, as Go refuses it. */
    static const uint8_t L[32] = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
        0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)sig[32 + i] + L[i];
        sig[32 + i] = (uint8_t)carry;
        carry >>= 8;
    }
    CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_ED25519, pk, 32, msg, 1,
                                           sig, 64),
              MPC_ERR_VERIFY);
    /* Wrong lengths. */
    CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_ED25519, pk, 32, msg, 1,
                                           sig, 63),
              MPC_ERR_VERIFY);
    CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_ED25519, pk, 32, msg, 1,
                                           sig, 0),
              MPC_ERR_VERIFY);
}

TEST(clientproto_sig_keys)
{
    key e, p, p384;
    CHECK(key_ed25519(&e, 1));
    CHECK_OK(node_client_pubkey_check(NODE_KEY_ALG_ED25519, e.pub, 32));
    CHECK_ERR(node_client_pubkey_check(NODE_KEY_ALG_ED25519, e.pub, 31),
              MPC_ERR_INVALID_ARG);
    uint8_t small[32] = {1}; /* the identity: small order */
    CHECK_ERR(node_client_pubkey_check(NODE_KEY_ALG_ED25519, small, 32),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_pubkey_check((node_key_alg)0, e.pub, 32),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_pubkey_check(NODE_KEY_ALG_ED25519, NULL, 32),
              MPC_ERR_INVALID_ARG);

    CHECK(key_p256(&p));
    CHECK(p.pub_len == 91);
    CHECK_OK(node_client_pubkey_check(NODE_KEY_ALG_P256, p.pub, p.pub_len));
    CHECK_ERR(node_client_pubkey_check(NODE_KEY_ALG_P256, p.pub, p.pub_len - 1),
              MPC_ERR_INVALID_ARG);
    uint8_t longer[128];
    memcpy(longer, p.pub, p.pub_len);
    longer[p.pub_len] = 0;
    CHECK_ERR(
        node_client_pubkey_check(NODE_KEY_ALG_P256, longer, p.pub_len + 1),
        MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_client_pubkey_check(NODE_KEY_ALG_P256, e.pub, 32),
              MPC_ERR_INVALID_ARG);
    bool ok = key_openssl(&p384, "P-384");
    if (ok) {
        CHECK_ERR(
            node_client_pubkey_check(NODE_KEY_ALG_P256, p384.pub, p384.pub_len),
            MPC_ERR_INVALID_ARG);
        /* A verification with a bad configured key says so. */
        node_client_request req;
        node_client_problem pb;
        CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, bodies[0]));
        CHECK(sign_request(&req, &p384, NODE_CLIENT_SIGNED_CURRENT));
        CHECK_ERR(auth(&pb, &req, &p384, NULL, false), MPC_ERR_INVALID_ARG);
        CHECK(pb.fail == NODE_CLIENT_FAIL_CONFIG);
        CHECK(strcmp(node_client_code_str(pb.code),
                     "ERROR_INVALID_CONFIGURATION") == 0);
        node_client_request_clear(&req);
    }
    key_free(&p384);
    key_free(&p);
    CHECK(ok);
}

TEST(clientproto_sig_p256_strict_der)
{
    key k;
    CHECK(key_p256(&k));
    const uint8_t msg[] = "w1";
    uint8_t sig[NODE_CLIENT_SIG_MAX_BYTES + 2];
    size_t n = 0;
    /* Retry until r has a clear top bit, so that a padded r is
     * non-minimal DER (about half the signatures). */
    bool ok = false;
    for (int tries = 0; tries < 64 && !ok; tries++) {
        ok = key_sign(&k, sig, &n, msg, 2);
        ok = ok && sig[0] == 0x30 && sig[2] == 0x02 && sig[3] == 0x20 &&
             sig[4] < 0x80 && sig[4] != 0 && n < sizeof sig - 1;
    }
    if (ok) {
        CHECK_OK(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                              k.pub_len, msg, 2, sig, n));
        /* Trailing garbage. */
        sig[n] = 0;
        CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                               k.pub_len, msg, 2, sig, n + 1),
                  MPC_ERR_VERIFY);
        /* r padded with a needless 0x00: valid BER, not DER. */
        uint8_t pad[NODE_CLIENT_SIG_MAX_BYTES + 2];
        pad[0] = 0x30;
        pad[1] = (uint8_t)(sig[1] + 1);
        pad[2] = 0x02;
        pad[3] = 0x21;
        pad[4] = 0x00;
        memcpy(pad + 5, sig + 4, n - 4);
        CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                               k.pub_len, msg, 2, pad, n + 1),
                  MPC_ERR_VERIFY);
        /* Raw r ‖ s (what some signers emit) is not DER. */
        CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                               k.pub_len, msg, 2, sig + 4, 64),
                  MPC_ERR_VERIFY);
        CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                               k.pub_len, msg, 2, sig, 0),
                  MPC_ERR_VERIFY);
        CHECK_ERR(node_client_signature_verify(NODE_KEY_ALG_P256, k.pub,
                                               k.pub_len, msg, 2, NULL, 5),
                  MPC_ERR_INVALID_ARG);
    }
    key_free(&k);
    CHECK(ok);
}

TEST(clientproto_sig_empty_signature)
{
    key k;
    node_client_request req;
    node_client_problem pb;
    CHECK(key_ed25519(&k, 2));
    /* Absent, null and "" signatures: all "signature is empty". */
    static const char *const b[] = {
        "{\"wallet_id\":\"w1\"}", "{\"wallet_id\":\"w1\",\"signature\":null}",
        "{\"wallet_id\":\"w1\",\"signature\":\"\"}"};
    for (size_t i = 0; i < 3; i++) {
        CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, b[i]));
        CHECK_ERR(auth(&pb, &req, &k, NULL, true), MPC_ERR_VERIFY);
        CHECK(pb.fail == NODE_CLIENT_FAIL_INITIATOR_SIGNATURE);
        CHECK(strstr(pb.reason, "signature is empty") != NULL);
        node_client_request_clear(&req);
    }
    CHECK_ERR(node_client_request_authenticate(&pb, NULL, k.alg, k.pub, 32,
                                               NULL, false),
              MPC_ERR_INVALID_ARG);
    /* problem may be NULL. */
    CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, b[0]));
    CHECK_ERR(auth(NULL, &req, &k, NULL, false), MPC_ERR_VERIFY);
    node_client_request_clear(&req);
}

/* ------------------------------------------------------------------ */
/* The derivation path must be covered                                 */

static const char path_body[] =
    "{\"key_type\":\"secp256k1\",\"wallet_id\":\"w1\",\"network_internal_code\""
    ":\"eth\",\"tx_id\":\"t1\",\"tx\":\"3q2+7w==\",\"derivation_path\":[44,60,"
    "0,0,0]}";

TEST(clientproto_sig_path_covered)
{
    key k;
    node_client_request req;
    node_client_problem pb;
    CHECK(key_ed25519(&k, 3));
    CHECK(parse(&req, NODE_CLIENT_OP_SIGN, path_body));

    /* Signed over the six-field form: accepted with or without the legacy
     * switch; a relay that changes the path breaks it. */
    CHECK(sign_request(&req, &k, NODE_CLIENT_SIGNED_CURRENT));
    CHECK_OK(auth(&pb, &req, &k, NULL, false));
    CHECK_OK(auth(&pb, &req, &k, NULL, true));
    req.path[4] = 1;
    CHECK_ERR(auth(&pb, &req, &k, NULL, false), MPC_ERR_VERIFY);
    CHECK_ERR(auth(&pb, &req, &k, NULL, true), MPC_ERR_VERIFY);
    req.path[4] = 0;
    req.path_len = 4;
    CHECK_ERR(auth(&pb, &req, &k, NULL, true), MPC_ERR_VERIFY);
    req.path_len = 5;

    /* Signed the mpcium way (path not covered): only with the switch. */
    CHECK(sign_request(&req, &k, NODE_CLIENT_SIGNED_LEGACY));
    CHECK_ERR(auth(&pb, &req, &k, NULL, false), MPC_ERR_VERIFY);
    CHECK(pb.fail == NODE_CLIENT_FAIL_INITIATOR_SIGNATURE);
    CHECK_OK(auth(&pb, &req, &k, NULL, true));
    /* …which is exactly mpcium's weakness: the path can be swapped. */
    req.path[4] = 9;
    CHECK_OK(auth(&pb, &req, &k, NULL, true));
    CHECK_ERR(auth(&pb, &req, &k, NULL, false), MPC_ERR_VERIFY);

    /* Without a path the two forms coincide: mpcium clients verify. */
    req.path_len = 0;
    CHECK(sign_request(&req, &k, NODE_CLIENT_SIGNED_LEGACY));
    CHECK_OK(auth(&pb, &req, &k, NULL, false));

    /* With hash there is no legacy form at all. */
    req.hash = MPC_MSGHASH_SHA256;
    req.path_len = 5;
    CHECK(sign_request(&req, &k, NODE_CLIENT_SIGNED_CURRENT));
    CHECK_OK(auth(&pb, &req, &k, NULL, false));
    req.hash = MPC_MSGHASH_KECCAK256; /* a relay swaps the hash */
    CHECK_ERR(auth(&pb, &req, &k, NULL, true), MPC_ERR_VERIFY);
    req.hash = 0; /* or drops it */
    CHECK_ERR(auth(&pb, &req, &k, NULL, true), MPC_ERR_VERIFY);
    node_client_request_clear(&req);
}

/* ------------------------------------------------------------------ */
/* Authorizers (§3.3)                                                  */

typedef struct fixture {
    key initiator;
    key alice, bob, carol; /* carol: P-256 */
    node_client_authorizer table[3];
    node_client_auth_policy policy;
    node_client_request req;
} fixture;

static bool fixture_init(fixture *f, node_client_op op)
{
    memset(f, 0, sizeof *f);
    REQUIRE(key_ed25519(&f->initiator, 10));
    REQUIRE(key_ed25519(&f->alice, 11));
    REQUIRE(key_ed25519(&f->bob, 12));
    REQUIRE(key_p256(&f->carol));
    const key *ks[3] = {&f->alice, &f->bob, &f->carol};
    static const char *const ids[3] = {"alice", "bob", "carol"};
    for (int i = 0; i < 3; i++)
        f->table[i] = (node_client_authorizer){ids[i], ks[i]->alg, ks[i]->pub,
                                               ks[i]->pub_len};
    f->policy = (node_client_auth_policy){
        .enabled = true, .authorizers = f->table, .n_authorizers = 3};
    REQUIRE(parse(&f->req, op, bodies[op - 1]));
    return sign_request(&f->req, &f->initiator, NODE_CLIENT_SIGNED_CURRENT);
}

static void fixture_free(fixture *f)
{
    node_client_request_clear(&f->req);
    key_free(&f->carol);
}

/* Appends an authorizer signature by `k` under `id` over the envelope of
 * the request's current initiator signature. */
static bool add_authorizer(fixture *f, const char *id, const key *k,
                           node_client_signed_form form)
{
    node_client_request *req = &f->req;
    uint8_t *raw = NULL, *env = NULL;
    size_t raw_len = 0, env_len = 0;
    REQUIRE_OK(node_client_request_signed_bytes(&raw, &raw_len, req, form));
    mpc_err err = node_client_authorizer_bytes(
        &env, &env_len, node_client_request_initiator_id(req), raw, raw_len,
        req->signature, req->signature_len);
    free(raw);
    REQUIRE_OK(err);
    node_client_authorizer_sig *a = &req->authorizers[req->n_authorizers++];
    snprintf(a->id.s, sizeof a->id.s, "%s", id);
    bool ok = key_sign(k, a->sig, &a->sig_len, env, env_len);
    free(env);
    a->sig_present = ok;
    return ok;
}

static bool expect(fixture *f, mpc_err want, node_client_fail fail,
                   const char *reason_part)
{
    node_client_problem pb;
    mpc_err got = auth(&pb, &f->req, &f->initiator, &f->policy, false);
    if (got != want || (want != MPC_OK && pb.fail != fail) ||
        (reason_part && strstr(pb.reason, reason_part) == NULL)) {
        test_fail(__FILE__, __LINE__, "got %s / %d / %s", mpc_err_name(got),
                  (int)pb.fail, pb.reason);
        return false;
    }
    return true;
}

TEST(clientproto_auth_disabled_and_none)
{
    fixture f;
    CHECK(fixture_init(&f, NODE_CLIENT_OP_KEYGEN));
    /* Disabled: even an invalid authorizer signature is ignored. */
    CHECK(add_authorizer(&f, "mallory", &f.alice, 0));
    f.policy.enabled = false;
    CHECK(expect(&f, MPC_OK, 0, NULL));
    CHECK_OK(auth(NULL, &f.req, &f.initiator, NULL, false));
    /* Enabled, none required, none provided: accepted. */
    f.policy.enabled = true;
    f.req.n_authorizers = 0;
    CHECK(expect(&f, MPC_OK, 0, NULL));
    /* The initiator is still checked first. */
    f.req.signature[0] ^= 1;
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_INITIATOR_SIGNATURE,
                 "invalid signature from initiator"));
    fixture_free(&f);
}

TEST(clientproto_auth_required)
{
    static const char *const req_ab[] = {"alice", "bob"};
    fixture f;
    CHECK(fixture_init(&f, NODE_CLIENT_OP_SIGN));
    f.policy.required = req_ab;
    f.policy.n_required = 2;
    /* None provided. */
    CHECK(expect(&f, MPC_ERR_AUTH, NODE_CLIENT_FAIL_AUTHORIZER_MISSING,
                 "missing required authorizer signature: alice"));
    /* One of two. */
    CHECK(add_authorizer(&f, "alice", &f.alice, 0));
    CHECK(expect(&f, MPC_ERR_AUTH, NODE_CLIENT_FAIL_AUTHORIZER_MISSING,
                 "missing required authorizer signature: bob"));
    node_client_problem pb;
    CHECK_ERR(auth(&pb, &f.req, &f.initiator, &f.policy, false), MPC_ERR_AUTH);
    CHECK(strcmp(node_client_code_str(pb.code),
                 "ERROR_MISSING_AUTHORIZER_SIGNATURE") == 0);
    /* Both. */
    CHECK(add_authorizer(&f, "bob", &f.bob, 0));
    CHECK(expect(&f, MPC_OK, 0, NULL));
    /* Plus a valid extra one (P-256). */
    CHECK(add_authorizer(&f, "carol", &f.carol, 0));
    CHECK(expect(&f, MPC_OK, 0, NULL));
    /* A required one present but invalid: invalid, not missing. */
    f.req.authorizers[1].sig[5] ^= 1;
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "authorizer bob verification failed"));
    CHECK_ERR(auth(&pb, &f.req, &f.initiator, &f.policy, false),
              MPC_ERR_VERIFY);
    CHECK(strcmp(node_client_code_str(pb.code),
                 "ERROR_INVALID_AUTHORIZER_SIGNATURE") == 0);
    fixture_free(&f);
}

TEST(clientproto_auth_provided_rules)
{
    fixture f;
    CHECK(fixture_init(&f, NODE_CLIENT_OP_RESHARE));
    /* Valid, none required. */
    CHECK(add_authorizer(&f, "carol", &f.carol, 0));
    CHECK(expect(&f, MPC_OK, 0, NULL));
    /* An unknown authorizer, even with a good signature. */
    CHECK(add_authorizer(&f, "dave", &f.alice, 0));
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "authorizer dave verification failed: unknown"));
    /* Known id, someone else's key. */
    f.req.n_authorizers = 1;
    CHECK(add_authorizer(&f, "alice", &f.bob, 0));
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "authorizer alice verification failed: invalid"));
    /* Empty and absent signatures. */
    f.req.authorizers[1].sig_len = 0;
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "signature is empty"));
    f.req.authorizers[1].sig_present = false;
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "signature is empty"));
    /* A valid signature over another request's envelope (replayed). */
    f.req.n_authorizers = 1;
    CHECK(add_authorizer(&f, "alice", &f.alice, 0));
    CHECK(expect(&f, MPC_OK, 0, NULL));
    f.req.threshold = 3; /* the initiator re-signs a different request */
    CHECK(sign_request(&f.req, &f.initiator, NODE_CLIENT_SIGNED_CURRENT));
    CHECK(expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
                 "authorizer carol"));
    fixture_free(&f);
}

TEST(clientproto_auth_envelope_follows_initiator)
{
    /* The initiator signed mpcium's legacy bytes (path not covered) and
     * the node allows it: authorizers sign over those same bytes. */
    fixture f;
    node_client_problem pb;
    CHECK(fixture_init(&f, NODE_CLIENT_OP_SIGN));
    node_client_request_clear(&f.req);
    CHECK(parse(&f.req, NODE_CLIENT_OP_SIGN, path_body));
    CHECK(sign_request(&f.req, &f.initiator, NODE_CLIENT_SIGNED_LEGACY));
    CHECK(add_authorizer(&f, "alice", &f.alice, NODE_CLIENT_SIGNED_LEGACY));
    CHECK_OK(auth(&pb, &f.req, &f.initiator, &f.policy, true));
    /* An authorizer that signed the six-field form does not match. */
    f.req.n_authorizers = 0;
    CHECK(add_authorizer(&f, "alice", &f.alice, NODE_CLIENT_SIGNED_CURRENT));
    CHECK_ERR(auth(&pb, &f.req, &f.initiator, &f.policy, true), MPC_ERR_VERIFY);
    CHECK(pb.fail == NODE_CLIENT_FAIL_AUTHORIZER_INVALID);
    fixture_free(&f);
}

TEST(clientproto_auth_presign_and_keygen_ids)
{
    /* The envelope names InitiatorID(): request id for presign. */
    fixture f;
    CHECK(fixture_init(&f, NODE_CLIENT_OP_PRESIGN));
    CHECK(add_authorizer(&f, "bob", &f.bob, 0));
    CHECK(expect(&f, MPC_OK, 0, NULL));
    snprintf(f.req.request_id.s, sizeof f.req.request_id.s, "r2");
    CHECK(sign_request(&f.req, &f.initiator, NODE_CLIENT_SIGNED_CURRENT));
    CHECK(
        expect(&f, MPC_ERR_VERIFY, NODE_CLIENT_FAIL_AUTHORIZER_INVALID, NULL));
    fixture_free(&f);

    /* A malformed authorizer key in the configuration. */
    CHECK(fixture_init(&f, NODE_CLIENT_OP_KEYGEN));
    CHECK(add_authorizer(&f, "alice", &f.alice, 0));
    f.table[0].key_len = 31;
    CHECK(expect(&f, MPC_ERR_INVALID_ARG, NODE_CLIENT_FAIL_CONFIG,
                 "authorizer public key is malformed"));
    /* A NULL required id is reported, not dereferenced. */
    f.table[0].key_len = 32;
    static const char *const nul_req[] = {NULL};
    f.policy.required = nul_req;
    f.policy.n_required = 1;
    CHECK(expect(&f, MPC_ERR_AUTH, NODE_CLIENT_FAIL_AUTHORIZER_MISSING, NULL));
    fixture_free(&f);
}

/* The prechecked variant decides as the plain one for a checked key; only
 * the shape of the key is looked at again. */
TEST(clientproto_auth_prechecked)
{
    key e, p;
    CHECK(key_ed25519(&e, 21));
    CHECK(key_p256(&p));
    const key *ks[2] = {&e, &p};
    for (int i = 0; i < 2; i++) {
        const key *k = ks[i];
        node_client_request req;
        node_client_problem pb;
        CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, bodies[0]));
        CHECK(sign_request(&req, k, NODE_CLIENT_SIGNED_CURRENT));
        CHECK_OK(node_client_request_authenticate_prechecked(
            &pb, &req, k->alg, k->pub, k->pub_len, NULL, false));
        CHECK(all_zero(&pb, sizeof pb));
        req.signature[3] ^= 1;
        CHECK_ERR(node_client_request_authenticate_prechecked(
                      &pb, &req, k->alg, k->pub, k->pub_len, NULL, false),
                  MPC_ERR_VERIFY);
        CHECK(pb.fail == NODE_CLIENT_FAIL_INITIATOR_SIGNATURE);
        CHECK_ERR(node_client_request_authenticate_prechecked(
                      &pb, &req, k->alg, NULL, k->pub_len, NULL, false),
                  MPC_ERR_INVALID_ARG);
        CHECK(pb.fail == NODE_CLIENT_FAIL_CONFIG);
        node_client_request_clear(&req);
    }
    /* An Ed25519 key of the wrong length, or an unknown algorithm. */
    node_client_request req;
    node_client_problem pb;
    CHECK(parse(&req, NODE_CLIENT_OP_KEYGEN, bodies[0]));
    CHECK(sign_request(&req, &e, NODE_CLIENT_SIGNED_CURRENT));
    CHECK_ERR(node_client_request_authenticate_prechecked(
                  &pb, &req, NODE_KEY_ALG_ED25519, e.pub, 31, NULL, false),
              MPC_ERR_INVALID_ARG);
    CHECK(pb.fail == NODE_CLIENT_FAIL_CONFIG);
    CHECK_ERR(node_client_request_authenticate_prechecked(
                  &pb, &req, (node_key_alg)0, e.pub, 32, NULL, false),
              MPC_ERR_INVALID_ARG);
    /* Authorizer keys are still checked in full. */
    uint8_t small[32] = {1}; /* the identity: small order */
    node_client_authorizer a = {"alice", NODE_KEY_ALG_ED25519, small, 32};
    node_client_auth_policy pol = {
        .enabled = true, .authorizers = &a, .n_authorizers = 1};
    node_client_authorizer_sig *as = &req.authorizers[req.n_authorizers++];
    snprintf(as->id.s, sizeof as->id.s, "alice");
    as->sig_present = true;
    as->sig_len = crypto_sign_BYTES;
    CHECK_ERR(node_client_request_authenticate_prechecked(
                  &pb, &req, e.alg, e.pub, e.pub_len, &pol, false),
              MPC_ERR_INVALID_ARG);
    CHECK(pb.fail == NODE_CLIENT_FAIL_CONFIG);
    node_client_request_clear(&req);
    key_free(&p);
}
