/*
 * Tests of node/envelope: round trips, tampering of every field and every
 * byte, misdirection, foreign identities, strict parsing, control
 * messages, evidence, and the wire layout pinned by known answers and by
 * an independent re-implementation of docs/wire.md §3.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "mpc/ctx.h"
#include "mpc/rng.h"
#include "node/envelope.h"
#include "tests/harness/test.h"

/* ---- fixture: three nodes ------------------------------------------------ */

#define NODES 3
static const char *const ids[NODES] = {
    "0ce02715-0ead-48ef-9772-2583316cc860",
    "node1",
    "c5c9a7d2-39a4-4a05-8fd5-1b2a2f9b7c11",
};

typedef struct fixture {
    node_envelope_self self[NODES];
    /* peers[i] is node i's table: the other nodes in index order. */
    node_envelope_peer peers[NODES][NODES - 1];
    uint8_t pk[NODES][NODE_ENVELOPE_PK_BYTES];
    uint8_t sk[NODES][NODE_ENVELOPE_SK_BYTES];
} fixture;

static void seed_of(uint8_t seed[32], int i)
{
    for (int k = 0; k < 32; k++)
        seed[k] = (uint8_t)(0x40 + 7 * i + k);
}

static bool fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < NODES; i++) {
        uint8_t seed[32];
        seed_of(seed, i);
        REQUIRE(crypto_sign_seed_keypair(f->pk[i], f->sk[i], seed) == 0);
        REQUIRE_OK(node_envelope_self_init(&f->self[i], ids[i], f->sk[i]));
    }
    for (int i = 0; i < NODES; i++) {
        int k = 0;
        for (int j = 0; j < NODES; j++)
            if (j != i)
                REQUIRE_OK(node_envelope_peer_init(
                    &f->peers[i][k++], &f->self[i], ids[j], f->pk[j]));
    }
    return true;
}

static void fixture_clear(fixture *f)
{
    for (int i = 0; i < NODES; i++) {
        node_envelope_self_clear(&f->self[i]);
        for (int k = 0; k < NODES - 1; k++)
            node_envelope_peer_clear(&f->peers[i][k]);
    }
}

/* Node i's view of node j. */
static const node_envelope_peer *view(const fixture *f, int i, int j)
{
    return &f->peers[i][j < i ? j : j - 1];
}

static node_envelope_meta meta_of(node_envelope_kind kind, unsigned round)
{
    node_envelope_meta m;
    memset(&m, 0, sizeof m);
    m.op = NODE_ENVELOPE_OP_SIGN_EDDSA;
    m.kind = kind;
    m.round = round;
    m.timestamp_ms = 1700000000123ull;
    for (int k = 0; k < NODE_ENVELOPE_SID_BYTES; k++)
        m.sid[k] = (uint8_t)(0xa0 + k);
    return m;
}

static const uint8_t frame[] = "a round frame: the share is 0123456789abcdef";

static bool meta_eq(const node_envelope_meta *a, const node_envelope_meta *b)
{
    return memcmp(a->sid, b->sid, sizeof a->sid) == 0 && a->op == b->op &&
           a->kind == b->kind && a->round == b->round &&
           a->timestamp_ms == b->timestamp_ms;
}

typedef struct sealed {
    uint8_t *buf;
    size_t len;
} sealed;

/* Node `from` seals `payload` for `to` (-1: every member). */
static bool seal_as(sealed *s, const fixture *f, const mpc_ctx *ctx, int from,
                    int to, const node_envelope_meta *m, const uint8_t *payload,
                    size_t len)
{
    size_t cap = node_envelope_seal_bound(len);
    s->buf = malloc(cap);
    REQUIRE(s->buf != NULL);
    REQUIRE_OK(node_envelope_seal(ctx, s->buf, cap, &s->len, &f->self[from],
                                  to < 0 ? NULL : view(f, from, to), m, payload,
                                  len));
    REQUIRE(s->len > 0 && s->len <= cap);
    return true;
}

static mpc_err open_as(node_envelope *env, const fixture *f, int at,
                       const uint8_t *buf, size_t len)
{
    return node_envelope_open(env, &f->self[at], f->peers[at], NODES - 1, buf,
                              len);
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

/* A failed open leaves env zeroed but for the claimed sender. */
static bool zero_but_sender(const node_envelope *env, const char *sender)
{
    node_envelope copy = *env;
    REQUIRE(strcmp(copy.sender, sender) == 0);
    memset(copy.sender, 0, sizeof copy.sender);
    REQUIRE(all_zero(&copy, sizeof copy));
    return true;
}

static bool memmem_has(const uint8_t *hay, size_t n, const uint8_t *needle,
                       size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

/* ---- round trips --------------------------------------------------------- */

TEST(envelope_roundtrip_broadcast)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    for (int at = 1; at < NODES; at++) {
        node_envelope env;
        CHECK_OK(open_as(&env, &f, at, s.buf, s.len));
        CHECK(meta_eq(&env.meta, &m));
        CHECK(strcmp(env.sender, ids[0]) == 0);
        CHECK(env.recipient[0] == '\0');
        CHECK(env.payload_len == sizeof frame);
        CHECK_MEM(env.payload, frame, sizeof frame);
        CHECK(env.control == NULL);
        CHECK(env.peer == 0);
        node_envelope_clear(&env);
        CHECK(all_zero(&env, sizeof env));
    }
    /* Broadcasts carry no randomness: the same input, the same bytes. */
    sealed t;
    CHECK(seal_as(&t, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    CHECK(t.len == s.len);
    CHECK_MEM(t.buf, s.buf, s.len);
    free(s.buf);
    free(t.buf);
    fixture_clear(&f);
}

TEST(envelope_roundtrip_p2p_hides_the_frame)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_P2P, 2);
    sealed s, t;
    CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    CHECK(seal_as(&t, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    CHECK(!memmem_has(s.buf, s.len, (const uint8_t *)"0123456789abcdef", 16));
    /* A fresh nonce each time. */
    CHECK(s.len == t.len && memcmp(s.buf, t.buf, s.len) != 0);

    node_envelope env;
    CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));
    CHECK(meta_eq(&env.meta, &m));
    CHECK(strcmp(env.sender, ids[0]) == 0);
    CHECK(strcmp(env.recipient, ids[1]) == 0);
    CHECK(env.payload_len == sizeof frame);
    CHECK_MEM(env.payload, frame, sizeof frame);
    node_envelope_clear(&env);

    /* An empty frame is fine too. */
    sealed e;
    CHECK(seal_as(&e, &f, test_ctx(), 2, 0, &m, NULL, 0));
    CHECK_OK(open_as(&env, &f, 0, e.buf, e.len));
    CHECK(env.payload_len == 0);
    node_envelope_clear(&env);
    free(s.buf);
    free(t.buf);
    free(e.buf);
    fixture_clear(&f);
}

TEST(envelope_every_frame_kind_and_round)
{
    fixture f;
    CHECK(fixture_init(&f));
    const node_envelope_kind kinds[] = {NODE_ENVELOPE_BCAST, NODE_ENVELOPE_P2P,
                                        NODE_ENVELOPE_ECHO};
    for (size_t k = 0; k < 3; k++) {
        for (unsigned r = 1; r <= NODE_ENVELOPE_ROUND_MAX; r++) {
            node_envelope_meta m = meta_of(kinds[k], r);
            m.op = (node_envelope_op)(1 + r % NODE_ENVELOPE_OP_MAX);
            sealed s;
            CHECK(seal_as(&s, &f, test_ctx(), 2, 1, &m, frame, r));
            node_envelope env;
            CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));
            CHECK(meta_eq(&env.meta, &m));
            CHECK(env.payload_len == r);
            CHECK(env.peer == 1);
            node_envelope_clear(&env);
            free(s.buf);
        }
    }
    fixture_clear(&f);
}

