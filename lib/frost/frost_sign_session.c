/*
 * FROST signing as a round table (include/mpc/frost_session.h): RFC 9591
 * §5 among the signers themselves (its §7.5), with the engine's reliable
 * broadcast of the commitments and identifiable abort on a bad signature.
 */
#include <string.h>

#include "lib/frost/frost_internal.h"
#include "lib/frost/frost_session_internal.h"
#include "mpc/mem.h"
#include "mpc/wire.h"

struct sign {
    const mpc_session_info *info;
    const mpc_group *g;
    size_t n, self;
    mpc_frost_key_package key; /* secret */
    mpc_frost_nonce nonce;     /* secret, single use */
    bool pooled;               /* the nonce came with the input */
    uint8_t *msg;              /* [msg_len] */
    size_t msg_len;
    const mpc_scalar *tweak; /* &delta or NULL */
    mpc_scalar delta;
    /* Signers in commitment-list order (ascending identifier): */
    mpc_point *vshares;                   /* [n] */
    mpc_frost_commitment *list;           /* [n] */
    mpc_scalar *z;                        /* [n] */
    mpc_frost_signing_package pkg;        /* made once the list is known */
    uint8_t pos[MPC_SESSION_PARTIES_MAX]; /* party -> list position */
    uint8_t who[MPC_SESSION_PARTIES_MAX]; /* list position -> party */
    mpc_frost_sign_result result;
};

/* Little-endian scalars compared as integers (public identifiers). */
static int id_cmp(const mpc_scalar *a, const mpc_scalar *b)
{
    for (size_t k = MPC_SCALAR_BYTES; k-- > 0;)
        if (a->v[k] != b->v[k])
            return a->v[k] < b->v[k] ? -1 : 1;
    return 0;
}

/* Orders the signers by identifier (RFC 9591 §4.3), filling pos and who. */
static void order_signers(struct sign *st, const mpc_scalar *ids)
{
    for (size_t i = 0; i < st->n; i++) {
        size_t k = i;
        for (; k > 0 && id_cmp(&ids[st->who[k - 1]], &ids[i]) > 0; k--)
            st->who[k] = st->who[k - 1];
        st->who[k] = (uint8_t)i;
    }
    for (size_t k = 0; k < st->n; k++)
        st->pos[st->who[k]] = (uint8_t)k;
}

/*
 * Takes the caller's pooled nonce, whatever happens next: the caller's
 * object is left zero, which is not fresh on a second try. (Zero, not just
 * wiped: test builds poison wiped memory for valgrind, and reading it back
 * here is expected.)
 */
static mpc_err take_nonce(struct sign *st, mpc_frost_nonce *nonce)
{
    st->nonce = *nonce;
    st->pooled = true;
    mpc_frost_nonce_clear(nonce);
    memset(nonce, 0, sizeof *nonce);
    return mpc_frost_nonce_is_fresh(&st->nonce) ? MPC_OK : MPC_ERR_STATE;
}

