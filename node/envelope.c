/*
 * node/envelope.c — signed node-to-node envelopes, P2P sealed.
 *
 * The layouts implemented here are specified in docs/wire.md; the comments
 * below say why, the document says what.
 */
#include "node/envelope.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc/mem.h"

/* The C enums mirror wire.proto's, and the frame kinds the library's. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(NODE_ENVELOPE_OP_KEYGEN_ECDSA,
                    MPCIUM__V1__OPERATION__OPERATION_KEYGEN_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_KEYGEN_EDDSA,
                        MPCIUM__V1__OPERATION__OPERATION_KEYGEN_EDDSA) &&
                   SAME(NODE_ENVELOPE_OP_SIGN_ECDSA,
                        MPCIUM__V1__OPERATION__OPERATION_SIGN_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_SIGN_EDDSA,
                        MPCIUM__V1__OPERATION__OPERATION_SIGN_EDDSA) &&
                   SAME(NODE_ENVELOPE_OP_RESHARE_ECDSA,
                        MPCIUM__V1__OPERATION__OPERATION_RESHARE_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_RESHARE_EDDSA,
                        MPCIUM__V1__OPERATION__OPERATION_RESHARE_EDDSA) &&
                   SAME(NODE_ENVELOPE_OP_PRESIGN_ECDSA,
                        MPCIUM__V1__OPERATION__OPERATION_PRESIGN_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_AUX_INFO_ECDSA,
                        MPCIUM__V1__OPERATION__OPERATION_AUX_INFO_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_REFRESH_ECDSA,
                        MPCIUM__V1__OPERATION__OPERATION_REFRESH_ECDSA) &&
                   SAME(NODE_ENVELOPE_OP_REFRESH_EDDSA,
                        MPCIUM__V1__OPERATION__OPERATION_REFRESH_EDDSA),
               "operation values follow wire.proto");
_Static_assert(
    SAME(NODE_ENVELOPE_BCAST, MPCIUM__V1__KIND__KIND_BCAST) &&
        SAME(NODE_ENVELOPE_P2P, MPCIUM__V1__KIND__KIND_P2P) &&
        SAME(NODE_ENVELOPE_ECHO, MPCIUM__V1__KIND__KIND_ECHO) &&
        SAME(NODE_ENVELOPE_BARRIER_PING, MPCIUM__V1__KIND__KIND_BARRIER_PING) &&
        SAME(NODE_ENVELOPE_BARRIER_PONG, MPCIUM__V1__KIND__KIND_BARRIER_PONG) &&
        SAME(NODE_ENVELOPE_SESSION_START,
             MPCIUM__V1__KIND__KIND_SESSION_START) &&
        SAME(NODE_ENVELOPE_SESSION_RESULT,
             MPCIUM__V1__KIND__KIND_SESSION_RESULT) &&
        SAME(NODE_ENVELOPE_SESSION_ACK, MPCIUM__V1__KIND__KIND_SESSION_ACK),
    "kind values follow wire.proto");
_Static_assert(SAME(NODE_ENVELOPE_BCAST, MPC_SESSION_BCAST) &&
                   SAME(NODE_ENVELOPE_P2P, MPC_SESSION_P2P) &&
                   SAME(NODE_ENVELOPE_ECHO, MPC_SESSION_ECHO),
               "frame kinds equal the library's");
_Static_assert(NODE_ENVELOPE_PK_BYTES == crypto_sign_PUBLICKEYBYTES &&
                   NODE_ENVELOPE_SK_BYTES == crypto_sign_SECRETKEYBYTES &&
                   NODE_ENVELOPE_SIG_BYTES == crypto_sign_BYTES,
               "Ed25519 sizes");
_Static_assert(NODE_ENVELOPE_KEY_BYTES ==
                       crypto_aead_xchacha20poly1305_ietf_KEYBYTES &&
                   NODE_ENVELOPE_NONCE_BYTES ==
                       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES &&
                   NODE_ENVELOPE_TAG_BYTES ==
                       crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "XChaCha20-Poly1305 sizes");
_Static_assert(NODE_ENVELOPE_MAX_BYTES < UINT32_MAX, "sizes fit a u32");

/* Domain tags: the signed string, the AEAD's AD, the KDF salt and the
 * session-id hash each start differently (docs/wire.md §3-§5). */
static const char sig_domain[] = "mpcium-c/v1/envelope/signature";
static const char ad_domain[] = "mpcium-c/v1/envelope/p2p-ad";
static const char kdf_salt[] = "mpcium-c/v1/pairwise-key";
static const char sid_domain[] = "mpcium-c/v1/session-id";

/* The canonical header: version, sid, op, kind, round, timestamp, then the
 * two ids with a one-byte length each. */
#define HDR_MAX_BYTES                                                          \
    (4 + NODE_ENVELOPE_SID_BYTES + 4 + 4 + 4 + 8 + 1 +                         \
     NODE_ENVELOPE_ID_MAX_BYTES + 1 + NODE_ENVELOPE_ID_MAX_BYTES)
#define TBS_MAX_BYTES                                                          \
    (sizeof sig_domain - 1 + HDR_MAX_BYTES + 8 + crypto_hash_sha256_BYTES)
#define AD_MAX_BYTES (sizeof ad_domain - 1 + HDR_MAX_BYTES)

/* Short text bounds in control messages. */
#define CODE_MAX_BYTES 64
#define REASON_MAX_BYTES 256
#define CLIENT_ID_MAX_BYTES 128
#define PRESIG_ID_MAX_BYTES 64
#define NONCE_FIELD_BYTES 32