TEST(envelope_largest_frame)
{
    fixture f;
    CHECK(fixture_init(&f));
    size_t n = NODE_ENVELOPE_PAYLOAD_MAX_BYTES;
    uint8_t *big = malloc(n + 1);
    CHECK(big != NULL);
    mpc_drbg_fill(test_drbg(), big, n + 1);
    node_envelope_meta m = meta_of(NODE_ENVELOPE_P2P, 3);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 1, 2, &m, big, n));
    CHECK(s.len <= NODE_ENVELOPE_MAX_BYTES);
    node_envelope env;
    CHECK_OK(open_as(&env, &f, 2, s.buf, s.len));
    CHECK(env.payload_len == n);
    CHECK_MEM(env.payload, big, n);
    node_envelope_clear(&env);

    size_t len = 0;
    CHECK_ERR(node_envelope_seal(test_ctx(), s.buf, s.len, &len, &f.self[1],
                                 view(&f, 1, 2), &m, big, n + 1),
              MPC_ERR_INVALID_ARG);
    CHECK(len == 0 && all_zero(s.buf, s.len));
    free(s.buf);
    free(big);
    fixture_clear(&f);
}

/* ---- keys -----------------------------------------------------------------
 */

/* HKDF-SHA256 by OpenSSL, for an independent check of the pairwise key. */
static bool openssl_hkdf(uint8_t out[32], const uint8_t *salt, size_t salt_len,
                         const uint8_t *ikm, size_t ikm_len,
                         const uint8_t *info, size_t info_len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t out_len = 32;
    bool ok = c != NULL && EVP_PKEY_derive_init(c) > 0 &&
              EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) > 0 &&
              EVP_PKEY_CTX_set1_hkdf_salt(c, salt, (int)salt_len) > 0 &&
              EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikm_len) > 0 &&
              EVP_PKEY_CTX_add1_hkdf_info(c, info, (int)info_len) > 0 &&
              EVP_PKEY_derive(c, out, &out_len) > 0 && out_len == 32;
    EVP_PKEY_CTX_free(c);
    return ok;
}

/* docs/wire.md §4.1, written out again from the document. */
static bool expected_pairwise(uint8_t key[32], const fixture *f, int a, int b)
{
    uint8_t xa[32], xb[32], shared[32];
    REQUIRE(crypto_sign_ed25519_sk_to_curve25519(xa, f->sk[a]) == 0);
    REQUIRE(crypto_sign_ed25519_pk_to_curve25519(xb, f->pk[b]) == 0);
    REQUIRE(crypto_scalarmult_curve25519(shared, xa, xb) == 0);
    int lo = strcmp(ids[a], ids[b]) < 0 ? a : b, hi = lo == a ? b : a;
    uint8_t info[4 + 2 * (1 + 64 + 32)], *p = info;
    *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 1;
    const int order[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(ids[order[k]]);
        *p++ = (uint8_t)n;
        memcpy(p, ids[order[k]], n);
        p += n;
        memcpy(p, f->pk[order[k]], 32);
        p += 32;
    }
    static const char salt[] = "mpcium-c/v1/pairwise-key";
    return openssl_hkdf(key, (const uint8_t *)salt, sizeof salt - 1, shared, 32,
                        info, (size_t)(p - info));
}

TEST(envelope_pairwise_key_is_symmetric_and_matches_the_spec)
{
    fixture f;
    CHECK(fixture_init(&f));
    for (int i = 0; i < NODES; i++) {
        for (int j = 0; j < NODES; j++) {
            if (i == j)
                continue;
            CHECK_MEM(view(&f, i, j)->key, view(&f, j, i)->key, 32);
            uint8_t want[32];
            CHECK(expected_pairwise(want, &f, i, j));
            CHECK_MEM(view(&f, i, j)->key, want, 32);
        }
    }
    CHECK(memcmp(view(&f, 0, 1)->key, view(&f, 0, 2)->key, 32) != 0);
    CHECK(memcmp(view(&f, 0, 1)->key, view(&f, 1, 2)->key, 32) != 0);
    fixture_clear(&f);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Node 0's broadcast of the first 8 bytes of `frame` in round 1. */
static const char kat_envelope[] =
    "08011220a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "180420012a2430636530323731352d306561642d343865662d393737322d3235383333"
    "31366363383630380140fbd095ffbc314a086120726f756e642052403567fe62a83e4f"
    "284656378e230d94942b342e5d8b829d95553595cfb320146af128fa51df8208be35d2"
    "2c0d15352351b04e2292e0b7580c3f5c593fba0cf801";

/* Known answers pin the format: a change here is a wire change. */
TEST(envelope_known_answers)
{
    fixture f;
    CHECK(fixture_init(&f));
    char got[2 * 600 + 1];
    hex(got, view(&f, 0, 1)->key, 32);
    if (strcmp(got, "d199e223cbc816c030732a28b96e2b10"
                    "1df9959670170fe5cf95e4e98170b569") != 0)
        test_fail(__FILE__, __LINE__, "pairwise key %s", got);

    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, 8));
    CHECK(s.len <= 600);
    hex(got, s.buf, s.len);
    if (strcmp(got, kat_envelope) != 0)
        test_fail(__FILE__, __LINE__, "envelope %s", got);
    free(s.buf);

    uint8_t sid[32];
    CHECK_OK(node_envelope_start_sid(sid, ids[1], frame, 8));
    hex(got, sid, 32);
    if (strcmp(got, "98d603a4e4c7fa59694024559f37e304"
                    "279bd3a9c7331160bc8c6eb4539fdca4") != 0)
        test_fail(__FILE__, __LINE__, "start sid %s", got);
    fixture_clear(&f);
}

/* ---- an independent signer: docs/wire.md §3 written out again ------------ */

static size_t put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    return (size_t)bytes;
}

static size_t spec_header(uint8_t *out, uint32_t version,
                          const node_envelope_meta *m, const char *sender,
                          const char *recipient)
{
    uint8_t *p = out;
    p += put_be(p, version, 4);
    memcpy(p, m->sid, 32);
    p += 32;
    p += put_be(p, (uint32_t)m->op, 4);
    p += put_be(p, (uint32_t)m->kind, 4);
    p += put_be(p, m->round, 4);
    p += put_be(p, m->timestamp_ms, 8);
    *p++ = (uint8_t)strlen(sender);
    memcpy(p, sender, strlen(sender));
    p += strlen(sender);
    *p++ = (uint8_t)strlen(recipient);
    memcpy(p, recipient, strlen(recipient));
    p += strlen(recipient);
    return (size_t)(p - out);
}

/* Builds a clear (non-P2P) envelope the way the document says, signed by
 * node `from`'s key, with whatever fields the test wants. */
