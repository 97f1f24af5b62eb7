/*
 * lib/cggmp/types.c — lifecycle of the shared CGGMP21 types (mpc/cggmp.h).
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/mem.h"
#include "mpc/transcript.h"

void mpc_cggmp_key_share_init(mpc_cggmp_key_share *ks)
{
    if (ks != NULL)
        memset(ks, 0, sizeof *ks);
}

void mpc_cggmp_key_share_clear(const mpc_ctx *ctx, mpc_cggmp_key_share *ks)
{
    if (ks == NULL)
        return;
    if (ctx != NULL) {
        mpc_ctx_free_mem(ctx, ks->ids, (size_t)ks->n * sizeof *ks->ids);
        mpc_ctx_free_mem(ctx, ks->vshares, (size_t)ks->n * sizeof *ks->vshares);
    }
    mpc_wipe(ks, sizeof *ks);
}

mpc_err mpc_cggmp_key_share_alloc(const mpc_ctx *ctx, mpc_cggmp_key_share *ks,
                                  uint32_t n)
{
    if (ctx == NULL || ks == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_key_share_clear(ctx, ks);
    if (n < 2 || n > MPC_CGGMP_MAX_PARTIES)
        return MPC_ERR_INVALID_ARG;
    ks->ids = mpc_ctx_alloc_array(ctx, n, sizeof *ks->ids);
    ks->vshares = mpc_ctx_alloc_array(ctx, n, sizeof *ks->vshares);
    if (ks->ids == NULL || ks->vshares == NULL) {
        mpc_ctx_free_mem(ctx, ks->ids, (size_t)n * sizeof *ks->ids);
        mpc_ctx_free_mem(ctx, ks->vshares, (size_t)n * sizeof *ks->vshares);
        mpc_cggmp_key_share_init(ks);
        return MPC_ERR_NOMEM;
    }
    ks->n = n;
    return MPC_OK;
}

void mpc_cggmp_aux_info_init(mpc_cggmp_aux_info *aux)
{
    if (aux == NULL)
        return;
    memset(aux, 0, sizeof *aux);
    mpc_paillier_sk_init(&aux->sk);
}

/* Releases the per-party arrays of an aux info holding n entries. */
static void free_arrays(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux, uint32_t n)
{
    if (aux->pks != NULL) {
        for (uint32_t i = 0; i < n; i++)
            mpc_paillier_pk_clear(&aux->pks[i]);
        mpc_ctx_free_mem(ctx, aux->pks, (size_t)n * sizeof *aux->pks);
    }
    if (aux->rped != NULL) {
        for (uint32_t i = 0; i < n; i++)
            mpc_rped_clear(&aux->rped[i]);
        mpc_ctx_free_mem(ctx, aux->rped, (size_t)n * sizeof *aux->rped);
    }
    aux->pks = NULL;
    aux->rped = NULL;
    mpc_rped_table_clear(ctx, &aux->tab);
}

void mpc_cggmp_aux_info_clear(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux)
{
    if (aux == NULL)
        return;
    mpc_paillier_sk_clear(&aux->sk);
    if (ctx != NULL)
        free_arrays(ctx, aux, aux->n);
    mpc_wipe(aux, sizeof *aux);
    /* Leaves it init'ed, so clearing twice is harmless. */
    mpc_cggmp_aux_info_init(aux);
}

mpc_err mpc_cggmp_aux_info_alloc(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux,
                                 uint32_t n)
{
    if (ctx == NULL || aux == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_cggmp_aux_info_clear(ctx, aux);
    if (n < 2 || n > MPC_CGGMP_MAX_PARTIES)
        return MPC_ERR_INVALID_ARG;
    aux->pks = mpc_ctx_alloc_array(ctx, n, sizeof *aux->pks);
    aux->rped = mpc_ctx_alloc_array(ctx, n, sizeof *aux->rped);
    if (aux->pks == NULL || aux->rped == NULL) {
        mpc_ctx_free_mem(ctx, aux->pks, (size_t)n * sizeof *aux->pks);
        mpc_ctx_free_mem(ctx, aux->rped, (size_t)n * sizeof *aux->rped);
        aux->pks = NULL;
        aux->rped = NULL;
        return MPC_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        mpc_paillier_pk_init(&aux->pks[i]);
        mpc_rped_init(&aux->rped[i]);
    }
    aux->n = n;
    return MPC_OK;
}

mpc_err mpc_cggmp_aux_info_tables(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux)
{
    if (ctx == NULL || aux == NULL || aux->rped == NULL || aux->self >= aux->n)
        return MPC_ERR_INVALID_ARG;
    const mpc_rped *own = &aux->rped[aux->self];
    if (own->params == NULL)
        return MPC_ERR_INVALID_ARG;
    if (aux->tab.s.pow != NULL)
        return MPC_OK;
    return mpc_rped_table_init(ctx, &aux->tab, own,
                               mpc_cggmp_rped_table_bits(own->params));
}

bool mpc_cggmp_presig_is_fresh(const mpc_cggmp_presig *p)
{
    return p != NULL && p->magic == MPC_CGGMP_PRESIG_MAGIC;
}

void mpc_cggmp_presig_clear(mpc_cggmp_presig *p)
{
    if (p != NULL)
        mpc_wipe(p, sizeof *p);
}

void mpc_cggmp_presig_consume(mpc_cggmp_presig *p)
{
    if (p == NULL)
        return;
    mpc_scalar_clear(&p->k);
    mpc_scalar_clear(&p->chi);
    p->magic = 0;
}

void mpc_cggmp_commit(uint8_t out[MPC_CGGMP_COMMIT_BYTES], const uint8_t *sid32,
                      uint32_t protocol_id, unsigned party,
                      const uint8_t *payload, size_t len)
{
    mpc_transcript t;
    mpc_transcript_init(&t, "mpc-cggmp-commit", sid32, 32);
    mpc_transcript_append_u64(&t, "protocol", protocol_id);
    mpc_transcript_append_u64(&t, "party", party);
    mpc_transcript_append(&t, "opening", payload, len);
    mpc_transcript_challenge(&t, "commitment", out, MPC_CGGMP_COMMIT_BYTES);
    mpc_transcript_clear(&t);
}