/* ---- small helpers ------------------------------------------------------ */

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

bool node_envelope_id_is_valid(const char *id, size_t len)
{
    if (id == NULL || len == 0 || len > NODE_ENVELOPE_ID_MAX_BYTES)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x21 || c > 0x7e || c == ':' || c == '.' || c == '*' ||
            c == '>')
            return false;
    }
    return true;
}

/* A NUL-terminated id of at most NODE_ENVELOPE_ID_MAX_BYTES; 0 if invalid. */
static size_t id_len_checked(const char *id)
{
    if (id == NULL)
        return 0;
    size_t len = strnlen(id, NODE_ENVELOPE_ID_MAX_BYTES + 1);
    return node_envelope_id_is_valid(id, len) ? len : 0;
}

/* Printable ASCII (space allowed) of at most `max` bytes. */
static bool text_is_valid(const char *s, size_t max)
{
    size_t len = strnlen(s, max + 1);
    if (len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    return true;
}

bool node_envelope_kind_is_frame(node_envelope_kind kind)
{
    return kind == NODE_ENVELOPE_BCAST || kind == NODE_ENVELOPE_P2P ||
           kind == NODE_ENVELOPE_ECHO;
}

static bool kind_is_valid(uint32_t kind)
{
    return kind >= NODE_ENVELOPE_BCAST && kind <= NODE_ENVELOPE_KIND_MAX;
}

static bool op_is_valid(uint32_t op)
{
    return op >= NODE_ENVELOPE_OP_KEYGEN_ECDSA && op <= NODE_ENVELOPE_OP_MAX;
}

/* Frames carry their round; control messages belong to no round. */
static bool round_is_valid(node_envelope_kind kind, uint32_t round)
{
    if (node_envelope_kind_is_frame(kind))
        return round >= 1 && round <= NODE_ENVELOPE_ROUND_MAX;
    return round == 0;
}

static bool meta_is_valid(const node_envelope_meta *m)
{
    return op_is_valid((uint32_t)m->op) && kind_is_valid((uint32_t)m->kind) &&
           round_is_valid(m->kind, m->round);
}

static size_t payload_max(node_envelope_kind kind)
{
    return node_envelope_kind_is_frame(kind) ? NODE_ENVELOPE_PAYLOAD_MAX_BYTES
                                             : NODE_ENVELOPE_CONTROL_MAX_BYTES;
}

/* The canonical header (docs/wire.md §3). Ids are valid, so <= 64 bytes. */
static size_t header_put(uint8_t out[HDR_MAX_BYTES],
                         const node_envelope_meta *m, const char *sender,
                         size_t sender_len, const char *recipient,
                         size_t recipient_len)
{
    uint8_t *p = out;
    put_u32(p, NODE_ENVELOPE_VERSION);
    p += 4;
    memcpy(p, m->sid, NODE_ENVELOPE_SID_BYTES);
    p += NODE_ENVELOPE_SID_BYTES;
    put_u32(p, (uint32_t)m->op);
    p += 4;
    put_u32(p, (uint32_t)m->kind);
    p += 4;
    put_u32(p, (uint32_t)m->round);
    p += 4;
    put_u64(p, m->timestamp_ms);
    p += 8;
    *p++ = (uint8_t)sender_len;
    memcpy(p, sender, sender_len);
    p += sender_len;
    *p++ = (uint8_t)recipient_len;
    memcpy(p, recipient, recipient_len);
    p += recipient_len;
    return (size_t)(p - out);
}

/* The string the sender signs: domain || header || u64 len || SHA-256. */
static size_t tbs_put(uint8_t out[TBS_MAX_BYTES], const uint8_t *hdr,
                      size_t hdr_len, const uint8_t *payload,
                      size_t payload_len)
{
    size_t n = sizeof sig_domain - 1;
    memcpy(out, sig_domain, n);
    memcpy(out + n, hdr, hdr_len);
    n += hdr_len;
    put_u64(out + n, (uint64_t)payload_len);
    n += 8;
    crypto_hash_sha256(out + n, payload, payload_len);
    return n + crypto_hash_sha256_BYTES;
}

static size_t ad_put(uint8_t out[AD_MAX_BYTES], const uint8_t *hdr,
                     size_t hdr_len)
{
    size_t n = sizeof ad_domain - 1;
    memcpy(out, ad_domain, n);
    memcpy(out + n, hdr, hdr_len);
    return n + hdr_len;
}

/* ---- identities and the pairwise key ------------------------------------ */

mpc_err node_envelope_self_init(node_envelope_self *self, const char *id,
                                const uint8_t sk[NODE_ENVELOPE_SK_BYTES])
{
    if (self == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(self, 0, sizeof *self);
    size_t id_len = id_len_checked(id);
    if (id_len == 0 || sk == NULL)
        return MPC_ERR_INVALID_ARG;
    if (sodium_init() < 0)
        return MPC_ERR_INTERNAL;

    /* Ed25519 signs with the pk half of sk; a pk that is not the seed's
     * would let two signatures on one message reveal the secret scalar. */
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sk2[crypto_sign_SECRETKEYBYTES];
    mpc_err err = MPC_OK;
    if (crypto_sign_seed_keypair(pk, sk2, sk) != 0 ||
        sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, sizeof pk) != 0) {
        err = MPC_ERR_INVALID_ARG;
        goto out;
    }
    if (crypto_sign_ed25519_sk_to_curve25519(self->dh_sk, sk) != 0) {
        err = MPC_ERR_INTERNAL;
        goto out;
    }
    memcpy(self->id, id, id_len);
    self->id_len = id_len;
    memcpy(self->sign_sk, sk, sizeof self->sign_sk);
    memcpy(self->sign_pk, pk, sizeof self->sign_pk);
out:
    mpc_wipe(sk2, sizeof sk2);
    if (err != MPC_OK)
        mpc_wipe(self, sizeof *self);
    return err;
}

void node_envelope_self_clear(node_envelope_self *self)
{
    if (self != NULL)
        mpc_wipe(self, sizeof *self);
}

/* Orders two distinct ids: byte order, a prefix first. */
static bool id_less(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
    return c < 0 || (c == 0 && a_len < b_len);
}

/* HKDF-SHA256 (RFC 5869) with a 32-byte output: one expand block. */
static void hkdf32(uint8_t out[32], const uint8_t *salt, size_t salt_len,
                   const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                   size_t info_len)
{
    uint8_t prk[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    const uint8_t one = 1;
    crypto_auth_hmacsha256_init(&st, salt, salt_len);
    crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
    crypto_auth_hmacsha256_final(&st, prk);
    crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
    crypto_auth_hmacsha256_update(&st, info, info_len);
    crypto_auth_hmacsha256_update(&st, &one, 1);
    crypto_auth_hmacsha256_final(&st, out);
    mpc_wipe(prk, sizeof prk);
    mpc_wipe(&st, sizeof st);
}

/* info = u32 version || (u8 len || id || pk) for the lower id, then the
 * higher: both ends build the same bytes. */
static size_t kdf_info(uint8_t *out, const char *a, size_t a_len,
                       const uint8_t *a_pk, const char *b, size_t b_len,
                       const uint8_t *b_pk)
{
    if (id_less(b, b_len, a, a_len)) {
        const char *t = a;
        size_t t_len = a_len;
        const uint8_t *t_pk = a_pk;
        a = b, a_len = b_len, a_pk = b_pk;
        b = t, b_len = t_len, b_pk = t_pk;
    }
    uint8_t *p = out;
    put_u32(p, NODE_ENVELOPE_VERSION);
    p += 4;
    *p++ = (uint8_t)a_len;
    memcpy(p, a, a_len);
    p += a_len;
    memcpy(p, a_pk, NODE_ENVELOPE_PK_BYTES);
    p += NODE_ENVELOPE_PK_BYTES;
    *p++ = (uint8_t)b_len;
    memcpy(p, b, b_len);
    p += b_len;
    memcpy(p, b_pk, NODE_ENVELOPE_PK_BYTES);
    p += NODE_ENVELOPE_PK_BYTES;
    return (size_t)(p - out);
}

mpc_err node_envelope_peer_init(node_envelope_peer *peer,
                                const node_envelope_self *self, const char *id,
                                const uint8_t pk[NODE_ENVELOPE_PK_BYTES])
{
    if (peer == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(peer, 0, sizeof *peer);
    size_t id_len = id_len_checked(id);
    if (self == NULL || pk == NULL || id_len == 0 || self->id_len == 0 ||
        (id_len == self->id_len && memcmp(id, self->id, id_len) == 0))
        return MPC_ERR_INVALID_ARG;

    uint8_t peer_dh[crypto_scalarmult_curve25519_BYTES];
    uint8_t shared[crypto_scalarmult_curve25519_BYTES];
    uint8_t
        info[4 + 2 * (1 + NODE_ENVELOPE_ID_MAX_BYTES + NODE_ENVELOPE_PK_BYTES)];
    mpc_err err = MPC_OK;
    /* Refuse what would make the key predictable or useless: a point off
     * the curve, outside the prime-order subgroup or not canonically
     * encoded (no signature could verify), and an all-zero shared secret. */
    if (crypto_core_ed25519_is_valid_point(pk) != 1 ||
        crypto_sign_ed25519_pk_to_curve25519(peer_dh, pk) != 0 ||
        crypto_scalarmult_curve25519(shared, self->dh_sk, peer_dh) != 0) {
        err = MPC_ERR_VERIFY;
        goto out;
    }
    size_t info_len =
        kdf_info(info, self->id, self->id_len, self->sign_pk, id, id_len, pk);
    hkdf32(peer->key, (const uint8_t *)kdf_salt, sizeof kdf_salt - 1, shared,
           sizeof shared, info, info_len);
    memcpy(peer->id, id, id_len);
    peer->id_len = id_len;
    memcpy(peer->sign_pk, pk, NODE_ENVELOPE_PK_BYTES);
out:
    mpc_wipe(shared, sizeof shared);
    if (err != MPC_OK)
        mpc_wipe(peer, sizeof *peer);
    return err;
}

void node_envelope_peer_clear(node_envelope_peer *peer)
{
    if (peer != NULL)
        mpc_wipe(peer, sizeof *peer);
}

/* ---- strict protobuf decoding ------------------------------------------- */

/* protobuf-c reports every failure as NULL; this allocator tells an
 * allocation failure (NOMEM) from bad bytes (PARSE). */
typedef struct pb_alloc {
    ProtobufCAllocator base;
    bool oom;
} pb_alloc;

static void *pb_alloc_fn(void *ud, size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        ((pb_alloc *)ud)->oom = true;
    return p;
}

static void pb_free_fn(void *ud, void *p)
{
    (void)ud;
    free(p);
}

/* Compares what protobuf-c would write with the bytes received. */
typedef struct cmp_buffer {
    ProtobufCBuffer base;
    const uint8_t *want;
    size_t len;
    size_t off;
    bool differs;
} cmp_buffer;

static void cmp_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    cmp_buffer *c = (cmp_buffer *)b;
    if (c->differs || len > c->len - c->off ||
        (len > 0 && memcmp(c->want + c->off, data, len) != 0)) {
        c->differs = true;
        return;
    }
    c->off += len;
}

/* Unknown fields would be written back by pack, so the canonical check
 * alone does not see them; refuse them here, in nested messages too. */
static bool has_unknown_fields(const ProtobufCMessage *m)
{
    if (m->n_unknown_fields != 0)
        return true;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *v =
                *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                if (has_unknown_fields(v[k]))
                    return true;
        } else {
            const ProtobufCMessage *sub =
                *(const ProtobufCMessage *const *)(base + f->offset);
            if (sub != NULL && has_unknown_fields(sub))
                return true;
        }
    }
    return false;
}

