/*
 * CGGMP21 key-management protocols on the round engine, whole sessions:
 * aux-info (3 parties, compat set; primes from the test fixtures, so
 * safe-prime generation is not included), threshold keygen (2-of-3,
 * 3-of-5), refresh (3-of-5) and reshare (2-of-3 -> 3-of-4). All parties
 * run in this process with messages handed straight from one session to
 * the next; the figure is the CPU time of the whole run divided by the
 * number of parties, i.e. the CPU one node spends.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/cggmp_keys.h"
#include "mpc/protocol.h"
#include "mpc/session.h"
#include "tests/bench/bench.h"

#define MAXP 8
#define FIXTURES "tests/vectors/paillier-fixtures.txt"

/* Runs one session of `p` among n parties to the end; results[i] of
 * result_bytes each. False if any party did not finish. */
static bool run(const mpc_protocol *p, unsigned n, unsigned t,
                const void *const *inputs, void *results, size_t result_bytes)
{
    static uint32_t counter;
    mpc_session *s[MAXP] = {0};
    bool ok = true;
    counter++;
    for (unsigned i = 0; i < n && ok; i++) {
        mpc_session_params par;
        mpc_session_params_default(&par);
        par.protocol = p;
        memcpy(par.sid, &counter, sizeof counter);
        par.self = i;
        par.n = n;
        par.threshold = t;
        par.input = inputs[i];
        ok = mpc_session_new(&s[i], bench_ctx(), &par) == MPC_OK;
    }
    for (unsigned i = 0; i < n && ok; i++)
        ok = mpc_session_start(s[i], 0) == MPC_OK;
    for (bool moved = ok; moved;) {
        moved = false;
        for (unsigned i = 0; i < n; i++) {
            mpc_session_msg m;
            while (mpc_session_pop_outgoing(s[i], &m)) {
                moved = true;
                for (unsigned j = 0; j < n; j++)
                    if (j != i && (m.to == MPC_SESSION_TO_ALL || m.to == j))
                        ok &= mpc_session_recv(s[j], i, m.data, m.len, 0) ==
                              MPC_OK;
            }
        }
    }
    for (unsigned i = 0; i < n && ok; i++)
        ok =
            mpc_session_take_result(s[i], (uint8_t *)results + i * result_bytes,
                                    result_bytes) == MPC_OK;
    for (unsigned i = 0; i < n; i++)
        mpc_session_free(s[i]);
    if (!ok)
        fprintf(stderr, "bench_cggmp_keys: a %s session did not finish\n",
                p->name);
    return ok;
}

/* p || q of fixture key `index` (1024-bit primes) into out[256]. */
static bool fixture_primes(size_t index, uint8_t out[256])
{
    FILE *f = fopen(FIXTURES, "r");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot open %s\n", FIXTURES);
        return false;
    }
    char line[2048];
    size_t seen = 0;
    int got = 0;
    mpz_t v;
    mpz_init(v);
    while (got < 2 && fgets(line, sizeof line, f) != NULL) {
        char *hex = NULL;
        if (line[0] == '#' || strtoul(line, &hex, 10) != 1024 || *hex != ' ')
            continue;
        if (seen++ < 2 * index)
            continue;
        hex[strcspn(hex, "\n")] = 0;
        if (mpz_set_str(v, hex + 1, 16) != 0 || mpz_sizeinbase(v, 256) != 128)
            break;
        mpz_export(out + 128 * got, NULL, 1, 1, 1, 0, v);
        got++;
    }
    mpz_clear(v);
    fclose(f);
    return got == 2;
}

static void clear_shares(mpc_cggmp_key_share *ks, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        mpc_cggmp_key_share_clear(bench_ctx(), &ks[i]);
}

