/*
 * node/envelope.h — node-to-node envelopes: signed, and sealed when P2P.
 *
 * Every message between nodes is one protobuf Envelope
 * (proto/mpcium/v1/wire.proto). This module builds and checks them; the
 * byte layouts, the choice of sign-then-encrypt and the control messages
 * are specified in docs/wire.md.
 *
 * - Signature: the sender's Ed25519 identity key signs a canonical byte
 *   string (a fixed layout of every header field and SHA-256 of the
 *   plaintext payload), never the protobuf encoding. So what was signed can
 *   be shown to a third party (node_envelope_evidence_verify): blame is
 *   provable.
 * - P2P: the signature and the frame are then encrypted together with
 *   XChaCha20-Poly1305 under the pairwise key of sender and receiver
 *   (X25519 of their identity keys, then HKDF-SHA256 over both ids and
 *   keys), random nonce, associated data = every header field (version,
 *   session, operation, kind, sender, recipient, round, timestamp). A P2P
 *   envelope therefore opens only at its recipient, only in its session
 *   and round, and reveals nothing of the frame, not even a signature on
 *   it.
 * - Parsing is strict: bounded size, the canonical protobuf-c encoding only
 *   (no unknown or repeated fields, no default values written out), every
 *   field checked. Any byte changed in an envelope makes it fail to open.
 *
 * Replays: inside a session the round engine drops duplicates and blames
 * equivocation (mpc/session.h); across sessions the session id (signed,
 * and in the AD) binds every envelope to one session. The timestamp is
 * signed but not checked here.
 *
 * Identities come from the operator's peers file only. Node ids are 1 to
 * NODE_ENVELOPE_ID_MAX_BYTES bytes of printable ASCII (0x21..0x7e) other
 * than ':', '.', '*' and '>'.
 *
 * Rules for the whole header:
 * - Pointer arguments must not be NULL unless stated; a NULL where one is
 *   required yields MPC_ERR_INVALID_ARG.
 * - Argument order: ctx, outputs, inputs; a length follows its buffer.
 * - No function keeps a pointer to its inputs after it returns.
 * - On failure every output is zeroed, except where a function says
 *   otherwise (node_envelope_open names the claimed sender).
 *
 * Threads: no global state; the self and peer structs are read-only after
 * init, so several threads may seal and open with them at once.
 */
#ifndef NODE_ENVELOPE_H
#define NODE_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/session.h"
#include "mpcium/v1/wire.pb-c.h"

/** The envelope format version (Envelope.version; also in the KDF). */
#define NODE_ENVELOPE_VERSION 1

#define NODE_ENVELOPE_SID_BYTES MPC_SESSION_ID_BYTES
/** The longest node id. */
#define NODE_ENVELOPE_ID_MAX_BYTES 64
/** Ed25519 identity keys (libsodium layout: sk = seed || pk). */
#define NODE_ENVELOPE_PK_BYTES 32
#define NODE_ENVELOPE_SK_BYTES 64
#define NODE_ENVELOPE_SIG_BYTES 64
/** The pairwise AEAD key. */
#define NODE_ENVELOPE_KEY_BYTES 32
#define NODE_ENVELOPE_NONCE_BYTES 24
#define NODE_ENVELOPE_TAG_BYTES 16
/** What sealing adds to a P2P frame: nonce, inner signature, tag. */
#define NODE_ENVELOPE_P2P_OVERHEAD_BYTES                                       \
    (NODE_ENVELOPE_NONCE_BYTES + NODE_ENVELOPE_SIG_BYTES +                     \
     NODE_ENVELOPE_TAG_BYTES)
/** The largest plaintext payload: one round frame. */
#define NODE_ENVELOPE_PAYLOAD_MAX_BYTES MPC_SESSION_FRAME_MAX_BYTES
/** The largest control message (SessionStart, results, barrier). */
#define NODE_ENVELOPE_CONTROL_MAX_BYTES (256u * 1024u)
/** The largest client request a SessionStart carries. */
#define NODE_ENVELOPE_REQUEST_MAX_BYTES (128u * 1024u)
/** Room for the envelope's other fields (under 400 bytes encoded). */
#define NODE_ENVELOPE_FIELDS_MAX_BYTES 512
/** The longest envelope node_envelope_open accepts. */
#define NODE_ENVELOPE_MAX_BYTES                                                \
    (NODE_ENVELOPE_PAYLOAD_MAX_BYTES + NODE_ENVELOPE_P2P_OVERHEAD_BYTES +      \
     NODE_ENVELOPE_FIELDS_MAX_BYTES)