static void pb_free(ProtobufCMessage *m)
{
    if (m != NULL) {
        pb_alloc a = {{pb_alloc_fn, pb_free_fn, NULL}, false};
        a.base.allocator_data = &a;
        protobuf_c_message_free_unpacked(m, &a.base);
    }
}

static mpc_err pb_unpack(ProtobufCMessage **out,
                         const ProtobufCMessageDescriptor *d,
                         const uint8_t *buf, size_t len)
{
    static const uint8_t none[1];
    pb_alloc a = {{pb_alloc_fn, pb_free_fn, NULL}, false};
    a.base.allocator_data = &a;
    *out = protobuf_c_message_unpack(d, &a.base, len, len ? buf : none);
    if (*out == NULL)
        return a.oom ? MPC_ERR_NOMEM : MPC_ERR_PARSE;
    return MPC_OK;
}

/* True when `buf` is exactly what protobuf-c itself writes for `m`: then
 * an encoding has one meaning and nothing rides along. */
static bool pb_is_canonical(const ProtobufCMessage *m, const uint8_t *buf,
                            size_t len)
{
    if (has_unknown_fields(m) || protobuf_c_message_get_packed_size(m) != len)
        return false;
    cmp_buffer c = {{cmp_append}, buf, len, 0, false};
    protobuf_c_message_pack_to_buffer(m, &c.base);
    return !c.differs && c.off == len;
}