static bool spec_envelope(sealed *s, const fixture *f, int from,
                          const char *sender, const node_envelope_meta *m,
                          const uint8_t *payload, size_t len)
{
    static const char dom[] = "mpcium-c/v1/envelope/signature";
    uint8_t tbs[512], *p = tbs;
    memcpy(p, dom, sizeof dom - 1);
    p += sizeof dom - 1;
    p += spec_header(p, 1, m, sender, "");
    p += put_be(p, len, 8);
    crypto_hash_sha256(p, payload, len);
    p += 32;
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, tbs, (unsigned long long)(p - tbs),
                         f->sk[from]);

    Mpcium__V1__Envelope e = MPCIUM__V1__ENVELOPE__INIT;
    e.version = 1;
    e.session_id.data = (uint8_t *)m->sid;
    e.session_id.len = 32;
    e.operation = (Mpcium__V1__Operation)m->op;
    e.kind = (Mpcium__V1__Kind)m->kind;
    e.sender_id = (char *)sender;
    e.round = m->round;
    e.timestamp_ms = m->timestamp_ms;
    e.payload.data = (uint8_t *)payload;
    e.payload.len = len;
    e.signature.data = sig;
    e.signature.len = 64;
    s->len = protobuf_c_message_get_packed_size(&e.base);
    s->buf = malloc(s->len);
    REQUIRE(s->buf != NULL);
    REQUIRE(protobuf_c_message_pack(&e.base, s->buf) == s->len);
    return true;
}

TEST(envelope_signed_bytes_follow_the_document)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_ECHO, 4);
    sealed s, t;
    CHECK(spec_envelope(&s, &f, 2, ids[2], &m, frame, sizeof frame));
    CHECK(seal_as(&t, &f, test_ctx(), 2, -1, &m, frame, sizeof frame));
    CHECK(s.len == t.len);
    CHECK_MEM(s.buf, t.buf, s.len);
    node_envelope env;
    CHECK_OK(open_as(&env, &f, 0, s.buf, s.len));
    node_envelope_clear(&env);
    free(s.buf);
    free(t.buf);
    fixture_clear(&f);
}

/* ---- tampering ------------------------------------------------------------
 */

typedef enum field {
    F_VERSION,
    F_SID,
    F_OP,
    F_KIND,
    F_SENDER_PEER,
    F_SENDER_UNKNOWN,
    F_RECIPIENT,
    F_ROUND,
    F_TIMESTAMP,
    F_PAYLOAD,
    F_SIGNATURE,
    F_COUNT
} field;

/* Re-encodes `s` with one field changed and opens it at node `at`. */
static mpc_err tampered(node_envelope *env, const fixture *f, int at,
                        const sealed *s, field which, const char **claimed)
{
    Mpcium__V1__Envelope *orig =
        mpcium__v1__envelope__unpack(NULL, s->len, s->buf);
    if (orig == NULL)
        return MPC_ERR_INTERNAL;
    Mpcium__V1__Envelope e = *orig;
    uint8_t sid[32], pay[4096], sig[64];
    memcpy(sid, e.session_id.data, 32);
    *claimed = ids[0];
    switch (which) {
    case F_VERSION:
        e.version = 2;
        break;
    case F_SID:
        sid[31] ^= 1;
        e.session_id.data = sid;
        break;
    case F_OP:
        e.operation = MPCIUM__V1__OPERATION__OPERATION_SIGN_ECDSA;
        break;
    case F_KIND:
        e.kind = e.kind == MPCIUM__V1__KIND__KIND_P2P
                     ? MPCIUM__V1__KIND__KIND_BCAST
                     : MPCIUM__V1__KIND__KIND_ECHO;
        break;
    case F_SENDER_PEER:
        e.sender_id = (char *)ids[2];
        *claimed = ids[2];
        break;
    case F_SENDER_UNKNOWN:
        e.sender_id = (char *)"mallory";
        *claimed = "mallory";
        break;
    case F_RECIPIENT:
        e.recipient_id = (char *)(e.recipient_id[0] ? "" : ids[1]);
        break;
    case F_ROUND:
        e.round += 1;
        break;
    case F_TIMESTAMP:
        e.timestamp_ms += 1;
        break;
    case F_PAYLOAD:
        if (e.payload.len > sizeof pay || e.payload.len == 0)
            return MPC_ERR_INTERNAL;
        memcpy(pay, e.payload.data, e.payload.len);
        pay[e.payload.len - 1] ^= 0x80;
        e.payload.data = pay;
        break;
    case F_SIGNATURE:
        if (e.signature.len == 64) {
            memcpy(sig, e.signature.data, 64);
            sig[5] ^= 4;
            e.signature.data = sig;
        } else {
            e.signature.data = sig; /* P2P: add an outer one */
            memset(sig, 7, 64);
            e.signature.len = 64;
        }
        break;
    default:
        break;
    }
    size_t len = protobuf_c_message_get_packed_size(&e.base);
    uint8_t *buf = malloc(len);
    protobuf_c_message_pack(&e.base, buf);
    mpcium__v1__envelope__free_unpacked(orig, NULL);
    mpc_err err = open_as(env, f, at, buf, len);
    free(buf);
    return err;
}

static bool tamper_all(const fixture *f, node_envelope_kind kind,
                       const mpc_err want[F_COUNT])
{
    node_envelope_meta m = meta_of(kind, 2);
    sealed s;
    REQUIRE(seal_as(&s, f, test_ctx(), 0, kind == NODE_ENVELOPE_P2P ? 1 : -1,
                    &m, frame, sizeof frame));
    for (int w = 0; w < F_COUNT; w++) {
        node_envelope env;
        const char *claimed = NULL;
        mpc_err err = tampered(&env, f, 1, &s, (field)w, &claimed);
        if (err != want[w])
            test_fail(__FILE__, __LINE__, "kind %d field %d: %s, want %s",
                      (int)kind, w, mpc_err_name(err), mpc_err_name(want[w]));
        REQUIRE(err == want[w]);
        REQUIRE(zero_but_sender(&env, claimed));
    }
    free(s.buf);
    return true;
}

TEST(envelope_every_field_tampered_is_rejected_naming_the_sender)
{
    fixture f;
    CHECK(fixture_init(&f));
    const mpc_err bcast[F_COUNT] = {
        [F_VERSION] = MPC_ERR_PARSE,
        [F_SID] = MPC_ERR_VERIFY,
        [F_OP] = MPC_ERR_VERIFY,
        [F_KIND] = MPC_ERR_VERIFY,
        [F_SENDER_PEER] = MPC_ERR_VERIFY,
        [F_SENDER_UNKNOWN] = MPC_ERR_NOT_FOUND,
        [F_RECIPIENT] = MPC_ERR_VERIFY,
        [F_ROUND] = MPC_ERR_VERIFY,
        [F_TIMESTAMP] = MPC_ERR_VERIFY,
        [F_PAYLOAD] = MPC_ERR_VERIFY,
        [F_SIGNATURE] = MPC_ERR_VERIFY,
    };
    CHECK(tamper_all(&f, NODE_ENVELOPE_BCAST, bcast));
    const mpc_err p2p[F_COUNT] = {
        [F_VERSION] = MPC_ERR_PARSE,
        [F_SID] = MPC_ERR_VERIFY,
        [F_OP] = MPC_ERR_VERIFY,
        [F_KIND] = MPC_ERR_PARSE, /* a BCAST without signature */
        [F_SENDER_PEER] = MPC_ERR_VERIFY,
        [F_SENDER_UNKNOWN] = MPC_ERR_NOT_FOUND,
        [F_RECIPIENT] = MPC_ERR_PARSE, /* P2P without a recipient */
        [F_ROUND] = MPC_ERR_VERIFY,
        [F_TIMESTAMP] = MPC_ERR_VERIFY,
        [F_PAYLOAD] = MPC_ERR_VERIFY,
        [F_SIGNATURE] = MPC_ERR_PARSE, /* P2P carries no outer signature */
    };
    CHECK(tamper_all(&f, NODE_ENVELOPE_P2P, p2p));
    fixture_clear(&f);
}

