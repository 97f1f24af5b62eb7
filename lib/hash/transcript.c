#include "mpc/transcript.h"

#include <string.h>

#include "mpc/mem.h"

enum { KIND_APPEND = 'A', KIND_CHALLENGE = 'C', KIND_INIT = 'I' };

static void put_u64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static void absorb(mpc_transcript *t, uint8_t kind, const char *label,
                   const uint8_t *data, size_t len)
{
    uint8_t hdr[1 + 8];
    size_t label_len = strlen(label);
    hdr[0] = kind;
    put_u64(hdr + 1, label_len);
    crypto_hash_sha512_update(&t->st, hdr, sizeof hdr);
    crypto_hash_sha512_update(&t->st, (const uint8_t *)label, label_len);
    put_u64(hdr + 1, len);
    crypto_hash_sha512_update(&t->st, hdr + 1, 8);
    if (len > 0)
        crypto_hash_sha512_update(&t->st, data, len);
}

void mpc_transcript_init(mpc_transcript *t, const char *label,
                         const uint8_t *sid, size_t sid_len)
{
    static const char domain[] = "mpcium-c transcript v1";
    crypto_hash_sha512_init(&t->st);
    absorb(t, KIND_INIT, domain, (const uint8_t *)label, strlen(label));
    absorb(t, KIND_APPEND, "sid", sid, sid_len);
}

void mpc_transcript_append(mpc_transcript *t, const char *label,
                           const uint8_t *data, size_t len)
{
    absorb(t, KIND_APPEND, label, data, len);
}

void mpc_transcript_append_u64(mpc_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    absorb(t, KIND_APPEND, label, b, sizeof b);
}

void mpc_transcript_append_scalar(mpc_transcript *t, const mpc_group *g,
                                  const char *label, const mpc_scalar *s)
{
    uint8_t b[MPC_SCALAR_BYTES];
    mpc_scalar_serialize(g, b, s);
    absorb(t, KIND_APPEND, label, b, sizeof b);
    mpc_wipe(b, sizeof b);
}

void mpc_transcript_append_point(mpc_transcript *t, const mpc_group *g,
                                 const char *label, const mpc_point *p)
{
    uint8_t b[1 + MPC_POINT_MAX_BYTES];
    size_t n = mpc_group_point_bytes(g);
    b[0] = (uint8_t)mpc_group_curve(g);
    mpc_point_serialize(g, b + 1, p);
    absorb(t, KIND_APPEND, label, b, 1 + n);
}

void mpc_transcript_challenge(mpc_transcript *t, const char *label,
                              uint8_t *out, size_t len)
{
    uint8_t len_be[8];
    put_u64(len_be, len);
    absorb(t, KIND_CHALLENGE, label, len_be, sizeof len_be);
    /* Expand: block i = SHA-512(state || i); the state itself is then
     * advanced by the absorb above, so later challenges differ. */
    for (uint64_t i = 0; len > 0; i++) {
        crypto_hash_sha512_state fork = t->st;
        uint8_t ctr[8], block[crypto_hash_sha512_BYTES];
        put_u64(ctr, i);
        crypto_hash_sha512_update(&fork, ctr, sizeof ctr);
        crypto_hash_sha512_final(&fork, block);
        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(out, block, n);
        out += n;
        len -= n;
        mpc_wipe(block, sizeof block);
        mpc_wipe(&fork, sizeof fork);
    }
}

void mpc_transcript_challenge_scalar(mpc_transcript *t, const mpc_group *g,
                                     const char *label, mpc_scalar *out)
{
    uint8_t wide[64];
    mpc_transcript_challenge(t, label, wide, sizeof wide);
    mpc_scalar_reduce_be(g, out, wide, sizeof wide);
    mpc_wipe(wide, sizeof wide);
}

void mpc_transcript_clear(mpc_transcript *t)
{
    mpc_wipe(t, sizeof *t);
}
