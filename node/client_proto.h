/*
 * node/client_proto.h — mpcium's client protocol as pure functions.
 *
 * Everything a node needs to talk to mpcium clients byte for byte (Go
 * `pkg/client`, the TypeScript client) and nothing that does I/O:
 *
 * - strict, bounded parsing of the four requests (keygen, sign, reshare and
 *   our presign extension) into one node_client_request;
 * - the exact bytes the initiator signs (mpcium's `Raw()`, Go encoding/json
 *   quirks included), extended so that a derivation path and a hash choice
 *   are covered by the signature;
 * - initiator and authorizer signature checks (Ed25519 via libsodium, ECDSA
 *   P-256 via OpenSSL);
 * - the result events, byte-exact with Go's encoding;
 * - mpcium's error codes and the table that maps our failures to them;
 * - subjects, stream and durable-consumer names, Nats-Msg-Id keys, ClientID
 *   header rules.
 *
 * docs/protocol.md is the prose version of this header, with examples.
 *
 * "Go JSON" below means what Go's encoding/json Marshal writes: struct
 * fields in declaration order, no spaces, []byte as standard padded base64,
 * nil slices as null, strings with `"` `\` escaped, \b \f \n \r \t short
 * escapes, other control bytes and < > & U+2028 U+2029 as \u00XX / \u20XX
 * (lowercase hex), invalid UTF-8 bytes as \ufffd, no trailing newline.
 *
 * Rules for every function below:
 * - Pointer arguments must not be NULL unless stated.
 * - Argument order: outputs, then inputs; a length follows its buffer.
 * - No function keeps a pointer to its inputs after it returns.
 * - Outputs are zeroed (or set to NULL / 0) on failure.
 * - Byte strings returned through `uint8_t **out, size_t *out_len` are
 *   allocated with malloc, are not NUL-terminated, and are released with
 *   free(). An empty result is still a non-NULL allocation.
 * - Nothing here is secret: requests, signatures and public keys are public
 *   data, so comparisons are variable-time.
 * - All functions are thread-safe (no global state).
 */
#ifndef NODE_CLIENT_PROTO_H
#define NODE_CLIENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/err.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "node/identity.h"

/* ------------------------------------------------------------------ */
/* Bounds                                                              */

/** Largest request body accepted (bytes of JSON). */
#define NODE_CLIENT_REQUEST_MAX_BYTES (128u * 1024u)
/** Longest wallet, tx, session, request, node or authorizer id. */
#define NODE_CLIENT_ID_MAX_BYTES 128
/** Longest ClientID header value. Keeps every durable name under 255. */
#define NODE_CLIENT_CLIENT_ID_MAX_BYTES 64
/** Longest network_internal_code (opaque, echoed in results). */
#define NODE_CLIENT_NIC_MAX_BYTES 256
/** Longest `tx`: an EdDSA message or a preimage that the nodes hash. */
#define NODE_CLIENT_TX_MAX_BYTES (64u * 1024u)
/** Longest ECDSA `tx` when it is the digest itself (no `hash`). */
#define NODE_CLIENT_DIGEST_MAX_BYTES 32
/** Longest initiator or authorizer signature (P-256 DER is at most 72). */
#define NODE_CLIENT_SIG_MAX_BYTES 128
/** Most authorizer signatures in one request. */
#define NODE_CLIENT_AUTHORIZERS_MAX 16
/** Most node ids in a reshare committee or a presign signer set. */
#define NODE_CLIENT_NODES_MAX 64
/** Most presignatures one presign request may ask for. */
#define NODE_CLIENT_PRESIGN_COUNT_MAX 1000
/** Longest reason text in a problem (bytes, including the NUL). */
#define NODE_CLIENT_REASON_BYTES 256
/** Buffer size that holds every subject, durable name or Nats-Msg-Id
 *  built below, including the NUL. */
#define NODE_CLIENT_NAME_MAX_BYTES 512

/** ECDSA public key in results: X ‖ Y, 32 bytes each, no 0x04 prefix. */
#define NODE_CLIENT_ECDSA_PUB_BYTES 64
/** Compressed SEC1 secp256k1 public key (what lib/ produces). */
#define NODE_CLIENT_SECP256K1_PUB_BYTES 33
#define NODE_CLIENT_ED25519_PUB_BYTES 32
#define NODE_CLIENT_ED25519_SIG_BYTES 64

_Static_assert(NODE_CLIENT_DIGEST_MAX_BYTES == MPC_MSGHASH_BYTES,
               "an ECDSA digest is one message-hash output");
_Static_assert(NODE_CLIENT_TX_MAX_BYTES * 4 / 3 + 4096 <
                   NODE_CLIENT_REQUEST_MAX_BYTES,
               "a request with the largest tx fits the request bound");
/* The longest prefix is "mpc.mpc_presign_result" (22 bytes). */
_Static_assert(NODE_CLIENT_NAME_MAX_BYTES >
                   24 + NODE_CLIENT_CLIENT_ID_MAX_BYTES + 2 +
                       2 * NODE_CLIENT_ID_MAX_BYTES,
               "the longest subject or Nats-Msg-Id fits the buffer");
_Static_assert(24 + 3 * NODE_CLIENT_CLIENT_ID_MAX_BYTES < 255,
               "an escaped durable name stays within NATS's 255 bytes");

