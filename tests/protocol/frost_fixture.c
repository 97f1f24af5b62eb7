/* Shared helpers of the FROST protocol tests; see frost_fixture.h. */
#include "tests/protocol/frost_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/session/session_internal.h"
#include "mpc/group.h"
#include "mpc/vss.h"
#include "tests/harness/test.h"

size_t fx_budget = SIZE_MAX;

static void *budget_zalloc(size_t n, void *ud)
{
    (void)ud;
    if (fx_budget == 0)
        return NULL;
    if (fx_budget != SIZE_MAX)
        fx_budget--;
    return calloc(1, n);
}

static void budget_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

mpc_ctx *fx_weak_ctx_new(void)
{
    static const mpc_mem mem = {.zalloc = budget_zalloc, .free = budget_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    fx_budget = SIZE_MAX;
    return mpc_ctx_new(&ctx, &cfg) == MPC_OK ? ctx : NULL;
}

void fx_pool_init(fx_pool *pool)
{
    for (unsigned i = 0; i < FX_MAXN; i++) {
        char label[16];
        snprintf(label, sizeof label, "fx-party-%u", i);
        pool->ctx[i] = test_new_ctx(label);
    }
}

void fx_key_clear(fx_key *k)
{
    for (unsigned i = 0; i < FX_MAXN; i++)
        mpc_frost_key_result_clear(&k->r[i]);
    k->n = k->t = 0;
}

const mpc_group *fx_group(void)
{
    return mpc_ctx_group(test_ctx(), MPC_CURVE_ED25519);
}

simnet *fx_net(const mpc_protocol *protocol, const fx_pool *pool, unsigned n,
               unsigned t, const void *const *inputs)
{
    simnet_config c = {.protocol = protocol,
                       .n = n,
                       .threshold = t,
                       .inputs = inputs,
                       .ctxs = pool->ctx};
    return simnet_new_cfg(&c);
}

/* Result r agrees with the reference result ref on all public data. */
static bool same_public(const mpc_frost_key_result *r,
                        const mpc_frost_key_result *ref)
{
    const mpc_group *g = fx_group();
    REQUIRE(r->n == ref->n && r->threshold == ref->threshold);
    REQUIRE(mpc_point_eq(g, &r->group_pk, &ref->group_pk));
    for (size_t k = 0; k < r->n; k++) {
        REQUIRE(mpc_scalar_eq(&r->ids[k], &ref->ids[k]));
        REQUIRE(mpc_point_eq(g, &r->vshares[k], &ref->vshares[k]));
    }
    return true;
}

/* A key result is internally consistent: its share is its verifying share
 * and the first t verifying shares interpolate to the group key. */
static bool consistent(const mpc_frost_key_result *r)
{
    const mpc_group *g = fx_group();
    mpc_point p, acc, term;
    REQUIRE(r->ids != NULL && r->vshares != NULL && r->n >= r->threshold);
    if (r->has_key) {
        REQUIRE(r->self < r->n);
        REQUIRE(mpc_scalar_eq(&r->key.id, &r->ids[r->self]));
        REQUIRE(r->key.threshold == r->threshold);
        REQUIRE(mpc_point_eq(g, &r->key.group_pk, &r->group_pk));
        mpc_point_mul_base(g, &p, &r->key.share);
        REQUIRE(mpc_point_eq(g, &p, &r->vshares[r->self]));
    }
    mpc_point_set_identity(g, &acc);
    for (size_t k = 0; k < r->threshold; k++) {
        mpc_scalar lambda;
        REQUIRE_OK(
            mpc_lagrange_coeff_var(g, &lambda, r->ids, r->threshold, k, NULL));
        mpc_point_mul(g, &term, &lambda, &r->vshares[k]);
        mpc_point_add(g, &acc, &acc, &term);
    }
    REQUIRE(mpc_point_eq(g, &acc, &r->group_pk));
    return true;
}

bool fx_take_keys(simnet *net, unsigned n, fx_key *k)
{
    mpc_frost_key_result r[MPC_SESSION_PARTIES_MAX];
    memset(k, 0, sizeof *k);
    memset(r, 0, sizeof r);
    bool ok = true;
    for (unsigned i = 0; i < n && ok; i++)
        ok = simnet_status(net, i) == MPC_SESSION_DONE &&
             simnet_take_result(net, i, &r[i], sizeof r[i]) == MPC_OK &&
             consistent(&r[i]) && same_public(&r[i], &r[0]) &&
             r[i].n <= FX_MAXN;
    /* Key holders go to their committee position. */
    for (unsigned i = 0; i < n; i++) {
        if (ok && r[i].has_key && k->r[r[i].self].ids == NULL) {
            k->r[r[i].self] = r[i];
            k->n++;
        } else {
            ok = ok && !r[i].has_key;
            mpc_frost_key_result_clear(&r[i]);
        }
    }
    if (!ok)
        fx_key_clear(k);
    REQUIRE(ok);
    k->t = (unsigned)k->r[0].threshold;
    REQUIRE(k->n == k->r[0].n);
    return true;
}

bool fx_dkg(fx_key *k, const fx_pool *pool, unsigned n, unsigned t,
            const mpc_scalar *ids)
{
    mpc_frost_dkg_input in = {.ids = ids, .n_ids = ids != NULL ? n : 0};
    const void *ptrs[FX_MAXN];
    for (unsigned i = 0; i < n; i++)
        ptrs[i] = &in;
    simnet *net = fx_net(&mpc_frost_dkg_protocol, pool, n, t, ptrs);
    REQUIRE(net != NULL);
    bool ok =
        simnet_run(net, FX_STEPS) == SIMNET_ALL_DONE && fx_take_keys(net, n, k);
    simnet_free(net);
    REQUIRE(ok);
    REQUIRE(k->n == n && k->t == t);
    return true;
}

void fx_sign_inputs(const fx_key *k, const unsigned *signers, unsigned ns,
                    const uint8_t *msg, size_t len, const mpc_hd_child *derive,
                    mpc_frost_sign_input *in, mpc_scalar *ids, mpc_point *vs,
                    const void **ptrs)
{
    for (unsigned i = 0; i < ns; i++) {
        ids[i] = k->r[signers[i]].key.id;
        vs[i] = k->r[0].vshares[signers[i]];
    }
    for (unsigned i = 0; i < ns; i++) {
        in[i] = (mpc_frost_sign_input){.key = &k->r[signers[i]].key,
                                       .ids = ids,
                                       .vshares = vs,
                                       .n_signers = ns,
                                       .msg = msg,
                                       .msg_len = len,
                                       .derive = derive};
        ptrs[i] = &in[i];
    }
}

bool fx_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
               const mpc_point *pk)
{
    uint8_t pkb[32];
    mpc_point_serialize(fx_group(), pkb, pk);
    return crypto_sign_verify_detached(sig, msg, len, pkb) == 0;
}

