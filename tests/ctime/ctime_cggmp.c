/*
 * tests/ctime/ctime_cggmp.c — constant-time checks of CGGMP21 signing
 * under valgrind memcheck (see ctime_tests.c for the method).
 *
 * `make ctime`: the sign share. A presignature dealt with secret k_i and
 * χ_i (R and the binding public) goes through mpc_cggmp_sign_share; the
 * share is declassified as it is sent, and the shares must combine into
 * a signature that verifies.
 *
 * Also presign: two signers run mpc_cggmp_presign_protocol through the
 * session engine, pumped by hand. Secret: each signer's key share x_i, every
 * random byte (k_i, γ_i, the Paillier nonces, the MtA masks, the proof masks)
 * and the Paillier secret keys (loaded from secret primes, deal_aux). Every
 * frame that leaves a
 * party is declassified on the way out: what a party sends is public
 * (P2P frames are encrypted in transit, but the peer reads them). The
 * presignatures then sign as above. Memcheck reports what lib/ computes
 * from secrets and publishes without declassifying it first.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "mpc/cggmp.h"
#include "mpc/cggmp_sign.h"
#include "mpc/ctx.h"
#include "mpc/group.h"
#include "mpc/msghash.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/session.h"
#include "mpc/vss.h"

#include "lib/cggmp/cggmp_internal.h"
#include "tests/ctime/ctime.h"

#define N 2

static int failed;

/* ---- set-up: a dealt 2-of-2 key and aux info (public parts defined) ------ */

static bool deal_key(const mpc_ctx *ctx, mpc_cggmp_key_share *ks)
{
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_scalar ids[N], x[N], secret;
    mpc_point commit[N];
    uint8_t rid[32], chain[32];
    for (unsigned j = 0; j < N; j++)
        mpc_scalar_set_u64(g, &ids[j], j + 1);
    mpc_scalar_random(g, &secret);
    if (mpc_vss_deal(g, commit, x, &secret, ids, N, N) != MPC_OK)
        return false;
    mpc_scalar_clear(&secret);
    DECLASSIFY(commit, sizeof commit);
    mpc_ctx_random(ctx, rid, sizeof rid);
    mpc_ctx_random(ctx, chain, sizeof chain);
    DECLASSIFY(rid, sizeof rid);
    DECLASSIFY(chain, sizeof chain);
    for (unsigned j = 0; j < N; j++) {
        if (mpc_cggmp_key_share_alloc(ctx, &ks[j], N) != MPC_OK)
            return false;
        ks[j].t = N;
        ks[j].self = j;
        ks[j].x = x[j];
        SECRET(&ks[j].x, sizeof ks[j].x);
        ks[j].pubkey = commit[0];
        for (unsigned k = 0; k < N; k++) {
            ks[j].ids[k] = ids[k];
            mpc_point_mul_base(g, &ks[j].vshares[k], &x[k]);
            DECLASSIFY(&ks[j].vshares[k], sizeof ks[j].vshares[k]);
        }
        memcpy(ks[j].rid, rid, sizeof rid);
        memcpy(ks[j].chain_code, chain, sizeof chain);
    }
    for (unsigned j = 0; j < N; j++)
        mpc_scalar_clear(&x[j]);
    return true;
}

/* dst (init'ed) = src, both public. */
static bool rped_copy(mpc_rped *dst, const mpc_rped *src)
{
    uint8_t buf[3 * MPC_PARAMS_MAX_N_BYTES];
    size_t len = 3 * src->params->n_bytes;
    return mpc_rped_serialize(buf, len, src) == MPC_OK &&
           mpc_rped_parse(dst, src->params, buf, len) == MPC_OK;
}