/* Canonical parsing: whatever byte changes, the envelope no longer opens. */
TEST(envelope_every_byte_flipped_or_cut_is_rejected)
{
    fixture f;
    CHECK(fixture_init(&f));
    const node_envelope_kind kinds[] = {NODE_ENVELOPE_BCAST, NODE_ENVELOPE_P2P};
    for (int k = 0; k < 2; k++) {
        node_envelope_meta m = meta_of(kinds[k], 1);
        sealed s;
        CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, 20));
        for (size_t i = 0; i < s.len; i++) {
            for (int bit = 0; bit < 8; bit++) {
                node_envelope env;
                s.buf[i] ^= (uint8_t)(1u << bit);
                mpc_err err = open_as(&env, &f, 1, s.buf, s.len);
                s.buf[i] ^= (uint8_t)(1u << bit);
                if (err == MPC_OK)
                    test_fail(__FILE__, __LINE__, "byte %zu bit %d", i, bit);
                CHECK(err != MPC_OK);
            }
        }
        for (size_t len = 0; len < s.len; len++) {
            node_envelope env;
            CHECK(open_as(&env, &f, 1, s.buf, len) != MPC_OK);
            CHECK(all_zero(&env.meta, sizeof env.meta) && env.payload == NULL);
        }
        node_envelope env;
        CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));
        node_envelope_clear(&env);
        free(s.buf);
    }
    fixture_clear(&f);
}

/* ---- misdirection and foreign keys ----------------------------------------
 */

TEST(envelope_p2p_for_another_node_is_rejected)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_P2P, 2);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    node_envelope env;
    /* Delivered to C as it is: addressed to B. */
    CHECK_ERR(open_as(&env, &f, 2, s.buf, s.len), MPC_ERR_PROTOCOL);
    CHECK(zero_but_sender(&env, ids[0]));

    /* Replayed to C with the recipient rewritten: C's key with A differs. */
    Mpcium__V1__Envelope *e = mpcium__v1__envelope__unpack(NULL, s.len, s.buf);
    CHECK(e != NULL);
    Mpcium__V1__Envelope c = *e;
    c.recipient_id = (char *)ids[2];
    uint8_t buf[1024];
    size_t len = protobuf_c_message_pack(&c.base, buf);
    mpcium__v1__envelope__free_unpacked(e, NULL);
    CHECK_ERR(open_as(&env, &f, 2, buf, len), MPC_ERR_VERIFY);
    CHECK(zero_but_sender(&env, ids[0]));

    /* A broadcast addressed to B is also not C's. */
    m = meta_of(NODE_ENVELOPE_BCAST, 2);
    free(s.buf);
    CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    CHECK_ERR(open_as(&env, &f, 2, s.buf, s.len), MPC_ERR_PROTOCOL);
    CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));
    CHECK(strcmp(env.recipient, ids[1]) == 0);
    node_envelope_clear(&env);
    free(s.buf);
    fixture_clear(&f);
}

TEST(envelope_wrong_session_or_round_fails_the_p2p_ad)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_P2P, 2);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    /* Move the sealed payload into another session's / round's envelope. */
    Mpcium__V1__Envelope *e = mpcium__v1__envelope__unpack(NULL, s.len, s.buf);
    CHECK(e != NULL);
    for (int which = 0; which < 3; which++) {
        Mpcium__V1__Envelope c = *e;
        uint8_t sid[32];
        memcpy(sid, e->session_id.data, 32);
        if (which == 0) {
            sid[0] ^= 0xff;
            c.session_id.data = sid;
        } else if (which == 1) {
            c.round = 3;
        } else {
            c.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA;
        }
        uint8_t buf[1024];
        size_t len = protobuf_c_message_pack(&c.base, buf);
        node_envelope env;
        CHECK_ERR(open_as(&env, &f, 1, buf, len), MPC_ERR_VERIFY);
        CHECK(zero_but_sender(&env, ids[0]));
    }
    mpcium__v1__envelope__free_unpacked(e, NULL);
    free(s.buf);
    fixture_clear(&f);
}

TEST(envelope_signed_by_another_identity_is_rejected)
{
    fixture f;
    CHECK(fixture_init(&f));
    /* C holds its own key but claims to be A. */
    node_envelope_self fake;
    CHECK_OK(node_envelope_self_init(&fake, ids[0], f.sk[2]));
    node_envelope_peer fake_to_b;
    CHECK_OK(node_envelope_peer_init(&fake_to_b, &fake, ids[1], f.pk[1]));
    const node_envelope_kind kinds[] = {NODE_ENVELOPE_BCAST, NODE_ENVELOPE_P2P};
    for (int k = 0; k < 2; k++) {
        node_envelope_meta m = meta_of(kinds[k], 1);
        uint8_t buf[1024];
        size_t len;
        CHECK_OK(node_envelope_seal(test_ctx(), buf, sizeof buf, &len, &fake,
                                    &fake_to_b, &m, frame, sizeof frame));
        node_envelope env;
        CHECK_ERR(open_as(&env, &f, 1, buf, len), MPC_ERR_VERIFY);
        CHECK(zero_but_sender(&env, ids[0]));
    }
    node_envelope_self_clear(&fake);
    node_envelope_peer_clear(&fake_to_b);
    fixture_clear(&f);
}

TEST(envelope_own_or_unknown_sender_is_not_found)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    node_envelope env;
    /* A node's own broadcast comes back to it. */
    CHECK_ERR(open_as(&env, &f, 0, s.buf, s.len), MPC_ERR_NOT_FOUND);
    CHECK(zero_but_sender(&env, ids[0]));
    /* A node with an empty peers table knows nobody. */
    CHECK_ERR(node_envelope_open(&env, &f.self[1], NULL, 0, s.buf, s.len),
              MPC_ERR_NOT_FOUND);
    CHECK(zero_but_sender(&env, ids[0]));
    free(s.buf);
    fixture_clear(&f);
}

/* ---- strict parsing ---------------------------------------------------------
 */

