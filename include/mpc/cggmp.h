/*
 * mpc/cggmp.h — threshold ECDSA over secp256k1 (CGGMP21, threshold variant
 * with presigning; specs/crypto.md §2): the types every CGGMP protocol
 * shares. The protocols themselves are round tables on the engine
 * (mpc/protocol.h), declared in mpc/cggmp_keys.h (aux-info, keygen,
 * refresh, reshare) and mpc/cggmp_sign.h (presign, sign, combine).
 *
 * Conventions (crypto.md §2.5):
 * - n holders, threshold t = the number of signers needed (1 < t <= n).
 * - Party x-coordinates `ids[j]` are non-zero distinct scalars; by default
 *   I(j) = j + 1. Migrated tss-lib shares keep their `Ks`.
 * - Every array below has n entries indexed by party position 0..n-1 in
 *   the committee, and is owned by the struct (allocated with the ctx
 *   allocator, released by the struct's _clear).
 *
 * Rules for the whole header: pointer arguments must not be NULL unless
 * stated; no function keeps a pointer to its inputs.
 */
#ifndef MPC_CGGMP_H
#define MPC_CGGMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"

/** The largest committee a CGGMP protocol accepts. */
#define MPC_CGGMP_MAX_PARTIES 64

/**
 * One party's threshold key share (output of keygen, refresh, reshare).
 * `x` is secret; everything else is public.
 */
typedef struct mpc_cggmp_key_share {
    uint32_t n;             /* committee size */
    uint32_t t;             /* signers needed */
    uint32_t self;          /* this party's position */
    mpc_scalar x;           /* secret Shamir share x_self (secret) */
    mpc_point pubkey;       /* Y = x*G of the joint key */
    mpc_scalar *ids;        /* [n] x-coordinates */
    mpc_point *vshares;     /* [n] X_j = x_j*G */
    uint8_t rid[32];        /* joint randomness of keygen (binds proofs) */
    uint8_t chain_code[32]; /* BIP32 chain code agreed in keygen (or the
                               cluster's configured one) */
} mpc_cggmp_key_share;

/**
 * One party's auxiliary information (output of aux-info; reused across
 * every key of the same committee). `sk` is secret.
 */
typedef struct mpc_cggmp_aux_info {
    uint32_t n;
    uint32_t self;
    mpc_params_id params; /* parameter set every modulus was made for */
    mpc_paillier_sk sk;   /* own Paillier-Blum key (secret) */
    mpc_paillier_pk *pks; /* [n] everyone's Paillier public key */
    mpc_rped *rped;       /* [n] everyone's ring-Pedersen parameters */
    /* Fixed-base tables of rped[self], with which this party verifies its
     * peers' presign proofs; empty until mpc_cggmp_aux_info_tables. */
    mpc_rped_table tab;
} mpc_cggmp_aux_info;

/** The ECDSA signature: low-S, with the recovery id. */
typedef struct mpc_ecdsa_signature {
    uint8_t r[32]; /* big-endian */
    uint8_t s[32]; /* big-endian, s <= n/2 */
    uint8_t recid; /* bit 0: R.y odd, bit 1: R.x >= n (after the
                      low-S flip) */
} mpc_ecdsa_signature;

/** What a presignature is bound to (crypto.md §2.7 rule 1). */
typedef struct mpc_cggmp_presig_binding {
    uint8_t key_id[32]; /* hash of the joint key + committee (caller's) */
    uint32_t key_version;
    uint8_t signers[32];   /* bitset of committee positions that presigned */
    mpc_scalar tweak;      /* HD delta fixed at presign time (zero: none) */
    uint8_t presig_id[32]; /* unique id (the presign session id) */
} mpc_cggmp_presig_binding;

/**
 * One party's presignature (output of presign): k and chi are secret and
 * single-use. It MUST NOT be copied while fresh; the sign round consumes
 * it (wipes k and chi and clears `magic`) and refuses a consumed one with
 * MPC_ERR_STATE. The public record (binding, R and the per-signer points
 * below) survives consumption so that the combiner can still name a bad
 * share (mpc_cggmp_combine_input_set_presig); mpc_cggmp_presig_clear
 * wipes everything.
 */
