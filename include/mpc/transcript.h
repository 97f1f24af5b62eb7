/*
 * mpc/transcript.h — Fiat–Shamir transcripts.
 *
 * Every challenge in mpcium-c is derived from a transcript that starts with
 * a protocol label and the session id, and into which each value is
 * absorbed as (kind, label length, label, value length, value). Because
 * every field carries its own length and a kind byte, two different
 * sequences of appends can never produce the same hash input: this is the
 * fix for the TSSHOCK "alpha-shuffle" ambiguity (values concatenated
 * without delimiters). Callers bind party ids and the statement by
 * appending them; the session engine's sid already covers the party list.
 *
 * Hash: SHA-512 (libsodium). A transcript is a value: copy it with `=` to
 * fork it (e.g. one fork per verifier).
 */
#ifndef MPC_TRANSCRIPT_H
#define MPC_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "mpc/group.h"

typedef struct mpc_transcript {
    crypto_hash_sha512_state st;
} mpc_transcript;

/** Starts a transcript for `label` (a protocol or proof name) and `sid`. */
void mpc_transcript_init(mpc_transcript *t, const char *label,
                         const uint8_t *sid, size_t sid_len);

/** Absorbs a labelled byte string. */
void mpc_transcript_append(mpc_transcript *t, const char *label,
                           const uint8_t *data, size_t len);

/** Absorbs a labelled integer (8 bytes big-endian). */
void mpc_transcript_append_u64(mpc_transcript *t, const char *label,
                               uint64_t v);

/** Absorbs a labelled scalar in its canonical encoding. */
void mpc_transcript_append_scalar(mpc_transcript *t, const mpc_group *g,
                                  const char *label, const mpc_scalar *s);

/** Absorbs a labelled point in its canonical encoding (curve-tagged). */
void mpc_transcript_append_point(mpc_transcript *t, const mpc_group *g,
                                 const char *label, const mpc_point *p);

/**
 * Derives `len` challenge bytes (any length) and absorbs the request, so
 * the next challenge from `t` differs.
 */
void mpc_transcript_challenge(mpc_transcript *t, const char *label,
                              uint8_t *out, size_t len);

/** A challenge scalar: 64 challenge bytes reduced mod the group order. */
void mpc_transcript_challenge_scalar(mpc_transcript *t, const mpc_group *g,
                                     const char *label, mpc_scalar *out);

/** Wipes the transcript state (it may have absorbed secrets' commitments). */
void mpc_transcript_clear(mpc_transcript *t);

#endif /* MPC_TRANSCRIPT_H */