/* ------------------------------------------------------------------ */
/* Error codes (mpcium pkg/event/types.go) and our failure table       */

/**
 * mpcium's error codes. The wire string of each is its name with the
 * NODE_CLIENT_CODE_ prefix replaced by ERROR_ (node_client_code_str).
 * NODE_CLIENT_CODE_NONE is the empty string of a successful result.
 * The numbering is ours, stable, and never sent.
 */
typedef enum node_client_code {
    NODE_CLIENT_CODE_NONE = 0,
    NODE_CLIENT_CODE_UNKNOWN,
    /* network */
    NODE_CLIENT_CODE_NETWORK_TIMEOUT,
    NODE_CLIENT_CODE_NETWORK_CONNECTION,
    NODE_CLIENT_CODE_NETWORK_SUBSCRIPTION,
    NODE_CLIENT_CODE_MESSAGE_ROUTING,
    NODE_CLIENT_CODE_DIRECT_MESSAGING,
    /* session */
    NODE_CLIENT_CODE_SESSION_TIMEOUT,
    NODE_CLIENT_CODE_SESSION_CREATION,
    NODE_CLIENT_CODE_SESSION_INITIALIZATION,
    NODE_CLIENT_CODE_SESSION_CLEANUP,
    NODE_CLIENT_CODE_SESSION_DUPLICATE,
    NODE_CLIENT_CODE_SESSION_STALE,
    /* peers */
    NODE_CLIENT_CODE_INSUFFICIENT_PARTICIPANTS,
    NODE_CLIENT_CODE_INCOMPATIBLE_PEER_IDS,
    NODE_CLIENT_CODE_PEER_NOT_READY,
    NODE_CLIENT_CODE_PEER_UNAVAILABLE,
    NODE_CLIENT_CODE_PARTICIPANT_NOT_FOUND,
    /* keys */
    NODE_CLIENT_CODE_KEY_NOT_FOUND,
    NODE_CLIENT_CODE_KEY_ALREADY_EXISTS,
    NODE_CLIENT_CODE_KEY_GENERATION,
    NODE_CLIENT_CODE_KEY_SAVE,
    NODE_CLIENT_CODE_KEY_LOAD,
    NODE_CLIENT_CODE_KEY_INFO_SAVE,
    NODE_CLIENT_CODE_KEY_INFO_LOAD,
    NODE_CLIENT_CODE_KEY_ENCODING,
    NODE_CLIENT_CODE_KEY_DECODING,
    NODE_CLIENT_CODE_MSG_VALIDATION,
    /* crypto */
    NODE_CLIENT_CODE_SIGNATURE_GENERATION,
    NODE_CLIENT_CODE_SIGNATURE_VERIFICATION,
    NODE_CLIENT_CODE_INVALID_INITIATOR_SIGNATURE,
    NODE_CLIENT_CODE_PRE_PARAMS_GENERATION,
    NODE_CLIENT_CODE_TSS_PARTY_CREATION,
    /* authorizers */
    NODE_CLIENT_CODE_MISSING_AUTHORIZER_SIGNATURE,
    NODE_CLIENT_CODE_INVALID_AUTHORIZER_SIGNATURE,
    /* serialization */
    NODE_CLIENT_CODE_MARSHAL_FAILURE,
    NODE_CLIENT_CODE_UNMARSHAL_FAILURE,
    NODE_CLIENT_CODE_DATA_CORRUPTION,
    /* storage */
    NODE_CLIENT_CODE_STORAGE_READ,
    NODE_CLIENT_CODE_STORAGE_WRITE,
    NODE_CLIENT_CODE_STORAGE_INIT,
    /* messages */
    NODE_CLIENT_CODE_MESSAGE_VERIFICATION,
    NODE_CLIENT_CODE_MESSAGE_FORMAT,
    NODE_CLIENT_CODE_MESSAGE_DELIVERY,
    NODE_CLIENT_CODE_MAX_DELIVERY_ATTEMPTS,
    /* configuration */
    NODE_CLIENT_CODE_INVALID_CONFIGURATION,
    NODE_CLIENT_CODE_INVALID_THRESHOLD,
    NODE_CLIENT_CODE_INVALID_SESSION_TYPE,
    /* resources */
    NODE_CLIENT_CODE_RESOURCE_EXHAUSTED,
    NODE_CLIENT_CODE_MEMORY_ALLOCATION,
    NODE_CLIENT_CODE_CONCURRENCY_LIMIT,
    /* operations */
    NODE_CLIENT_CODE_KEYGEN_FAILURE,
    NODE_CLIENT_CODE_SIGNING_FAILURE,
    NODE_CLIENT_CODE_RESHARE_FAILURE,
    /* context */
    NODE_CLIENT_CODE_CONTEXT_CANCELLED,
    NODE_CLIENT_CODE_OPERATION_ABORTED,
    NODE_CLIENT_CODE_NOT_MAJORITY,
    NODE_CLIENT_CODE_CLUSTER_NOT_READY,
} node_client_code;

/** One past the last code (for iterating over the table). */
#define NODE_CLIENT_CODE_COUNT (NODE_CLIENT_CODE_CLUSTER_NOT_READY + 1)

/**
 * The wire string of `code` ("ERROR_MSG_VALIDATION"; "" for NONE), a static
 * string; NULL if `code` is not a value of the enum.
 */
const char *node_client_code_str(node_client_code code);

