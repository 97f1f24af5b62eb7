/*
 * node/keystore_format.c — on-disk formats and key schedule of the keystore.
 * Byte layouts are documented in docs/storage.md; every multi-byte integer
 * is big-endian.
 */
#include "node/keystore_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static const uint8_t header_magic[8] = "MPCKSTOR";
static const uint8_t pool_magic[8] = "MPCKSPOL";
static const uint8_t backup_magic[8] = "MPCKSBAK";
static const char kdf_context[crypto_kdf_CONTEXTBYTES] = "mpckstor";

/* Offsets of the MAC inside each header kind (the MAC covers every byte
 * before it). */
#define HEADER_MAC_AT 58u
#define POOL_MAC_AT 41u
#define BACKUP_MAC_AT 42u

_Static_assert(HEADER_MAC_AT + NODE_KSF_MAC_BYTES == NODE_KSF_HEADER_BYTES,
               "main header layout");
_Static_assert(POOL_MAC_AT + NODE_KSF_MAC_BYTES == NODE_KSF_POOL_HEADER_BYTES,
               "pool header layout");
_Static_assert(BACKUP_MAC_AT + NODE_KSF_MAC_BYTES == NODE_KSF_BACKUP_AD_BYTES,
               "backup header layout");
_Static_assert(NODE_KSF_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(NODE_KSF_NONCE_BYTES ==
                   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "nonce size");
_Static_assert(NODE_KSF_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "tag size");
_Static_assert(NODE_KSF_STREAM_ABYTES ==
                   crypto_secretstream_xchacha20poly1305_ABYTES,
               "stream overhead");
_Static_assert(24 == crypto_secretstream_xchacha20poly1305_HEADERBYTES,
               "stream header size");

static void put_u64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_u64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

void node_ksf_put_u32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t node_ksf_get_u32(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
           (uint32_t)in[2] << 8 | in[3];
}

/* ---- key schedule ------------------------------------------------------ */

mpc_err node_ksf_kdf_check(const node_ksf_kdf *kdf)
{
    if (kdf == NULL)
        return MPC_ERR_INVALID_ARG;
    if (kdf->opslimit < NODE_KSF_OPSLIMIT_MIN ||
        kdf->opslimit > NODE_KSF_OPSLIMIT_MAX)
        return MPC_ERR_PARSE;
    if (kdf->memlimit < NODE_KSF_MEMLIMIT_MIN ||
        kdf->memlimit > NODE_KSF_MEMLIMIT_MAX || kdf->memlimit > SIZE_MAX)
        return MPC_ERR_PARSE;
    return MPC_OK;
}

mpc_err node_ksf_keys_derive(node_ksf_keys *keys, const uint8_t *pw,
                             size_t pw_len, const node_ksf_kdf *kdf)
{
    if (keys == NULL)
        return MPC_ERR_INVALID_ARG;
    sodium_memzero(keys, sizeof *keys);
    if (pw == NULL || pw_len == 0 || pw_len > NODE_KSF_PASSWORD_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = node_ksf_kdf_check(kdf);
    if (err != MPC_OK)
        return err;

    uint8_t master[NODE_KSF_KEY_BYTES];
    /* Argon2id fails only when it cannot allocate memlimit bytes: the
     * lengths and limits were checked above. */
    if (crypto_pwhash(master, sizeof master, (const char *)pw,
                      (unsigned long long)pw_len, kdf->salt,
                      (unsigned long long)kdf->opslimit, (size_t)kdf->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_memzero(master, sizeof master);
        return MPC_ERR_NOMEM;
    }
    crypto_kdf_derive_from_key(keys->record, sizeof keys->record, 1,
                               kdf_context, master);
    crypto_kdf_derive_from_key(keys->verify, sizeof keys->verify, 2,
                               kdf_context, master);
    crypto_kdf_derive_from_key(keys->backup, sizeof keys->backup, 3,
                               kdf_context, master);
    crypto_kdf_derive_from_key(keys->pool, sizeof keys->pool, 4, kdf_context,
                               master);
    sodium_memzero(master, sizeof master);
    return MPC_OK;
}

void node_ksf_pool_key(uint8_t out[NODE_KSF_KEY_BYTES],
                       const uint8_t pool_base[NODE_KSF_KEY_BYTES],
                       const node_ksf_pool_header *h)
{
    static const uint8_t label[] = "mpcks pool key";
    uint8_t msg[sizeof label + 2 * NODE_KSF_ID_BYTES];
    memcpy(msg, label, sizeof label);
    memcpy(msg + sizeof label, h->instance, NODE_KSF_ID_BYTES);
    memcpy(msg + sizeof label + NODE_KSF_ID_BYTES, h->pool, NODE_KSF_ID_BYTES);
    crypto_generichash(out, NODE_KSF_KEY_BYTES, msg, sizeof msg, pool_base,
                       NODE_KSF_KEY_BYTES);
}

/* ---- headers ----------------------------------------------------------- */

static void mac(uint8_t out[NODE_KSF_MAC_BYTES], const uint8_t *in, size_t len,
                const uint8_t key[NODE_KSF_KEY_BYTES])
{
    crypto_generichash(out, NODE_KSF_MAC_BYTES, in, len, key,
                       NODE_KSF_KEY_BYTES);
}

static size_t put_kdf(uint8_t *out, const node_ksf_kdf *kdf)
{
    out[0] = NODE_KSF_KDF_ARGON2ID13;
    put_u64(out + 1, kdf->opslimit);
    put_u64(out + 9, kdf->memlimit);
    memcpy(out + 17, kdf->salt, NODE_KSF_SALT_BYTES);
    return 17 + NODE_KSF_SALT_BYTES;
}

static mpc_err get_kdf(node_ksf_kdf *kdf, const uint8_t *in)
{
    if (in[0] != NODE_KSF_KDF_ARGON2ID13)
        return MPC_ERR_PARSE;
    kdf->opslimit = get_u64(in + 1);
    kdf->memlimit = get_u64(in + 9);
    memcpy(kdf->salt, in + 17, NODE_KSF_SALT_BYTES);
    return node_ksf_kdf_check(kdf);
}

void node_ksf_header_encode(uint8_t out[NODE_KSF_HEADER_BYTES],
                            const node_ksf_header *h,
                            const uint8_t verify_key[NODE_KSF_KEY_BYTES])
{
    size_t n = 0;
    memcpy(out, header_magic, sizeof header_magic);
    n += sizeof header_magic;
    out[n++] = NODE_KSF_VERSION;
    n += put_kdf(out + n, &h->kdf);
    memcpy(out + n, h->instance, NODE_KSF_ID_BYTES);
    n += NODE_KSF_ID_BYTES;
    mac(out + n, out, n, verify_key);
}

mpc_err node_ksf_header_parse(node_ksf_header *h, const uint8_t *in, size_t len)
{
    if (h == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(h, 0, sizeof *h);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != NODE_KSF_HEADER_BYTES ||
        memcmp(in, header_magic, sizeof header_magic) != 0 ||
        in[8] != NODE_KSF_VERSION)
        return MPC_ERR_PARSE;
    mpc_err err = get_kdf(&h->kdf, in + 9);
    if (err != MPC_OK) {
        memset(h, 0, sizeof *h);
        return err;
    }
    memcpy(h->instance, in + 42, NODE_KSF_ID_BYTES);
    return MPC_OK;
}

mpc_err node_ksf_header_verify(const uint8_t *in, size_t len,
                               const uint8_t verify_key[NODE_KSF_KEY_BYTES])
{
    if (in == NULL || verify_key == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t at;
    if (len == NODE_KSF_HEADER_BYTES)
        at = HEADER_MAC_AT;
    else if (len == NODE_KSF_POOL_HEADER_BYTES)
        at = POOL_MAC_AT;
    else if (len == NODE_KSF_BACKUP_HEADER_BYTES)
        at = BACKUP_MAC_AT;
    else
        return MPC_ERR_PARSE;
    uint8_t want[NODE_KSF_MAC_BYTES];
    mac(want, in, at, verify_key);
    int ok = crypto_verify_32(want, in + at);
    sodium_memzero(want, sizeof want);
    return ok == 0 ? MPC_OK : MPC_ERR_AUTH;
}

void node_ksf_pool_header_encode(uint8_t out[NODE_KSF_POOL_HEADER_BYTES],
                                 const node_ksf_pool_header *h,
                                 const uint8_t verify_key[NODE_KSF_KEY_BYTES])
{
    memcpy(out, pool_magic, sizeof pool_magic);
    out[8] = NODE_KSF_VERSION;
    memcpy(out + 9, h->instance, NODE_KSF_ID_BYTES);
    memcpy(out + 9 + NODE_KSF_ID_BYTES, h->pool, NODE_KSF_ID_BYTES);
    mac(out + POOL_MAC_AT, out, POOL_MAC_AT, verify_key);
}

mpc_err node_ksf_pool_header_parse(node_ksf_pool_header *h, const uint8_t *in,
                                   size_t len)
{
    if (h == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(h, 0, sizeof *h);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != NODE_KSF_POOL_HEADER_BYTES ||
        memcmp(in, pool_magic, sizeof pool_magic) != 0 ||
        in[8] != NODE_KSF_VERSION)
        return MPC_ERR_PARSE;
    memcpy(h->instance, in + 9, NODE_KSF_ID_BYTES);
    memcpy(h->pool, in + 9 + NODE_KSF_ID_BYTES, NODE_KSF_ID_BYTES);
    return MPC_OK;
}

void node_ksf_backup_header_encode(uint8_t out[NODE_KSF_BACKUP_HEADER_BYTES],
                                   const node_ksf_kdf *kdf,
                                   const uint8_t verify_key[NODE_KSF_KEY_BYTES],
                                   const uint8_t stream24[24])
{
    memcpy(out, backup_magic, sizeof backup_magic);
    out[8] = NODE_KSF_VERSION;
    put_kdf(out + 9, kdf);
    mac(out + BACKUP_MAC_AT, out, BACKUP_MAC_AT, verify_key);
    memcpy(out + NODE_KSF_BACKUP_AD_BYTES, stream24, 24);
}

mpc_err node_ksf_backup_header_parse(node_ksf_kdf *kdf, uint8_t stream24[24],
                                     const uint8_t *in, size_t len)
{
    if (kdf == NULL || stream24 == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(kdf, 0, sizeof *kdf);
    memset(stream24, 0, 24);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len != NODE_KSF_BACKUP_HEADER_BYTES ||
        memcmp(in, backup_magic, sizeof backup_magic) != 0 ||
        in[8] != NODE_KSF_VERSION)
        return MPC_ERR_PARSE;
    mpc_err err = get_kdf(kdf, in + 9);
    if (err != MPC_OK) {
        memset(kdf, 0, sizeof *kdf);
        return err;
    }
    memcpy(stream24, in + NODE_KSF_BACKUP_AD_BYTES, 24);
    return MPC_OK;
}

/* ---- records ----------------------------------------------------------- */

/* Associated data = version || name: a record authenticates only under the
 * name it was sealed for, so values cannot be swapped between names. */
static size_t record_ad(uint8_t ad[1 + NODE_KSF_NAME_MAX_BYTES],
                        const uint8_t *name, size_t name_len)
{
    ad[0] = NODE_KSF_VERSION;
    memcpy(ad + 1, name, name_len);
    return 1 + name_len;
}

static bool name_ok(const uint8_t *name, size_t name_len)
{
    return name != NULL && name_len >= 1 && name_len <= NODE_KSF_NAME_MAX_BYTES;
}

mpc_err node_ksf_record_seal(uint8_t *out, size_t out_len,
                             const uint8_t key[NODE_KSF_KEY_BYTES],
                             const uint8_t nonce[NODE_KSF_NONCE_BYTES],
                             const uint8_t *name, size_t name_len,
                             const uint8_t *pt, size_t pt_len)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (key == NULL || nonce == NULL || !name_ok(name, name_len) ||
        (pt == NULL && pt_len != 0) || pt_len > NODE_KSF_PLAIN_MAX_BYTES ||
        out_len != pt_len + NODE_KSF_RECORD_OVERHEAD_BYTES) {
        memset(out, 0, out_len);
        return MPC_ERR_INVALID_ARG;
    }
    uint8_t ad[1 + NODE_KSF_NAME_MAX_BYTES];
    size_t ad_len = record_ad(ad, name, name_len);
    out[0] = NODE_KSF_VERSION;
    memcpy(out + 1, nonce, NODE_KSF_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 1 + NODE_KSF_NONCE_BYTES,
                                               NULL, pt, pt_len, ad, ad_len,
                                               NULL, nonce, key);
    return MPC_OK;
}

mpc_err node_ksf_record_open(uint8_t *out, size_t out_cap, size_t *out_len,
                             const uint8_t key[NODE_KSF_KEY_BYTES],
                             const uint8_t *name, size_t name_len,
                             const uint8_t *rec, size_t rec_len)
{
    if (out_len == NULL || (out == NULL && out_cap != 0))
        return MPC_ERR_INVALID_ARG;
    *out_len = 0;
    if (out_cap != 0)
        memset(out, 0, out_cap);
    if (key == NULL || !name_ok(name, name_len) || rec == NULL)
        return MPC_ERR_INVALID_ARG;
    if (rec_len < NODE_KSF_RECORD_OVERHEAD_BYTES ||
        rec_len > NODE_KSF_RECORD_MAX_BYTES || rec[0] != NODE_KSF_VERSION)
        return MPC_ERR_PARSE;
    size_t pt_len = rec_len - NODE_KSF_RECORD_OVERHEAD_BYTES;
    if (out_cap < pt_len)
        return MPC_ERR_INVALID_ARG;
    uint8_t ad[1 + NODE_KSF_NAME_MAX_BYTES];
    size_t ad_len = record_ad(ad, name, name_len);
    const uint8_t *nonce = rec + 1;
    const uint8_t *ct = rec + 1 + NODE_KSF_NONCE_BYTES;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, NULL, NULL, ct, rec_len - 1 - NODE_KSF_NONCE_BYTES, ad, ad_len,
            nonce, key) != 0) {
        sodium_memzero(out, out_cap);
        return MPC_ERR_VERIFY;
    }
    *out_len = pt_len;
    return MPC_OK;
}

/* ---- request records --------------------------------------------------- */

static bool request_shape_ok(uint8_t state, size_t result_len)
{
    if (state == NODE_KSF_REQ_RUNNING)
        return result_len == 0;
    if (state == NODE_KSF_REQ_DONE)
        return result_len >= 1 && result_len <= NODE_KSF_VALUE_MAX_BYTES;
    return false;
}

mpc_err node_ksf_request_encode(uint8_t *out, size_t out_len,
                                const node_ksf_request *r)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    if (r == NULL || !request_shape_ok(r->state, r->result_len) ||
        (r->result == NULL && r->result_len != 0) ||
        out_len != NODE_KSF_REQUEST_PREFIX_BYTES + r->result_len) {
        memset(out, 0, out_len);
        return MPC_ERR_INVALID_ARG;
    }
    out[0] = r->state;
    memcpy(out + 1, r->digest, NODE_KSF_DIGEST_BYTES);
    put_u64(out + 1 + NODE_KSF_DIGEST_BYTES, r->created);
    if (r->result_len != 0)
        memcpy(out + NODE_KSF_REQUEST_PREFIX_BYTES, r->result, r->result_len);
    return MPC_OK;
}

