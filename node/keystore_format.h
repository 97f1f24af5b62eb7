/*
 * node/keystore_format.h — the keystore's on-disk formats and key schedule,
 * as pure functions (libsodium only: no LMDB, no files, no clock).
 *
 * Everything the keystore, the presignature pool and the backup file read
 * back from disk is decoded here, so one fuzz target covers every parser
 * (tests/fuzz/fuzz_keystore_record.c). docs/storage.md describes the formats
 * byte by byte; this header is the contract of the code that implements
 * them.
 *
 * Rules for every function below:
 *  - pointer arguments must not be NULL unless stated; a NULL, an
 *    out-of-range value or a short output buffer is MPC_ERR_INVALID_ARG;
 *  - argument order: outputs, inputs; a length follows its buffer;
 *  - on any error, outputs are zeroed (and output lengths set to 0);
 *  - nothing keeps a pointer to its inputs, except where a parsed struct
 *    says it points into the input;
 *  - all functions are thread-safe (no shared state).
 *
 * Key schedule: master = Argon2id(password, salt, opslimit, memlimit), 32
 * bytes; four subkeys are derived from it with crypto_kdf (context
 * "mpckstor"): 1 seals records, 2 authenticates headers (the password
 * verifier), 3 encrypts backup files, 4 is the base of presignature-pool
 * keys. The master itself is wiped as soon as the subkeys exist.
 */
#ifndef NODE_KEYSTORE_FORMAT_H
#define NODE_KEYSTORE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"

#define NODE_KSF_KEY_BYTES 32
#define NODE_KSF_SALT_BYTES 16
/** Random identity of a keystore instance or of a pool. */
#define NODE_KSF_ID_BYTES 16
#define NODE_KSF_MAC_BYTES 32
#define NODE_KSF_NONCE_BYTES 24
#define NODE_KSF_TAG_BYTES 16
#define NODE_KSF_DIGEST_BYTES 32

/** The current (and only) record, header and backup format version. */
#define NODE_KSF_VERSION 1
/** Argon2id v1.3: the only key-derivation algorithm. */
#define NODE_KSF_KDF_ARGON2ID13 1

/* Argon2id bounds: a header carrying other values is malformed. The upper
 * bounds stop a tampered header from making open() allocate or spin
 * without limit before the password verifier can reject it. */
#define NODE_KSF_OPSLIMIT_MIN 1u
#define NODE_KSF_OPSLIMIT_MAX 64u
#define NODE_KSF_MEMLIMIT_MIN 8192u
#define NODE_KSF_MEMLIMIT_MAX (UINT64_C(4) << 30)

/** Longest operator password accepted, in bytes. */
#define NODE_KSF_PASSWORD_MAX_BYTES 1024u

/** Largest caller value (share, blob, request result, presignature). */
#define NODE_KSF_VALUE_MAX_BYTES (1u << 20)
/** Largest plaintext of a record: a value plus the request-record prefix. */
#define NODE_KSF_PLAIN_MAX_BYTES (NODE_KSF_VALUE_MAX_BYTES + 64u)
/** Record = version byte || nonce || ciphertext || tag. */
#define NODE_KSF_RECORD_OVERHEAD_BYTES                                         \
    (1u + NODE_KSF_NONCE_BYTES + NODE_KSF_TAG_BYTES)
#define NODE_KSF_RECORD_MAX_BYTES                                              \
    (NODE_KSF_PLAIN_MAX_BYTES + NODE_KSF_RECORD_OVERHEAD_BYTES)

/** Longest record name (LMDB's default maximum key size). */
#define NODE_KSF_NAME_MAX_BYTES 511u
/** Longest id (wallet, request, blob id). */
#define NODE_KSF_ID_MAX_BYTES 128u
/** Longest presignature signer-set identifier (raw bytes). */
#define NODE_KSF_SET_MAX_BYTES 64u

/** The name under which each environment keeps its header. */
#define NODE_KSF_HEADER_NAME "hdr"

#define NODE_KSF_HEADER_BYTES 90u
#define NODE_KSF_POOL_HEADER_BYTES 73u
#define NODE_KSF_BACKUP_HEADER_BYTES 98u
/** The part of the backup header that is the associated data of frames. */
#define NODE_KSF_BACKUP_AD_BYTES 74u
/** Request record: state, digest, creation time, then the result. */
#define NODE_KSF_REQUEST_PREFIX_BYTES (1u + NODE_KSF_DIGEST_BYTES + 8u)
/** Backup frame: 4-byte length, then a secretstream message. */
#define NODE_KSF_FRAME_LEN_BYTES 4u
#define NODE_KSF_STREAM_ABYTES 17u
#define NODE_KSF_MSG_MAX_BYTES                                                 \
    (3u + NODE_KSF_NAME_MAX_BYTES + NODE_KSF_RECORD_MAX_BYTES)