static bool deal_aux(const mpc_ctx *ctx, mpc_cggmp_aux_info *aux)
{
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    bool ok = true;
    for (unsigned j = 0; j < N && ok; j++) {
        mpz_t p, q;
        mpz_inits(p, q, NULL);
        ok = mpc_cggmp_aux_info_alloc(ctx, &aux[j], N) == MPC_OK &&
             ctime_fixture_primes(p, q, params->prime_bits, j);
        /* Secret primes: the key load publishes N and what mpc/bn.h
         * allows of the moduli; everything else it derives (φ(N), the CRT
         * constants, the nonce comb tables) stays secret. */
        if (ok) {
            ctime_secret_modulus(p);
            ctime_secret_modulus(q);
            ok = mpc_paillier_sk_from_primes(ctx, &aux[j].sk, params, p, q) ==
                 MPC_OK;
        }
        mpz_clears(p, q, NULL);
        aux[j].self = j;
        aux[j].params = MPC_PARAMS_COMPAT;
    }
    for (unsigned j = 0; j < N && ok; j++) {
        mpc_rped rp;
        mpz_t lambda;
        mpc_rped_init(&rp);
        mpz_init(lambda);
        ok = mpc_rped_generate(ctx, &rp, lambda, &aux[j].sk) == MPC_OK;
        /* s, t (and their inverses) are published in aux-info. */
        DECLASSIFY(rp.s->_mp_d, mpz_size(rp.s) * sizeof(mp_limb_t));
        DECLASSIFY(rp.t->_mp_d, mpz_size(rp.t) * sizeof(mp_limb_t));
        DECLASSIFY(rp.s_inv->_mp_d, mpz_size(rp.s_inv) * sizeof(mp_limb_t));
        DECLASSIFY(rp.t_inv->_mp_d, mpz_size(rp.t_inv) * sizeof(mp_limb_t));
        for (unsigned k = 0; ok && k < N; k++) {
            mpc_paillier_pk_copy(&aux[k].pks[j], &aux[j].sk.pk);
            ok = rped_copy(&aux[k].rped[j], &rp);
        }
        mpz_clear(lambda);
        mpc_rped_clear(&rp);
    }
    return ok;
}

/* ---- presign through the engine ------------------------------------------ */

/* Moves every queued frame of party `from` to its recipients, declassified
 * (sent frames are public). False if a recipient refuses one. */
static bool pump(mpc_session **s, unsigned from, uint64_t now)
{
    mpc_session_msg m;
    bool ok = true;
    while (mpc_session_pop_outgoing(s[from], &m)) {
        DECLASSIFY(m.data, m.len);
        for (unsigned to = 0; to < N; to++) {
            if (to == from || (m.to != MPC_SESSION_TO_ALL && m.to != to))
                continue;
            mpc_err err = mpc_session_recv(s[to], from, m.data, m.len, now);
            DECLASSIFY(&err, sizeof err);
            ok = ok && err == MPC_OK;
        }
    }
    return ok;
}

static bool run_sessions(mpc_session **s)
{
    bool ok = true;
    for (unsigned i = 0; i < N; i++) {
        mpc_err err = mpc_session_start(s[i], 0);
        DECLASSIFY(&err, sizeof err);
        ok = ok && err == MPC_OK;
    }
    /* Each pass delivers everything in flight; presign has three rounds
     * and an echo exchange, so a few passes finish it. */
    for (unsigned pass = 0; ok && pass < 16; pass++) {
        bool running = false;
        for (unsigned i = 0; i < N; i++) {
            ok = ok && pump(s, i, 1 + pass);
            mpc_session_state st = mpc_session_status(s[i]);
            DECLASSIFY(&st, sizeof st);
            running = running || st == MPC_SESSION_RUNNING;
        }
        if (!running)
            break;
    }
    for (unsigned i = 0; i < N && ok; i++) {
        mpc_session_state st = mpc_session_status(s[i]);
        DECLASSIFY(&st, sizeof st);
        ok = st == MPC_SESSION_DONE;
    }
    return ok;
}