TEST(envelope_garbage_truncated_oversized_and_noncanonical)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope env;
    CHECK_ERR(open_as(&env, &f, 1, NULL, 0), MPC_ERR_PARSE);
    CHECK(zero_but_sender(&env, ""));
    uint8_t junk[300];
    for (int i = 0; i < test_iters(200); i++) {
        size_t n = 1 + (size_t)i % sizeof junk;
        mpc_drbg_fill(test_drbg(), junk, n);
        CHECK(open_as(&env, &f, 1, junk, n) != MPC_OK);
        CHECK(env.payload == NULL && env.priv == NULL);
    }

    size_t big_len = NODE_ENVELOPE_MAX_BYTES + 1;
    uint8_t *big = calloc(1, big_len);
    CHECK(big != NULL);
    CHECK_ERR(open_as(&env, &f, 1, big, big_len), MPC_ERR_PARSE);
    free(big);

    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    uint8_t buf[1024];
    CHECK(s.len + 40 < sizeof buf);
    /* An unknown field appended (field 15, varint 1). */
    memcpy(buf, s.buf, s.len);
    buf[s.len] = 15 << 3;
    buf[s.len + 1] = 1;
    CHECK_ERR(open_as(&env, &f, 1, buf, s.len + 2), MPC_ERR_PARSE);
    CHECK(zero_but_sender(&env, ids[0]));
    /* A field repeated (timestamp again, same value): last one wins in
     * protobuf, but it is not the canonical encoding. */
    buf[s.len] = 8 << 3;
    size_t n = s.len + 1;
    uint64_t ts = m.timestamp_ms;
    while (ts >= 0x80) {
        buf[n++] = (uint8_t)(ts | 0x80);
        ts >>= 7;
    }
    buf[n++] = (uint8_t)ts;
    CHECK_ERR(open_as(&env, &f, 1, buf, n), MPC_ERR_PARSE);
    /* A default value written out (round... here: an empty recipient). */
    buf[s.len] = (6 << 3) | 2;
    buf[s.len + 1] = 0;
    CHECK_ERR(open_as(&env, &f, 1, buf, s.len + 2), MPC_ERR_PARSE);
    /* A non-minimal varint for the version (0x81 0x00 = 1). */
    CHECK(s.buf[0] == 0x08 && s.buf[1] == 0x01);
    buf[0] = 0x08;
    buf[1] = 0x81;
    buf[2] = 0x00;
    memcpy(buf + 3, s.buf + 2, s.len - 2);
    CHECK_ERR(open_as(&env, &f, 1, buf, s.len + 1), MPC_ERR_PARSE);
    free(s.buf);
    fixture_clear(&f);
}

TEST(envelope_field_ranges_are_checked)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    Mpcium__V1__Envelope *e = mpcium__v1__envelope__unpack(NULL, s.len, s.buf);
    CHECK(e != NULL);
    for (int which = 0; which < 9; which++) {
        Mpcium__V1__Envelope c = *e;
        const char *claimed = ids[0];
        switch (which) {
        case 0:
            c.session_id.len = 31;
            break;
        case 1:
            c.operation = (Mpcium__V1__Operation)0;
            break;
        case 2:
            c.operation = (Mpcium__V1__Operation)(NODE_ENVELOPE_OP_MAX + 1);
            break;
        case 3:
            c.kind = (Mpcium__V1__Kind)(NODE_ENVELOPE_KIND_MAX + 1);
            break;
        case 4:
            c.round = NODE_ENVELOPE_ROUND_MAX + 1;
            break;
        case 5:
            c.sender_id = (char *)"bad:id";
            claimed = "";
            break;
        case 6:
            c.recipient_id = (char *)ids[0]; /* to itself */
            break;
        case 7:
            c.signature.len = 63;
            break;
        default:
            c.kind = MPCIUM__V1__KIND__KIND_BARRIER_PING; /* round 1 */
            break;
        }
        uint8_t buf[1024];
        size_t len = protobuf_c_message_pack(&c.base, buf);
        node_envelope env;
        CHECK_ERR(open_as(&env, &f, 1, buf, len), MPC_ERR_PARSE);
        CHECK(zero_but_sender(&env, claimed));
    }
    mpcium__v1__envelope__free_unpacked(e, NULL);
    free(s.buf);
    fixture_clear(&f);
}

/* ---- control messages
 * --------------------------------------------------------- */

static char *parties3[] = {"0ce02715-0ead-48ef-9772-2583316cc860", "node1",
                           "c5c9a7d2-39a4-4a05-8fd5-1b2a2f9b7c11"};

static void start_init(Mpcium__V1__SessionStart *s, uint8_t nonce[32])
{
    mpcium__v1__session_start__init(s);
    for (int i = 0; i < 32; i++)
        nonce[i] = (uint8_t)(i * 3);
    s->operation = MPCIUM__V1__OPERATION__OPERATION_SIGN_EDDSA;
    s->nonce.data = nonce;
    s->nonce.len = 32;
    s->request = (ProtobufCBinaryData){15, (uint8_t *)"{\"wallet_id\":1}"};
    s->client_id = (char *)"svc-a";
    s->request_session_id = (char *)"6f1c2b3a-0000-4000-8000-000000000001";
    s->request_sequence = 42;
    s->n_parties = 3;
    s->parties = parties3;
    s->threshold = 2;
    s->key_version = 1;
    s->round_timeout_ms = 30000;
    s->barrier_timeout_ms = 10000;
}

static size_t pack(const ProtobufCMessage *m, uint8_t *buf, size_t cap)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    if (n > cap)
        return 0;
    return protobuf_c_message_pack(m, buf);
}

TEST(envelope_session_start_round_trip)
{
    fixture f;
    CHECK(fixture_init(&f));
    Mpcium__V1__SessionStart st;
    uint8_t nonce[32], payload[1024];
    start_init(&st, nonce);
    size_t n = pack(&st.base, payload, sizeof payload);
    CHECK(n > 0);
    node_envelope_meta m = meta_of(NODE_ENVELOPE_SESSION_START, 0);
    /* The session id must be the start's. */
    uint8_t buf[2048];
    size_t len;
    CHECK_ERR(node_envelope_seal(test_ctx(), buf, sizeof buf, &len, &f.self[0],
                                 NULL, &m, payload, n),
              MPC_ERR_INVALID_ARG);
    CHECK_OK(node_envelope_start_sid(m.sid, ids[0], payload, n));
    CHECK_OK(node_envelope_seal(test_ctx(), buf, sizeof buf, &len, &f.self[0],
                                NULL, &m, payload, n));
    node_envelope env;
    CHECK_OK(open_as(&env, &f, 2, buf, len));
    CHECK(env.meta.kind == NODE_ENVELOPE_SESSION_START);
    const Mpcium__V1__SessionStart *got =
        (const Mpcium__V1__SessionStart *)env.control;
    CHECK(got != NULL && got->n_parties == 3 && got->threshold == 2);
    CHECK(strcmp(got->parties[1], "node1") == 0);
    CHECK(got->request_sequence == 42 && got->key_version == 1);
    CHECK(strcmp(got->client_id, "svc-a") == 0);
    node_envelope_clear(&env);

    /* The same start from another coordinator is another session. */
    uint8_t other[32];
    CHECK_OK(node_envelope_start_sid(other, ids[1], payload, n));
    CHECK(memcmp(other, m.sid, 32) != 0);
    /* An operation that disagrees with the envelope's is refused. */
    m.op = NODE_ENVELOPE_OP_SIGN_ECDSA;
    CHECK_ERR(node_envelope_seal(test_ctx(), buf, sizeof buf, &len, &f.self[0],
                                 NULL, &m, payload, n),
              MPC_ERR_INVALID_ARG);
    fixture_clear(&f);
}

