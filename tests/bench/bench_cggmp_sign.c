/*
 * CGGMP21 presign and sign (mpc/cggmp_sign.h) at the compat set (2048-bit
 * Paillier), 2-of-3 and 3-of-5: whole presign sessions on the round engine
 * with messages handed straight between the signers in this process; the
 * figure is the CPU of the run divided by the number of signers (what one
 * node spends). Keys are dealt here from the committed fixture primes.
 * `mpc-bench cggmp_sign`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/cggmp_sign.h"
#include "mpc/session.h"
#include "tests/bench/bench.h"

#define MAXP 5
static void require(bool ok)
{
    bench_require(ok, "bench_cggmp_sign");
}

/* A dealt t-of-n key (ids j + 1) and aux info with fixture Paillier keys. */
static void deal(unsigned n, unsigned t, mpc_cggmp_key_share *ks,
                 mpc_cggmp_aux_info *aux)
{
    const mpc_ctx *ctx = bench_ctx();
    const mpc_group *g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    const mpc_params *params = mpc_params_get(MPC_PARAMS_COMPAT);
    mpz_t pr[2 * MAXP], lambda;
    mpc_paillier_sk sk[MAXP];
    mpc_rped rp[MAXP];
    mpc_scalar coef[MAXP];

    mpz_init(lambda);
    for (unsigned j = 0; j < 2 * n; j++)
        mpz_init(pr[j]);
    require(bench_fixture_primes(1024, 0, pr, 2 * n));
    for (unsigned j = 0; j < n; j++) {
        mpc_paillier_sk_init(&sk[j]);
        mpc_rped_init(&rp[j]);
        require(mpc_paillier_sk_from_primes(ctx, &sk[j], params, pr[2 * j],
                                            pr[2 * j + 1]) == MPC_OK);
        require(mpc_rped_generate(ctx, &rp[j], lambda, &sk[j]) == MPC_OK);
    }
    for (unsigned k = 0; k < t; k++)
        mpc_scalar_random(g, &coef[k]);
    for (unsigned i = 0; i < n; i++) {
        mpc_cggmp_key_share_init(&ks[i]);
        require(mpc_cggmp_key_share_alloc(ctx, &ks[i], n) == MPC_OK);
        ks[i].n = n;
        ks[i].t = t;
        ks[i].self = i;
        mpc_point_mul_base(g, &ks[i].pubkey, &coef[0]);
        for (unsigned j = 0; j < n; j++) {
            mpc_scalar x, id, acc;
            mpc_scalar_set_u64(g, &id, j + 1);
            mpc_scalar_set_zero(&acc);
            for (unsigned k = t; k-- > 0;) {
                mpc_scalar_mul(g, &acc, &acc, &id);
                mpc_scalar_add(g, &acc, &acc, &coef[k]);
            }
            x = acc;
            ks[i].ids[j] = id;
            mpc_point_mul_base(g, &ks[i].vshares[j], &x);
            if (j == i)
                ks[i].x = x;
        }
        mpc_cggmp_aux_info_init(&aux[i]);
        require(mpc_cggmp_aux_info_alloc(ctx, &aux[i], n) == MPC_OK);
        aux[i].self = i;
        aux[i].params = MPC_PARAMS_COMPAT;
        require(mpc_paillier_sk_from_primes(ctx, &aux[i].sk, params, pr[2 * i],
                                            pr[2 * i + 1]) == MPC_OK);
        for (unsigned j = 0; j < n; j++) {
            mpc_paillier_pk_copy(&aux[i].pks[j], &sk[j].pk);
            mpc_rped_copy(&aux[i].rped[j], &rp[j]);
        }
        /* As decode does for the node's cached aux info. */
        require(mpc_cggmp_aux_info_tables(ctx, &aux[i]) == MPC_OK);
    }
    for (unsigned j = 0; j < n; j++) {
        mpc_paillier_sk_clear(&sk[j]);
        mpc_rped_clear(&rp[j]);
    }
    for (unsigned j = 0; j < 2 * n; j++)
        mpc_bn_clear(pr[j]);
    mpc_bn_clear(lambda);
}