static bool presign(const mpc_ctx *ctx, const mpc_cggmp_key_share *ks,
                    const mpc_cggmp_aux_info *aux, mpc_cggmp_presig *out)
{
    static const uint32_t signers[N] = {0, 1};
    mpc_cggmp_presign_input in[N];
    mpc_session *s[N] = {NULL};
    uint8_t sid[MPC_SESSION_ID_BYTES];
    bool ok = true;

    mpc_ctx_random(ctx, sid, sizeof sid);
    DECLASSIFY(sid, sizeof sid);
    for (unsigned i = 0; i < N && ok; i++) {
        mpc_session_params p;
        memset(&in[i], 0, sizeof in[i]);
        in[i].key = &ks[i];
        in[i].aux = &aux[i];
        in[i].signers = signers;
        memset(in[i].key_id, 0x6b, sizeof in[i].key_id);
        in[i].key_version = 1;
        mpc_session_params_default(&p);
        p.protocol = &mpc_cggmp_presign_protocol;
        memcpy(p.sid, sid, sizeof sid);
        p.self = i;
        p.n = N;
        p.threshold = N;
        p.input = &in[i];
        mpc_err err = mpc_session_new(&s[i], ctx, &p);
        DECLASSIFY(&err, sizeof err);
        ok = err == MPC_OK;
    }
    ok = ok && run_sessions(s);
    for (unsigned i = 0; i < N && ok; i++) {
        mpc_err err = mpc_session_take_result(s[i], &out[i], sizeof out[i]);
        DECLASSIFY(&err, sizeof err);
        ok = err == MPC_OK;
    }
    for (unsigned i = 0; i < N; i++)
        mpc_session_free(s[i]);
    return ok;
}

/* ---- sign share and combine ---------------------------------------------- */