/* What seal refuses to sign, open refuses too, and blames the signer. */
TEST(envelope_signed_but_inconsistent_start_is_a_protocol_error)
{
    fixture f;
    CHECK(fixture_init(&f));
    Mpcium__V1__SessionStart st;
    uint8_t nonce[32], payload[1024];
    start_init(&st, nonce);
    size_t n = pack(&st.base, payload, sizeof payload);
    node_envelope_meta m = meta_of(NODE_ENVELOPE_SESSION_START, 0);
    node_envelope env;
    sealed s;
    /* A session id not derived from the start. */
    CHECK(spec_envelope(&s, &f, 0, ids[0], &m, payload, n));
    CHECK_ERR(open_as(&env, &f, 1, s.buf, s.len), MPC_ERR_PROTOCOL);
    CHECK(zero_but_sender(&env, ids[0]));
    free(s.buf);
    /* The right id, but the envelope names another operation. */
    CHECK_OK(node_envelope_start_sid(m.sid, ids[0], payload, n));
    m.op = NODE_ENVELOPE_OP_KEYGEN_EDDSA;
    CHECK(spec_envelope(&s, &f, 0, ids[0], &m, payload, n));
    CHECK_ERR(open_as(&env, &f, 1, s.buf, s.len), MPC_ERR_PROTOCOL);
    free(s.buf);
    /* A signed control payload that does not parse. */
    m = meta_of(NODE_ENVELOPE_BARRIER_PONG, 0);
    CHECK(spec_envelope(&s, &f, 0, ids[0], &m, (const uint8_t *)"\x08\x00", 2));
    CHECK_ERR(open_as(&env, &f, 1, s.buf, s.len), MPC_ERR_PARSE);
    CHECK(zero_but_sender(&env, ids[0]));
    free(s.buf);
    /* And the good one opens. */
    CHECK(spec_envelope(&s, &f, 0, ids[0], &m, (const uint8_t *)"\x08\x03", 2));
    CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));
    CHECK(((const Mpcium__V1__BarrierPong *)env.control)->attempt == 3);
    node_envelope_clear(&env);
    free(s.buf);
    fixture_clear(&f);
}

static mpc_err parse_start(const Mpcium__V1__SessionStart *st)
{
    uint8_t buf[4096];
    size_t n = pack(&st->base, buf, sizeof buf);
    ProtobufCMessage *out = (ProtobufCMessage *)1;
    mpc_err err =
        node_envelope_control_parse(&out, NODE_ENVELOPE_SESSION_START, buf, n);
    if (err != MPC_OK && out != NULL)
        return MPC_ERR_INTERNAL;
    node_envelope_control_free(out);
    return err;
}

TEST(envelope_session_start_rules)
{
    Mpcium__V1__SessionStart st;
    uint8_t nonce[32];
    start_init(&st, nonce);
    CHECK_OK(parse_start(&st));
    char *dup[] = {"a", "b", "a"};
    char *bad[] = {"a", "b c"};
    char *newc[] = {"node1", "0ce02715-0ead-48ef-9772-2583316cc860"};
    char *outsider[] = {"node1", "zz"};
    for (int which = 0; which < 17; which++) {
        start_init(&st, nonce);
        switch (which) {
        case 0:
            st.operation = MPCIUM__V1__OPERATION__OPERATION_UNSPECIFIED;
            break;
        case 1:
            st.nonce.len = 31;
            break;
        case 2:
            st.n_parties = 0;
            break;
        case 3:
            st.parties = dup;
            break;
        case 4:
            st.parties = bad, st.n_parties = 2;
            break;
        case 5:
            st.threshold = 0;
            break;
        case 6:
            st.threshold = 4;
            break;
        case 7:
            st.operation = MPCIUM__V1__OPERATION__OPERATION_KEYGEN_ECDSA;
            break; /* key_version 1 on a keygen */
        case 8:
            st.round_timeout_ms = 0;
            break;
        case 9:
            st.barrier_timeout_ms = NODE_ENVELOPE_TIMEOUT_MAX_MS + 1;
            break;
        case 10:
            st.presignature_id = (ProtobufCBinaryData){3, nonce};
            break; /* on an EdDSA signing */
        case 11:
            st.new_committee = newc, st.n_new_committee = 2;
            st.new_threshold = 2;
            break; /* a new committee outside a reshare */
        case 12:
            st.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA;
            break; /* a reshare without a new committee */
        case 13:
            st.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA;
            st.new_committee = outsider, st.n_new_committee = 2;
            st.new_threshold = 2;
            break;
        case 14:
            st.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA;
            st.new_committee = newc, st.n_new_committee = 2;
            st.new_threshold = 3;
            break;
        case 15:
            st.client_id = (char *)"tab\there";
            break;
        default:
            st.request.len = NODE_ENVELOPE_REQUEST_MAX_BYTES + 1;
            break;
        }
        if (which == 16) {
            /* Too big for the stack buffer of parse_start: build it here. */
            uint8_t *req = calloc(1, st.request.len);
            CHECK(req != NULL);
            st.request.data = req;
            size_t n = protobuf_c_message_get_packed_size(&st.base);
            uint8_t *buf = malloc(n);
            CHECK(buf != NULL);
            protobuf_c_message_pack(&st.base, buf);
            ProtobufCMessage *out;
            CHECK_ERR(node_envelope_control_parse(
                          &out, NODE_ENVELOPE_SESSION_START, buf, n),
                      MPC_ERR_PARSE);
            CHECK(out == NULL);
            free(buf);
            free(req);
            continue;
        }
        if (parse_start(&st) != MPC_ERR_PARSE)
            test_fail(__FILE__, __LINE__, "start rule %d not enforced", which);
        CHECK_ERR(parse_start(&st), MPC_ERR_PARSE);
    }
    /* A valid reshare. */
    start_init(&st, nonce);
    st.operation = MPCIUM__V1__OPERATION__OPERATION_RESHARE_ECDSA;
    st.new_committee = newc, st.n_new_committee = 2;
    st.new_threshold = 2;
    CHECK_OK(parse_start(&st));
}

static mpc_err parse_kind(node_envelope_kind kind, const ProtobufCMessage *m)
{
    uint8_t buf[1024];
    size_t n = pack(m, buf, sizeof buf);
    ProtobufCMessage *out = NULL;
    mpc_err err = node_envelope_control_parse(&out, kind, buf, n);
    node_envelope_control_free(out);
    return err;
}