/** The highest round of a frame. */
#define NODE_ENVELOPE_ROUND_MAX MPC_SESSION_ROUNDS_MAX
/** Bounds on SessionStart time limits (milliseconds). */
#define NODE_ENVELOPE_TIMEOUT_MAX_MS 600000u

_Static_assert(NODE_ENVELOPE_SID_BYTES == 32, "session ids are 32 bytes");
_Static_assert(NODE_ENVELOPE_CONTROL_MAX_BYTES <=
                   NODE_ENVELOPE_PAYLOAD_MAX_BYTES,
               "a control message is a payload");
_Static_assert(NODE_ENVELOPE_REQUEST_MAX_BYTES + 64 * 1024 <=
                   NODE_ENVELOPE_CONTROL_MAX_BYTES,
               "a SessionStart holds the request and two party lists");

/** Operations; values equal wire.proto's Operation (stable). */
typedef enum node_envelope_op {
    NODE_ENVELOPE_OP_KEYGEN_ECDSA = 1,
    NODE_ENVELOPE_OP_KEYGEN_EDDSA = 2,
    NODE_ENVELOPE_OP_SIGN_ECDSA = 3,
    NODE_ENVELOPE_OP_SIGN_EDDSA = 4,
    NODE_ENVELOPE_OP_RESHARE_ECDSA = 5,
    NODE_ENVELOPE_OP_RESHARE_EDDSA = 6,
    NODE_ENVELOPE_OP_PRESIGN_ECDSA = 7,
    NODE_ENVELOPE_OP_AUX_INFO_ECDSA = 8,
    NODE_ENVELOPE_OP_REFRESH_ECDSA = 9,
    NODE_ENVELOPE_OP_REFRESH_EDDSA = 10,
} node_envelope_op;

#define NODE_ENVELOPE_OP_MAX NODE_ENVELOPE_OP_REFRESH_EDDSA

/**
 * Kinds; values equal wire.proto's Kind (stable). BCAST, P2P and ECHO
 * carry a round frame and equal mpc_session_kind; the others carry the
 * control message of the same name.
 */
typedef enum node_envelope_kind {
    NODE_ENVELOPE_BCAST = 1,
    NODE_ENVELOPE_P2P = 2,
    NODE_ENVELOPE_ECHO = 3,
    NODE_ENVELOPE_BARRIER_PING = 4,
    NODE_ENVELOPE_BARRIER_PONG = 5,
    NODE_ENVELOPE_SESSION_START = 6,
    NODE_ENVELOPE_SESSION_RESULT = 7,
    NODE_ENVELOPE_SESSION_ACK = 8,
} node_envelope_kind;

#define NODE_ENVELOPE_KIND_MAX NODE_ENVELOPE_SESSION_ACK

/** True for BCAST, P2P and ECHO (the payload is a round frame). */
bool node_envelope_kind_is_frame(node_envelope_kind kind);

/**
 * This node: its id and Ed25519 identity key, and the X25519 secret derived
 * from it. Holds secrets: clear it with node_envelope_self_clear. It is a
 * plain struct so the caller may place it in guarded memory.
 */
typedef struct node_envelope_self {
    char id[NODE_ENVELOPE_ID_MAX_BYTES + 1];
    size_t id_len;
    uint8_t sign_sk[NODE_ENVELOPE_SK_BYTES];
    uint8_t sign_pk[NODE_ENVELOPE_PK_BYTES];
    uint8_t dh_sk[32];
} node_envelope_self;

/**
 * Sets up this node's identity.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, an invalid id, or an sk whose
 *            public half is not the key of its seed (signing with such a
 *            key can leak the seed);
 *          MPC_ERR_INTERNAL: libsodium failed to initialise.
 *          `*self` is zeroed on error.
 * Out: self.
 * In:  id: NUL-terminated node id. sk: seed || pk, as node/identity loads it.
 * Security: copies the secret key; wipe with node_envelope_self_clear.
 */
MPC_WARN_UNUSED mpc_err
node_envelope_self_init(node_envelope_self *self, const char *id,
                        const uint8_t sk[NODE_ENVELOPE_SK_BYTES]);

/** Wipes `self`; NULL does nothing. */
void node_envelope_self_clear(node_envelope_self *self);

/**
 * A peer as this node sees it: its id, its identity public key, and the
 * pairwise key both of them derive. Holds a secret (the pairwise key).
 */
typedef struct node_envelope_peer {
    char id[NODE_ENVELOPE_ID_MAX_BYTES + 1];
    size_t id_len;
    uint8_t sign_pk[NODE_ENVELOPE_PK_BYTES];
    uint8_t key[NODE_ENVELOPE_KEY_BYTES];
} node_envelope_peer;

