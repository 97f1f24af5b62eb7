/*
 * node/identity.h — who the cluster members are, and who may ask them for
 * anything.
 *
 * - The node's own Ed25519 identity, in mpcium's file format (spec §6.7,
 *   §7.4): `<dir>/<name>_identity.json` {node_name, node_id, public_key
 *   (hex), created_at (RFC 3339 UTC)} and `<dir>/<name>_private.key` = hex of
 *   the 64-byte libsodium/Go secret key (seed ‖ public key). Our extension:
 *   the private key may instead be sealed with the operator password in
 *   `<dir>/<name>_private.key.enc` (format below; mpcium's `.age` variant is
 *   not readable here).
 * - The peers file `peers.json` ({"<name>": "<node id>", …}), written by the
 *   operator, plus every peer's identity file: the peer table. It is the
 *   only trust root for node identities (NATS KV never is).
 * - Initiator and authorizer public keys from the configuration: Ed25519
 *   (64 hex digits) or ECDSA P-256 (DER SubjectPublicKeyInfo as hex, with an
 *   optional 0x, or as standard base64).
 * - The generators behind mpcium-cli (peers file, node identity, initiator
 *   key), so the CLI and the node share one implementation of each format.
 *
 * Sealed key file (`.enc`), all integers big-endian:
 *
 *   off  len  field
 *     0    8  magic "MPCSEAL\x01"
 *     8    1  format version = 1
 *     9    1  KDF = 1 (Argon2id v1.3, libsodium crypto_pwhash)
 *    10    2  reserved, zero
 *    12    4  Argon2id opslimit (passes), 1..NODE_SEAL_OPSLIMIT_MAX
 *    16    4  Argon2id memlimit in KiB, 8..NODE_SEAL_MEMLIMIT_KIB_MAX
 *    20   16  salt (random)
 *    36   24  nonce (random)
 *    60  n+16 XChaCha20-Poly1305-IETF(key, nonce, plaintext,
 *             ad = bytes 0..59 ‖ purpose)
 *
 * key = Argon2id(password, salt, opslimit, memlimit), 32 bytes. The header is
 * authenticated, so the KDF cost cannot be lowered by an attacker who edits
 * the file, and the purpose string (e.g. "mpcium node identity node0") binds
 * a sealed blob to what it is for: a file sealed for one node does not open
 * as another's.
 *
 * Rules for every function below: pointer arguments must not be NULL unless
 * stated; `err` may be NULL, otherwise it receives a NUL-terminated message
 * of at most `err_len` bytes that names the file, field or value at fault
 * (never a secret); outputs are zeroed (or `*out` set to NULL) on failure; no
 * function keeps a pointer to its inputs. Functions are thread-safe on
 * distinct objects. Node names and ids are public data: comparisons on them
 * are variable-time.
 */
#ifndef NODE_IDENTITY_H
#define NODE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/rng.h"

/** Longest node name, initiator name or authorizer id (bytes). */
#define NODE_NAME_MAX_BYTES 64
/** Longest node id (bytes); mpcium's ids are 36-byte UUIDs. */
#define NODE_ID_MAX_BYTES 64
/** Most peers a peers file may list. */
#define NODE_PEERS_MAX 255
/** Length of a UUID string, without the NUL. */
#define NODE_UUID_BYTES 36

#define NODE_ED25519_PK_BYTES 32
#define NODE_ED25519_SEED_BYTES 32
/** libsodium/Go Ed25519 secret key: seed ‖ public key. */
#define NODE_ED25519_SK_BYTES 64
/** DER SubjectPublicKeyInfo of a P-256 key (named curve, uncompressed). */
#define NODE_P256_SPKI_BYTES 91
#define NODE_PUBKEY_MAX_BYTES NODE_P256_SPKI_BYTES

_Static_assert(NODE_ED25519_SK_BYTES ==
                   NODE_ED25519_SEED_BYTES + NODE_ED25519_PK_BYTES,
               "sk = seed || pk");
_Static_assert(NODE_ED25519_PK_BYTES <= NODE_PUBKEY_MAX_BYTES,
               "node_pubkey holds both algorithms");

/** Size of the sealed-file header (authenticated, not encrypted). */
#define NODE_SEAL_HEADER_BYTES 60
/** Header plus the Poly1305 tag: sealed size = plaintext + this. */
#define NODE_SEAL_OVERHEAD_BYTES (NODE_SEAL_HEADER_BYTES + 16)
/** Upper bounds a sealed file may ask for (libsodium's SENSITIVE level). */
#define NODE_SEAL_OPSLIMIT_MAX 16
#define NODE_SEAL_MEMLIMIT_KIB_MAX (1024u * 1024u)