#define NODE_KSF_FRAME_MAX_BYTES                                               \
    (NODE_KSF_MSG_MAX_BYTES + NODE_KSF_STREAM_ABYTES)

_Static_assert(NODE_KSF_PLAIN_MAX_BYTES >=
                   NODE_KSF_VALUE_MAX_BYTES + NODE_KSF_REQUEST_PREFIX_BYTES,
               "a request record must fit a full result");
_Static_assert(NODE_KSF_BACKUP_AD_BYTES + 24u == NODE_KSF_BACKUP_HEADER_BYTES,
               "the backup header ends with the secretstream header");

/** Argon2id parameters and salt; stored in the clear in headers. */
typedef struct node_ksf_kdf {
    uint64_t opslimit;
    uint64_t memlimit;
    uint8_t salt[NODE_KSF_SALT_BYTES];
} node_ksf_kdf;

/** The subkeys; lives in guarded memory while a store is open. */
typedef struct node_ksf_keys {
    uint8_t record[NODE_KSF_KEY_BYTES];
    uint8_t verify[NODE_KSF_KEY_BYTES];
    uint8_t backup[NODE_KSF_KEY_BYTES];
    uint8_t pool[NODE_KSF_KEY_BYTES];
} node_ksf_keys;

/** Decoded main-environment header. */
typedef struct node_ksf_header {
    node_ksf_kdf kdf;
    uint8_t instance[NODE_KSF_ID_BYTES];
} node_ksf_header;

/** Decoded presignature-pool header. */
typedef struct node_ksf_pool_header {
    /** The keystore instance the pool belongs to. */
    uint8_t instance[NODE_KSF_ID_BYTES];
    uint8_t pool[NODE_KSF_ID_BYTES];
} node_ksf_pool_header;

/** States of a processed-request record. */
enum {
    NODE_KSF_REQ_RUNNING = 1,
    NODE_KSF_REQ_DONE = 2,
};

/** Decoded request-record plaintext. */
typedef struct node_ksf_request {
    uint8_t state;
    uint8_t digest[NODE_KSF_DIGEST_BYTES];
    uint64_t created;
    /** Points into the parsed input; NULL when result_len is 0. */
    const uint8_t *result;
    size_t result_len;
} node_ksf_request;

/** Format byte of a pending-share marker (the plaintext of "pend:..."). */
#define NODE_KSF_PENDING_FORMAT 1
/** Marker plaintext = format || created (u64 BE) || len || session id. */
#define NODE_KSF_PENDING_MIN_BYTES (1u + 8u + 1u + 1u)
#define NODE_KSF_PENDING_MAX_BYTES (1u + 8u + 1u + NODE_KSF_ID_MAX_BYTES)

/**
 * A pending-share marker: the share of the same (curve, wallet, version)
 * was stored by a session whose coordinator has not committed it yet.
 */
typedef struct node_ksf_pending {
    /** When the share was stored (the caller's clock, ms). */
    uint64_t created;
    /** The storing session's id (NUL-terminated, a valid non-wallet id). */
    char session[NODE_KSF_ID_MAX_BYTES + 1];
} node_ksf_pending;

/** Kinds of backup-stream messages. */
enum {
    NODE_KSF_MSG_INFO = 1,
    NODE_KSF_MSG_ENTRY = 2,
    NODE_KSF_MSG_END = 3,
};

/** Decoded backup-stream message. */
typedef struct node_ksf_msg {
    uint8_t type;
    /** INFO: creation time (Unix seconds) and LMDB snapshot txn id. */
    uint64_t created;
    uint64_t txn_id;
    /** END: number of ENTRY messages before it. */
    uint64_t count;
    /** ENTRY: record name and stored value; point into the input. */
    const uint8_t *name;
    size_t name_len;
    const uint8_t *value;
    size_t value_len;
} node_ksf_msg;

/* ---- key schedule ---------------------------------------------------- */

/**
 * Checks the KDF parameters against the NODE_KSF_*LIMIT bounds.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if a limit is out of bounds.
 */
MPC_WARN_UNUSED mpc_err node_ksf_kdf_check(const node_ksf_kdf *kdf);

/**
 * Runs Argon2id on the password and derives the four subkeys.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an empty password or a NULL;
 * MPC_ERR_PARSE if the parameters are out of bounds; MPC_ERR_NOMEM if
 * Argon2id could not allocate `memlimit` bytes.
 * Out: keys  the subkeys; zeroed on failure.
 * In:  pw, pw_len  the operator password (any bytes, 1..1024).
 * Security: the Argon2id output is wiped once the subkeys exist; the
 * caller wipes the password and, after use, `keys`.
 */