/**
 * Parses a wire string (exact bytes, case-sensitive; "" is NONE).
 * Returns: MPC_OK; MPC_ERR_PARSE for any other string (`*out` = NONE).
 * In: s: the bytes (may be NULL if len is 0).
 */
MPC_WARN_UNUSED mpc_err node_client_code_parse(node_client_code *out,
                                               const char *s, size_t len);

/**
 * Our failure situations. Each maps to exactly one mpcium code
 * (node_client_fail_code); the table is in docs/protocol.md. Values are
 * stable.
 */
typedef enum node_client_fail {
    /** The body is not a well-formed request: not JSON, too large, a
     *  duplicate or unknown field, a wrong JSON type, bad base64. */
    NODE_CLIENT_FAIL_DECODE = 1,
    /** A field breaks a rule: empty or malformed id, unknown key type,
     *  tx too long or empty, hardened or too deep path, bad count. */
    NODE_CLIENT_FAIL_VALIDATION,
    /** new_threshold below 1. */
    NODE_CLIENT_FAIL_THRESHOLD,
    /** Fewer parties than the threshold needs (request or key info). */
    NODE_CLIENT_FAIL_INSUFFICIENT_PARTICIPANTS,
    /** Initiator signature empty or not valid. */
    NODE_CLIENT_FAIL_INITIATOR_SIGNATURE,
    /** A required authorizer did not sign. */
    NODE_CLIENT_FAIL_AUTHORIZER_MISSING,
    /** An authorizer signature is empty, invalid or from an unknown id. */
    NODE_CLIENT_FAIL_AUTHORIZER_INVALID,
    /** Keygen needs every peer and some are not ready. */
    NODE_CLIENT_FAIL_CLUSTER_NOT_READY,
    /** Fewer than `threshold` peers are ready for signing. */
    NODE_CLIENT_FAIL_NOT_MAJORITY,
    /** The same operation is running or was already answered. */
    NODE_CLIENT_FAIL_DUPLICATE,
    /** Keygen for a wallet that exists. */
    NODE_CLIENT_FAIL_KEY_EXISTS,
    /** No key (or key info) for the wallet and curve. */
    NODE_CLIENT_FAIL_KEY_NOT_FOUND,
    /** The readiness barrier or a session deadline passed. */
    NODE_CLIENT_FAIL_TIMEOUT,
    /** The request stream gave up redelivering (MaxDeliver). */
    NODE_CLIENT_FAIL_MAX_DELIVERY,
    /** A peer could not be reached or refused a message. */
    NODE_CLIENT_FAIL_PEER_UNAVAILABLE,
    /** The keygen protocol aborted (a peer misbehaved; blame logged). */
    NODE_CLIENT_FAIL_KEYGEN_PROTOCOL,
    /** The signing or presigning protocol aborted. */
    NODE_CLIENT_FAIL_SIGNING_PROTOCOL,
    /** The resharing protocol aborted. */
    NODE_CLIENT_FAIL_RESHARE_PROTOCOL,
    /** The signature we produced does not verify (must not happen). */
    NODE_CLIENT_FAIL_SIGNATURE_CHECK,
    /** The keystore could not be read. */
    NODE_CLIENT_FAIL_STORAGE_READ,
    /** The keystore could not be written. */
    NODE_CLIENT_FAIL_STORAGE_WRITE,
    /** A sealed value did not open (wrong key or tampering). */
    NODE_CLIENT_FAIL_DATA_CORRUPTION,
    /** Too many operations of this type are running. */
    NODE_CLIENT_FAIL_CONCURRENCY,
    /** Out of memory. */
    NODE_CLIENT_FAIL_NOMEM,
    /** The node's configuration forbids or cannot serve the request. */
    NODE_CLIENT_FAIL_CONFIG,
    /** The node is shutting down. */
    NODE_CLIENT_FAIL_CANCELLED,
    /** Anything else (our bug). */
    NODE_CLIENT_FAIL_INTERNAL,
} node_client_fail;

/** The mpcium code of a failure; UNKNOWN for values outside the enum. */
node_client_code node_client_fail_code(node_client_fail fail);

/** An error to report to a client: a code and a reason text. */
typedef struct node_client_problem {
    node_client_fail fail;
    node_client_code code;
    /** NUL-terminated, printable ASCII; "" when unset. */
    char reason[NODE_CLIENT_REASON_BYTES];
} node_client_problem;

/**
 * Fills `p` with `fail`, its code and the formatted reason (truncated to
 * fit; bytes outside printable ASCII become '?'). mpcium's reasons read
 * "<context>: <error>"; callers follow that form. `p` may be NULL (no-op).
 */
