/*
 * Batch verification (mpc/zk_batch.h) at 2048 and 3072 bits: what a
 * presign round-3 verifier does per peer — two Πaff-g and one Πlog* from
 * the same prover — verified one by one and through one batch; the three
 * Paillier equations alone, separately and batched; and the
 * multi-exponentiation against separate mpz_powm. `mpc-bench zk_batch`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/params.h"
#include "mpc/transcript.h"
#include "mpc/zk_batch.h"
#include "tests/bench/bench.h"

static void require(bool ok)
{
    bench_require(ok, "bench_zk_batch");
}

/* The first four fixture primes of `bits` bits: two keys. */
static void fixture_primes(size_t bits, mpz_t pr[4])
{
    require(bench_fixture_primes(bits, 0, pr, 4));
}

static void rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    require(mpc_bn_random_symmetric(bench_ctx(), x, b) == MPC_OK);
    mpz_clear(b);
}

static void fresh(mpc_transcript *t, const char *which)
{
    mpc_transcript_init(t, "bench", (const uint8_t *)which, strlen(which));
    mpc_transcript_append_u64(t, "prover", 1);
}

/* Prover P (key N1) and verifier V (key N0, ring-Pedersen parameters and
 * tables); two Πaff-g (V's C against P's answers) and one Πlog* by P. */
typedef struct setup {
    const mpc_params *params;
    const mpc_group *g;
    mpc_paillier_sk skp, skv;
    mpc_rped rp;
    mpc_rped_table tab;
    mpz_t k, rho, K, c, rc, C;
    mpz_t x[2], y[2], s[2], ry[2], D[2], Y[2];
    mpc_point G, X, Xa[2];
    mpc_zk_logstar_proof log;
    mpc_zk_affg_proof aff[2];
} setup;

static void setup_init(setup *u, mpc_params_id id)
{
    const mpc_ctx *ctx = bench_ctx();
    u->params = mpc_params_get(id);
    u->g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpz_t pr[4], lambda;
    for (int i = 0; i < 4; i++)
        mpz_init(pr[i]);
    mpz_init(lambda);
    fixture_primes(u->params->prime_bits, pr);
    mpc_paillier_sk_init(&u->skp);
    mpc_paillier_sk_init(&u->skv);
    mpc_rped_init(&u->rp);
    require(mpc_paillier_sk_from_primes(ctx, &u->skp, u->params, pr[0],
                                        pr[1]) == MPC_OK);
    require(mpc_paillier_sk_from_primes(ctx, &u->skv, u->params, pr[2],
                                        pr[3]) == MPC_OK);
    require(mpc_rped_generate(ctx, &u->rp, lambda, &u->skv) == MPC_OK);
    size_t bits = u->params->ell + u->params->eps + u->params->n_bits + 2;
    require(mpc_rped_table_init(ctx, &u->tab, &u->rp, bits) == MPC_OK);
    const mpc_paillier_pk *pkp = &u->skp.pk, *pkv = &u->skv.pk;
    mpz_inits(u->k, u->rho, u->K, u->c, u->rc, u->C, NULL);
    mpc_scalar sc;
    rand_signed(u->k, u->params->ell);
    require(mpc_paillier_nonce_random(ctx, pkp, u->rho) == MPC_OK);
    require(mpc_paillier_encrypt(ctx, pkp, u->K, u->k, u->rho) == MPC_OK);
    mpc_point_generator(u->g, &u->G);
    mpc_zk_scalar_from_int_var(u->g, &sc, u->k);
    mpc_point_mul_base(u->g, &u->X, &sc);
    rand_signed(u->c, u->params->ell);
    require(mpc_paillier_nonce_random(ctx, pkv, u->rc) == MPC_OK);
    require(mpc_paillier_encrypt(ctx, pkv, u->C, u->c, u->rc) == MPC_OK);
    mpc_transcript t;
    mpc_zk_logstar_proof_init(&u->log);
    fresh(&t, "log");
    require(mpc_zk_logstar_prove(ctx, &u->log, &t, &u->rp, &u->skp, u->K, &u->G,
                                 &u->X, u->k, u->rho) == MPC_OK);
    for (int i = 0; i < 2; i++) {
        mpz_inits(u->x[i], u->y[i], u->s[i], u->ry[i], u->D[i], u->Y[i], NULL);
        rand_signed(u->x[i], u->params->ell);
        rand_signed(u->y[i], u->params->ell_prime);
        require(mpc_paillier_nonce_random(ctx, pkv, u->s[i]) == MPC_OK);
        require(mpc_paillier_affine(ctx, pkv, u->D[i], u->C, u->x[i],
                                    u->params->ell + 1, u->y[i],
                                    u->s[i]) == MPC_OK);
        require(mpc_paillier_nonce_random(ctx, pkp, u->ry[i]) == MPC_OK);
        require(mpc_paillier_encrypt(ctx, pkp, u->Y[i], u->y[i], u->ry[i]) ==
                MPC_OK);
        mpc_zk_scalar_from_int_var(u->g, &sc, u->x[i]);
        mpc_point_mul_base(u->g, &u->Xa[i], &sc);
        mpc_zk_affg_proof_init(&u->aff[i]);
        fresh(&t, i == 0 ? "aff0" : "aff1");
        require(mpc_zk_affg_prove(ctx, &u->aff[i], &t, &u->rp, pkv, &u->skp,
                                  u->C, u->D[i], u->Y[i], &u->Xa[i], u->x[i],
                                  u->y[i], u->s[i], u->ry[i]) == MPC_OK);
    }
    for (int i = 0; i < 4; i++)
        mpz_clear(pr[i]);
    mpc_bn_clear(lambda);
}