BENCH(cggmp_aux_info_3)
{
    static uint8_t primes[3][256];
    mpc_cggmp_aux_input in[3];
    const void *inputs[3];
    mpc_cggmp_aux_info aux[3];
    for (unsigned i = 0; i < 3; i++) {
        if (!fixture_primes(i, primes[i]))
            return;
        in[i] = (mpc_cggmp_aux_input){.params = MPC_PARAMS_COMPAT,
                                      .primes = primes[i],
                                      .primes_len = 256};
        inputs[i] = &in[i];
    }
    double t0 = bench_cpu_ms();
    if (!run(&mpc_cggmp_aux_protocol, 3, 0, inputs, aux, sizeof *aux))
        return;
    bench_report("cggmp aux-info 3 parties (compat)", "party",
                 (bench_cpu_ms() - t0) / 3);
    for (unsigned i = 0; i < 3; i++)
        mpc_cggmp_aux_info_clear(bench_ctx(), &aux[i]);
}

static void keygen(unsigned n, unsigned t, const char *what)
{
    const void *inputs[MAXP] = {0};
    mpc_cggmp_key_share ks[MAXP];
    int iters = bench_iters(20);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!run(&mpc_cggmp_keygen_protocol, n, t, inputs, ks, sizeof *ks))
            return;
        clear_shares(ks, n);
    }
    bench_report(what, "party", (bench_cpu_ms() - t0) / iters / n);
}

BENCH(cggmp_keygen_2of3)
{
    keygen(3, 2, "cggmp keygen 2-of-3");
}

BENCH(cggmp_keygen_3of5)
{
    keygen(5, 3, "cggmp keygen 3-of-5");
}

BENCH(cggmp_refresh_3of5)
{
    const void *none[MAXP] = {0};
    const void *inputs[MAXP];
    mpc_cggmp_key_share ks[5], fresh[5];
    if (!run(&mpc_cggmp_keygen_protocol, 5, 3, none, ks, sizeof *ks))
        return;
    for (unsigned i = 0; i < 5; i++)
        inputs[i] = &ks[i];
    int iters = bench_iters(20);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!run(&mpc_cggmp_refresh_protocol, 5, 3, inputs, fresh,
                 sizeof *fresh))
            break;
        clear_shares(fresh, 5);
    }
    bench_report("cggmp refresh 3-of-5", "party",
                 (bench_cpu_ms() - t0) / iters / 5);
    clear_shares(ks, 5);
}

BENCH(cggmp_reshare_2of3_to_3of4)
{
    const void *none[MAXP] = {0};
    mpc_cggmp_key_share ks[4], fresh[4];
    if (!run(&mpc_cggmp_keygen_protocol, 3, 2, none, ks, sizeof *ks))
        return;
    static const unsigned quorum[] = {0, 1}, members[] = {0, 1, 2, 3};
    mpc_scalar qids[2] = {ks[0].ids[0], ks[0].ids[1]};
    mpc_point qvs[2] = {ks[0].vshares[0], ks[0].vshares[1]};
    mpc_cggmp_reshare_input in[4];
    const void *inputs[4];
    for (unsigned i = 0; i < 4; i++) {
        in[i] = (mpc_cggmp_reshare_input){.share = i < 2 ? &ks[i] : NULL,
                                          .pubkey = ks[0].pubkey,
                                          .quorum = quorum,
                                          .quorum_ids = qids,
                                          .quorum_vshares = qvs,
                                          .n_quorum = 2,
                                          .t_old = 2,
                                          .members = members,
                                          .n_members = 4};
        memcpy(in[i].chain_code, ks[0].chain_code, 32);
        inputs[i] = &in[i];
    }
    int iters = bench_iters(20);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!run(&mpc_cggmp_reshare_protocol, 4, 3, inputs, fresh,
                 sizeof *fresh))
            break;
        clear_shares(fresh, 4);
    }
    bench_report("cggmp reshare 2-of-3 -> 3-of-4", "party",
                 (bench_cpu_ms() - t0) / iters / 4);
    clear_shares(ks, 3);
}