void node_client_problem_set(node_client_problem *p, node_client_fail fail,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ */
/* Requests                                                            */

/** The four operations. Values are stable. */
typedef enum node_client_op {
    NODE_CLIENT_OP_KEYGEN = 1,
    NODE_CLIENT_OP_SIGN = 2,
    NODE_CLIENT_OP_RESHARE = 3,
    /** Our extension: fill the ECDSA presignature pool. */
    NODE_CLIENT_OP_PRESIGN = 4,
} node_client_op;

/** Curve of a request's key. Values are stable; 0 is "absent". */
typedef enum node_client_key_type {
    NODE_CLIENT_KEY_NONE = 0,
    /** ECDSA over secp256k1, wire name "secp256k1". */
    NODE_CLIENT_KEY_SECP256K1 = 1,
    /** EdDSA over Ed25519, wire name "ed25519". */
    NODE_CLIENT_KEY_ED25519 = 2,
} node_client_key_type;

/** "secp256k1", "ed25519", "" for NONE, NULL for other values. */
const char *node_client_key_type_str(node_client_key_type kt);

/** An id as it appears on the wire: NUL-terminated, validated. */
typedef struct node_client_id {
    char s[NODE_CLIENT_ID_MAX_BYTES + 1];
} node_client_id;

/** One `authorizer_signatures` entry. */
typedef struct node_client_authorizer_sig {
    node_client_id id;
    /** False when the signature was null or absent (Go nil). */
    bool sig_present;
    size_t sig_len;
    uint8_t sig[NODE_CLIENT_SIG_MAX_BYTES];
} node_client_authorizer_sig;

/**
 * A parsed request. The fields an operation does not use are zero.
 *
 *   op        fields
 *   KEYGEN    wallet_id
 *   SIGN      key_type wallet_id network_internal_code tx_id tx hash path
 *   RESHARE   session_id node_ids threshold key_type wallet_id
 *   PRESIGN   request_id wallet_id key_type path count node_ids
 *
 * plus signature and authorizers for every op. Only `tx` points outside
 * the struct; node_client_request_clear frees it.
 */
typedef struct node_client_request {
    node_client_op op;
    node_client_key_type key_type;
    node_client_id wallet_id;
    node_client_id tx_id;
    node_client_id session_id;
    node_client_id request_id;
    /** Opaque, valid UTF-8, no NUL; echoed in signing results. */
    char network_internal_code[NODE_CLIENT_NIC_MAX_BYTES + 1];

    /** Sign: the exact bytes (leading zeros kept). NULL encodes as JSON
     *  null in the signed bytes; parse never leaves it NULL for SIGN. */
    uint8_t *tx;
    size_t tx_len;
    /** Sign, ECDSA only (our extension `hash`): the nodes sign
     *  hash(tx) instead of tx. 0 = tx is the digest (EdDSA: the
     *  message). */
    mpc_msghash_alg hash;

    /** Sign and presign: non-hardened derivation path; empty = master. */
    size_t path_len;
    uint32_t path[MPC_HD_MAX_DEPTH];

    /** Reshare: the new committee; presign: the signer set (optional). */
    size_t n_node_ids;
    node_client_id node_ids[NODE_CLIENT_NODES_MAX];
    /** Reshare only: false encodes node_ids as null in the signed bytes
     *  (Go nil slice), true as an array. */
    bool node_ids_present;

    /** Reshare: signers of the new committee (our meaning; the wire's
     *  new_threshold is threshold - 1). */
    uint32_t threshold;
    /** Presign: how many presignatures to add to the pool. */
    uint32_t count;

    /** Initiator signature; sig_present false for null or absent. */
    bool signature_present;
    size_t signature_len;
    uint8_t signature[NODE_CLIENT_SIG_MAX_BYTES];

    size_t n_authorizers;
    node_client_authorizer_sig authorizers[NODE_CLIENT_AUTHORIZERS_MAX];
} node_client_request;

/**
 * Parses a request body of operation `op`. A request is about 15 KiB; it
 * fits any normal thread stack, or can be heap-allocated by the caller.
 *
 * Strict JSON (jansson): one object, no duplicate keys, no unknown keys
 * (mpcium's Go decoder ignores them and matches keys case-insensitively; we
 * accept exactly the wire names), valid UTF-8, no \u0000. A known key whose
 * value is null takes its zero value, as in Go. Then every field is
 * validated; docs/protocol.md lists the rules and the code of each failure.
 *
 * Returns: MPC_OK;
 *          MPC_ERR_PARSE       malformed (problem: DECODE, code
 *                              UNMARSHAL_FAILURE) or invalid (VALIDATION,
 *                              THRESHOLD, INSUFFICIENT_PARTICIPANTS; code
 *                              MSG_VALIDATION, INVALID_THRESHOLD,
 *                              INSUFFICIENT_PARTICIPANTS);
 *          MPC_ERR_NOMEM       (problem: NOMEM);
 *          MPC_ERR_INVALID_ARG op unknown, or json NULL with len > 0
 *                              (problem: INTERNAL).
 * Out: req:     the request. On failure nothing is left to clear: it is
 *               zeroed except `op` and, when the body is a JSON object,
 *               those of wallet_id, tx_id, session_id, request_id and
 *               network_internal_code (of this op) that are valid on their
 *               own, so the error result can name the request (mpcium
 *               echoes them; its clients match results by them).
 *      problem: (may be NULL) what was wrong; zeroed on success.
 * In:  json:    the body (need not be NUL-terminated).
 */
MPC_WARN_UNUSED mpc_err node_client_request_parse(node_client_request *req,
                                                  node_client_problem *problem,
                                                  node_client_op op,
                                                  const uint8_t *json,
                                                  size_t len);

/** Frees `req->tx` with free() and zeroes `req`. NULL does nothing. */
void node_client_request_clear(node_client_request *req);

/**
 * Writes the request as its sender publishes it: Go JSON of mpcium's
 * message struct (field order of §3.1), with our extension fields after the
 * mpcium ones. authorizer_signatures and hash are omitted when empty (Go
 * omitempty). Parsing the output gives a request with the same encoding
 * and the same signed bytes (the fuzz target checks it).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op or key type unknown, a length
 * above its bound, tx NULL with tx_len > 0); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_request_encode(
    uint8_t **out, size_t *out_len, const node_client_request *req);

/**
 * Which bytes the initiator signed for a SIGN request:
 * - CURRENT: mpcium's five-field object when the path is empty and `hash`
 *   is absent (so every mpcium client verifies unchanged); otherwise that
 *   object followed by "derivation_path":[…] (if the path is not empty) and
 *   then "hash":"…" (if present), so the signature covers both.
 * - LEGACY: mpcium's five-field object whatever the path (the path is then
 *   not covered). Never used for a request with `hash`.
 * Other operations have one form and ignore the variant.
 */
typedef enum node_client_signed_form {
    NODE_CLIENT_SIGNED_CURRENT = 0,
    NODE_CLIENT_SIGNED_LEGACY = 1,
} node_client_signed_form;

/**
 * The bytes the initiator signs (mpcium's Raw()):
 *   KEYGEN   the wallet id's bytes (not JSON);
 *   SIGN     {"key_type","wallet_id","network_internal_code","tx_id","tx"}
 *            (tx base64, null if NULL) plus the extension fields of
 *            `form` (see node_client_signed_form);
 *   RESHARE  {"session_id","node_ids","new_threshold","key_type",
 *            "wallet_id"} (node_ids null unless node_ids_present;
 *            new_threshold = threshold - 1);
 *   PRESIGN  {"request_id","wallet_id","key_type","count",
 *            "derivation_path","node_ids"} (both arrays always written,
 *            [] when empty).
 * All in Go JSON.
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, LEGACY with hash, a
 * length above its bound); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_request_signed_bytes(
    uint8_t **out, size_t *out_len, const node_client_request *req,
    node_client_signed_form form);

/**
 * mpcium's InitiatorID(): the id the authorizer envelope names — the wallet
 * id (keygen, reshare), the tx id (sign), the request id (presign). Points
 * into `req`; "" for an unknown op.
 */
const char *node_client_request_initiator_id(const node_client_request *req);

/**
 * The 32-byte digest an ECDSA SIGN request asks to be signed:
 * hash(tx) when `hash` is set, else tx read as a big-endian integer, i.e.
 * left-padded with zeros to 32 bytes (what Go's ecdsa does with a short
 * digest).
 *
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (not a SIGN request for secp256k1,
 * tx NULL, or no hash and tx longer than 32 bytes).
 */
MPC_WARN_UNUSED mpc_err node_client_request_digest(
    uint8_t out32[MPC_MSGHASH_BYTES], const node_client_request *req);

/* ------------------------------------------------------------------ */
/* Signatures: initiator and authorizers                               */

/**
 * Checks a configured public key: Ed25519 = 32 bytes, a canonical point
 * not of small order; P-256 = a DER SubjectPublicKeyInfo for prime256v1,
 * consumed exactly.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG otherwise (alg unknown included).
 */
MPC_WARN_UNUSED mpc_err node_client_pubkey_check(node_key_alg alg,
                                                 const uint8_t *key,
                                                 size_t key_len);

/**
 * Verifies `sig` over `msg` the way mpcium does: Ed25519 over the raw
 * message (libsodium: canonical S, R and key not of small order); P-256
 * ECDSA over SHA-256(msg) with a strict-DER signature (OpenSSL).
 *
 * Returns: MPC_OK; MPC_ERR_VERIFY (bad or empty signature);
 *          MPC_ERR_INVALID_ARG (the key fails node_client_pubkey_check, or
 *          msg / sig NULL with a non-zero length); MPC_ERR_NOMEM;
 *          MPC_ERR_INTERNAL (OpenSSL could not set up the check).
 * In: msg: (may be NULL if msg_len is 0); sig: (may be NULL if sig_len
 *     is 0).
 */
MPC_WARN_UNUSED mpc_err node_client_signature_verify(
    node_key_alg alg, const uint8_t *key, size_t key_len, const uint8_t *msg,
    size_t msg_len, const uint8_t *sig, size_t sig_len);

/** A configured authorizer: its id and public key (borrowed). */
typedef struct node_client_authorizer {
    const char *id;
    node_key_alg alg;
    const uint8_t *key;
    size_t key_len;
} node_client_authorizer;

/**
 * The authorization policy (mpcium `authorization.*`). All pointers are
 * borrowed; the arrays may be NULL when their count is 0.
 */
typedef struct node_client_auth_policy {
    bool enabled;
    const node_client_authorizer *authorizers;
    size_t n_authorizers;
    /** Ids that must have signed every request. */
    const char *const *required;
    size_t n_required;
} node_client_auth_policy;

/**
 * The bytes each authorizer signs: Go JSON
 * {"initiator_id":…,"initiator_raw":base64(raw),"initiator_sig":base64(sig)}
 * with initiator_sig null when `sig` is NULL.
 *
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (raw NULL with
 * raw_len > 0).
 * In: raw: (may be NULL if raw_len is 0); sig: (may be NULL).
 */
MPC_WARN_UNUSED mpc_err node_client_authorizer_bytes(
    uint8_t **out, size_t *out_len, const char *initiator_id,
    const uint8_t *raw, size_t raw_len, const uint8_t *sig, size_t sig_len);

/**
 * Authenticates a parsed request: the initiator signature, then the
 * authorizers, in mpcium's order (§3.3):
 * 1. The initiator signature must be present, non-empty and valid over
 *    node_client_request_signed_bytes(CURRENT). For a SIGN request with a
 *    non-empty path and no hash, when `allow_legacy_path` is true, the
 *    LEGACY bytes are accepted too (an mpcium client that does not cover
 *    the path).
 * 2. Policy disabled → accepted.
 * 3. Every required id must appear among the provided signatures.
 * 4. No signatures and none required → accepted.
 * 5. Every provided signature must come from a configured authorizer and
 *    verify over node_client_authorizer_bytes(initiator id, the bytes the
 *    initiator signature verified over, the initiator signature). Extra
 *    valid authorizers are fine.
 *
 * Returns: MPC_OK;
 *          MPC_ERR_VERIFY      initiator (INITIATOR_SIGNATURE) or an
 *                              authorizer (AUTHORIZER_INVALID) failed;
 *          MPC_ERR_AUTH        a required authorizer is missing
 *                              (AUTHORIZER_MISSING);
 *          MPC_ERR_INVALID_ARG a configured key is malformed (CONFIG),
 *                              or req is NULL or cannot be encoded
 *                              (INTERNAL);
 *          MPC_ERR_INTERNAL    OpenSSL failed unexpectedly (INTERNAL);
 *          MPC_ERR_NOMEM       (NOMEM).
 * Out: problem: (may be NULL) the failure; zeroed on success.
 * In:  policy:  (may be NULL = disabled).
 */
MPC_WARN_UNUSED mpc_err node_client_request_authenticate(
    node_client_problem *problem, const node_client_request *req,
    node_key_alg initiator_alg, const uint8_t *initiator_key,
    size_t initiator_key_len, const node_client_auth_policy *policy,
    bool allow_legacy_path);

/**
 * As node_client_request_authenticate, for an initiator key that the
 * caller has checked once with node_client_pubkey_check (e.g. when it was
 * configured) and keeps unchanged: the per-request check of that key (a
 * subgroup check, as costly as a scalar multiplication, for Ed25519) is
 * skipped. Authorizer keys are checked as there.
 * Security: passing a key that was not checked lets a key with a torsion
 * component through.
 * Returns: as node_client_request_authenticate.
 */
MPC_WARN_UNUSED mpc_err node_client_request_authenticate_prechecked(
    node_client_problem *problem, const node_client_request *req,
    node_key_alg initiator_alg, const uint8_t *initiator_key,
    size_t initiator_key_len, const node_client_auth_policy *policy,
    bool allow_legacy_path);

/* ------------------------------------------------------------------ */
/* Results                                                             */

/**
 * Converts mpcium's wire threshold (t: t + 1 parties sign) into ours
 * (signers).
 * Returns: MPC_OK; MPC_ERR_PARSE when t < 0 or t + 1 > NODE_CLIENT_NODES_MAX
 * (`*signers` = 0).
 */
MPC_WARN_UNUSED mpc_err node_client_threshold_from_wire(uint32_t *signers,
                                                        int64_t t);

/** Our threshold (signers) as mpcium's wire value: signers - 1; 0 for 0. */
uint32_t node_client_threshold_to_wire(uint32_t signers);

/**
 * Converts a compressed secp256k1 key into the results' form: 64 bytes
 * X ‖ Y.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (not a valid compressed point).
 */
MPC_WARN_UNUSED mpc_err node_client_ecdsa_pub_encode(
    uint8_t out64[NODE_CLIENT_ECDSA_PUB_BYTES],
    const uint8_t in33[NODE_CLIENT_SECP256K1_PUB_BYTES]);

/**
 * KeygenResultEvent, success:
 * {"wallet_id","ecdsa_pub_key","eddsa_pub_key","result_type":"success",
 *  "error_reason":"","error_code":""}; ecdsa_pub_key = base64 of X ‖ Y.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (ecdsa_pub33 not a point);
 *          MPC_ERR_NOMEM.
 * In: ecdsa_pub33, eddsa_pub32: (may be NULL: the key is written as null).
 */
MPC_WARN_UNUSED mpc_err node_client_keygen_result_success(
    uint8_t **out, size_t *out_len, const char *wallet_id,
    const uint8_t *ecdsa_pub33, const uint8_t *eddsa_pub32);

/**
 * KeygenResultEvent, error: both keys null, result_type "error".
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (problem NULL, its
 *          code not a value of the enum, or its reason not terminated).
 * In: wallet_id: (may be NULL = "", e.g. for an undecodable request).
 */
MPC_WARN_UNUSED mpc_err node_client_keygen_result_error(
    uint8_t **out, size_t *out_len, const char *wallet_id,
    const node_client_problem *problem);

/** The ids a SigningResultEvent echoes (each may be NULL = ""). */
typedef struct node_client_sign_ids {
    const char *network_internal_code;
    const char *wallet_id;
    const char *tx_id;
} node_client_sign_ids;

/**
 * SigningResultEvent, ECDSA success: {"result_type":"success",
 * "error_code":"","error_reason":"","is_timeout":false,
 * "network_internal_code","wallet_id","tx_id","r","s",
 * "signature_recovery","signature":null}; r, s = 32 bytes big-endian,
 * signature_recovery = the one recovery byte.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (r or s zero or not below the
 *          group order, s above half the order (not low-S), recovery > 3);
 *          MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_sign_result_ecdsa(
    uint8_t **out, size_t *out_len, const node_client_sign_ids *ids,
    const uint8_t r32[32], const uint8_t s32[32], uint8_t recovery);

/**
 * SigningResultEvent, EdDSA success: r, s and signature_recovery null,
 * signature = base64 of the 64-byte R ‖ S. The signature is not checked
 * here: the caller verifies it against the (derived) key first.
 * Returns: MPC_OK; MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_sign_result_eddsa(
    uint8_t **out, size_t *out_len, const node_client_sign_ids *ids,
    const uint8_t sig64[NODE_CLIENT_ED25519_SIG_BYTES]);

/**
 * SigningResultEvent, error: result_type "error", the problem's code and
 * reason, `is_timeout`, and r, s, signature_recovery, signature all null
 * (mpcium's timeout consumer copies the request's initiator signature into
 * `signature`; we do not).
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (problem as for
 *          node_client_keygen_result_error).
 * In: ids: (may be NULL: all three "").
 */
MPC_WARN_UNUSED mpc_err node_client_sign_result_error(
    uint8_t **out, size_t *out_len, const node_client_sign_ids *ids,
    const node_client_problem *problem, bool is_timeout);

/**
 * ResharingResultEvent, success: {"wallet_id","new_threshold","key_type",
 * "pub_key","result_type":"success","error_reason":"","error_code":""}.
 * new_threshold = node_client_threshold_to_wire(threshold); pub_key =
 * base64 of X ‖ Y (secp256k1, from the 33-byte compressed key) or of the
 * 32-byte Ed25519 key.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (key type unknown, pub_len not 33
 *          resp. 32, not a secp256k1 point); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_reshare_result_success(
    uint8_t **out, size_t *out_len, const char *wallet_id, uint32_t threshold,
    node_client_key_type key_type, const uint8_t *pub, size_t pub_len);

/**
 * ResharingResultEvent, error: pub_key null. key_type NONE is written as
 * "" and threshold 0 as 0 (what Go writes for an undecodable request).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (key type not a value of the enum,
 *          problem as for node_client_keygen_result_error);
 *          MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_reshare_result_error(
    uint8_t **out, size_t *out_len, const char *wallet_id, uint32_t threshold,
    node_client_key_type key_type, const node_client_problem *problem);

/**
 * PresignResultEvent (our extension): {"request_id","wallet_id","key_type",
 * "requested","generated","result_type","error_reason","error_code"}.
 * `problem` NULL means success ("success", "", ""), else "error" with its
 * code and reason; `generated` counts the presignatures added to the pool.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (key type not a value of the enum,
 *          problem malformed); MPC_ERR_NOMEM.
 */
MPC_WARN_UNUSED mpc_err node_client_presign_result(
    uint8_t **out, size_t *out_len, const char *request_id,
    const char *wallet_id, node_client_key_type key_type, uint32_t requested,
    uint32_t generated, const node_client_problem *problem);

/**
 * Go's json.Marshal of one string: the quoted, escaped form (see the top of
 * this header). Any bytes are accepted: invalid UTF-8 becomes \ufffd.
 * Returns: MPC_OK; MPC_ERR_NOMEM; MPC_ERR_INVALID_ARG (s NULL with len > 0).
 */
MPC_WARN_UNUSED mpc_err node_client_gojson_string(uint8_t **out,
                                                  size_t *out_len,
                                                  const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* Subjects, streams, durable names, headers, idempotency keys         */

/** Header names (exact spelling). */
#define NODE_CLIENT_HDR_CLIENT_ID "ClientID"
#define NODE_CLIENT_HDR_SESSION_ID "SessionID"
#define NODE_CLIENT_HDR_MSG_ID "Nats-Msg-Id"

/** Core-NATS subject on which mpcium clients publish reshare requests. */
#define NODE_CLIENT_SUBJECT_RESHARE_CORE "mpc:reshare"
/** mpcium's results stream and its three subjects. */
#define NODE_CLIENT_RESULT_STREAM "mpc"
#define NODE_CLIENT_RESULT_SUBJECT_KEYGEN "mpc.mpc_keygen_result.>"
#define NODE_CLIENT_RESULT_SUBJECT_SIGN "mpc.mpc_signing_result.>"
#define NODE_CLIENT_RESULT_SUBJECT_RESHARE "mpc.mpc_reshare_result.>"
/**
 * Presign results (our extension) live in their own stream,
 * NODE_JSETUP_STREAM_EXT_RESULTS ("mpc-ext-results"), never in "mpc":
 * mpcium's Go client create-or-updates "mpc" with exactly the three
 * subjects above and would silently drop a fourth.
 */
#define NODE_CLIENT_RESULT_SUBJECT_PRESIGN "mpc.mpc_presign_result.>"

/**
 * True if `s[0..len)` is a valid id (wallet, tx, session, request, node,
 * authorizer): 1 to NODE_CLIENT_ID_MAX_BYTES bytes, each printable ASCII
 * (0x21..0x7e) other than '.', '*', '>' (NATS token syntax) and ':'
 * (mpcium's topic and idempotency-key separator).
 */
bool node_client_id_is_valid(const char *s, size_t len);

/**
 * Checks a ClientID header value. Empty (len 0) is valid and means "no
 * client id" (legacy subjects). Otherwise the id rules of
 * node_client_id_is_valid apply, with at most
 * NODE_CLIENT_CLIENT_ID_MAX_BYTES bytes. This is stricter than mpcium's
 * client check (not blank; no space, tab, CR, LF, '.', '*', '>'): we also
 * refuse ':' and non-ASCII, which would make idempotency keys ambiguous.
 * Returns: MPC_OK; MPC_ERR_PARSE.
 * In: s: (may be NULL if len is 0).
 */
MPC_WARN_UNUSED mpc_err node_client_client_id_check(const char *s, size_t len);

/**
 * Request intake for `op`: the JetStream stream, its subject filter and
 * the shared durable consumer every node binds to. mpcium's for keygen and
 * sign ("mpc-keygen", "mpc.keygen_request.*", "mpc_keygen_consumer"; …);
 * ours for reshare ("mpc-reshare", "mpc.reshare_request.*",
 * "mpc_reshare_consumer") and presign ("mpc-presign",
 * "mpc.presign_request.*", "mpc_presign_consumer"). Static strings; NULL
 * for an unknown op.
 */
const char *node_client_request_stream(node_client_op op);
const char *node_client_request_filter(node_client_op op);
const char *node_client_request_durable(node_client_op op);

/**
 * The subject a client publishes a request to: "mpc.keygen_request.<id>",
 * "mpc.signing_request.<id>", "mpc.reshare_request.<id>",
 * "mpc.presign_request.<id>" (id = wallet, tx, session, request id).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, id invalid, out_size
 * too small).
 */
MPC_WARN_UNUSED mpc_err node_client_request_subject(char *out, size_t out_size,
                                                    node_client_op op,
                                                    const char *id);

/**
 * The subject a result is published to (§1.5):
 *   KEYGEN   mpc.mpc_keygen_result[.<cid>].<wallet id>
 *   SIGN     mpc.mpc_signing_result[.<cid>].complete   (id ignored)
 *   RESHARE  mpc.mpc_reshare_result[.<cid>].<session id>
 *   PRESIGN  mpc.mpc_presign_result[.<cid>].<request id>
 * The client-id token is present only when client_id is non-empty.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, client id or id
 * invalid, out_size too small).
 * In: client_id: (may be NULL = ""); id: (may be NULL for SIGN).
 */
MPC_WARN_UNUSED mpc_err node_client_result_subject(char *out, size_t out_size,
                                                   node_client_op op,
                                                   const char *client_id,
                                                   const char *id);

/**
 * The filter a client's result consumer uses: the result subject with '*'
 * in place of the id (SIGN: ".complete").
 * Returns: as node_client_result_subject.
 */
MPC_WARN_UNUSED mpc_err node_client_result_filter(char *out, size_t out_size,
                                                  node_client_op op,
                                                  const char *client_id);

/**
 * mpcium's consumer-name sanitizer, byte for byte: '.', ':', ' ', '-' →
 * '_', '>' → "all", '*' → "any", then a '_' prefix if the first byte, read
 * as a Latin-1 code point, is neither a letter nor '_'. Not injective
 * ("svc-a" and "svc_a" collide); use it only to find consumers mpcium
 * software created.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (out_size too small).
 */
MPC_WARN_UNUSED mpc_err node_client_durable_sanitize_mpcium(char *out,
                                                            size_t out_size,
                                                            const char *name,
                                                            size_t len);

/**
 * The durable result consumer mpcium clients use: the base name
 * ("mpc_keygen_result", "mpc_signing_result", "mpc_reshare_result",
 * "mpc_presign_result") for an empty client id, else
 * sanitize(base + "." + client id).
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, client id invalid,
 * out_size too small).
 */
MPC_WARN_UNUSED mpc_err node_client_result_durable_mpcium(
    char *out, size_t out_size, node_client_op op, const char *client_id);

/**
 * Our durable result consumer for a client: the base name for an empty
 * client id, else base + "-" + escape(client id), where escape keeps
 * [A-Za-z0-9-], writes '_' as "__" and every other byte b as '_' followed
 * by two lowercase hex digits. The map is injective (escape is a prefix
 * code that decodes uniquely), and no result is ever one of mpcium's
 * sanitized names, which never contain '-'. Output alphabet [A-Za-z0-9_-].
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, client id invalid,
 * out_size too small).
 */
MPC_WARN_UNUSED mpc_err node_client_result_durable(char *out, size_t out_size,
                                                   node_client_op op,
                                                   const char *client_id);

/**
 * The Nats-Msg-Id of a result (§1.4): "<prefix>.[<cid>:]<id>[:<session>]"
 * with prefix "mpc.mpc_keygen_result", "mpc.mpc_signing_result",
 * "mpc.mpc_reshare_result" or "mpc.mpc_presign_result", and id the wallet,
 * tx, session or request id. Because neither ids nor client ids contain
 * ':', a key names one (client, id, session) triple given which parts are
 * present.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (op unknown, an id invalid,
 * out_size too small).
 * In: client_id, session_id: (may be NULL or "" = omitted).
 */
MPC_WARN_UNUSED mpc_err node_client_result_msg_id(char *out, size_t out_size,
                                                  node_client_op op,
                                                  const char *client_id,
                                                  const char *id,
                                                  const char *session_id);

#endif /* NODE_CLIENT_PROTO_H */