MPC_WARN_UNUSED mpc_err node_ksf_keys_derive(node_ksf_keys *keys,
                                             const uint8_t *pw, size_t pw_len,
                                             const node_ksf_kdf *kdf);

/**
 * Derives the key that seals one pool's records, bound to the keystore
 * instance and the pool id so records cannot move between pools.
 */
void node_ksf_pool_key(uint8_t out[NODE_KSF_KEY_BYTES],
                       const uint8_t pool_base[NODE_KSF_KEY_BYTES],
                       const node_ksf_pool_header *h);

/* ---- headers ----------------------------------------------------------- */

/** Encodes a main header and its MAC under `verify_key`. */
void node_ksf_header_encode(uint8_t out[NODE_KSF_HEADER_BYTES],
                            const node_ksf_header *h,
                            const uint8_t verify_key[NODE_KSF_KEY_BYTES]);

/**
 * Decodes a main header without checking its MAC (the key is derived from
 * the parameters it holds).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, magic, version or
 * algorithm, or out-of-bounds KDF parameters.
 */
MPC_WARN_UNUSED mpc_err node_ksf_header_parse(node_ksf_header *h,
                                              const uint8_t *in, size_t len);

/**
 * Checks the MAC of a header or backup header of any kind, in constant
 * time. `in` must already have parsed.
 *
 * Returns: MPC_OK; MPC_ERR_AUTH if the MAC does not match (wrong password,
 * or the header was altered); MPC_ERR_PARSE for an unknown length.
 */
MPC_WARN_UNUSED mpc_err
node_ksf_header_verify(const uint8_t *in, size_t len,
                       const uint8_t verify_key[NODE_KSF_KEY_BYTES]);

/** Encodes a pool header and its MAC under `verify_key`. */
void node_ksf_pool_header_encode(uint8_t out[NODE_KSF_POOL_HEADER_BYTES],
                                 const node_ksf_pool_header *h,
                                 const uint8_t verify_key[NODE_KSF_KEY_BYTES]);

/**
 * Decodes a pool header without checking its MAC.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, magic or version.
 */
MPC_WARN_UNUSED mpc_err node_ksf_pool_header_parse(node_ksf_pool_header *h,
                                                   const uint8_t *in,
                                                   size_t len);

/**
 * Encodes a backup-file header: magic, version, KDF parameters, MAC under
 * `verify_key`, then the secretstream header `stream24`.
 */
void node_ksf_backup_header_encode(uint8_t out[NODE_KSF_BACKUP_HEADER_BYTES],
                                   const node_ksf_kdf *kdf,
                                   const uint8_t verify_key[NODE_KSF_KEY_BYTES],
                                   const uint8_t stream24[24]);

/**
 * Decodes a backup-file header without checking its MAC.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length, magic, version or
 * algorithm, or out-of-bounds KDF parameters.
 * Out: kdf       the parameters to derive the keys with.
 *      stream24  the secretstream header.
 */
MPC_WARN_UNUSED mpc_err node_ksf_backup_header_parse(node_ksf_kdf *kdf,
                                                     uint8_t stream24[24],
                                                     const uint8_t *in,
                                                     size_t len);

/* ---- records ----------------------------------------------------------- */

/**
 * Seals a record: version || nonce || XChaCha20-Poly1305(pt), with the
 * associated data version || name, so a record only opens under the name
 * it was written for.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG if `out_len` is not
 * pt_len + NODE_KSF_RECORD_OVERHEAD_BYTES or a length is out of bounds.
 * In: nonce  24 fresh random bytes (never reuse one under the same key).
 */
MPC_WARN_UNUSED mpc_err node_ksf_record_seal(
    uint8_t *out, size_t out_len, const uint8_t key[NODE_KSF_KEY_BYTES],
    const uint8_t nonce[NODE_KSF_NONCE_BYTES], const uint8_t *name,
    size_t name_len, const uint8_t *pt, size_t pt_len);

/**
 * Opens a record read from disk (untrusted bytes).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if the record is too short or too long or
 * has an unknown version; MPC_ERR_VERIFY if it does not authenticate under
 * this key and name (altered, or moved from another name);
 * MPC_ERR_INVALID_ARG if `out_cap` < rec_len - overhead.
 * Out: out, out_len  the plaintext; zeroed on failure.
 */
MPC_WARN_UNUSED mpc_err
node_ksf_record_open(uint8_t *out, size_t out_cap, size_t *out_len,
                     const uint8_t key[NODE_KSF_KEY_BYTES], const uint8_t *name,
                     size_t name_len, const uint8_t *rec, size_t rec_len);

/* ---- request records --------------------------------------------------- */

/**
 * Encodes a request record's plaintext. RUNNING records carry no result;
 * DONE records carry 1..NODE_KSF_VALUE_MAX_BYTES bytes.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a bad state/result combination
 * or if `out_len` is not NODE_KSF_REQUEST_PREFIX_BYTES + result_len.
 */