TEST(envelope_result_ack_and_barrier_rules)
{
    Mpcium__V1__SessionResult r;
    Mpcium__V1__Blame b;
    uint8_t key[33] = {2}, sig[64] = {1}, conf[32] = {3};
    char *blamed[] = {"node1"};

    mpcium__v1__session_result__init(&r);
    r.public_key = (ProtobufCBinaryData){33, key};
    r.confirmation = (ProtobufCBinaryData){32, conf};
    r.stored = true;
    CHECK_OK(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base));
    r.public_key.len = 31;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.public_key.len = 32;
    r.signature = (ProtobufCBinaryData){64, sig};
    r.recovery_id = 4;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.recovery_id = 1;
    CHECK_OK(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base));
    r.error_code = (char *)"ERROR_KEY_GENERATION"; /* a code on success */
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);

    /* A failure: an error, a code, a blame, and no outputs. */
    mpcium__v1__session_result__init(&r);
    mpcium__v1__blame__init(&b);
    b.reason = MPC_BLAME_VERIFY;
    b.attributable = true;
    b.round = 2;
    b.n_parties = 1;
    b.parties = blamed;
    r.error = MPC_ERR_PROTOCOL;
    r.error_code = (char *)"ERROR_SIGNING_FAILURE";
    r.reason = (char *)"share did not verify";
    r.blame = &b;
    CHECK_OK(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base));
    r.stored = true;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.stored = false;
    r.error_code = (char *)"";
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.error_code = (char *)"error_lower";
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.error_code = (char *)"ERROR_SIGNING_FAILURE";
    r.error = 1;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.error = (int32_t)MPC_ERR_MIN - 1;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    r.error = MPC_ERR_TIMEOUT;
    b.reason = 0;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    b.reason = MPC_BLAME_TIMEOUT;
    b.round = NODE_ENVELOPE_ROUND_MAX + 1;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);
    b.round = 1;
    r.reason = (char *)"bad\nreason";
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_RESULT, &r.base), MPC_ERR_PARSE);

    Mpcium__V1__SessionAck a;
    mpcium__v1__session_ack__init(&a);
    a.published = true;
    a.result_sequence = 9;
    CHECK_OK(parse_kind(NODE_ENVELOPE_SESSION_ACK, &a.base));
    a.result_sequence = 0;
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_ACK, &a.base), MPC_ERR_PARSE);
    a.published = false;
    a.error = MPC_ERR_TIMEOUT;
    a.error_code = (char *)"ERROR_NETWORK_TIMEOUT";
    CHECK_OK(parse_kind(NODE_ENVELOPE_SESSION_ACK, &a.base));

    Mpcium__V1__BarrierPing p;
    mpcium__v1__barrier_ping__init(&p);
    CHECK_ERR(parse_kind(NODE_ENVELOPE_BARRIER_PING, &p.base), MPC_ERR_PARSE);
    p.attempt = 1;
    CHECK_OK(parse_kind(NODE_ENVELOPE_BARRIER_PING, &p.base));
    /* The wrong message type for the kind does not pass either. */
    CHECK_ERR(parse_kind(NODE_ENVELOPE_SESSION_START, &p.base), MPC_ERR_PARSE);

    ProtobufCMessage *out = (ProtobufCMessage *)1;
    CHECK_ERR(node_envelope_control_parse(&out, NODE_ENVELOPE_P2P,
                                          (const uint8_t *)"", 0),
              MPC_ERR_INVALID_ARG);
    CHECK(out == NULL);
    CHECK_ERR(node_envelope_control_parse(NULL, NODE_ENVELOPE_BARRIER_PING,
                                          (const uint8_t *)"", 0),
              MPC_ERR_INVALID_ARG);
    /* Unknown fields inside a nested message are refused too. */
    mpcium__v1__session_result__init(&r);
    r.error = MPC_ERR_TIMEOUT;
    r.error_code = (char *)"ERROR_NETWORK_TIMEOUT";
    mpcium__v1__blame__init(&b);
    b.reason = MPC_BLAME_TIMEOUT;
    r.blame = &b;
    uint8_t buf[256];
    size_t n = pack(&r.base, buf, sizeof buf);
    /* ... 4a 02 08 05: field 9 (blame), 2 bytes, its reason 5. */
    CHECK(n > 4 && buf[n - 4] == ((9 << 3) | 2) && buf[n - 3] == 2);
    buf[n - 3] = 4;                  /* the blame grows by two bytes: */
    buf[n] = 7 << 3, buf[n + 1] = 1; /* field 7 of Blame, unknown */
    CHECK_ERR(node_envelope_control_parse(&out, NODE_ENVELOPE_SESSION_RESULT,
                                          buf, n + 2),
              MPC_ERR_PARSE);
}

/* ---- evidence --------------------------------------------------------------
 */

TEST(envelope_p2p_evidence_convinces_a_third_party)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_P2P, 2);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, 1, &m, frame, sizeof frame));
    node_envelope env;
    CHECK_OK(open_as(&env, &f, 1, s.buf, s.len));

    /* The third party gets plain values and A's public key, no secret. */
    node_envelope ev;
    memset(&ev, 0, sizeof ev);
    ev.meta = env.meta;
    memcpy(ev.sender, env.sender, sizeof ev.sender);
    memcpy(ev.recipient, env.recipient, sizeof ev.recipient);
    uint8_t copy[sizeof frame];
    memcpy(copy, env.payload, env.payload_len);
    ev.payload = copy;
    ev.payload_len = env.payload_len;
    memcpy(ev.signature, env.signature, 64);
    node_envelope_clear(&env);

    CHECK_OK(node_envelope_evidence_verify(&ev, f.pk[0]));
    CHECK_ERR(node_envelope_evidence_verify(&ev, f.pk[1]), MPC_ERR_VERIFY);
    copy[3] ^= 1; /* B cannot claim A sent something else */
    CHECK_ERR(node_envelope_evidence_verify(&ev, f.pk[0]), MPC_ERR_VERIFY);
    copy[3] ^= 1;
    ev.meta.round = 1;
    CHECK_ERR(node_envelope_evidence_verify(&ev, f.pk[0]), MPC_ERR_VERIFY);
    ev.meta.round = 2;
    memcpy(ev.recipient, ids[2], strlen(ids[2]) + 1);
    CHECK_ERR(node_envelope_evidence_verify(&ev, f.pk[0]), MPC_ERR_VERIFY);
    ev.meta.round = 0; /* no envelope carries a P2P frame in round 0 */
    CHECK_ERR(node_envelope_evidence_verify(&ev, f.pk[0]), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_evidence_verify(NULL, f.pk[0]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_evidence_verify(&ev, NULL), MPC_ERR_INVALID_ARG);
    free(s.buf);
    fixture_clear(&f);
}

/* ---- misuse
 * ------------------------------------------------------------------- */

TEST(envelope_identity_misuse)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_self self;
    memset(&self, 0xee, sizeof self);
    CHECK_ERR(node_envelope_self_init(&self, NULL, f.sk[0]),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&self, sizeof self));
    CHECK_ERR(node_envelope_self_init(&self, "a.b", f.sk[0]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_self_init(&self, "", f.sk[0]), MPC_ERR_INVALID_ARG);
    char longid[NODE_ENVELOPE_ID_MAX_BYTES + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    CHECK_ERR(node_envelope_self_init(&self, longid, f.sk[0]),
              MPC_ERR_INVALID_ARG);
    longid[NODE_ENVELOPE_ID_MAX_BYTES] = '\0';
    CHECK_OK(node_envelope_self_init(&self, longid, f.sk[0]));
    CHECK_ERR(node_envelope_self_init(&self, "a", NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_self_init(NULL, "a", f.sk[0]), MPC_ERR_INVALID_ARG);
    /* A secret key whose public half belongs to another seed. */
    uint8_t mixed[64];
    memcpy(mixed, f.sk[0], 32);
    memcpy(mixed + 32, f.pk[1], 32);
    CHECK_ERR(node_envelope_self_init(&self, "a", mixed), MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&self, sizeof self));

    node_envelope_peer peer;
    memset(&peer, 0xee, sizeof peer);
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], ids[0], f.pk[1]),
              MPC_ERR_INVALID_ARG); /* self's own id */
    CHECK(all_zero(&peer, sizeof peer));
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], "x*", f.pk[1]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_peer_init(&peer, NULL, "x", f.pk[1]),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], "x", NULL),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_peer_init(NULL, &f.self[0], "x", f.pk[1]),
              MPC_ERR_INVALID_ARG);
    /* Keys that would make the pairwise key predictable. */
    uint8_t weak[32] = {1}; /* the identity point */
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], "x", weak),
              MPC_ERR_VERIFY);
    CHECK(all_zero(&peer, sizeof peer));
    memset(weak, 0, 32); /* a point of order 4 */
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], "x", weak),
              MPC_ERR_VERIFY);
    memset(weak, 0xff, 32); /* not a canonical encoding */
    CHECK_ERR(node_envelope_peer_init(&peer, &f.self[0], "x", weak),
              MPC_ERR_VERIFY);
    node_envelope_self_clear(&self);
    CHECK(all_zero(&self, sizeof self));
    node_envelope_self_clear(NULL);
    node_envelope_peer_clear(NULL);
    node_envelope_clear(NULL);
    fixture_clear(&f);
}

