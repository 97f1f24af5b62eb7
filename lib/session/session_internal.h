/* Internals of the round engine, shared by the files of lib/session. */
#ifndef MPC_SESSION_INTERNAL_H
#define MPC_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/protocol.h"
#include "mpc/session.h"

/* ---- party sets: one bit per party index ------------------------------- */

typedef struct pset {
    uint8_t b[MPC_BLAME_SET_BYTES];
} pset;

static inline bool pset_has(const pset *s, unsigned i)
{
    return i < 8 * MPC_BLAME_SET_BYTES && (s->b[i / 8] >> (i % 8) & 1) != 0;
}

static inline void pset_add(pset *s, unsigned i)
{
    if (i < 8 * MPC_BLAME_SET_BYTES)
        s->b[i / 8] |= (uint8_t)(1u << (i % 8));
}

static inline bool pset_empty(const pset *s)
{
    uint8_t acc = 0;
    for (size_t k = 0; k < sizeof s->b; k++)
        acc |= s->b[k];
    return acc == 0;
}

static inline bool pset_intersects(const pset *a, const pset *b)
{
    uint8_t acc = 0;
    for (size_t k = 0; k < sizeof a->b; k++)
        acc |= a->b[k] & b->b[k];
    return acc != 0;
}

unsigned mpc_session_pset_count(const pset *s);

/* ---- the round plan ----------------------------------------------------- */

/* How the broadcasts of a round are echoed. */
enum echo_mode {
    ECHO_NONE = 0,  /* nobody broadcasts, or an unlisted last round */
    ECHO_NEXT = 1,  /* digests ride in the next round's messages */
    ECHO_ROUND = 2, /* an engine-added exchange of ECHO frames */
};

/* This party's view of one round, fixed at mpc_session_new. */
struct round_plan {
    pset in_bcast;   /* senders whose broadcast this party receives */
    pset in_p2p;     /* senders of a P2P message to this party */
    pset out_bcast;  /* the audience of this party's broadcast */
    pset out_p2p;    /* the recipients of this party's P2P messages */
    pset view;       /* broadcasts held: in_bcast, plus self if it sends */
    pset echo_peers; /* ECHO_ROUND: parties this party swaps echoes with */
    enum echo_mode echo;
};

/* Fills s->plan[1..rounds]. MPC_OK or MPC_ERR_NOMEM. */
mpc_err mpc_session_plan(mpc_session *s);

/* The broadcasts party `who` holds after `round` (its view); for this
 * party it equals plan[round].view. */
void mpc_session_view_of(const mpc_session *s, unsigned round, unsigned who,
                         pset *out);

/* ---- slots: one received frame per (round, sender, kind) --------------- */

struct slot {
    uint8_t *frame; /* NULL once the round is done (the digest stays) */
    size_t len;
    size_t echo_off, echo_len;
    size_t payload_off, payload_len;
    uint8_t digest[MPC_SESSION_DIGEST_BYTES];
    bool filled;
};

/* ---- the outgoing queue ------------------------------------------------- */

/* One frame, shared by the queue entries of a subset broadcast. */
struct out_frame {
    size_t refs;
    size_t len;
    uint8_t data[];
};

struct out_msg {
    struct out_msg *next;
    unsigned to;
    unsigned round;
    mpc_session_kind kind;
    struct out_frame *frame;
};

/* ---- the session -------------------------------------------------------- */

struct mpc_session {
    const mpc_ctx *ctx;
    const mpc_protocol *proto;
    mpc_session_info info;
    uint64_t timeout_ms;
    size_t max_payload;

    void *state;       /* proto->state_bytes, zeroed at creation */
    bool state_live;   /* clear() not yet called */
    bool result_taken; /* take_result done */

    struct round_plan plan[MPC_SESSION_ROUNDS_MAX + 1]; /* [1..rounds] */
    struct slot *slots; /* rounds * n * 3, see mpc_session_slot */
    size_t nslots;

    mpc_session_state status;
    bool started;
    unsigned round; /* current round, 0 before start */
    bool in_echo;   /* collecting the ECHO frames of `round` */
    uint64_t began_ms;

    mpc_blame blame;
    bool blamed; /* a round function called mpc_session_inbox_blame */

    struct out_msg *out_head, *out_tail;
    struct out_msg *popped; /* handed out by pop_outgoing; freed next call */
};

/* The slot of (round, from, kind); all three in range. */
struct slot *mpc_session_slot(const mpc_session *s, unsigned round,
                              unsigned from, mpc_session_kind kind);

/* Stores a copy of a parsed frame in an empty slot, with its digest.
 * MPC_OK or MPC_ERR_NOMEM. */
mpc_err mpc_session_slot_store(mpc_session *s, struct slot *sl,
                               const uint8_t *bytes, size_t len);

/* ---- frames ------------------------------------------------------------- */

/* Digest of a whole frame, the unit the echo compares. */
void mpc_session_frame_digest(uint8_t out[MPC_SESSION_DIGEST_BYTES],
                              const uint8_t *frame, size_t len);

/* Builds a frame of this session into a fresh shared out_frame.
 * MPC_OK or MPC_ERR_NOMEM. */
mpc_err mpc_session_frame_build(const mpc_session *s, struct out_frame **out,
                                mpc_session_kind kind, unsigned round,
                                unsigned to, const uint8_t *echo,
                                size_t echo_len, const uint8_t *payload,
                                size_t payload_len);

void mpc_session_frame_release(const mpc_session *s, struct out_frame *f);

/* ---- failure and blame -------------------------------------------------- */

/* Fails the session: records err and the blame (party may be
 * MPC_BLAME_NOBODY) and wipes the protocol state and buffered frames.
 * Returns err so callers can `return mpc_session_fail(...)`. */
mpc_err mpc_session_fail(mpc_session *s, mpc_err err, mpc_blame_reason reason,
                         unsigned party, bool attributable, const char *detail);

/* Adds `party` to the blame's set (no-op for MPC_BLAME_NOBODY). */
void mpc_session_blame_add(mpc_session *s, unsigned party);

/* Sets reason and detail unless a reason is already recorded. */
void mpc_session_blame_note(mpc_session *s, mpc_blame_reason reason,
                            const char *detail);

/* Wipes the protocol state (once) and the buffered frames. */
void mpc_session_wipe_secrets(mpc_session *s);

/* ---- rounds ------------------------------------------------------------- */

/* Runs round_start for s->round and queues this party's frames. */
mpc_err mpc_session_round_begin(mpc_session *s, uint64_t now_ms);

/* Sends this party's ECHO frame of s->round. */
mpc_err mpc_session_echo_send(mpc_session *s);

/* Runs round_complete for s->round. */
mpc_err mpc_session_round_finish(mpc_session *s);

/* Queues one frame to `to` (a party or MPC_SESSION_TO_ALL). */
mpc_err mpc_session_queue(mpc_session *s, struct out_frame *f, unsigned to,
                          unsigned round, mpc_session_kind kind);

/* Empties the queue, wiping every frame. */
void mpc_session_queue_drop(mpc_session *s);

/* Frees the message the last pop_outgoing handed out. */
void mpc_session_release_popped(mpc_session *s);

#endif /* MPC_SESSION_INTERNAL_H */