/**
 * Sets up a peer and derives the pairwise key:
 *   ikm  = X25519(self's X25519 secret, peer pk converted to X25519)
 *   key  = HKDF-SHA256(salt = "mpcium-c/v1/pairwise-key", ikm,
 *                      info = version || both (id, pk) in id order)
 * Both ends derive the same key (docs/wire.md §4.1).
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL, an invalid id, or the peer's id is
 *            self's;
 *          MPC_ERR_VERIFY: pk is not a usable Ed25519 key (not on the
 *            curve, small order, or the shared secret is zero).
 *          `*peer` is zeroed on error.
 * Out: peer.
 * In:  self; id: NUL-terminated; pk: from the operator's peers file.
 * Security: the pairwise key is secret: wipe with node_envelope_peer_clear.
 */
MPC_WARN_UNUSED mpc_err node_envelope_peer_init(
    node_envelope_peer *peer, const node_envelope_self *self, const char *id,
    const uint8_t pk[NODE_ENVELOPE_PK_BYTES]);

/** Wipes `peer`; NULL does nothing. */
void node_envelope_peer_clear(node_envelope_peer *peer);

/** The header fields a sender chooses (sender and recipient are ids). */
typedef struct node_envelope_meta {
    uint8_t sid[NODE_ENVELOPE_SID_BYTES];
    node_envelope_op op;
    node_envelope_kind kind;
    /** 1..NODE_ENVELOPE_ROUND_MAX for frames, 0 for control messages. */
    unsigned round;
    /** The sender's wall clock, Unix milliseconds (signed, unchecked). */
    uint64_t timestamp_ms;
} node_envelope_meta;

/** The most bytes node_envelope_seal writes for a payload of this size. */
size_t node_envelope_seal_bound(size_t payload_len);

/**
 * Builds a signed envelope from this node; P2P payloads are sealed for
 * `to`. Control payloads are checked as node_envelope_control_parse would
 * (a node never signs a message its peers must reject), and a
 * SESSION_START's session id must be node_envelope_start_sid of it.
 * Returns: MPC_OK;
 *          MPC_ERR_INVALID_ARG: a NULL; meta out of range (op, kind, a
 *            round not allowed for the kind); P2P without `to`; `to` equal
 *            to self; payload longer than NODE_ENVELOPE_PAYLOAD_MAX_BYTES
 *            (control: NODE_ENVELOPE_CONTROL_MAX_BYTES) or an invalid
 *            control message; a SESSION_START with another session id;
 *            out_cap too small (node_envelope_seal_bound is always
 *            enough);
 *          MPC_ERR_NOMEM.
 *          On error `*out_len` is 0 and `out` (out_cap bytes) is zeroed.
 * Args: ctx: randomness (the P2P nonce) and allocation.
 * Out:  out: the envelope bytes (out_cap bytes available); out_len.
 * In:   self: the sender. to: the recipient (may be NULL: every member;
 *         required for P2P). meta, payload: payload_len bytes (NULL if 0).
 * Security: the P2P frame is copied into a buffer that is wiped when
 *   freed; `out` holds only ciphertext.
 */
MPC_WARN_UNUSED mpc_err node_envelope_seal(
    const mpc_ctx *ctx, uint8_t *out, size_t out_cap, size_t *out_len,
    const node_envelope_self *self, const node_envelope_peer *to,
    const node_envelope_meta *meta, const uint8_t *payload, size_t payload_len);

/**
 * An opened envelope: every field authenticated. The fields are plain
 * values, so the same struct also carries evidence to a third party
 * (node_envelope_evidence_verify). `priv` is private.
 */
typedef struct node_envelope {
    node_envelope_meta meta;
    char sender[NODE_ENVELOPE_ID_MAX_BYTES + 1];
    /** Empty: every member of the session. */
    char recipient[NODE_ENVELOPE_ID_MAX_BYTES + 1];
    /** The plaintext payload (a frame or a control message). */
    const uint8_t *payload;
    size_t payload_len;
    /** The sender's signature (docs/wire.md §3). */
    uint8_t signature[NODE_ENVELOPE_SIG_BYTES];
    /**
     * Control kinds: the parsed, validated message; cast by kind to
     * Mpcium__V1__BarrierPing, __BarrierPong, __SessionStart,
     * __SessionResult or __SessionAck. NULL for frames.
     */
    ProtobufCMessage *control;
    /** The sender's index in the peers table passed to open. */
    size_t peer;
    Mpcium__V1__Envelope *priv;
} node_envelope;