mpc_err node_ksf_request_parse(node_ksf_request *r, const uint8_t *in,
                               size_t len)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(r, 0, sizeof *r);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len < NODE_KSF_REQUEST_PREFIX_BYTES)
        return MPC_ERR_PARSE;
    size_t result_len = len - NODE_KSF_REQUEST_PREFIX_BYTES;
    if (!request_shape_ok(in[0], result_len))
        return MPC_ERR_PARSE;
    r->state = in[0];
    memcpy(r->digest, in + 1, NODE_KSF_DIGEST_BYTES);
    r->created = get_u64(in + 1 + NODE_KSF_DIGEST_BYTES);
    r->result = result_len != 0 ? in + NODE_KSF_REQUEST_PREFIX_BYTES : NULL;
    r->result_len = result_len;
    return MPC_OK;
}

/* ---- pending-share markers --------------------------------------------- */

mpc_err node_ksf_pending_encode(uint8_t *out, size_t out_cap, size_t *out_len,
                                const node_ksf_pending *p)
{
    if (out_len == NULL || (out == NULL && out_cap != 0))
        return MPC_ERR_INVALID_ARG;
    *out_len = 0;
    if (out_cap != 0)
        memset(out, 0, out_cap);
    if (p == NULL || memchr(p->session, '\0', sizeof p->session) == NULL ||
        !node_ksf_id_is_valid(p->session, false))
        return MPC_ERR_INVALID_ARG;
    size_t id_len = strlen(p->session);
    size_t n = 1 + 8 + 1 + id_len;
    if (out_cap < n)
        return MPC_ERR_INVALID_ARG;
    out[0] = NODE_KSF_PENDING_FORMAT;
    put_u64(out + 1, p->created);
    out[9] = (uint8_t)id_len;
    memcpy(out + 10, p->session, id_len);
    *out_len = n;
    return MPC_OK;
}

