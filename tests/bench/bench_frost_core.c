/* FROST(Ed25519) math: round one (commit), round two (one signer's share)
 * and aggregation with and without per-share verification, for 2-of-3 and
 * 3-of-5 signer sets, then the signing package and aggregation from it;
 * plus the DKG steps of one party for 3-of-5. Keys come from a trusted
 * dealer; figures are per operation. */
#include <stdio.h>

#include "mpc/frost.h"
#include "mpc/vss.h"
#include "tests/bench/bench.h"

#define MAXP 5

static const uint8_t MSG[32] = "a 32-byte transaction digest...";

struct setup {
    const mpc_group *g;
    size_t t;
    mpc_point pk;
    mpc_frost_key_package key[MAXP];
    mpc_point vshare[MAXP];
    mpc_frost_nonce nonce[MAXP];
    mpc_frost_commitment list[MAXP];
    mpc_scalar z[MAXP];
};

/* A t-of-t signing set of a dealt key: ids 1..t, commitments made. */
static bool setup(struct setup *s, size_t t)
{
    mpc_scalar coef[MAXP];
    s->g = mpc_ctx_group(bench_ctx(), MPC_CURVE_ED25519);
    s->t = t;
    mpc_poly_random(s->g, coef, t, NULL);
    mpc_point_mul_base(s->g, &s->pk, &coef[0]);
    for (size_t i = 0; i < t; i++) {
        mpc_frost_key_package *k = &s->key[i];
        mpc_scalar_set_u64(s->g, &k->id, i + 1);
        mpc_poly_eval(s->g, &k->share, coef, t, &k->id);
        k->group_pk = s->pk;
        k->threshold = t;
        mpc_point_mul_base(s->g, &s->vshare[i], &k->share);
        if (mpc_frost_commit(s->g, &s->nonce[i], &s->list[i], k) != MPC_OK)
            return false;
    }
    for (size_t i = 0; i < t; i++) {
        if (mpc_frost_sign(s->g, &s->z[i], &s->nonce[i], &s->key[i], NULL, MSG,
                           sizeof MSG, s->list, t) != MPC_OK)
            return false;
    }
    return true;
}

static void bench_signing(size_t t, size_t n)
{
    struct setup s;
    char what[64];
    uint8_t sig[64];
    int iters = bench_iters(200);
    if (!setup(&s, t))
        return;

    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        mpc_frost_commitment com;
        if (mpc_frost_commit(s.g, &s.nonce[0], &com, &s.key[0]) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "frost commit (%zu-of-%zu)", t, n);
    bench_report(what, "per party", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        if (mpc_frost_commit(s.g, &s.nonce[0], &s.list[0], &s.key[0]) !=
                MPC_OK ||
            mpc_frost_sign(s.g, &s.z[0], &s.nonce[0], &s.key[0], NULL, MSG,
                           sizeof MSG, s.list, t) != MPC_OK)
            return;
    }
    double commit_sign = (bench_cpu_ms() - t0) / iters;
    snprintf(what, sizeof what, "frost commit + sign share (%zu-of-%zu)", t, n);
    bench_report(what, "per party", commit_sign);

    /* fresh, consistent shares: the loop above changed party 1's */
    if (!setup(&s, t))
        return;

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        if (mpc_frost_aggregate(s.g, sig, NULL, NULL, s.z, s.vshare, &s.pk,
                                NULL, MSG, sizeof MSG, s.list, t) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "frost aggregate, shares checked (%zu-of-%zu)",
             t, n);
    bench_report(what, "per signature", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        if (mpc_frost_aggregate(s.g, sig, NULL, NULL, s.z, NULL, &s.pk, NULL,
                                MSG, sizeof MSG, s.list, t) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "frost aggregate, unchecked (%zu-of-%zu)", t,
             n);
    bench_report(what, "per signature", (bench_cpu_ms() - t0) / iters);

    /* The package path: R and c once per request, then cheap steps. */
    mpc_frost_signing_package pkg;
    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        if (mpc_frost_signing_package_init(s.g, &pkg, &s.pk, NULL, MSG,
                                           sizeof MSG, s.list, t) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "frost signing package (%zu-of-%zu)", t, n);
    bench_report(what, "per request", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++) {
        if (mpc_frost_signing_package_aggregate(s.g, sig, NULL, NULL, s.z, NULL,
                                                &pkg, MSG, sizeof MSG, s.list,
                                                t) != MPC_OK)
            return;
    }
    snprintf(what, sizeof what, "frost aggregate from package (%zu-of-%zu)", t,
             n);
    bench_report(what, "per signature", (bench_cpu_ms() - t0) / iters);
}

BENCH(frost_sign_2_of_3)
{
    bench_signing(2, 3);
}

BENCH(frost_sign_3_of_5)
{
    bench_signing(3, 5);
}

BENCH(frost_dkg_3_of_5)
{
    const mpc_group *g = mpc_ctx_group(bench_ctx(), MPC_CURVE_ED25519);
    enum { N = 5, T = 3 };
    mpc_scalar ids[N], coef[N][T], shares[N];
    mpc_point commit[N * T], vshares[N];
    mpc_frost_pok pok[N];
    mpc_frost_key_package key;
    int iters = bench_iters(20);
    for (size_t i = 0; i < N; i++) {
        mpc_scalar_set_u64(g, &ids[i], i + 1);
        if (mpc_frost_dkg_part1(g, coef[i], &commit[i * T], &pok[i], &ids[i], T,
                                NULL, 0) != MPC_OK ||
            mpc_frost_dkg_share(g, &shares[i], coef[i], T, &ids[0]) != MPC_OK)
            return;
    }

    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_frost_dkg_part1(g, coef[0], commit, pok, ids, T, NULL, 0) !=
            MPC_OK)
            return;
    bench_report("frost dkg part 1 (3-of-5)", "per party",
                 (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        for (size_t j = 1; j < N; j++)
            if (mpc_frost_dkg_round1_verify(g, &ids[j], &commit[j * T], T,
                                            &pok[j], T, NULL, 0) != MPC_OK)
                return;
    bench_report("frost dkg part 2 checks (3-of-5)", "per party",
                 (bench_cpu_ms() - t0) / iters);

    if (mpc_frost_dkg_share(g, &shares[0], coef[0], T, &ids[0]) != MPC_OK)
        return;
    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_frost_dkg_part3(g, &key, vshares, NULL, NULL, ids, N, 0, T,
                                commit, shares) != MPC_OK)
            return;
    bench_report("frost dkg part 3 (3-of-5)", "per party",
                 (bench_cpu_ms() - t0) / iters);
}