static void setup_clear(setup *u)
{
    mpc_zk_logstar_proof_clear(&u->log);
    for (int i = 0; i < 2; i++) {
        mpc_zk_affg_proof_clear(&u->aff[i]);
        mpz_clears(u->x[i], u->y[i], u->s[i], u->ry[i], u->D[i], u->Y[i], NULL);
    }
    mpc_rped_table_clear(bench_ctx(), &u->tab);
    mpc_rped_clear(&u->rp);
    mpc_paillier_sk_clear(&u->skp);
    mpc_paillier_sk_clear(&u->skv);
    mpz_clears(u->k, u->rho, u->K, u->c, u->rc, u->C, NULL);
}

/* The round-3 proofs of one peer, one by one (batch NULL) or batched. */
static void verify_round3(setup *u, bool batched)
{
    const mpc_ctx *ctx = bench_ctx();
    const mpc_paillier_pk *pkp = &u->skp.pk, *pkv = &u->skv.pk;
    mpc_transcript t;
    mpc_zk_batch b;
    require(mpc_zk_batch_init(&b, pkp) == MPC_OK);
    for (int i = 0; i < 2; i++) {
        fresh(&t, i == 0 ? "aff0" : "aff1");
        mpc_err err = batched
                          ? mpc_zk_affg_verify_batched(
                                ctx, &b, &t, &u->rp, &u->tab, &u->skv, pkv, pkp,
                                u->C, u->D[i], u->Y[i], &u->Xa[i], &u->aff[i])
                          : mpc_zk_affg_verify(ctx, &t, &u->rp, &u->tab,
                                               &u->skv, pkv, pkp, u->C, u->D[i],
                                               u->Y[i], &u->Xa[i], &u->aff[i]);
        require(err == MPC_OK);
    }
    fresh(&t, "log");
    mpc_err err = batched ? mpc_zk_logstar_verify_batched(ctx, &b, &t, &u->rp,
                                                          &u->tab, pkp, u->K,
                                                          &u->G, &u->X, &u->log)
                          : mpc_zk_logstar_verify(ctx, &t, &u->rp, &u->tab, pkp,
                                                  u->K, &u->G, &u->X, &u->log);
    require(err == MPC_OK);
    require(mpc_zk_batch_check(&b) == MPC_OK);
    mpc_zk_batch_clear(&b);
}

/* The three Paillier equations under the prover's key alone. */
static void equations(setup *u, bool batched, mpc_zk_batch *b)
{
    const mpc_ctx *ctx = bench_ctx();
    const mpc_paillier_pk *pkp = &u->skp.pk;
    mpc_zk_batch *bb = batched ? b : NULL;
    mpz_t e;
    mpz_init(e);
    mpc_transcript t;
    for (int i = 0; i < 2; i++) {
        fresh(&t, i == 0 ? "aff0" : "aff1");
        require(mpc_zk_affg_challenge(&t, u->g, &u->rp, &u->skv.pk, pkp, u->C,
                                      u->D[i], u->Y[i], &u->Xa[i], &u->aff[i],
                                      e) == MPC_OK);
        require(mpc_zk_paillier_eq_var(ctx, bb, pkp, u->aff[i].z2, u->aff[i].wy,
                                       u->aff[i].by, u->Y[i], e) == MPC_OK);
    }
    fresh(&t, "log");
    require(mpc_zk_logstar_challenge(&t, u->g, &u->rp, pkp, u->K, &u->G, &u->X,
                                     &u->log, e) == MPC_OK);
    require(mpc_zk_paillier_eq_var(ctx, bb, pkp, u->log.enc.z1, u->log.enc.z2,
                                   u->log.enc.a, u->K, e) == MPC_OK);
    mpz_clear(e);
}

/* The old form of one equation: Enc_var, then A B^e by mpz_powm. */
static void equations_old(setup *u)
{
    const mpc_paillier_pk *pkp = &u->skp.pk;
    mpz_t e, lhs;
    mpz_inits(e, lhs, NULL);
    mpc_transcript t;
    for (int i = 0; i < 2; i++) {
        fresh(&t, i == 0 ? "aff0" : "aff1");
        require(mpc_zk_affg_challenge(&t, u->g, &u->rp, &u->skv.pk, pkp, u->C,
                                      u->D[i], u->Y[i], &u->Xa[i], &u->aff[i],
                                      e) == MPC_OK);
        require(mpc_zk_paillier_enc_var(lhs, pkp, u->aff[i].z2, u->aff[i].wy) ==
                MPC_OK);
        require(mpc_zk_check_eq_var(lhs, u->aff[i].by, u->Y[i], e, pkp->n2) ==
                MPC_OK);
    }
    fresh(&t, "log");
    require(mpc_zk_logstar_challenge(&t, u->g, &u->rp, pkp, u->K, &u->G, &u->X,
                                     &u->log, e) == MPC_OK);
    require(mpc_zk_paillier_enc_var(lhs, pkp, u->log.enc.z1, u->log.enc.z2) ==
            MPC_OK);
    require(mpc_zk_check_eq_var(lhs, u->log.enc.a, u->K, e, pkp->n2) == MPC_OK);
    mpz_clears(e, lhs, NULL);
}