static mpc_err strict_unpack(ProtobufCMessage **out,
                             const ProtobufCMessageDescriptor *d,
                             const uint8_t *buf, size_t len)
{
    mpc_err err = pb_unpack(out, d, buf, len);
    if (err == MPC_OK && !pb_is_canonical(*out, buf, len)) {
        pb_free(*out);
        *out = NULL;
        err = MPC_ERR_PARSE;
    }
    return err;
}

/* ---- control messages --------------------------------------------------- */

/* A list of distinct valid ids, at most MPC_SESSION_PARTIES_MAX. */
static bool id_list_is_valid(char *const *ids, size_t n)
{
    if (n > MPC_SESSION_PARTIES_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!node_envelope_id_is_valid(ids[i], strlen(ids[i])))
            return false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return false;
    }
    return true;
}

static bool id_in_list(const char *id, char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(id, ids[i]) == 0)
            return true;
    return false;
}

static bool op_is_reshare(uint32_t op)
{
    return op == NODE_ENVELOPE_OP_RESHARE_ECDSA ||
           op == NODE_ENVELOPE_OP_RESHARE_EDDSA;
}

static bool op_is_keygen(uint32_t op)
{
    return op == NODE_ENVELOPE_OP_KEYGEN_ECDSA ||
           op == NODE_ENVELOPE_OP_KEYGEN_EDDSA;
}

static bool timeout_is_valid(uint32_t ms)
{
    return ms >= 1 && ms <= NODE_ENVELOPE_TIMEOUT_MAX_MS;
}

static bool start_is_valid(const Mpcium__V1__SessionStart *s)
{
    uint32_t op = (uint32_t)s->operation;
    if (!op_is_valid(op) || s->nonce.len != NONCE_FIELD_BYTES ||
        s->request.len > NODE_ENVELOPE_REQUEST_MAX_BYTES)
        return false;
    if (!text_is_valid(s->client_id, CLIENT_ID_MAX_BYTES) ||
        !text_is_valid(s->request_session_id, NODE_ENVELOPE_ID_MAX_BYTES))
        return false;
    if (s->n_parties == 0 || !id_list_is_valid(s->parties, s->n_parties))
        return false;
    if (s->threshold < 1 || s->threshold > s->n_parties)
        return false;
    if (op_is_keygen(op) && s->key_version != 0)
        return false;
    if (!timeout_is_valid(s->round_timeout_ms) ||
        !timeout_is_valid(s->barrier_timeout_ms))
        return false;
    if (s->presignature_id.len > PRESIG_ID_MAX_BYTES ||
        (s->presignature_id.len > 0 && op != NODE_ENVELOPE_OP_SIGN_ECDSA))
        return false;
    if (!op_is_reshare(op))
        return s->n_new_committee == 0 && s->new_threshold == 0;
    if (s->n_new_committee == 0 ||
        !id_list_is_valid(s->new_committee, s->n_new_committee))
        return false;
    for (size_t i = 0; i < s->n_new_committee; i++)
        if (!id_in_list(s->new_committee[i], s->parties, s->n_parties))
            return false;
    return s->new_threshold >= 1 && s->new_threshold <= s->n_new_committee;
}