MPC_WARN_UNUSED mpc_err node_ksf_request_encode(uint8_t *out, size_t out_len,
                                                const node_ksf_request *r);

/**
 * Decodes a request record's plaintext.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a short input, an unknown state, a
 * RUNNING record with a result or a DONE record without one.
 * Out: r  `r->result` points into `in`.
 */
MPC_WARN_UNUSED mpc_err node_ksf_request_parse(node_ksf_request *r,
                                               const uint8_t *in, size_t len);

/* ---- pending-share markers -------------------------------------------- */

/**
 * Encodes a pending-share marker's plaintext.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an invalid session id or a
 * buffer shorter than the marker.
 * Out: out, out_len  the marker; `out_cap` is the buffer size.
 */
MPC_WARN_UNUSED mpc_err node_ksf_pending_encode(uint8_t *out, size_t out_cap,
                                                size_t *out_len,
                                                const node_ksf_pending *p);

/**
 * Decodes a pending-share marker's plaintext (strict: one encoding).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for a wrong length or format byte or an
 * invalid session id.
 */
MPC_WARN_UNUSED mpc_err node_ksf_pending_parse(node_ksf_pending *p,
                                               const uint8_t *in, size_t len);

/* ---- backup stream messages ------------------------------------------- */

/**
 * Encodes a backup-stream message.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an unknown type, an entry name
 * or value out of bounds, or a buffer shorter than the message.
 * Out: out, out_len  the message; `out_cap` is the buffer size.
 */
MPC_WARN_UNUSED mpc_err node_ksf_msg_encode(uint8_t *out, size_t out_cap,
                                            size_t *out_len,
                                            const node_ksf_msg *m);

/**
 * Decodes a backup-stream message (after the frame authenticated).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for an unknown type, a wrong length, or
 * an entry whose name is empty or too long or whose value is out of
 * bounds.
 */
MPC_WARN_UNUSED mpc_err node_ksf_msg_parse(node_ksf_msg *m, const uint8_t *in,
                                           size_t len);

/* ---- record names ------------------------------------------------------- */

/**
 * True if `id` is a valid id: 1..NODE_KSF_ID_MAX_BYTES bytes of printable
 * ASCII (0x21..0x7e), and without ':' if `wallet` (a wallet id is followed
 * by more fields in a name; other ids end their name).
 */
bool node_ksf_id_is_valid(const char *id, bool wallet);

/**
 * Builds a record name into `out` (NUL-terminated; `*out_len` excludes the
 * NUL):
 *   share     "share:" curve ":" wallet ":v" version (10 digits)
 *   pending   "pend:" curve ":" wallet ":v" version (10 digits)
 *   tail      prefix id                     (prefix e.g. "req:")
 *   presig    "ps:" wallet ":v" version ":s" hex(set) ":i" id (16 hex)
 * A trailing field may be omitted to build the prefix that lists a group:
 * share_prefix stops after ":v", presig_prefix after ":i" (or after ":v"
 * when set is NULL).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for an invalid id, curve name or
 * set, or a short buffer.
 */
MPC_WARN_UNUSED mpc_err node_ksf_share_name(char *out, size_t cap,
                                            size_t *out_len, const char *curve,
                                            const char *wallet,
                                            const uint32_t *version);
MPC_WARN_UNUSED mpc_err node_ksf_pending_name(char *out, size_t cap,
                                              size_t *out_len,
                                              const char *curve,
                                              const char *wallet,
                                              const uint32_t *version);
MPC_WARN_UNUSED mpc_err node_ksf_tail_name(char *out, size_t cap,
                                           size_t *out_len, const char *prefix,
                                           const char *id);
MPC_WARN_UNUSED mpc_err node_ksf_presig_name(char *out, size_t cap,
                                             size_t *out_len,
                                             const char *wallet,
                                             const uint32_t *version,
                                             const uint8_t *set, size_t set_len,
                                             const uint64_t *id);

/**
 * Reads the fixed-width number that ends a name found by a prefix scan:
 * 10 decimal digits (a share version) or, if `hex`, 16 lower-case hex
 * digits (a presignature id), right after `prefix_len` bytes.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE if the name is not exactly prefix_len +
 * digits bytes long, a digit is invalid, or a version exceeds UINT32_MAX.
 */
MPC_WARN_UNUSED mpc_err node_ksf_name_number(uint64_t *out, const uint8_t *name,
                                             size_t name_len, size_t prefix_len,
                                             bool hex);

/** Big-endian helpers shared by the keystore and backup code. */
void node_ksf_put_u32(uint8_t out[4], uint32_t v);
uint32_t node_ksf_get_u32(const uint8_t in[4]);

#endif /* NODE_KEYSTORE_FORMAT_H */
