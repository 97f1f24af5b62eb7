/*
 * CGGMP21 aux-info as a round table (include/mpc/cggmp_keys.h): every
 * party publishes a Paillier-Blum modulus with ring-Pedersen parameters
 * and proves them (Πprm, Πmod, Πfac), crypto.md §2.5A.
 */
#include <string.h>

#include "lib/cggmp/cggmp_internal.h"
#include "mpc/bn.h"
#include "mpc/cggmp_keys.h"
#include "mpc/mem.h"
#include "mpc/protocol.h"
#include "mpc/wire.h"
#include "mpc/zk_fac.h"
#include "mpc/zk_mod.h"
#include "mpc/zk_prm.h"

#define RHO_BYTES 32
#define U_BYTES 32

struct aux {
    const mpc_session_info *info;
    const mpc_params *params;
    unsigned n, self;
    bool have_out;
    mpc_cggmp_aux_info out; /* secret key inside; moved to the result */
    uint8_t *opening;       /* own round-2 payload, until round 2 starts */
    size_t opening_bytes;
    uint8_t *commits; /* [n * MPC_CGGMP_COMMIT_BYTES], from round 1 */
    uint8_t rho[RHO_BYTES];
};

/* Round-2 payload: N || s || t (mpc_rped_serialize), Πprm, ρ_i, u_i. */
static size_t opening_bytes(const mpc_params *params)
{
    return 3 * params->n_bytes + mpc_zk_prm_proof_bytes(params) + RHO_BYTES +
           U_BYTES;
}

static mpc_err aux_init(void *state, const mpc_session_info *info,
                        const void *input)
{
    struct aux *st = state;
    const mpc_cggmp_aux_input *in = input;
    const mpc_ctx *ctx = info->ctx;
    st->info = info;
    st->n = info->n;
    st->self = info->self;
    mpc_cggmp_aux_info_init(&st->out);
    st->have_out = true;
    if (in == NULL || in->primes == NULL || st->n < 2 ||
        st->n > MPC_CGGMP_MAX_PARTIES)
        return MPC_ERR_INVALID_ARG;
    st->params = mpc_params_get(in->params);
    if (st->params == NULL)
        return MPC_ERR_INVALID_ARG;
    mpc_err err = mpc_cggmp_aux_info_alloc(ctx, &st->out, st->n);
    if (err != MPC_OK)
        return err;
    st->out.self = st->self;
    st->out.params = in->params;
    err = mpc_paillier_sk_import_primes(ctx, &st->out.sk, st->params,
                                        in->primes, in->primes_len);
    if (err != MPC_OK)
        return err;
    st->opening_bytes = opening_bytes(st->params);
    st->opening = mpc_ctx_alloc(ctx, st->opening_bytes);
    st->commits =
        mpc_ctx_alloc_array(ctx, st->n, (size_t)MPC_CGGMP_COMMIT_BYTES);
    if (st->opening == NULL || st->commits == NULL)
        return MPC_ERR_NOMEM;
    return MPC_OK;
}

static unsigned aux_pattern(const void *state, unsigned round, unsigned from,
                            unsigned to)
{
    (void)state;
    (void)from;
    (void)to;
    return round == 3 ? MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P
                      : MPC_PROTOCOL_BCAST;
}

/* Transcript of one of prover's proofs; Πmod and Πfac also absorb ρ. */
static void proof_transcript(const struct aux *st, mpc_transcript *t,
                             const char *label, unsigned prover, bool rho)
{
    mpc_session_info_transcript(st->info, t, label, prover);
    if (rho)
        mpc_transcript_append(t, "cggmp.aux.rho", st->rho, sizeof st->rho);
}

/* Ring-Pedersen parameters and Πprm into the opening. */
static mpc_err make_opening(struct aux *st)
{
    const mpc_ctx *ctx = st->info->ctx;
    mpc_rped *rp = &st->out.rped[st->self];
    size_t nb = st->params->n_bytes;
    size_t prm_bytes = mpc_zk_prm_proof_bytes(st->params);
    uint8_t *p = st->opening;
    mpc_zk_prm_proof proof;
    mpc_transcript t;
    mpz_t lambda;
    mpz_init(lambda);
    mpc_zk_prm_proof_init(&proof);
    proof_transcript(st, &t, "cggmp.aux.prm", st->self, false);
    mpc_err err = mpc_rped_generate(ctx, rp, lambda, &st->out.sk);
    if (err == MPC_OK)
        err = mpc_zk_prm_prove(ctx, &proof, &t, rp, &st->out.sk, lambda);
    if (err == MPC_OK)
        err = mpc_rped_serialize(p, 3 * nb, rp);
    if (err == MPC_OK)
        err = mpc_zk_prm_proof_serialize(p + 3 * nb, prm_bytes, &proof);
    mpc_bn_clear(lambda);
    mpc_zk_prm_proof_clear(&proof);
    mpc_transcript_clear(&t);
    if (err != MPC_OK)
        return err == MPC_ERR_NOMEM ? err : MPC_ERR_INTERNAL;
    mpc_paillier_pk_copy(&st->out.pks[st->self], &st->out.sk.pk);
    uint8_t *rho_i = p + 3 * nb + prm_bytes;
    mpc_ctx_random(ctx, rho_i, RHO_BYTES + U_BYTES);
    memcpy(st->rho, rho_i, RHO_BYTES);
    return MPC_OK;
}