/* An mpc_err a result may report: 0 or a defined error. */
static bool err_is_valid(int32_t e)
{
    return e <= 0 && e >= (int32_t)MPC_ERR_MIN;
}

/* mpcium error code names: empty exactly on success, else [A-Z0-9_]. */
static bool code_is_valid(const char *code, int32_t err)
{
    size_t len = strnlen(code, CODE_MAX_BYTES + 1);
    if (len > CODE_MAX_BYTES || (len == 0) != (err == 0))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static bool blame_is_valid(const Mpcium__V1__Blame *b)
{
    return b->reason >= MPC_BLAME_PARSE && b->reason <= MPC_BLAME_PROTOCOL &&
           b->round <= NODE_ENVELOPE_ROUND_MAX &&
           id_list_is_valid(b->parties, b->n_parties);
}

static bool result_is_valid(const Mpcium__V1__SessionResult *r)
{
    if (!err_is_valid(r->error) || !code_is_valid(r->error_code, r->error) ||
        !text_is_valid(r->reason, REASON_MAX_BYTES))
        return false;
    if (r->error != 0)
        /* A failure carries no outputs, only why. */
        return r->public_key.len == 0 && r->signature.len == 0 &&
               r->recovery_id == 0 && r->confirmation.len == 0 && !r->stored &&
               (r->blame == NULL || blame_is_valid(r->blame));
    return r->blame == NULL &&
           (r->public_key.len == 0 || r->public_key.len == 32 ||
            r->public_key.len == 33) &&
           /* 32: a pooled ECDSA signer's share (docs/wire.md). */
           (r->signature.len == 0 || r->signature.len == 32 ||
            r->signature.len == 64) &&
           r->recovery_id <= 3 &&
           (r->confirmation.len == 0 || r->confirmation.len == 32);
}

static bool ack_is_valid(const Mpcium__V1__SessionAck *a)
{
    return err_is_valid(a->error) && code_is_valid(a->error_code, a->error) &&
           a->published == (a->result_sequence != 0);
}

static const ProtobufCMessageDescriptor *control_descriptor(uint32_t kind)
{
    switch (kind) {
    case NODE_ENVELOPE_BARRIER_PING:
        return &mpcium__v1__barrier_ping__descriptor;
    case NODE_ENVELOPE_BARRIER_PONG:
        return &mpcium__v1__barrier_pong__descriptor;
    case NODE_ENVELOPE_SESSION_START:
        return &mpcium__v1__session_start__descriptor;
    case NODE_ENVELOPE_SESSION_RESULT:
        return &mpcium__v1__session_result__descriptor;
    case NODE_ENVELOPE_SESSION_ACK:
        return &mpcium__v1__session_ack__descriptor;
    default:
        return NULL;
    }
}

static bool control_is_valid(uint32_t kind, const ProtobufCMessage *m)
{
    switch (kind) {
    case NODE_ENVELOPE_BARRIER_PING:
        return ((const Mpcium__V1__BarrierPing *)m)->attempt >= 1;
    case NODE_ENVELOPE_BARRIER_PONG:
        return ((const Mpcium__V1__BarrierPong *)m)->attempt >= 1;
    case NODE_ENVELOPE_SESSION_START:
        return start_is_valid((const Mpcium__V1__SessionStart *)m);
    case NODE_ENVELOPE_SESSION_RESULT:
        return result_is_valid((const Mpcium__V1__SessionResult *)m);
    case NODE_ENVELOPE_SESSION_ACK:
        return ack_is_valid((const Mpcium__V1__SessionAck *)m);
    default:
        return false;
    }
}

mpc_err node_envelope_control_parse(ProtobufCMessage **out,
                                    node_envelope_kind kind, const uint8_t *buf,
                                    size_t len)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    const ProtobufCMessageDescriptor *d = control_descriptor((uint32_t)kind);
    if (d == NULL || (buf == NULL && len > 0))
        return MPC_ERR_INVALID_ARG;
    if (len > NODE_ENVELOPE_CONTROL_MAX_BYTES)
        return MPC_ERR_PARSE;
    ProtobufCMessage *m;
    mpc_err err = strict_unpack(&m, d, buf, len);
    if (err != MPC_OK)
        return err;
    if (!control_is_valid((uint32_t)kind, m)) {
        pb_free(m);
        return MPC_ERR_PARSE;
    }
    *out = m;
    return MPC_OK;
}

void node_envelope_control_free(ProtobufCMessage *m)
{
    pb_free(m);
}

mpc_err node_envelope_start_sid(uint8_t sid[NODE_ENVELOPE_SID_BYTES],
                                const char *coordinator, const uint8_t *start,
                                size_t len)
{
    if (sid == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(sid, 0, NODE_ENVELOPE_SID_BYTES);
    size_t id_len = id_len_checked(coordinator);
    if (id_len == 0 || (start == NULL && len > 0))
        return MPC_ERR_INVALID_ARG;
    crypto_hash_sha256_state st;
    uint8_t prefix[1 + NODE_ENVELOPE_ID_MAX_BYTES + 8];
    prefix[0] = (uint8_t)id_len;
    memcpy(prefix + 1, coordinator, id_len);
    put_u64(prefix + 1 + id_len, (uint64_t)len);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)sid_domain,
                              sizeof sid_domain - 1);
    crypto_hash_sha256_update(&st, prefix, 1 + id_len + 8);
    crypto_hash_sha256_update(&st, start, len);
    crypto_hash_sha256_final(&st, sid);
    return MPC_OK;
}