mpc_err node_ksf_pending_parse(node_ksf_pending *p, const uint8_t *in,
                               size_t len)
{
    if (p == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(p, 0, sizeof *p);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len < NODE_KSF_PENDING_MIN_BYTES || len > NODE_KSF_PENDING_MAX_BYTES ||
        in[0] != NODE_KSF_PENDING_FORMAT || in[9] != len - 10 ||
        memchr(in + 10, '\0', len - 10) != NULL)
        return MPC_ERR_PARSE;
    memcpy(p->session, in + 10, len - 10);
    p->session[len - 10] = '\0';
    if (!node_ksf_id_is_valid(p->session, false)) {
        memset(p, 0, sizeof *p);
        return MPC_ERR_PARSE;
    }
    p->created = get_u64(in + 1);
    return MPC_OK;
}

/* ---- backup stream messages -------------------------------------------- */

#define MSG_INFO_BYTES 17u
#define MSG_END_BYTES 9u

static bool entry_ok(const uint8_t *name, size_t name_len, const uint8_t *value,
                     size_t value_len)
{
    return name_ok(name, name_len) && value != NULL && value_len >= 1 &&
           value_len <= NODE_KSF_RECORD_MAX_BYTES;
}

mpc_err node_ksf_msg_encode(uint8_t *out, size_t out_cap, size_t *out_len,
                            const node_ksf_msg *m)
{
    if (out_len == NULL || out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out_len = 0;
    memset(out, 0, out_cap);
    if (m == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t need;
    switch (m->type) {
    case NODE_KSF_MSG_INFO:
        need = MSG_INFO_BYTES;
        break;
    case NODE_KSF_MSG_END:
        need = MSG_END_BYTES;
        break;
    case NODE_KSF_MSG_ENTRY:
        if (!entry_ok(m->name, m->name_len, m->value, m->value_len))
            return MPC_ERR_INVALID_ARG;
        need = 3 + m->name_len + m->value_len;
        break;
    default:
        return MPC_ERR_INVALID_ARG;
    }
    if (out_cap < need)
        return MPC_ERR_INVALID_ARG;
    out[0] = m->type;
    if (m->type == NODE_KSF_MSG_INFO) {
        put_u64(out + 1, m->created);
        put_u64(out + 9, m->txn_id);
    } else if (m->type == NODE_KSF_MSG_END) {
        put_u64(out + 1, m->count);
    } else {
        out[1] = (uint8_t)(m->name_len >> 8);
        out[2] = (uint8_t)m->name_len;
        memcpy(out + 3, m->name, m->name_len);
        memcpy(out + 3 + m->name_len, m->value, m->value_len);
    }
    *out_len = need;
    return MPC_OK;
}

mpc_err node_ksf_msg_parse(node_ksf_msg *m, const uint8_t *in, size_t len)
{
    if (m == NULL)
        return MPC_ERR_INVALID_ARG;
    memset(m, 0, sizeof *m);
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    if (len == 0)
        return MPC_ERR_PARSE;
    switch (in[0]) {
    case NODE_KSF_MSG_INFO:
        if (len != MSG_INFO_BYTES)
            return MPC_ERR_PARSE;
        m->created = get_u64(in + 1);
        m->txn_id = get_u64(in + 9);
        break;
    case NODE_KSF_MSG_END:
        if (len != MSG_END_BYTES)
            return MPC_ERR_PARSE;
        m->count = get_u64(in + 1);
        break;
    case NODE_KSF_MSG_ENTRY: {
        if (len < 3)
            return MPC_ERR_PARSE;
        size_t name_len = (size_t)in[1] << 8 | in[2];
        if (name_len > len - 3)
            return MPC_ERR_PARSE;
        const uint8_t *name = in + 3;
        const uint8_t *value = in + 3 + name_len;
        size_t value_len = len - 3 - name_len;
        if (!entry_ok(name, name_len, value, value_len))
            return MPC_ERR_PARSE;
        m->name = name;
        m->name_len = name_len;
        m->value = value;
        m->value_len = value_len;
        break;
    }
    default:
        return MPC_ERR_PARSE;
    }
    m->type = in[0];
    return MPC_OK;
}

/* ---- record names ------------------------------------------------------ */

bool node_ksf_id_is_valid(const char *id, bool wallet)
{
    if (id == NULL)
        return false;
    size_t n = strnlen(id, NODE_KSF_ID_MAX_BYTES + 1);
    if (n == 0 || n > NODE_KSF_ID_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x21 || c > 0x7e || (wallet && c == ':'))
            return false;
    }
    return true;
}

/* snprintf into `out`; INVALID_ARG (and an empty string) if it does not
 * fit. */
static mpc_err finish_name(char *out, size_t cap, size_t *out_len, int w)
{
    if (w < 0 || (size_t)w >= cap) {
        memset(out, 0, cap);
        return MPC_ERR_INVALID_ARG;
    }
    *out_len = (size_t)w;
    return MPC_OK;
}

static mpc_err name_args_ok(char *out, size_t cap, size_t *out_len)
{
    if (out_len == NULL || out == NULL || cap == 0)
        return MPC_ERR_INVALID_ARG;
    *out_len = 0;
    memset(out, 0, cap);
    return MPC_OK;
}

/* "<kind>:" curve ":" wallet ":v" [version]: shares and their markers. */
static mpc_err versioned_name(char *out, size_t cap, size_t *out_len,
                              const char *kind, const char *curve,
                              const char *wallet, const uint32_t *version)
{
    mpc_err err = name_args_ok(out, cap, out_len);
    if (err != MPC_OK)
        return err;
    if (!node_ksf_id_is_valid(curve, true) ||
        !node_ksf_id_is_valid(wallet, true))
        return MPC_ERR_INVALID_ARG;
    int w = version == NULL
                ? snprintf(out, cap, "%s:%s:%s:v", kind, curve, wallet)
                : snprintf(out, cap, "%s:%s:%s:v%010" PRIu32, kind, curve,
                           wallet, *version);
    return finish_name(out, cap, out_len, w);
}

mpc_err node_ksf_share_name(char *out, size_t cap, size_t *out_len,
                            const char *curve, const char *wallet,
                            const uint32_t *version)
{
    return versioned_name(out, cap, out_len, "share", curve, wallet, version);
}

mpc_err node_ksf_pending_name(char *out, size_t cap, size_t *out_len,
                              const char *curve, const char *wallet,
                              const uint32_t *version)
{
    return versioned_name(out, cap, out_len, "pend", curve, wallet, version);
}

mpc_err node_ksf_tail_name(char *out, size_t cap, size_t *out_len,
                           const char *prefix, const char *id)
{
    mpc_err err = name_args_ok(out, cap, out_len);
    if (err != MPC_OK)
        return err;
    if (prefix == NULL || !node_ksf_id_is_valid(id, false))
        return MPC_ERR_INVALID_ARG;
    return finish_name(out, cap, out_len,
                       snprintf(out, cap, "%s%s", prefix, id));
}

mpc_err node_ksf_presig_name(char *out, size_t cap, size_t *out_len,
                             const char *wallet, const uint32_t *version,
                             const uint8_t *set, size_t set_len,
                             const uint64_t *id)
{
    mpc_err err = name_args_ok(out, cap, out_len);
    if (err != MPC_OK)
        return err;
    if (!node_ksf_id_is_valid(wallet, true))
        return MPC_ERR_INVALID_ARG;
    if (version == NULL) {
        if (set != NULL || id != NULL)
            return MPC_ERR_INVALID_ARG;
        return finish_name(out, cap, out_len,
                           snprintf(out, cap, "ps:%s:v", wallet));
    }
    if (set == NULL || set_len == 0 || set_len > NODE_KSF_SET_MAX_BYTES)
        return MPC_ERR_INVALID_ARG;
    char hex[2 * NODE_KSF_SET_MAX_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, set, set_len);
    int w = id == NULL
                ? snprintf(out, cap, "ps:%s:v%010" PRIu32 ":s%s:i", wallet,
                           *version, hex)
                : snprintf(out, cap, "ps:%s:v%010" PRIu32 ":s%s:i%016" PRIx64,
                           wallet, *version, hex, *id);
    return finish_name(out, cap, out_len, w);
}

mpc_err node_ksf_name_number(uint64_t *out, const uint8_t *name,
                             size_t name_len, size_t prefix_len, bool hex)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = 0;
    if (name == NULL)
        return MPC_ERR_INVALID_ARG;
    size_t digits = hex ? 16 : 10;
    if (name_len < prefix_len || name_len - prefix_len != digits)
        return MPC_ERR_PARSE;
    uint64_t v = 0;
    for (size_t i = prefix_len; i < name_len; i++) {
        uint8_t c = name[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return MPC_ERR_PARSE;
        v = v * (hex ? 16u : 10u) + d;
    }
    if (!hex && v > UINT32_MAX)
        return MPC_ERR_PARSE;
    *out = v;
    return MPC_OK;
}
