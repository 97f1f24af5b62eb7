/* lib/vss: Feldman share verification, dealing, a reshare receive, and the
 * Schnorr proof of knowledge, on both groups. */
#include <stdio.h>

#include "mpc/group.h"
#include "mpc/schnorr.h"
#include "mpc/vss.h"
#include "tests/bench/bench.h"

#define MAXN 8

static const mpc_curve curves[] = {MPC_CURVE_SECP256K1, MPC_CURVE_ED25519};

static const char *curve_name(mpc_curve c)
{
    return c == MPC_CURVE_SECP256K1 ? "secp256k1" : "ed25519";
}

static void set_ids(const mpc_group *g, mpc_scalar *ids, size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpc_scalar_set_u64(g, &ids[k], k + 1);
}

static void feldman_verify(const mpc_group *g, size_t t, size_t n)
{
    mpc_scalar ids[MAXN], shares[MAXN], secret;
    mpc_point commit[MAXN];
    char what[64];
    set_ids(g, ids, n);
    mpc_scalar_random(g, &secret);
    if (mpc_vss_deal(g, commit, shares, &secret, ids, n, t) != MPC_OK)
        return;
    int iters = bench_iters(400);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_vss_verify_share(g, commit, t, &ids[i % n], &shares[i % n]) !=
            MPC_OK)
            return;
    snprintf(what, sizeof what, "%s feldman verify t=%zu",
             curve_name(mpc_group_curve(g)), t);
    bench_report(what, "share", (bench_cpu_ms() - t0) / iters);

    iters = bench_iters(100);
    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_vss_deal(g, commit, shares, &secret, ids, n, t) != MPC_OK)
            return;
    snprintf(what, sizeof what, "%s deal %zu-of-%zu",
             curve_name(mpc_group_curve(g)), t, n);
    bench_report(what, "dealing", (bench_cpu_ms() - t0) / iters);
}

BENCH(vss_feldman)
{
    for (size_t c = 0; c < 2; c++) {
        const mpc_group *g = mpc_ctx_group(bench_ctx(), curves[c]);
        feldman_verify(g, 3, 5);
        feldman_verify(g, 5, 7);
    }
}

/* One new party's work in a 2-of-3 -> 3-of-5 reshare: check both dealings
 * and derive its share and all five verifying shares. */
static void reshare_receive(const mpc_group *g)
{
    mpc_scalar old_ids[3], old_shares[3], ids[5], secret, sub[2][5], share;
    mpc_point old_commit[2], old_vs[3], quorum_vs[2], commit[2][3], vs[5];
    mpc_scalar quorum_ids[2];
    char what[64];
    set_ids(g, old_ids, 3);
    set_ids(g, ids, 5);
    mpc_scalar_random(g, &secret);
    if (mpc_vss_deal(g, old_commit, old_shares, &secret, old_ids, 3, 2) !=
        MPC_OK)
        return;
    for (size_t k = 0; k < 3; k++)
        mpc_vss_commitment_eval_var(g, &old_vs[k], old_commit, 2, &old_ids[k]);
    quorum_ids[0] = old_ids[0];
    quorum_ids[1] = old_ids[2];
    quorum_vs[0] = old_vs[0];
    quorum_vs[1] = old_vs[2];
    mpc_vss_committee from = {quorum_ids, quorum_vs, 2, 2};
    mpc_vss_committee to = {ids, NULL, 5, 3};
    for (size_t i = 0; i < 2; i++)
        if (mpc_vss_reshare_deal(g, commit[i], sub[i], &from, i,
                                 &old_shares[2 * i], &to) != MPC_OK)
            return;
    mpc_vss_dealing d[2] = {{commit[0], 3, &sub[0][0]},
                            {commit[1], 3, &sub[1][0]}};
    mpc_vss_blame blame;
    int iters = bench_iters(50);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_vss_reshare_receive(g, &share, vs, &blame, &old_commit[0],
                                    &from, d, &to, 0) != MPC_OK)
            return;
    snprintf(what, sizeof what, "%s reshare receive 2-of-3 -> 3-of-5",
             curve_name(mpc_group_curve(g)));
    bench_report(what, "new party", (bench_cpu_ms() - t0) / iters);
}

BENCH(vss_reshare)
{
    for (size_t c = 0; c < 2; c++)
        reshare_receive(mpc_ctx_group(bench_ctx(), curves[c]));
}

static void schnorr(const mpc_group *g)
{
    static const uint8_t sid[32] = {1};
    mpc_scalar x;
    mpc_point X;
    mpc_schnorr_proof p;
    mpc_transcript t;
    char what[64];
    mpc_scalar_random(g, &x);
    mpc_point_mul_base(g, &X, &x);

    int iters = bench_iters(400);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        mpc_transcript_init(&t, "bench", sid, sizeof sid);
        if (mpc_schnorr_prove(g, &p, &t, &X, &x) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "%s schnorr prove",
             curve_name(mpc_group_curve(g)));
    bench_report(what, "proof", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        mpc_transcript_init(&t, "bench", sid, sizeof sid);
        if (mpc_schnorr_verify(g, &t, &X, &p) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "%s schnorr verify",
             curve_name(mpc_group_curve(g)));
    bench_report(what, "proof", (bench_cpu_ms() - t0) / iters);
}

BENCH(vss_schnorr)
{
    for (size_t c = 0; c < 2; c++)
        schnorr(mpc_ctx_group(bench_ctx(), curves[c]));
}