bool fx_sign(const fx_key *k, const fx_pool *pool, const unsigned *signers,
             unsigned ns, const uint8_t *msg, size_t len,
             const mpc_hd_child *derive, uint8_t sig[64])
{
    mpc_frost_sign_input in[FX_MAXN];
    mpc_scalar ids[FX_MAXN];
    mpc_point vs[FX_MAXN];
    const void *ptrs[FX_MAXN];
    fx_sign_inputs(k, signers, ns, msg, len, derive, in, ids, vs, ptrs);
    simnet *net = fx_net(&mpc_frost_sign_protocol, pool, ns, k->t, ptrs);
    REQUIRE(net != NULL);
    simnet_outcome o = simnet_run(net, FX_STEPS);
    mpc_frost_sign_result res[FX_MAXN];
    bool ok = o == SIMNET_ALL_DONE;
    for (unsigned i = 0; i < ns && ok; i++)
        ok = simnet_take_result(net, i, &res[i], sizeof res[i]) == MPC_OK &&
             memcmp(res[i].sig, res[0].sig, 64) == 0 &&
             memcmp(res[i].pk, res[0].pk, 32) == 0;
    simnet_free(net);
    REQUIRE(ok);
    const mpc_point *pk = derive != NULL ? &derive->pub : &k->r[0].group_pk;
    uint8_t pkb[32];
    mpc_point_serialize(fx_group(), pkb, pk);
    REQUIRE(memcmp(res[0].pk, pkb, 32) == 0);
    REQUIRE(fx_verify(res[0].sig, msg, len, pk));
    memcpy(sig, res[0].sig, 64);
    return true;
}