/* ------------------------------------------------------------------ */
/* Key algorithms and public keys                                       */

/** Signature algorithm of an initiator or authorizer key (stable values). */
typedef enum node_key_alg {
    NODE_KEY_ALG_ED25519 = 1,
    NODE_KEY_ALG_P256 = 2,
} node_key_alg;

/**
 * A validated public key.
 *
 * Ed25519: `bytes` holds the 32-byte RFC 8032 encoding (canonical, on the
 * curve, not of small order). P-256: `bytes` holds the canonical 91-byte DER
 * SubjectPublicKeyInfo (id-ecPublicKey, prime256v1, uncompressed point),
 * whatever form the input used, so verifiers can hand it to OpenSSL as is.
 */
typedef struct node_pubkey {
    node_key_alg alg;
    size_t len;
    uint8_t bytes[NODE_PUBKEY_MAX_BYTES];
} node_pubkey;

/**
 * Parses an algorithm name: exactly "ed25519" or "p256" (mpcium's spelling).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE for any other string (`*out` = 0).
 */
MPC_WARN_UNUSED mpc_err node_key_alg_parse(node_key_alg *out, const char *s);

/** "ed25519" or "p256"; "unknown" for other values. */
const char *node_key_alg_name(node_key_alg alg);

/**
 * Parses and validates a public key given as text.
 *
 * Ed25519: exactly 64 hex digits (either case). P-256: DER
 * SubjectPublicKeyInfo as hex (optional "0x"/"0X" prefix) or standard
 * base64; the DER must be consumed exactly, name the P-256 curve and hold a
 * point on the curve (checked with OpenSSL).
 *
 * Returns: MPC_OK; MPC_ERR_PARSE (bad encoding, wrong length, not a point of
 * the right group; `err` says which), MPC_ERR_INVALID_ARG (alg unknown),
 * MPC_ERR_NOMEM. `*out` is zeroed on failure.
 */
MPC_WARN_UNUSED mpc_err node_pubkey_parse(node_pubkey *out, node_key_alg alg,
                                          const char *text, char *err,
                                          size_t err_len);

/* ------------------------------------------------------------------ */
/* Names and ids                                                        */

/**
 * True if `name` may name a node, initiator or authorizer: 1 to
 * NODE_NAME_MAX_BYTES characters from [A-Za-z0-9_.-], starting with a letter
 * or digit. Names become file names, so '/' and leading dots are out.
 */
bool node_name_is_valid(const char *name);

/**
 * True if `id` may be a node id: 1 to NODE_ID_MAX_BYTES printable ASCII
 * characters, none of ':' (the direct-message subject separator), '.', '*',
 * '>' (NATS subject syntax) or space.
 */
bool node_id_is_valid(const char *id);

/**
 * Writes a random (version 4, RFC 9562) UUID in lowercase, NUL-terminated,
 * into `out`.
 */
void node_uuid_v4(char out[NODE_UUID_BYTES + 1], mpc_rng_fn rng, void *rng_ud);

/* ------------------------------------------------------------------ */
/* Sealing with a password                                              */

/** Argon2id cost of a new sealed file. */
typedef struct node_kdf_params {
    uint32_t opslimit;
    uint32_t memlimit_kib;
} node_kdf_params;

/** libsodium's MODERATE level: 3 passes over 256 MiB (about a second). */
void node_kdf_params_default(node_kdf_params *p);

/**
 * Seals `pt` under `password` for `purpose` (see the file header).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (out_len != pt_len +
 * NODE_SEAL_OVERHEAD_BYTES, empty password, KDF parameters out of range);
 * MPC_ERR_NOMEM (Argon2id could not get its memory). `out` is zeroed on
 * failure.
 * Security: the derived key is wiped; `rng` supplies salt and nonce.
 */
MPC_WARN_UNUSED mpc_err node_identity_seal(
    uint8_t *out, size_t out_len, const uint8_t *pt, size_t pt_len,
    const char *purpose, const uint8_t *password, size_t password_len,
    const node_kdf_params *kdf, mpc_rng_fn rng, void *rng_ud);

/**
 * Opens a sealed blob.
 *
 * Returns: MPC_OK; MPC_ERR_PARSE (too short, bad magic, unknown version or
 * KDF, reserved bits set, KDF cost out of range); MPC_ERR_AUTH (wrong
 * password, wrong purpose, or the blob was modified — indistinguishable by
 * design); MPC_ERR_INVALID_ARG (out_len != in_len -
 * NODE_SEAL_OVERHEAD_BYTES); MPC_ERR_NOMEM. `out` is zeroed on failure.
 */