/* ---- seal --------------------------------------------------------------- */

size_t node_envelope_seal_bound(size_t payload_len)
{
    if (payload_len > NODE_ENVELOPE_PAYLOAD_MAX_BYTES)
        return NODE_ENVELOPE_MAX_BYTES;
    return payload_len + NODE_ENVELOPE_P2P_OVERHEAD_BYTES +
           NODE_ENVELOPE_FIELDS_MAX_BYTES;
}

/* What seal refuses to sign: anything open would reject. */
static mpc_err seal_check(const node_envelope_self *self,
                          const node_envelope_peer *to,
                          const node_envelope_meta *meta,
                          const uint8_t *payload, size_t payload_len)
{
    if (!node_envelope_id_is_valid(self->id, self->id_len) ||
        !meta_is_valid(meta) || (payload == NULL && payload_len > 0) ||
        payload_len > payload_max(meta->kind))
        return MPC_ERR_INVALID_ARG;
    if (meta->kind == NODE_ENVELOPE_P2P && to == NULL)
        return MPC_ERR_INVALID_ARG;
    if (to != NULL && (!node_envelope_id_is_valid(to->id, to->id_len) ||
                       (to->id_len == self->id_len &&
                        memcmp(to->id, self->id, to->id_len) == 0)))
        return MPC_ERR_INVALID_ARG;
    if (node_envelope_kind_is_frame(meta->kind))
        return MPC_OK;

    ProtobufCMessage *m;
    mpc_err err =
        node_envelope_control_parse(&m, meta->kind, payload, payload_len);
    if (err != MPC_OK)
        return err == MPC_ERR_NOMEM ? err : MPC_ERR_INVALID_ARG;
    if (meta->kind == NODE_ENVELOPE_SESSION_START &&
        (uint32_t)((Mpcium__V1__SessionStart *)m)->operation !=
            (uint32_t)meta->op)
        err = MPC_ERR_INVALID_ARG;
    pb_free(m);
    if (err != MPC_OK || meta->kind != NODE_ENVELOPE_SESSION_START)
        return err;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    err = node_envelope_start_sid(sid, self->id, payload, payload_len);
    if (err == MPC_OK && memcmp(sid, meta->sid, sizeof sid) != 0)
        err = MPC_ERR_INVALID_ARG;
    return err;
}

/* P2P: nonce || AEAD(sig || frame), encrypted in place in `box`. */
static mpc_err p2p_seal(const mpc_ctx *ctx, uint8_t **box, size_t *box_len,
                        const node_envelope_peer *to, const uint8_t *ad,
                        size_t ad_len, const uint8_t *sig,
                        const uint8_t *payload, size_t payload_len)
{
    size_t m_len = NODE_ENVELOPE_SIG_BYTES + payload_len;
    size_t len = NODE_ENVELOPE_P2P_OVERHEAD_BYTES + payload_len;
    uint8_t *b = mpc_ctx_alloc(ctx, len);
    if (b == NULL)
        return MPC_ERR_NOMEM;
    uint8_t *nonce = b, *m = b + NODE_ENVELOPE_NONCE_BYTES;
    mpc_ctx_random(ctx, nonce, NODE_ENVELOPE_NONCE_BYTES);
    memcpy(m, sig, NODE_ENVELOPE_SIG_BYTES);
    if (payload_len > 0)
        memcpy(m + NODE_ENVELOPE_SIG_BYTES, payload, payload_len);
    unsigned long long c_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(m, &c_len, m, m_len, ad, ad_len,
                                               NULL, nonce, to->key);
    if (c_len != m_len + NODE_ENVELOPE_TAG_BYTES) {
        mpc_ctx_free_mem(ctx, b, len);
        return MPC_ERR_INTERNAL;
    }
    *box = b;
    *box_len = len;
    return MPC_OK;
}