bool fx_blamed(const simnet *net, unsigned who, mpc_blame_reason reason,
               unsigned mask)
{
    mpc_blame b = simnet_blame(net, who);
    REQUIRE(simnet_status(net, who) == MPC_SESSION_FAILED);
    REQUIRE(b.reason == reason);
    REQUIRE(b.attributable);
    REQUIRE(b.detail[0] != '\0');
    for (unsigned i = 0; i < MPC_SESSION_PARTIES_MAX; i++)
        REQUIRE(mpc_blame_has(&b, i) == (i < 32 && (mask >> i & 1) != 0));
    return true;
}

bool fx_honest_blame(const simnet *net, unsigned n, unsigned skip,
                     unsigned culprit)
{
    for (unsigned i = 0; i < n; i++) {
        if (skip >> i & 1)
            continue;
        mpc_blame b = simnet_blame(net, i);
        REQUIRE(simnet_status(net, i) == MPC_SESSION_FAILED);
        if (b.attributable) {
            REQUIRE(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, culprit));
        } else {
            REQUIRE(b.reason == MPC_BLAME_TIMEOUT ||
                    b.reason == MPC_BLAME_ECHO_MISMATCH);
            REQUIRE(mpc_blame_count(&b) >= 1);
        }
    }
    return true;
}

/* ---- tampering ---------------------------------------------------------- */

simnet_verdict fx_tamper_hook(void *ud, mpc_session_frame *f,
                              mpc_wire_writer *payload)
{
    fx_tamper *t = ud;
    if (f->round != t->round || f->kind != t->kind ||
        (f->to < 32 && (t->victims >> f->to & 1) == 0))
        return SIMNET_KEEP;
    t->hits++;
    return t->fn(t->ud, f, payload) ? SIMNET_REWRITE : SIMNET_KEEP;
}

simnet_verdict fx_record_hook(void *ud, mpc_session_frame *f,
                              mpc_wire_writer *payload)
{
    fx_record *r = ud;
    (void)payload;
    if (r->len > 0 || f->round != r->round || f->kind != r->kind ||
        f->to != r->to)
        return SIMNET_KEEP;
    mpc_session_frame g = *f;
    if (g.kind != MPC_SESSION_P2P)
        g.to = MPC_SESSION_TO_ALL;
    r->from = f->from;
    fx_frame_encode(&g, r->frame, sizeof r->frame, &r->len);
    if (f->payload_len <= sizeof r->payload) {
        memcpy(r->payload, f->payload, f->payload_len);
        r->payload_len = f->payload_len;
    }
    return SIMNET_KEEP;
}

bool fx_frame_encode(const mpc_session_frame *f, uint8_t *out, size_t cap,
                     size_t *len)
{
    mpc_wire_writer w;
    const uint8_t *d;
    *len = 0;
    mpc_wire_writer_init_fixed(&w, out, cap);
    if (mpc_session_frame_serialize(&w, f) != MPC_OK ||
        mpc_wire_writer_finish(&w, &d, len) != MPC_OK)
        return false;
    return true;
}

simnet_verdict fx_liar_hook(void *ud, mpc_session_frame *f,
                            mpc_wire_writer *payload)
{
    fx_liar *l = ud;
    if (f->kind == MPC_SESSION_BCAST && f->round == l->round) {
        if (!l->fn(l->ud, f, payload))
            return SIMNET_KEEP;
        /* What every recipient will hold: the re-encoded frame. */
        mpc_session_frame g = *f;
        uint8_t frame[16384];
        size_t len;
        g.to = MPC_SESSION_TO_ALL;
        if (mpc_wire_writer_finish(payload, &g.payload, &g.payload_len) !=
                MPC_OK ||
            !fx_frame_encode(&g, frame, sizeof frame, &len))
            return SIMNET_KEEP;
        mpc_session_frame_digest(l->digest, frame, len);
        l->lies++;
        return SIMNET_REWRITE;
    }
    bool echoes = (f->kind == MPC_SESSION_ECHO && f->round == l->round) ||
                  (f->kind != MPC_SESSION_ECHO && f->round == l->round + 1);
    size_t at = (size_t)l->rank * MPC_SESSION_DIGEST_BYTES;
    if (!echoes || l->lies == 0 ||
        f->echo_len < at + MPC_SESSION_DIGEST_BYTES ||
        f->echo_len > sizeof l->echo)
        return SIMNET_KEEP;
    memcpy(l->echo, f->echo, f->echo_len);
    memcpy(l->echo + at, l->digest, MPC_SESSION_DIGEST_BYTES);
    f->echo = l->echo;
    return SIMNET_REWRITE;
}