MPC_WARN_UNUSED mpc_err node_identity_unseal(uint8_t *out, size_t out_len,
                                             const uint8_t *in, size_t in_len,
                                             const char *purpose,
                                             const uint8_t *password,
                                             size_t password_len);

/* ------------------------------------------------------------------ */
/* The node's own identity                                              */

/**
 * A node identity. Lives in guarded, locked memory (sodium_malloc); free it
 * with node_identity_free.
 * Security: `sk` is the node's long-term signing key.
 */
typedef struct node_identity {
    char name[NODE_NAME_MAX_BYTES + 1];
    char id[NODE_ID_MAX_BYTES + 1];
    uint8_t pk[NODE_ED25519_PK_BYTES];
    uint8_t sk[NODE_ED25519_SK_BYTES];
} node_identity;

/**
 * Generates a fresh Ed25519 identity for node `name` with id `id`.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (name or id invalid; see
 * node_name_is_valid / node_id_is_valid); MPC_ERR_NOMEM. `*out` is written
 * only on success.
 */
MPC_WARN_UNUSED mpc_err node_identity_generate(node_identity **out,
                                               const char *name, const char *id,
                                               mpc_rng_fn rng, void *rng_ud,
                                               char *err, size_t err_len);

/** How node_identity_save seals the private key (all fields required). */
typedef struct node_identity_seal_opts {
    const uint8_t *password;
    size_t password_len;
    node_kdf_params kdf;
    mpc_rng_fn rng;
    void *rng_ud;
} node_identity_seal_opts;

/**
 * Writes `<dir>/<name>_identity.json` (mode 0644: it is public and is copied
 * to every peer) and the private key: `<dir>/<name>_private.key` (mode 0600,
 * hex) when `seal` is NULL, else `<dir>/<name>_private.key.enc` (mode 0600,
 * sealed with purpose "mpcium node identity <name>"). Creates `dir` (0700)
 * if it does not exist. `created_unix` is the creation time written into
 * the JSON.
 *
 * Without `overwrite`, fails before writing anything if either target file
 * exists; with it, each file is replaced atomically (write, fsync, rename).
 *
 * Returns: MPC_OK; MPC_ERR_CONFLICT (a target exists and !overwrite);
 * MPC_ERR_IO (cannot create the directory or a file: `err` names it and
 * the reason); MPC_ERR_INVALID_ARG (name, id or seal options invalid; a
 * path too long); MPC_ERR_NOMEM. Without `overwrite`, nothing this call
 * created is left behind on failure; with it, a failure after the key file
 * was replaced leaves the new key next to the old JSON (run again).
 */
MPC_WARN_UNUSED mpc_err node_identity_save(const node_identity *id,
                                           const char *dir,
                                           int64_t created_unix,
                                           const node_identity_seal_opts *seal,
                                           bool overwrite, char *err,
                                           size_t err_len);

/**
 * Loads node `name`'s identity from `dir`: the JSON file and the private
 * key, plain (`password` NULL) or sealed (`password` non-NULL, the `.enc`
 * file). Checks that the JSON names `name`, that the node id is valid, that
 * the secret key's public half is the one its seed derives, and that it
 * equals the JSON's public_key.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (a file is missing); MPC_ERR_IO (a file
 * cannot be read, is not a regular file or is too large); MPC_ERR_PARSE
 * (malformed JSON, field, hex or sealed header); MPC_ERR_AUTH (wrong
 * password or modified sealed file); MPC_ERR_VERIFY (keys do not match each
 * other or the JSON, or node_name differs); MPC_ERR_INVALID_ARG (name
 * invalid, empty password, path too long); MPC_ERR_NOMEM.
 * `*out` is written only on success.
 * Security: intermediate copies of the key are wiped.
 */
MPC_WARN_UNUSED mpc_err node_identity_load(node_identity **out, const char *dir,
                                           const char *name,
                                           const uint8_t *password,
                                           size_t password_len, char *err,
                                           size_t err_len);

/** Wipes and frees an identity; NULL does nothing. */
void node_identity_free(node_identity *id);

/* ------------------------------------------------------------------ */
/* Peers                                                                */