mpc_err node_envelope_seal(const mpc_ctx *ctx, uint8_t *out, size_t out_cap,
                           size_t *out_len, const node_envelope_self *self,
                           const node_envelope_peer *to,
                           const node_envelope_meta *meta,
                           const uint8_t *payload, size_t payload_len)
{
    if (out_len != NULL)
        *out_len = 0;
    if (out != NULL && out_cap > 0)
        memset(out, 0, out_cap);
    if (ctx == NULL || out == NULL || out_len == NULL || self == NULL ||
        meta == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = seal_check(self, to, meta, payload, payload_len);
    if (err != MPC_OK)
        return err;

    const char *rcpt = to != NULL ? to->id : "";
    size_t rcpt_len = to != NULL ? to->id_len : 0;
    uint8_t hdr[HDR_MAX_BYTES], tbs[TBS_MAX_BYTES], ad[AD_MAX_BYTES];
    uint8_t sig[NODE_ENVELOPE_SIG_BYTES];
    size_t hdr_len =
        header_put(hdr, meta, self->id, self->id_len, rcpt, rcpt_len);
    size_t tbs_len = tbs_put(tbs, hdr, hdr_len, payload, payload_len);
    crypto_sign_detached(sig, NULL, tbs, tbs_len, self->sign_sk);

    Mpcium__V1__Envelope e = MPCIUM__V1__ENVELOPE__INIT;
    e.version = NODE_ENVELOPE_VERSION;
    e.session_id.data = (uint8_t *)meta->sid;
    e.session_id.len = NODE_ENVELOPE_SID_BYTES;
    e.operation = (Mpcium__V1__Operation)meta->op;
    e.kind = (Mpcium__V1__Kind)meta->kind;
    e.sender_id = (char *)self->id;
    e.recipient_id = (char *)rcpt;
    e.round = (uint32_t)meta->round;
    e.timestamp_ms = meta->timestamp_ms;

    uint8_t *box = NULL;
    size_t box_len = 0;
    if (meta->kind == NODE_ENVELOPE_P2P) {
        size_t ad_len = ad_put(ad, hdr, hdr_len);
        err = p2p_seal(ctx, &box, &box_len, to, ad, ad_len, sig, payload,
                       payload_len);
        if (err != MPC_OK)
            goto out;
        e.payload.data = box;
        e.payload.len = box_len;
    } else {
        e.payload.data = (uint8_t *)payload;
        e.payload.len = payload_len;
        e.signature.data = sig;
        e.signature.len = sizeof sig;
    }
    size_t need = protobuf_c_message_get_packed_size(&e.base);
    if (need > out_cap) {
        err = MPC_ERR_INVALID_ARG;
        goto out;
    }
    *out_len = protobuf_c_message_pack(&e.base, out);
out:
    mpc_ctx_free_mem(ctx, box, box_len);
    mpc_wipe(sig, sizeof sig);
    mpc_wipe(tbs, sizeof tbs);
    return err;
}

/* ---- open --------------------------------------------------------------- */

/* The envelope's own fields, before any key is used. */
static bool envelope_is_valid(const Mpcium__V1__Envelope *e)
{
    uint32_t kind = (uint32_t)e->kind;
    if (e->version != NODE_ENVELOPE_VERSION ||
        e->session_id.len != NODE_ENVELOPE_SID_BYTES ||
        !op_is_valid((uint32_t)e->operation) || !kind_is_valid(kind) ||
        !round_is_valid((node_envelope_kind)kind, e->round))
        return false;
    size_t rcpt_len = strlen(e->recipient_id);
    if (!node_envelope_id_is_valid(e->sender_id, strlen(e->sender_id)) ||
        (rcpt_len > 0 &&
         !node_envelope_id_is_valid(e->recipient_id, rcpt_len)) ||
        strcmp(e->sender_id, e->recipient_id) == 0)
        return false;
    if (kind == NODE_ENVELOPE_P2P)
        return rcpt_len > 0 && e->signature.len == 0 &&
               e->payload.len >= NODE_ENVELOPE_P2P_OVERHEAD_BYTES &&
               e->payload.len - NODE_ENVELOPE_P2P_OVERHEAD_BYTES <=
                   NODE_ENVELOPE_PAYLOAD_MAX_BYTES;
    return e->signature.len == NODE_ENVELOPE_SIG_BYTES &&
           e->payload.len <= payload_max((node_envelope_kind)kind);
}

static const node_envelope_peer *find_peer(const node_envelope_peer *peers,
                                           size_t n, const char *id,
                                           size_t *index)
{
    size_t len = strlen(id);
    for (size_t i = 0; i < n; i++) {
        if (peers[i].id_len == len && memcmp(peers[i].id, id, len) == 0) {
            *index = i;
            return &peers[i];
        }
    }
    return NULL;
}

/* Decrypts a P2P payload in place; on success env's payload and signature
 * point into (are copied from) the plaintext. */
static mpc_err p2p_open(node_envelope *env, Mpcium__V1__Envelope *e,
                        const node_envelope_peer *from, const uint8_t *ad,
                        size_t ad_len)
{
    uint8_t *nonce = e->payload.data;
    uint8_t *c = nonce + NODE_ENVELOPE_NONCE_BYTES;
    size_t c_len = e->payload.len - NODE_ENVELOPE_NONCE_BYTES;
    unsigned long long m_len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            c, &m_len, NULL, c, c_len, ad, ad_len, nonce, from->key) != 0)
        return MPC_ERR_VERIFY;
    memcpy(env->signature, c, NODE_ENVELOPE_SIG_BYTES);
    env->payload = c + NODE_ENVELOPE_SIG_BYTES;
    env->payload_len = (size_t)m_len - NODE_ENVELOPE_SIG_BYTES;
    return MPC_OK;
}

/* After the signature verified: what the sender signed must make sense. */
static mpc_err control_open(node_envelope *env, const char *sender)
{
    mpc_err err = node_envelope_control_parse(&env->control, env->meta.kind,
                                              env->payload, env->payload_len);
    if (err != MPC_OK || env->meta.kind != NODE_ENVELOPE_SESSION_START)
        return err;
    const Mpcium__V1__SessionStart *s =
        (const Mpcium__V1__SessionStart *)env->control;
    if ((uint32_t)s->operation != (uint32_t)env->meta.op)
        return MPC_ERR_PROTOCOL;
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    err = node_envelope_start_sid(sid, sender, env->payload, env->payload_len);
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL;
    return memcmp(sid, env->meta.sid, sizeof sid) == 0 ? MPC_OK
                                                       : MPC_ERR_PROTOCOL;
}