/* One presign session among signers 0..t-1; false if it did not finish. */
static bool presign(unsigned t, mpc_cggmp_key_share *ks,
                    mpc_cggmp_aux_info *aux, mpc_cggmp_presig *out)
{
    static uint32_t counter;
    static const uint32_t signers[MAXP] = {0, 1, 2, 3, 4};
    mpc_cggmp_presign_input in[MAXP];
    mpc_session *s[MAXP] = {0};
    bool ok = true;

    counter++;
    for (unsigned i = 0; i < t && ok; i++) {
        mpc_session_params par;
        memset(&in[i], 0, sizeof(in[i]));
        in[i].key = &ks[i];
        in[i].aux = &aux[i];
        in[i].signers = signers;
        mpc_session_params_default(&par);
        par.protocol = &mpc_cggmp_presign_protocol;
        memcpy(par.sid, &counter, sizeof counter);
        par.self = i;
        par.n = t;
        par.threshold = t;
        par.input = &in[i];
        ok = mpc_session_new(&s[i], bench_ctx(), &par) == MPC_OK;
    }
    for (unsigned i = 0; i < t && ok; i++)
        ok = mpc_session_start(s[i], 0) == MPC_OK;
    for (bool moved = ok; moved;) {
        moved = false;
        for (unsigned i = 0; i < t; i++) {
            mpc_session_msg m;
            while (mpc_session_pop_outgoing(s[i], &m)) {
                moved = true;
                for (unsigned j = 0; j < t; j++)
                    if (j != i && (m.to == MPC_SESSION_TO_ALL || m.to == j))
                        ok &= mpc_session_recv(s[j], i, m.data, m.len, 0) ==
                              MPC_OK;
            }
        }
    }
    for (unsigned i = 0; i < t && ok; i++)
        ok = mpc_session_take_result(s[i], &out[i], sizeof out[i]) == MPC_OK;
    for (unsigned i = 0; i < t; i++)
        mpc_session_free(s[i]);
    return ok;
}

static void bench_presign_sign(unsigned n, unsigned t, const char *name)
{
    const mpc_group *g = mpc_ctx_group(bench_ctx(), MPC_CURVE_SECP256K1);
    mpc_cggmp_key_share ks[MAXP];
    mpc_cggmp_aux_info aux[MAXP];
    mpc_cggmp_presig ps[MAXP];
    int iters = bench_iters(3);
    double pre = 0, sign = 0;
    char what[96];

    deal(n, t, ks, aux);
    for (int it = 0; it < iters; it++) {
        uint8_t shares[MAXP][32];
        const uint8_t msg[] = "bench";
        mpc_cggmp_sign_request req;
        double t0 = bench_cpu_ms();
        require(presign(t, ks, aux, ps));
        double t1 = bench_cpu_ms();
        memset(&req, 0, sizeof(req));
        memcpy(req.signers, ps[0].binding.signers, 32);
        req.alg = MPC_MSGHASH_SHA256;
        req.msg = msg;
        req.msg_len = sizeof(msg) - 1;
        for (unsigned i = 0; i < t; i++)
            require(mpc_cggmp_sign_share(g, shares[i], &ps[i], &req) == MPC_OK);
        pre += t1 - t0;
        sign += bench_cpu_ms() - t1;
    }
    snprintf(what, sizeof what, "cggmp presign %s (2048)", name);
    bench_report(what, "per party", pre / iters / t);
    snprintf(what, sizeof what, "cggmp sign share %s", name);
    bench_report(what, "per party", sign / iters / t);
    for (unsigned i = 0; i < n; i++) {
        mpc_cggmp_key_share_clear(bench_ctx(), &ks[i]);
        mpc_cggmp_aux_info_clear(bench_ctx(), &aux[i]);
    }
}

BENCH(cggmp_sign_2_of_3)
{
    bench_presign_sign(3, 2, "2-of-3");
}

BENCH(cggmp_sign_3_of_5)
{
    bench_presign_sign(5, 3, "3-of-5");
}