static mpc_err start1(struct aux *st, mpc_session_outbox *out)
{
    mpc_err err = make_opening(st);
    if (err != MPC_OK)
        return err;
    uint8_t *v = &st->commits[st->self * MPC_CGGMP_COMMIT_BYTES];
    mpc_cggmp_commit(v, st->info->sid, MPC_CGGMP_AUX_PROTOCOL_ID, st->self,
                     st->opening, st->opening_bytes);
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), v,
                         MPC_CGGMP_COMMIT_BYTES);
    return MPC_OK;
}

static mpc_err start2(struct aux *st, mpc_session_outbox *out)
{
    mpc_wire_write_bytes(mpc_session_outbox_bcast(out), st->opening,
                         st->opening_bytes);
    mpc_ctx_free_mem(st->info->ctx, st->opening, st->opening_bytes);
    st->opening = NULL;
    return MPC_OK;
}

/* Πmod to everyone, Πfac to each peer against its parameters. */
static mpc_err start3(struct aux *st, mpc_session_outbox *out)
{
    const mpc_ctx *ctx = st->info->ctx;
    uint8_t *buf = NULL;
    size_t mod_bytes = mpc_zk_mod_proof_bytes(st->params);
    size_t fac_bytes = mpc_zk_fac_proof_bytes(st->params);
    mpc_zk_mod_proof mod;
    mpc_zk_fac_proof fac;
    mpc_transcript t;
    mpc_zk_mod_proof_init(&mod);
    mpc_zk_fac_proof_init(&fac);
    proof_transcript(st, &t, "cggmp.aux.mod", st->self, true);
    mpc_err err = mpc_zk_mod_prove(ctx, &mod, &t, &st->out.sk);
    buf = mpc_wire_write_reserve(mpc_session_outbox_bcast(out), mod_bytes);
    if (err == MPC_OK && buf != NULL)
        err = mpc_zk_mod_proof_serialize(buf, mod_bytes, &mod);
    for (unsigned j = 0; j < st->n && err == MPC_OK; j++) {
        if (j == st->self)
            continue;
        proof_transcript(st, &t, "cggmp.aux.fac", st->self, true);
        mpc_transcript_append_u64(&t, "cggmp.aux.verifier", j);
        err = mpc_zk_fac_prove(ctx, &fac, &t, &st->out.sk, &st->out.rped[j]);
        buf = mpc_wire_write_reserve(mpc_session_outbox_p2p(out, j), fac_bytes);
        if (err == MPC_OK && buf != NULL)
            err = mpc_zk_fac_proof_serialize(buf, fac_bytes, &fac);
        mpc_zk_fac_proof_clear(&fac);
        mpc_zk_fac_proof_init(&fac);
    }
    mpc_zk_mod_proof_clear(&mod);
    mpc_zk_fac_proof_clear(&fac);
    mpc_transcript_clear(&t);
    if (err != MPC_OK)
        return err == MPC_ERR_NOMEM ? err : MPC_ERR_INTERNAL;
    return MPC_OK;
}

static mpc_err aux_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct aux *st = state;
    switch (round) {
    case 1:
        return start1(st, out);
    case 2:
        return start2(st, out);
    case 3:
        return start3(st, out);
    }
    return MPC_ERR_INTERNAL;
}

static mpc_err complete1(struct aux *st, mpc_session_inbox *in)
{
    return mpc_cggmp_commits_read(in, st->n, st->self, st->commits,
                                  "cggmp aux: commitment is not 32 bytes");
}

/* Opens party j's commitment and checks its modulus and Πprm. */
static mpc_err check_opening(struct aux *st, mpc_session_inbox *in, unsigned j)
{
    const mpc_ctx *ctx = st->info->ctx;
    const uint8_t *p;
    size_t len;
    size_t nb = st->params->n_bytes;
    size_t prm_bytes = mpc_zk_prm_proof_bytes(st->params);
    uint8_t v[MPC_CGGMP_COMMIT_BYTES];
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    if (len != st->opening_bytes)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp aux: opening has the wrong length");
    mpc_cggmp_commit(v, st->info->sid, MPC_CGGMP_AUX_PROTOCOL_ID, j, p, len);
    if (memcmp(v, &st->commits[j * MPC_CGGMP_COMMIT_BYTES], sizeof v) != 0)
        return mpc_cggmp_blame(in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
                               "cggmp aux: opening does not match commitment");
    if (mpc_paillier_pk_parse(&st->out.pks[j], st->params, p, nb) != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp aux: modulus too small or malformed");
    if (mpc_rped_parse(&st->out.rped[j], st->params, p, 3 * nb) != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                               "cggmp aux: ring-Pedersen s or t malformed");
    mpc_zk_prm_proof proof;
    mpc_transcript t;
    mpc_zk_prm_proof_init(&proof);
    proof_transcript(st, &t, "cggmp.aux.prm", j, false);
    mpc_err err =
        mpc_zk_prm_proof_parse(&proof, &st->out.rped[j], p + 3 * nb, prm_bytes);
    if (err == MPC_OK)
        err = mpc_zk_prm_verify(ctx, &t, &proof, &st->out.rped[j]);
    mpc_zk_prm_proof_clear(&proof);
    mpc_transcript_clear(&t);
    if (err == MPC_ERR_NOMEM)
        return err;
    if (err == MPC_ERR_PARSE)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, err,
                               "cggmp aux: malformed Πprm");
    if (err != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY,
                               "cggmp aux: Πprm does not verify");
    const uint8_t *rho_j = p + 3 * nb + prm_bytes;
    for (size_t k = 0; k < RHO_BYTES; k++)
        st->rho[k] ^= rho_j[k];
    return MPC_OK;
}