/* Each signer's share of ps, combined: the signature verifies under Y. */
static bool sign(const mpc_ctx *ctx, const mpc_point *y, mpc_cggmp_presig *ps)
{
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    static const uint8_t msg[] = "ctime sign share";
    uint8_t shares[N][MPC_CGGMP_SIGN_SHARE_BYTES], digest[32];
    uint32_t positions[N] = {0, 1};
    mpc_cggmp_sign_request req;
    mpc_ecdsa_signature sig;
    mpc_blame blame;

    /* R and the binding are the public part of the presignature. */
    for (unsigned i = 0; i < N; i++) {
        DECLASSIFY(&ps[i].binding, sizeof ps[i].binding);
        DECLASSIFY(&ps[i].big_r, sizeof ps[i].big_r);
        DECLASSIFY(&ps[i].magic, sizeof ps[i].magic);
    }
    /* Taken before mpc_cggmp_sign_share consumes the presignatures. */
    mpc_point big_r = ps[0].big_r;
    memset(&req, 0, sizeof req);
    memcpy(req.key_id, ps[0].binding.key_id, sizeof req.key_id);
    req.key_version = ps[0].binding.key_version;
    memcpy(req.signers, ps[0].binding.signers, sizeof req.signers);
    req.alg = MPC_MSGHASH_KECCAK256;
    req.msg = msg;
    req.msg_len = sizeof msg - 1;
    bool ok = true;
    for (unsigned i = 0; i < N; i++) {
        mpc_err err = mpc_cggmp_sign_share(g, shares[i], &ps[i], &req);
        DECLASSIFY(&err, sizeof err);
        /* σ_i is sent to the combiner: public. */
        DECLASSIFY(shares[i], sizeof shares[i]);
        ok = ok && err == MPC_OK;
    }
    ok = ok && mpc_msghash(digest, req.alg, msg, sizeof msg - 1) == MPC_OK;
    mpc_cggmp_combine_input in = {
        .pubkey = y,
        .digest = digest,
        .big_r = &big_r,
        .count = N,
        .positions = positions,
        .shares = (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares};
    return ok && mpc_cggmp_sign_combine(g, &sig, &blame, &in) == MPC_OK;
}

/* A presignature of Y = x·G for two signers, dealt: k = k_0 + k_1,
 * R = k^-1·G, χ_0 + χ_1 = k·x. k_i, χ_i and x are secret. */
static bool deal_presig(const mpc_ctx *ctx, mpc_point *y, mpc_cggmp_presig *ps)
{
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpc_scalar x, k, kinv, kx;
    uint8_t id[32];

    mpc_scalar_random(g, &x);
    mpc_point_mul_base(g, y, &x);
    DECLASSIFY(y, sizeof *y);
    mpc_ctx_random(ctx, id, sizeof id);
    DECLASSIFY(id, sizeof id);
    memset(ps, 0, N * sizeof *ps);
    mpc_scalar_random(g, &ps[0].k);
    mpc_scalar_random(g, &ps[1].k);
    mpc_scalar_add(g, &k, &ps[0].k, &ps[1].k);
    mpc_err err = mpc_scalar_inv(g, &kinv, &k);
    DECLASSIFY(&err, sizeof err);
    mpc_scalar_mul(g, &kx, &k, &x);
    mpc_scalar_random(g, &ps[0].chi);
    mpc_scalar_sub(g, &ps[1].chi, &kx, &ps[0].chi);
    for (unsigned i = 0; i < N; i++) {
        mpc_cggmp_presig_binding *b = &ps[i].binding;
        memset(b->key_id, 0x6b, sizeof b->key_id);
        b->key_version = 1;
        b->signers[0] = 0x3;
        memcpy(b->presig_id, id, sizeof id);
        mpc_point_mul_base(g, &ps[i].big_r, &kinv);
        DECLASSIFY(&ps[i].big_r, sizeof ps[i].big_r);
        ps[i].magic = MPC_CGGMP_PRESIG_MAGIC;
        SECRET(&ps[i].k, sizeof ps[i].k);
        SECRET(&ps[i].chi, sizeof ps[i].chi);
    }
    mpc_scalar_clear(&x);
    mpc_scalar_clear(&k);
    mpc_scalar_clear(&kinv);
    mpc_scalar_clear(&kx);
    return err == MPC_OK;
}

static int check_cggmp_sign_share(const mpc_ctx *ctx)
{
    mpc_cggmp_presig ps[N];
    mpc_point y;
    failed = 0;
    bool ok = deal_presig(ctx, &y, ps);
    CTIME_EXPECT(ok);
    if (ok)
        CTIME_EXPECT(sign(ctx, &y, ps));
    for (unsigned i = 0; i < N; i++)
        mpc_cggmp_presig_clear(&ps[i]);
    return failed;
}

CTIME_REGISTER(check_cggmp_sign_share)

static int check_cggmp_presign(const mpc_ctx *ctx)
{
    mpc_cggmp_key_share ks[N];
    mpc_cggmp_aux_info aux[N];
    mpc_cggmp_presig ps[N];
    failed = 0;
    for (unsigned j = 0; j < N; j++) {
        mpc_cggmp_key_share_init(&ks[j]);
        mpc_cggmp_aux_info_init(&aux[j]);
    }
    bool ok = deal_key(ctx, ks) && deal_aux(ctx, aux);
    CTIME_EXPECT(ok);
    if (ok) {
        ok = presign(ctx, ks, aux, ps);
        CTIME_EXPECT(ok);
    }
    if (ok) {
        CTIME_EXPECT(sign(ctx, &ks[0].pubkey, ps));
        for (unsigned j = 0; j < N; j++)
            mpc_cggmp_presig_clear(&ps[j]);
    }
    for (unsigned j = 0; j < N; j++) {
        mpc_cggmp_key_share_clear(ctx, &ks[j]);
        mpc_cggmp_aux_info_clear(ctx, &aux[j]);
    }
    return failed;
}

CTIME_REGISTER(check_cggmp_presign)