static bool seal_fails(const fixture *f, const mpc_ctx *ctx, int to,
                       const node_envelope_meta *m, const uint8_t *payload,
                       size_t len, size_t cap, mpc_err want)
{
    uint8_t buf[2048];
    memset(buf, 0xee, sizeof buf);
    size_t out_len = 77;
    mpc_err err =
        node_envelope_seal(ctx, buf, cap, &out_len, &f->self[0],
                           to < 0 ? NULL : view(f, 0, to), m, payload, len);
    if (err != want)
        test_fail(__FILE__, __LINE__, "seal: %s, want %s", mpc_err_name(err),
                  mpc_err_name(want));
    REQUIRE(err == want);
    REQUIRE(out_len == 0 && all_zero(buf, cap));
    return true;
}

static bool flaky_fail;
static void *flaky_zalloc(size_t n, void *ud)
{
    (void)ud;
    return flaky_fail ? NULL : calloc(1, n);
}
static void flaky_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

TEST(envelope_seal_misuse_and_nomem)
{
    fixture f;
    CHECK(fixture_init(&f));
    const mpc_ctx *ctx = test_ctx();
    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    const mpc_err bad = MPC_ERR_INVALID_ARG;
    size_t need = node_envelope_seal_bound(sizeof frame);
    CHECK(seal_fails(&f, ctx, -1, &m, NULL, 3, need, bad));
    m = meta_of(NODE_ENVELOPE_BCAST, 0);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, 3, need, bad));
    m = meta_of(NODE_ENVELOPE_BCAST, NODE_ENVELOPE_ROUND_MAX + 1);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, 3, need, bad));
    m = meta_of(NODE_ENVELOPE_P2P, 1);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, 3, need, bad)); /* no `to` */
    m = meta_of((node_envelope_kind)0, 1);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, 3, need, bad));
    m = meta_of(NODE_ENVELOPE_BCAST, 1);
    m.op = (node_envelope_op)(NODE_ENVELOPE_OP_MAX + 1);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, 3, need, bad));
    m = meta_of(NODE_ENVELOPE_BARRIER_PING, 1);
    CHECK(
        seal_fails(&f, ctx, -1, &m, (const uint8_t *)"\x08\x01", 2, need, bad));
    m = meta_of(NODE_ENVELOPE_BARRIER_PING, 0);
    CHECK(seal_fails(&f, ctx, -1, &m, (const uint8_t *)"\x08\x00", 2, need,
                     bad)); /* an invalid ping (attempt 0) */
    m = meta_of(NODE_ENVELOPE_BCAST, 1);
    CHECK(seal_fails(&f, ctx, -1, &m, frame, sizeof frame, 10, bad));

    size_t len;
    uint8_t buf[1024];
    CHECK_ERR(node_envelope_seal(NULL, buf, sizeof buf, &len, &f.self[0], NULL,
                                 &m, frame, 3),
              bad);
    CHECK_ERR(node_envelope_seal(ctx, NULL, sizeof buf, &len, &f.self[0], NULL,
                                 &m, frame, 3),
              bad);
    CHECK_ERR(node_envelope_seal(ctx, buf, sizeof buf, NULL, &f.self[0], NULL,
                                 &m, frame, 3),
              bad);
    CHECK_ERR(node_envelope_seal(ctx, buf, sizeof buf, &len, NULL, NULL, &m,
                                 frame, 3),
              bad);
    CHECK_ERR(node_envelope_seal(ctx, buf, sizeof buf, &len, &f.self[0], NULL,
                                 NULL, frame, 3),
              bad);
    /* A peer struct naming self (not from peer_init) is refused. */
    node_envelope_peer me = *view(&f, 0, 1);
    memcpy(me.id, f.self[0].id, sizeof me.id);
    me.id_len = f.self[0].id_len;
    m = meta_of(NODE_ENVELOPE_P2P, 1);
    CHECK_ERR(node_envelope_seal(ctx, buf, sizeof buf, &len, &f.self[0], &me,
                                 &m, frame, 3),
              bad);

    static const mpc_mem mem = {.zalloc = flaky_zalloc, .free = flaky_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *flaky = NULL;
    flaky_fail = false;
    CHECK_OK(mpc_ctx_new(&flaky, &cfg));
    flaky_fail = true;
    CHECK(
        seal_fails(&f, flaky, 1, &m, frame, sizeof frame, need, MPC_ERR_NOMEM));
    flaky_fail = false;
    mpc_ctx_free(flaky);
    fixture_clear(&f);
}

TEST(envelope_open_misuse)
{
    fixture f;
    CHECK(fixture_init(&f));
    node_envelope_meta m = meta_of(NODE_ENVELOPE_BCAST, 1);
    sealed s;
    CHECK(seal_as(&s, &f, test_ctx(), 0, -1, &m, frame, sizeof frame));
    node_envelope env;
    CHECK_ERR(node_envelope_open(NULL, &f.self[1], f.peers[1], 2, s.buf, s.len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_open(&env, NULL, f.peers[1], 2, s.buf, s.len),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(&env, sizeof env));
    CHECK_ERR(node_envelope_open(&env, &f.self[1], NULL, 2, s.buf, s.len),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_open(&env, &f.self[1], f.peers[1], 2, NULL, s.len),
              MPC_ERR_INVALID_ARG);
    uint8_t sid[32];
    CHECK_ERR(node_envelope_start_sid(sid, "bad id", frame, 3),
              MPC_ERR_INVALID_ARG);
    CHECK(all_zero(sid, sizeof sid));
    CHECK_ERR(node_envelope_start_sid(NULL, "a", frame, 3),
              MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_envelope_start_sid(sid, "a", NULL, 3), MPC_ERR_INVALID_ARG);
    CHECK(node_envelope_kind_is_frame(NODE_ENVELOPE_ECHO));
    CHECK(!node_envelope_kind_is_frame(NODE_ENVELOPE_SESSION_ACK));
    CHECK(node_envelope_id_is_valid("a-b_c~!", 7));
    CHECK(!node_envelope_id_is_valid("a>b", 3));
    CHECK(!node_envelope_id_is_valid("\x80", 1));
    CHECK(!node_envelope_id_is_valid(NULL, 1));
    free(s.buf);
    fixture_clear(&f);
}