static void bench_set(mpc_params_id id, int runs)
{
    setup u;
    setup_init(&u, id);
    const unsigned bits = u.params->n_bits;
    char what[112];
    double t0;

    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++)
        equations_old(&u);
    snprintf(what, sizeof what,
             "zk batch %u: 3 Paillier eqs, old form (Enc_var + powm)", bits);
    bench_report(what, "peer", (bench_cpu_ms() - t0) / runs);
    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++)
        equations(&u, false, NULL);
    snprintf(what, sizeof what, "zk batch %u: 3 Paillier eqs, one by one",
             bits);
    bench_report(what, "peer", (bench_cpu_ms() - t0) / runs);
    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++) {
        mpc_zk_batch b;
        require(mpc_zk_batch_init(&b, &u.skp.pk) == MPC_OK);
        equations(&u, true, &b);
        require(mpc_zk_batch_check(&b) == MPC_OK);
        mpc_zk_batch_clear(&b);
    }
    snprintf(what, sizeof what, "zk batch %u: 3 Paillier eqs, batched", bits);
    bench_report(what, "peer", (bench_cpu_ms() - t0) / runs);

    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++)
        verify_round3(&u, false);
    snprintf(what, sizeof what,
             "zk batch %u: round 3, 2 aff-g + 1 log* verified separately",
             bits);
    bench_report(what, "peer", (bench_cpu_ms() - t0) / runs);
    t0 = bench_cpu_ms();
    for (int i = 0; i < runs; i++)
        verify_round3(&u, true);
    snprintf(what, sizeof what,
             "zk batch %u: round 3, 2 aff-g + 1 log* batched", bits);
    bench_report(what, "peer", (bench_cpu_ms() - t0) / runs);
    setup_clear(&u);
}

/* W^N and six short exponents mod N^2: multiexp vs separate mpz_powm. */
static void bench_multiexp(int runs)
{
    mpz_t pr[4], m, r, x;
    mpz_t b[7], e[7];
    mpz_srcptr bp[7], ep[7];
    for (int i = 0; i < 4; i++)
        mpz_init(pr[i]);
    mpz_inits(m, r, x, NULL);
    fixture_primes(1024, pr);
    mpz_mul(m, pr[0], pr[1]);
    mpz_set(x, m); /* N */
    mpz_mul(m, m, m);
    for (int i = 0; i < 7; i++) {
        mpz_inits(b[i], e[i], NULL);
        require(mpc_bn_random_unit(bench_ctx(), b[i], m) == MPC_OK);
        if (i == 0)
            mpz_set(e[i], x);
        else
            rand_signed(e[i], i % 2 ? 128 : 384);
        mpz_abs(e[i], e[i]);
        bp[i] = b[i];
        ep[i] = e[i];
    }
    const size_t counts[] = {1, 7};
    for (int c = 0; c < 2; c++) {
        double t0 = bench_cpu_ms();
        for (int j = 0; j < runs; j++) {
            mpz_set_ui(r, 1);
            for (size_t i = 0; i < counts[c]; i++) {
                mpz_powm(x, b[i], e[i], m);
                mpz_mul(r, r, x);
                mpz_mod(r, r, m);
            }
        }
        char what[112];
        snprintf(what, sizeof what,
                 "multiexp 4096: N + %zu short exps, separate mpz_powm",
                 counts[c] - 1);
        bench_report(what, "op", (bench_cpu_ms() - t0) / runs);
        t0 = bench_cpu_ms();
        for (int j = 0; j < runs; j++)
            require(mpc_bn_multiexp_var(r, bp, ep, counts[c], m) == MPC_OK);
        snprintf(what, sizeof what,
                 "multiexp 4096: N + %zu short exps, mpc_bn_multiexp_var",
                 counts[c] - 1);
        bench_report(what, "op", (bench_cpu_ms() - t0) / runs);
    }
    for (int i = 0; i < 7; i++)
        mpz_clears(b[i], e[i], NULL);
    for (int i = 0; i < 4; i++)
        mpz_clear(pr[i]);
    mpz_clears(m, r, x, NULL);
}

BENCH(zk_batch_2048)
{
    bench_multiexp(bench_iters(20));
    bench_set(MPC_PARAMS_COMPAT, bench_iters(10));
}

BENCH(zk_batch_3072)
{
    bench_set(MPC_PARAMS_128, bench_iters(4));
}