typedef struct mpc_cggmp_presig {
    mpc_cggmp_presig_binding binding;
    mpc_point big_r; /* R = delta^-1 * Gamma */
    mpc_scalar k;    /* k_i (secret) */
    mpc_scalar chi;  /* chi_i (secret) */
    uint32_t magic;  /* private: set while unused */
    /** Signers (0: the record below is absent, e.g. a dealt presig). */
    uint32_t count;
    /** [count] committee position of each signer, ascending. */
    uint32_t positions[MPC_CGGMP_MAX_PARTIES];
    /** [count] k_j*R = delta^-1 * Delta_j of signer j (public). */
    mpc_point k_r[MPC_CGGMP_MAX_PARTIES];
    /** [count] chi_j*R = delta^-1 * S_j of signer j (public). */
    mpc_point chi_r[MPC_CGGMP_MAX_PARTIES];
} mpc_cggmp_presig;

/* ---- Lifecycle ----------------------------------------------------------
 * Every struct starts with its _init. _clear wipes the secrets, releases
 * the arrays with the allocator of `ctx` (the one that allocated them) and
 * leaves the struct init'ed, so clearing twice is harmless. A NULL struct
 * does nothing.
 */

/** Zeroes a key share (no arrays). */
void mpc_cggmp_key_share_init(mpc_cggmp_key_share *ks);

/** Wipes the secret share and frees the arrays; an init'ed or zeroed
 * struct is fine. With a NULL ctx the arrays leak (misuse). */
void mpc_cggmp_key_share_clear(const mpc_ctx *ctx, mpc_cggmp_key_share *ks);

/**
 * Clears the key share, then allocates its arrays for n parties (zeroed)
 * and sets ks->n; the other fields are zero.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL or n outside
 *   2..MPC_CGGMP_MAX_PARTIES; MPC_ERR_NOMEM. On failure ks is init'ed.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_key_share_alloc(const mpc_ctx *ctx,
                                                  mpc_cggmp_key_share *ks,
                                                  uint32_t n);

/** Initialises an empty aux info (empty Paillier key, no arrays). The
 * struct must be init'ed before any other call. */
void mpc_cggmp_aux_info_init(mpc_cggmp_aux_info *aux);

/** Wipes the Paillier secret key, frees everything and re-inits. */
void mpc_cggmp_aux_info_clear(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux);

/**
 * Clears an init'ed aux info, then allocates its per-party arrays for n
 * parties (each key and ring-Pedersen entry init'ed, empty) and sets
 * aux->n.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG for a NULL or n outside
 *   2..MPC_CGGMP_MAX_PARTIES; MPC_ERR_NOMEM. On failure aux is init'ed.
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_aux_info_alloc(const mpc_ctx *ctx,
                                                 mpc_cggmp_aux_info *aux,
                                                 uint32_t n);

/**
 * Builds aux->tab, the fixed-base tables of this party's own ring-Pedersen
 * parameters: every presign session verifies its peers' proofs with them
 * and copies them (well under a millisecond) instead of building its own
 * (about 8 ms at 2048 bits). mpc_cggmp_aux_info_decode and the aux-info
 * protocol's output call it; call it for an aux info assembled otherwise
 * (presign then works without it, only slower). Does nothing if the tables
 * are there.
 * Returns: MPC_OK; MPC_ERR_INVALID_ARG (NULL, or no own ring-Pedersen
 *   parameters); MPC_ERR_NOMEM (aux->tab stays empty).
 */
MPC_WARN_UNUSED mpc_err mpc_cggmp_aux_info_tables(const mpc_ctx *ctx,
                                                  mpc_cggmp_aux_info *aux);

/** True while a presignature has not been consumed. */
bool mpc_cggmp_presig_is_fresh(const mpc_cggmp_presig *p);

/** Wipes a presignature, public record included (e.g. one discarded from
 * a pool): afterwards it is not fresh. */
void mpc_cggmp_presig_clear(mpc_cggmp_presig *p);

/** Consumes a presignature: wipes k and chi and clears `magic`, keeps the
 * public record (binding, R, count, positions, k_r, chi_r). NULL does
 * nothing. */
void mpc_cggmp_presig_consume(mpc_cggmp_presig *p);

#endif /* MPC_CGGMP_H */
