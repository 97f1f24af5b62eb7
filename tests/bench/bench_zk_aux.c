/*
 * Benchmarks of the aux-info proofs (lib/zk: Πmod, Πprm, Πfac): prove and
 * verify at 2048 bits (MPC_PARAMS_COMPAT, m = 80) and 3072 bits
 * (MPC_PARAMS_128, m = 128), keys from the test fixtures. Πfac is verified
 * with the verifier's fixed-base tables, as aux-info does, and without.
 * `mpc-bench zk_aux`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "mpc/bn.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_fac.h"
#include "mpc/zk_mod.h"
#include "mpc/zk_prm.h"
#include "tests/bench/bench.h"

/* Fixture primes number first and first + 1 of `bits` bits. */
static bool fixture_primes(size_t bits, size_t first, mpz_t p, mpz_t q)
{
    mpz_t pr[2];
    mpz_inits(pr[0], pr[1], NULL);
    bool ok = bench_fixture_primes(bits, first, pr, 2);
    mpz_swap(p, pr[0]);
    mpz_swap(q, pr[1]);
    mpz_clears(pr[0], pr[1], NULL);
    return ok;
}

static void key(mpc_paillier_sk *sk, const mpc_params *params, size_t index)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    if (!fixture_primes(params->prime_bits, 2 * index, p, q) ||
        mpc_paillier_sk_from_primes(bench_ctx(), sk, params, p, q) != MPC_OK)
        abort();
    mpz_clears(p, q, NULL);
}

static void transcript(mpc_transcript *t)
{
    static const uint8_t sid[32] = {1};
    mpc_transcript_init(t, "bench-zk-aux", sid, sizeof sid);
}

/* m is printed for the binary-challenge proofs (Πmod, Πprm) only. */
static void report(const char *proof, const char *op, const mpc_params *pm,
                   double ms)
{
    char what[96];
    if (strcmp(proof, "zk_fac") == 0)
        snprintf(what, sizeof what, "%s %s N=%u", proof, op, pm->n_bits);
    else
        snprintf(what, sizeof what, "%s %s N=%u m=%u", proof, op, pm->n_bits,
                 pm->m);
    bench_report(what, "proof", ms);
}

static void bench_mod(mpc_params_id id, int runs)
{
    const mpc_params *pm = mpc_params_get(id);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    key(&sk, pm, 0);
    mpc_zk_mod_proof proof;
    mpc_zk_mod_proof_init(&proof);
    mpc_transcript t;
    double t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        transcript(&t);
        if (mpc_zk_mod_prove(bench_ctx(), &proof, &t, &sk) != MPC_OK)
            abort();
    }
    report("zk_mod", "prove", pm, (bench_cpu_ms() - t0) / runs);
    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        transcript(&t);
        if (mpc_zk_mod_verify(&t, &proof, &sk.pk) != MPC_OK)
            abort();
    }
    report("zk_mod", "verify", pm, (bench_cpu_ms() - t0) / runs);
    mpc_zk_mod_proof_clear(&proof);
    mpc_paillier_sk_clear(&sk);
}

static void bench_prm(mpc_params_id id, int runs)
{
    const mpc_params *pm = mpc_params_get(id);
    mpc_paillier_sk sk;
    mpc_paillier_sk_init(&sk);
    key(&sk, pm, 0);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpz_t lambda;
    mpz_init(lambda);
    if (mpc_rped_generate(bench_ctx(), &rp, lambda, &sk) != MPC_OK)
        abort();
    mpc_zk_prm_proof proof;
    mpc_zk_prm_proof_init(&proof);
    mpc_transcript t;
    double t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        transcript(&t);
        if (mpc_zk_prm_prove(bench_ctx(), &proof, &t, &rp, &sk, lambda) !=
            MPC_OK)
            abort();
    }
    report("zk_prm", "prove", pm, (bench_cpu_ms() - t0) / runs);
    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        transcript(&t);
        if (mpc_zk_prm_verify(bench_ctx(), &t, &proof, &rp) != MPC_OK)
            abort();
    }
    report("zk_prm", "verify", pm, (bench_cpu_ms() - t0) / runs);
    mpc_zk_prm_proof_clear(&proof);
    mpc_bn_clear(lambda);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&sk);
}

static void bench_fac(mpc_params_id id, int runs)
{
    const mpc_params *pm = mpc_params_get(id);
    mpc_paillier_sk prover, verifier;
    mpc_paillier_sk_init(&prover);
    mpc_paillier_sk_init(&verifier);
    key(&prover, pm, 0);
    key(&verifier, pm, 1);
    mpc_rped rp;
    mpc_rped_init(&rp);
    mpc_rped_table tab;
    mpz_t lambda;
    mpz_init(lambda);
    if (mpc_rped_generate(bench_ctx(), &rp, lambda, &verifier) != MPC_OK ||
        mpc_rped_table_init(bench_ctx(), &tab, &rp,
                            pm->ell + pm->eps + 2 * pm->n_bits + 1) != MPC_OK)
        abort();
    mpc_zk_fac_proof proof;
    mpc_zk_fac_proof_init(&proof);
    mpc_transcript t;
    double t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        transcript(&t);
        if (mpc_zk_fac_prove(bench_ctx(), &proof, &t, &prover, &rp) != MPC_OK)
            abort();
    }
    report("zk_fac", "prove", pm, (bench_cpu_ms() - t0) / runs);
    const mpc_rped_table *tabs[] = {&tab, NULL};
    const char *ops[] = {"verify (tables)", "verify (no tables)"};
    for (int k = 0; k < 2; k++) {
        t0 = bench_cpu_ms();
        for (int i = 0; i < runs; i++) {
            transcript(&t);
            if (mpc_zk_fac_verify(&t, &proof, &prover.pk, &rp, tabs[k]) !=
                MPC_OK)
                abort();
        }
        report("zk_fac", ops[k], pm, (bench_cpu_ms() - t0) / runs);
    }
    mpc_zk_fac_proof_clear(&proof);
    mpc_rped_table_clear(bench_ctx(), &tab);
    mpc_bn_clear(lambda);
    mpc_rped_clear(&rp);
    mpc_paillier_sk_clear(&prover);
    mpc_paillier_sk_clear(&verifier);
}

BENCH(zk_aux_mod_2048)
{
    bench_mod(MPC_PARAMS_COMPAT, bench_iters(5));
}

BENCH(zk_aux_mod_3072)
{
    bench_mod(MPC_PARAMS_128, bench_iters(2));
}

BENCH(zk_aux_prm_2048)
{
    bench_prm(MPC_PARAMS_COMPAT, bench_iters(5));
}

BENCH(zk_aux_prm_3072)
{
    bench_prm(MPC_PARAMS_128, bench_iters(2));
}

BENCH(zk_aux_fac_2048)
{
    bench_fac(MPC_PARAMS_COMPAT, bench_iters(10));
}

BENCH(zk_aux_fac_3072)
{
    bench_fac(MPC_PARAMS_128, bench_iters(5));
}