static mpc_err open_parsed(node_envelope *env, Mpcium__V1__Envelope *e,
                           const node_envelope_self *self,
                           const node_envelope_peer *peers, size_t n_peers)
{
    size_t sender_len = strlen(e->sender_id);
    size_t rcpt_len = strlen(e->recipient_id);
    node_envelope_meta *m = &env->meta;
    memcpy(m->sid, e->session_id.data, NODE_ENVELOPE_SID_BYTES);
    m->op = (node_envelope_op)e->operation;
    m->kind = (node_envelope_kind)e->kind;
    m->round = e->round;
    m->timestamp_ms = e->timestamp_ms;

    if (rcpt_len > 0 && (rcpt_len != self->id_len ||
                         memcmp(e->recipient_id, self->id, rcpt_len) != 0))
        return MPC_ERR_PROTOCOL;
    const node_envelope_peer *from =
        find_peer(peers, n_peers, e->sender_id, &env->peer);
    if (from == NULL || (sender_len == self->id_len &&
                         memcmp(e->sender_id, self->id, sender_len) == 0))
        return MPC_ERR_NOT_FOUND;

    uint8_t hdr[HDR_MAX_BYTES], tbs[TBS_MAX_BYTES];
    size_t hdr_len =
        header_put(hdr, m, e->sender_id, sender_len, e->recipient_id, rcpt_len);
    if (m->kind == NODE_ENVELOPE_P2P) {
        uint8_t ad[AD_MAX_BYTES];
        mpc_err err = p2p_open(env, e, from, ad, ad_put(ad, hdr, hdr_len));
        if (err != MPC_OK)
            return err;
    } else {
        memcpy(env->signature, e->signature.data, NODE_ENVELOPE_SIG_BYTES);
        env->payload = e->payload.data;
        env->payload_len = e->payload.len;
    }
    size_t tbs_len = tbs_put(tbs, hdr, hdr_len, env->payload, env->payload_len);
    if (crypto_sign_verify_detached(env->signature, tbs, tbs_len,
                                    from->sign_pk) != 0)
        return MPC_ERR_VERIFY;
    memcpy(env->recipient, e->recipient_id, rcpt_len);
    if (node_envelope_kind_is_frame(m->kind))
        return MPC_OK;
    return control_open(env, e->sender_id);
}

mpc_err node_envelope_open(node_envelope *env, const node_envelope_self *self,
                           const node_envelope_peer *peers, size_t n_peers,
                           const uint8_t *bytes, size_t len)
{
    if (env == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(env, 0, sizeof *env);
    if (self == NULL || self->id_len == 0 || (peers == NULL && n_peers > 0) ||
        (bytes == NULL && len > 0))
        return MPC_ERR_INVALID_ARG;
    if (len > NODE_ENVELOPE_MAX_BYTES)
        return MPC_ERR_PARSE;

    ProtobufCMessage *pm;
    mpc_err err = pb_unpack(&pm, &mpcium__v1__envelope__descriptor, bytes, len);
    if (err != MPC_OK)
        return err;
    Mpcium__V1__Envelope *e = (Mpcium__V1__Envelope *)pm;
    env->priv = e;
    /* Name the claimed sender as soon as there is a plausible one. */
    size_t sender_len = strlen(e->sender_id);
    if (node_envelope_id_is_valid(e->sender_id, sender_len))
        memcpy(env->sender, e->sender_id, sender_len);
    if (!pb_is_canonical(pm, bytes, len) || !envelope_is_valid(e))
        err = MPC_ERR_PARSE;
    else
        err = open_parsed(env, e, self, peers, n_peers);
    if (err != MPC_OK) {
        char sender[sizeof env->sender];
        memcpy(sender, env->sender, sizeof sender);
        node_envelope_clear(env);
        memcpy(env->sender, sender, sizeof sender);
    }
    return err;
}

void node_envelope_clear(node_envelope *env)
{
    if (env == NULL)
        return;
    node_envelope_control_free(env->control);
    if (env->priv != NULL) {
        /* A P2P plaintext was decrypted in place. */
        ProtobufCBinaryData *p = &env->priv->payload;
        if (p->data != NULL)
            mpc_wipe(p->data, p->len);
        pb_free(&env->priv->base);
    }
    mpc_wipe(env, sizeof *env);
}

mpc_err node_envelope_evidence_verify(const node_envelope *env,
                                      const uint8_t pk[NODE_ENVELOPE_PK_BYTES])
{
    if (env == NULL || pk == NULL ||
        (env->payload == NULL && env->payload_len > 0))
        return MPC_ERR_INVALID_ARG;
    size_t sender_len = strnlen(env->sender, sizeof env->sender);
    size_t rcpt_len = strnlen(env->recipient, sizeof env->recipient);
    if (!meta_is_valid(&env->meta) ||
        !node_envelope_id_is_valid(env->sender, sender_len) ||
        (rcpt_len > 0 &&
         !node_envelope_id_is_valid(env->recipient, rcpt_len)) ||
        env->payload_len > payload_max(env->meta.kind))
        return MPC_ERR_INVALID_ARG;
    uint8_t hdr[HDR_MAX_BYTES], tbs[TBS_MAX_BYTES];
    size_t hdr_len = header_put(hdr, &env->meta, env->sender, sender_len,
                                env->recipient, rcpt_len);
    size_t tbs_len = tbs_put(tbs, hdr, hdr_len, env->payload, env->payload_len);
    return crypto_sign_verify_detached(env->signature, tbs, tbs_len, pk) == 0
               ? MPC_OK
               : MPC_ERR_VERIFY;
}