typedef struct node_peer {
    char name[NODE_NAME_MAX_BYTES + 1];
    char id[NODE_ID_MAX_BYTES + 1];
    /** All zero until node_peers_load_identities succeeds. */
    uint8_t pk[NODE_ED25519_PK_BYTES];
} node_peer;

/**
 * The peer table: `n` peers sorted by id (strcmp order), so a peer's index
 * is its position and is the same on every node that reads the same file.
 */
typedef struct node_peers {
    size_t n;
    /** True once every peer's public key has been loaded. */
    bool have_keys;
    node_peer peer[];
} node_peers;

/**
 * Reads a peers file: a JSON object of 1 to NODE_PEERS_MAX members, each
 * "<node name>": "<node id>", with valid names and ids, no duplicate name
 * and no duplicate id.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (no such file); MPC_ERR_IO; MPC_ERR_PARSE
 * (not JSON, not an object, a value not a string, empty, too many entries,
 * an invalid name or id); MPC_ERR_CONFLICT (a duplicate name or id: `err`
 * names both entries); MPC_ERR_NOMEM. `*out` is written only on success.
 */
MPC_WARN_UNUSED mpc_err node_peers_read(node_peers **out, const char *path,
                                        char *err, size_t err_len);

/**
 * Loads `<dir>/<name>_identity.json` for every peer and checks that its
 * node_name and node_id match the peers file and that its public key is a
 * valid Ed25519 key used by no other peer.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (an identity file is missing: `err`
 * names the peer and path); MPC_ERR_IO; MPC_ERR_PARSE; MPC_ERR_VERIFY (node
 * id or name mismatch); MPC_ERR_CONFLICT (two peers share a key). On
 * failure every key in `peers` is zeroed and have_keys is false.
 */
MPC_WARN_UNUSED mpc_err node_peers_load_identities(node_peers *peers,
                                                   const char *dir, char *err,
                                                   size_t err_len);

/** node_peers_read followed by node_peers_load_identities. */
MPC_WARN_UNUSED mpc_err node_peers_load(node_peers **out, const char *path,
                                        const char *dir, char *err,
                                        size_t err_len);

/** Frees a peer table; NULL does nothing. */
void node_peers_free(node_peers *peers);

/** The peer with this id or name, or NULL. */
const node_peer *node_peers_find_id(const node_peers *peers, const char *id);
const node_peer *node_peers_find_name(const node_peers *peers,
                                      const char *name);

/**
 * Checks that `self` is listed in `peers` under its name, with its id and
 * (if keys are loaded) its public key.
 *
 * Returns: MPC_OK; MPC_ERR_NOT_FOUND (name not in the peers file);
 * MPC_ERR_VERIFY (id or public key differ).
 */
MPC_WARN_UNUSED mpc_err node_peers_check_self(const node_peers *peers,
                                              const node_identity *self,
                                              char *err, size_t err_len);

/**
 * Writes a new peers file for `n` nodes named node0 … node<n-1> with random
 * UUIDv4 ids (mode 0600; pretty-printed JSON).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (n is 0 or above NODE_PEERS_MAX);
 * MPC_ERR_CONFLICT (the file exists and !overwrite); MPC_ERR_IO;
 * MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_peers_generate(const char *path, size_t n,
                                            bool overwrite, mpc_rng_fn rng,
                                            void *rng_ud, char *err,
                                            size_t err_len);

/* ------------------------------------------------------------------ */
/* Initiator keys (mpcium-cli generate-initiator)                      */

/**
 * Generates an event-initiator key pair and writes, in `dir` (created 0700
 * if missing):
 * - `<name>.key` (0600): Ed25519 = hex of the 32-byte seed (from `rng`);
 *   P-256 = hex of the SEC1 DER ECPrivateKey (generated by OpenSSL's
 *   generator, which does not take `rng`).
 * - `<name>.identity.json` (0644): {node_name, algorithm, public_key,
 *   created_at, created_by, machine_os, machine_name}; public_key is the
 *   value event_initiator_pubkey expects: hex of the Ed25519 key or of the
 *   P-256 DER SubjectPublicKeyInfo.
 * On success `*pub_out` (may be NULL) receives the public key.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (name invalid, alg unknown);
 * MPC_ERR_CONFLICT (a target exists and !overwrite); MPC_ERR_IO;
 * MPC_ERR_INTERNAL (OpenSSL failed); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_initiator_generate(
    node_pubkey *pub_out, const char *dir, const char *name, node_key_alg alg,
    int64_t created_unix, bool overwrite, mpc_rng_fn rng, void *rng_ud,
    char *err, size_t err_len);

#endif /* NODE_IDENTITY_H */