/**
 * Parses, authenticates and (P2P) decrypts one envelope addressed to this
 * node. Checks, in order: size, strict protobuf, every field; recipient
 * is self or everyone (P2P: self); the sender is in `peers` (and is not
 * self); P2P: the AEAD with the pairwise key and the header as AD; the
 * signature; control kinds: the payload (node_envelope_control_parse), a
 * SessionStart's operation, and its session id (node_envelope_start_sid).
 * Returns: MPC_OK: `env` holds the envelope; free with
 *            node_envelope_clear;
 *          MPC_ERR_INVALID_ARG: a NULL (bytes may be NULL when len is 0);
 *          MPC_ERR_PARSE: too long, not the canonical encoding of an
 *            Envelope, a field out of range, or (after the signature
 *            verified) a control payload that does not parse;
 *          MPC_ERR_NOT_FOUND: the sender is not in `peers`, or is self (a
 *            node's own broadcasts come back to it: drop them);
 *          MPC_ERR_PROTOCOL: addressed to another node; or (after the
 *            signature verified) a SessionStart whose operation or
 *            session id does not match the envelope;
 *          MPC_ERR_VERIFY: the signature does not verify, or a P2P payload
 *            does not decrypt (forged, altered, another session, round or
 *            recipient, or sealed with another key);
 *          MPC_ERR_NOMEM.
 *          On error `env` is zeroed except env->sender, which names the
 *          claimed sender when the bytes got far enough to name one (else
 *          it is empty). Only MPC_OK authenticates a sender: the claimed
 *          one is for logs, never for blame.
 * Out: env.
 * In:  self: the receiver. peers: n_peers entries made with
 *        node_envelope_peer_init (the peers file; a sender naming self is
 *        never accepted).
 *      bytes: len bytes from the network.
 * Security: a P2P plaintext lives in env until node_envelope_clear wipes
 *   it.
 */
MPC_WARN_UNUSED mpc_err node_envelope_open(node_envelope *env,
                                           const node_envelope_self *self,
                                           const node_envelope_peer *peers,
                                           size_t n_peers, const uint8_t *bytes,
                                           size_t len);

/** Wipes and frees what `env` holds and zeroes it; NULL does nothing. */
void node_envelope_clear(node_envelope *env);

/**
 * Verifies evidence: that the holder of `pk` signed env's meta, sender,
 * recipient and payload (a P2P plaintext included). A node shows a third
 * party these fields from an opened envelope to prove what a peer sent it;
 * the third party needs only the sender's public key. env->priv and
 * env->control are not used.
 * Returns: MPC_OK; MPC_ERR_VERIFY: it does not verify; MPC_ERR_INVALID_ARG:
 *          a NULL, or fields no envelope can carry.
 */
MPC_WARN_UNUSED mpc_err node_envelope_evidence_verify(
    const node_envelope *env, const uint8_t pk[NODE_ENVELOPE_PK_BYTES]);

/**
 * The session id of a SessionStart: SHA-256 over a domain tag, the
 * coordinator's id and the start's exact bytes (docs/wire.md §5.1). Every
 * member derives it, so a session id names one start by one coordinator.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG: a NULL or an invalid id (sid
 *          zeroed).
 * Out: sid. In: coordinator: NUL-terminated id; start: len bytes.
 */
MPC_WARN_UNUSED mpc_err node_envelope_start_sid(
    uint8_t sid[NODE_ENVELOPE_SID_BYTES], const char *coordinator,
    const uint8_t *start, size_t len);

/**
 * Strictly decodes and validates a control message of `kind` (the rules
 * per message are in docs/wire.md §5): at most
 * NODE_ENVELOPE_CONTROL_MAX_BYTES, the canonical encoding only, every field
 * in range, node ids valid and distinct within a list.
 * Returns: MPC_OK: free `*out` with node_envelope_control_free;
 *          MPC_ERR_INVALID_ARG: a NULL, or kind is not a control kind;
 *          MPC_ERR_PARSE: anything else wrong with the bytes;
 *          MPC_ERR_NOMEM.
 *          `*out` is NULL on error.
 * Out: out: cast by kind (see node_envelope.control).
 */
MPC_WARN_UNUSED mpc_err node_envelope_control_parse(ProtobufCMessage **out,
                                                    node_envelope_kind kind,
                                                    const uint8_t *buf,
                                                    size_t len);

/** Frees a message from node_envelope_control_parse; NULL does nothing. */
void node_envelope_control_free(ProtobufCMessage *m);

/** True for a valid node id of `len` bytes (see the top). */
bool node_envelope_id_is_valid(const char *id, size_t len);

#endif /* NODE_ENVELOPE_H */