/* The derived child must be the group key shifted by its delta. */
static mpc_err take_tweak(struct sign *st, const mpc_hd_child *derive)
{
    mpc_point child;
    if (mpc_scalar_parse(st->g, &st->delta, derive->delta.v) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    mpc_point_mul_base(st->g, &child, &st->delta);
    mpc_point_add(st->g, &child, &child, &st->key.group_pk);
    if (mpc_point_is_identity(st->g, &child) ||
        !mpc_point_eq(st->g, &child, &derive->pub))
        return MPC_ERR_INVALID_ARG;
    st->tweak = &st->delta;
    return MPC_OK;
}

static mpc_err sign_init(void *state, const mpc_session_info *info,
                         const void *input)
{
    struct sign *st = state;
    const mpc_frost_sign_input *in = input;
    const mpc_ctx *ctx = info->ctx;
    st->info = info;
    st->g = mpc_frost_session_group(info);
    st->n = info->n;
    st->self = info->self;
    if (in == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = in->nonce != NULL ? take_nonce(st, in->nonce) : MPC_OK;
    if (err != MPC_OK)
        return err;
    if (st->g == NULL || in->key == NULL || in->n_signers != st->n ||
        in->key->threshold != info->threshold ||
        in->msg_len > MPC_FROST_SIGN_MSG_MAX_BYTES ||
        (in->msg == NULL && in->msg_len > 0) ||
        mpc_frost_session_key_check(st->g, in->key, in->ids, in->vshares, st->n,
                                    st->self) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    st->key = *in->key;
    if (st->pooled && !mpc_scalar_eq(&st->nonce.commitment.id, &st->key.id))
        return MPC_ERR_INVALID_ARG;
    if (in->derive != NULL && (err = take_tweak(st, in->derive)) != MPC_OK)
        return err;

    st->msg_len = in->msg_len;
    st->msg = mpc_ctx_alloc(ctx, st->msg_len);
    st->vshares = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->vshares);
    st->list = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->list);
    st->z = mpc_ctx_alloc_array(ctx, st->n, sizeof *st->z);
    if ((st->msg == NULL && st->msg_len > 0) || st->vshares == NULL ||
        st->list == NULL || st->z == NULL)
        return MPC_ERR_NOMEM;
    if (st->msg_len > 0)
        memcpy(st->msg, in->msg, st->msg_len);
    order_signers(st, in->ids);
    for (size_t k = 0; k < st->n; k++) {
        st->vshares[k] = in->vshares[st->who[k]];
        st->list[k].id = in->ids[st->who[k]];
    }
    return MPC_OK;
}

static unsigned sign_pattern(const void *state, unsigned round, unsigned from,
                             unsigned to)
{
    (void)state;
    (void)round;
    (void)from;
    (void)to;
    return MPC_PROTOCOL_BCAST;
}

static mpc_err sign_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct sign *st = state;
    mpc_wire_writer *w = mpc_session_outbox_bcast(out);
    if (round == 2) {
        mpc_wire_write_scalar(w, st->g, &st->z[st->pos[st->self]]);
        return MPC_OK;
    }
    mpc_frost_commitment com;
    if (st->pooled)
        com = st->nonce.commitment;
    else if (mpc_frost_commit(st->g, &st->nonce, &com, &st->key) != MPC_OK)
        return MPC_ERR_INTERNAL; /* the key was checked at init */
    uint8_t *p = mpc_wire_write_reserve(w, MPC_FROST_COMMITMENT_BYTES);
    if (p != NULL)
        mpc_frost_commitment_serialize(st->g, p, &com);
    return MPC_OK;
}

/* Party j's commitment into the list; it must be under j's identifier. */
static mpc_err read_commitment(struct sign *st, mpc_session_inbox *in,
                               unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_frost_commitment com;
    mpc_frost_commitment *slot = &st->list[st->pos[j]];
    /* The plan has every peer broadcast; a missing one reads as empty
     * (NULL, 0) and is refused below. */
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    if (mpc_frost_commitment_parse(st->g, &com, p, len) != MPC_OK) {
        mpc_session_inbox_blame(in, j, MPC_BLAME_PARSE,
                                "frost sign: malformed commitment");
        return MPC_ERR_PARSE;
    }
    if (!mpc_scalar_eq(&com.id, &slot->id)) {
        mpc_session_inbox_blame(in, j, MPC_BLAME_PROTOCOL,
                                "frost sign: commitment under another id");
        return MPC_ERR_PROTOCOL;
    }
    *slot = com;
    return MPC_OK;
}