static mpc_err complete2(struct aux *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = check_opening(st, in, j);
        if (e == MPC_ERR_NOMEM)
            return e;
        err = err != MPC_OK ? err : e;
    }
    return err;
}

/* Party j's Πmod (broadcast) and its Πfac to this party (P2P). */
static mpc_err check_proofs(struct aux *st, mpc_session_inbox *in, unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_transcript t;
    mpc_zk_mod_proof mod;
    mpc_zk_fac_proof fac;
    mpc_zk_mod_proof_init(&mod);
    mpc_zk_fac_proof_init(&fac);
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    mpc_err err = mpc_zk_mod_proof_parse(&mod, &st->out.pks[j], p, len);
    const char *what = "cggmp aux: Πmod does not verify";
    if (err == MPC_OK) {
        proof_transcript(st, &t, "cggmp.aux.mod", j, true);
        err = mpc_zk_mod_verify(&t, &mod, &st->out.pks[j]);
        mpc_transcript_clear(&t);
    }
    if (err == MPC_OK) {
        what = "cggmp aux: Πfac does not verify";
        (void)mpc_session_inbox_p2p(in, j, &p, &len);
        err = mpc_zk_fac_proof_parse(&fac, &st->out.rped[st->self], p, len);
    }
    if (err == MPC_OK) {
        proof_transcript(st, &t, "cggmp.aux.fac", j, true);
        mpc_transcript_append_u64(&t, "cggmp.aux.verifier", st->self);
        err = mpc_zk_fac_verify(&t, &fac, &st->out.pks[j],
                                &st->out.rped[st->self], NULL);
        mpc_transcript_clear(&t);
    }
    mpc_zk_mod_proof_clear(&mod);
    mpc_zk_fac_proof_clear(&fac);
    if (err == MPC_ERR_NOMEM)
        return err;
    if (err == MPC_ERR_PARSE)
        return mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, err,
                               "cggmp aux: malformed Πmod or Πfac");
    if (err != MPC_OK)
        return mpc_cggmp_blame(in, j, MPC_BLAME_VERIFY, MPC_ERR_VERIFY, what);
    return MPC_OK;
}

static mpc_err complete3(struct aux *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = check_proofs(st, in, j);
        if (e == MPC_ERR_NOMEM)
            return e;
        err = err != MPC_OK ? err : e;
    }
    /* Built once here, copied by every presign session. */
    return err == MPC_OK ? mpc_cggmp_aux_info_tables(st->info->ctx, &st->out)
                         : err;
}

static mpc_err aux_complete(void *state, unsigned round, mpc_session_inbox *in)
{
    struct aux *st = state;
    switch (round) {
    case 1:
        return complete1(st, in);
    case 2:
        return complete2(st, in);
    case 3:
        return complete3(st, in);
    }
    return MPC_ERR_INTERNAL;
}

static void aux_take(void *state, void *result)
{
    struct aux *st = state;
    memcpy(result, &st->out, sizeof st->out);
    /* The mpz limbs and arrays now belong to the result. */
    memset(&st->out, 0, sizeof st->out);
    st->have_out = false;
}

static void aux_clear(void *state)
{
    struct aux *st = state;
    if (st->info != NULL) {
        const mpc_ctx *ctx = st->info->ctx;
        if (st->have_out)
            mpc_cggmp_aux_info_clear(ctx, &st->out);
        mpc_ctx_free_mem(ctx, st->opening, st->opening_bytes);
        mpc_ctx_free_mem(ctx, st->commits,
                         (size_t)st->n * MPC_CGGMP_COMMIT_BYTES);
    }
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_cggmp_aux_protocol = {
    .id = MPC_CGGMP_AUX_PROTOCOL_ID,
    .name = "cggmp-secp256k1-aux-info",
    .rounds = 3,
    .state_bytes = sizeof(struct aux),
    .result_bytes = sizeof(mpc_cggmp_aux_info),
    .max_payload_bytes = 0,
    .echo_exchange = 0,
    .init = aux_init,
    .pattern = aux_pattern,
    .round_start = aux_start,
    .round_complete = aux_complete,
    .take_result = aux_take,
    .clear = aux_clear,
};