/* Round 1: the commitment list, then this signer's share z_i. */
static mpc_err complete1(struct sign *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    st->list[st->pos[st->self]] = st->nonce.commitment;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = read_commitment(st, in, j);
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;
    /* R, c and the binding factors, once for signing and aggregating. */
    err = mpc_frost_signing_package_init_signer(
        st->g, &st->pkg, &st->nonce, &st->key.group_pk, st->tweak, st->msg,
        st->msg_len, st->list, st->n);
    if (err != MPC_OK) {
        mpc_frost_nonce_clear(&st->nonce); /* never to be used */
        if (err != MPC_ERR_PROTOCOL)
            return MPC_ERR_INTERNAL; /* the key was checked at init */
        /* Every entry parsed and is under its sender's id: only a group
         * commitment at the identity is left, which no one party causes. */
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                                "frost sign: group commitment is the identity");
        return err;
    }
    /* Consumes the nonce on every path. */
    err = mpc_frost_signing_package_sign(st->g, &st->z[st->pos[st->self]],
                                         &st->nonce, &st->key, &st->pkg,
                                         st->list, st->n);
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

/* Names every signer whose share does not verify (RFC 9591 §5.4). */
static mpc_err blame_shares(struct sign *st, mpc_session_inbox *in)
{
    uint8_t sig[MPC_FROST_SIGNATURE_BYTES];
    size_t culprits[MPC_SESSION_PARTIES_MAX], nc = 0;
    mpc_err err = mpc_frost_signing_package_aggregate(
        st->g, sig, culprits, &nc, st->z, st->vshares, &st->pkg, st->msg,
        st->msg_len, st->list, st->n);
    for (size_t k = 0; k < nc; k++)
        mpc_session_inbox_blame(in, st->who[culprits[k]], MPC_BLAME_VERIFY,
                                "frost sign: wrong signature share");
    if (nc == 0)
        /* All shares check out against the verifying shares, yet they do
         * not add up: the verifying shares are not this key's. */
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_VERIFY,
                                "frost sign: signature does not verify");
    return err == MPC_OK ? MPC_ERR_VERIFY : err;
}

/* Round 2: aggregate; only a signature that fails is taken apart. */
static mpc_err complete2(struct sign *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = mpc_frost_session_read_scalar(
            st->g, in, j, false, &st->z[st->pos[j]],
            "frost sign: share is not a canonical scalar");
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;
    err = mpc_frost_signing_package_aggregate(st->g, st->result.sig, NULL, NULL,
                                              st->z, NULL, &st->pkg, st->msg,
                                              st->msg_len, st->list, st->n);
    if (err == MPC_ERR_VERIFY)
        return blame_shares(st, in);
    if (err != MPC_OK)
        return MPC_ERR_INTERNAL; /* the package was made in round 1 */
    mpc_point_serialize(st->g, st->result.pk, &st->pkg.pk);
    return MPC_OK;
}

static mpc_err sign_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct sign *st = state;
    if (round == 1)
        return complete1(st, in);
    if (round == 2)
        return complete2(st, in);
    return MPC_ERR_INTERNAL;
}

static void sign_take(void *state, void *result)
{
    struct sign *st = state;
    memcpy(result, &st->result, sizeof st->result);
}

static void sign_clear(void *state)
{
    struct sign *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        mpc_ctx_free_mem(ctx, st->msg, st->msg_len);
        MPC_FROST_SESSION_FREE(ctx, st->vshares, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->list, st->n);
        MPC_FROST_SESSION_FREE(ctx, st->z, st->n);
    }
    mpc_frost_nonce_clear(&st->nonce);
    mpc_frost_key_package_clear(&st->key);
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_frost_sign_protocol = {
    .id = MPC_FROST_SIGN_PROTOCOL_ID,
    .name = "frost-ed25519-sign",
    .rounds = 2,
    .state_bytes = sizeof(struct sign),
    .result_bytes = sizeof(mpc_frost_sign_result),
    .max_payload_bytes = MPC_FROST_COMMITMENT_BYTES,
    .echo_exchange = 0,
    .init = sign_init,
    .pattern = sign_pattern,
    .round_start = sign_start,
    .round_complete = sign_complete,
    .take_result = sign_take,
    .clear = sign_clear,
};
