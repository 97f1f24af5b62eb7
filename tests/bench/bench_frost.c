/*
 * FROST protocols on the round engine, whole sessions: DKG (3 and 5
 * parties), signing (2-of-3, 3-of-5), refresh (3-of-5) and reshare
 * (2-of-3 -> 3-of-5). All parties run in this process with messages handed
 * straight from one session to the next; the figure is the CPU time of
 * the whole run (every party, engine included) divided by the number of
 * parties, i.e. the CPU one node spends.
 */
#include <stdio.h>
#include <string.h>

#include "mpc/frost_session.h"
#include "mpc/session.h"
#include "tests/bench/bench.h"

#define MAXP 8

static const uint8_t MSG[32] = "a 32-byte transaction digest...";

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
    return ok;
}

static bool failed(const char *what)
{
    fprintf(stderr, "bench_frost: a %s session did not finish\n", what);
    return false;
}

static bool dkg(mpc_frost_key_result *keys, unsigned n, unsigned t)
{
    const void *inputs[MAXP] = {0};
    return run(&mpc_frost_dkg_protocol, n, t, inputs, keys, sizeof *keys) ||
           failed("dkg");
}

static void clear_keys(mpc_frost_key_result *keys, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        mpc_frost_key_result_clear(&keys[i]);
}

static void bench_dkg(unsigned n, unsigned t)
{
    mpc_frost_key_result keys[MAXP];
    int iters = bench_iters(n > 3 ? 10 : 20);
    char what[64];
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!dkg(keys, n, t))
            return;
        clear_keys(keys, n);
    }
    snprintf(what, sizeof what, "frost session: dkg %u-of-%u", t, n);
    bench_report(what, "per party", (bench_cpu_ms() - t0) / iters / n);
}

BENCH(frost_session_dkg)
{
    bench_dkg(3, 2);
    bench_dkg(5, 3);
}

static void bench_sign(unsigned n, unsigned t)
{
    mpc_frost_key_result keys[MAXP];
    mpc_frost_sign_input in[MAXP];
    mpc_frost_sign_result res[MAXP];
    const void *inputs[MAXP];
    char what[64];
    if (!dkg(keys, n, t))
        return;
    /* The first t members sign. */
    for (unsigned i = 0; i < t; i++) {
        in[i] = (mpc_frost_sign_input){.key = &keys[i].key,
                                       .ids = keys[0].ids,
                                       .vshares = keys[0].vshares,
                                       .n_signers = t,
                                       .msg = MSG,
                                       .msg_len = sizeof MSG};
        inputs[i] = &in[i];
    }
    int iters = bench_iters(100);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++)
        if (!run(&mpc_frost_sign_protocol, t, t, inputs, res, sizeof *res)) {
            clear_keys(keys, n);
            failed("sign");
            return;
        }
    snprintf(what, sizeof what, "frost session: sign %u-of-%u", t, n);
    bench_report(what, "per party", (bench_cpu_ms() - t0) / iters / t);
    clear_keys(keys, n);
}

BENCH(frost_session_sign)
{
    bench_sign(3, 2);
    bench_sign(5, 3);
}

BENCH(frost_session_refresh)
{
    mpc_frost_key_result keys[MAXP], fresh[MAXP];
    mpc_frost_refresh_input in[MAXP];
    const void *inputs[MAXP];
    if (!dkg(keys, 5, 3))
        return;
    for (unsigned i = 0; i < 5; i++) {
        in[i] = (mpc_frost_refresh_input){.key = &keys[i].key,
                                          .ids = keys[0].ids,
                                          .vshares = keys[0].vshares,
                                          .n_parties = 5};
        inputs[i] = &in[i];
    }
    int iters = bench_iters(10);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!run(&mpc_frost_refresh_protocol, 5, 3, inputs, fresh,
                 sizeof *fresh)) {
            clear_keys(keys, 5);
            failed("refresh");
            return;
        }
        clear_keys(fresh, 5);
    }
    bench_report("frost session: refresh 3-of-5", "per party",
                 (bench_cpu_ms() - t0) / iters / 5);
    clear_keys(keys, 5);
}

BENCH(frost_session_reshare)
{
    /* 2-of-3 -> 3-of-5: old members 0 and 1 deal and stay; three join. */
    mpc_frost_key_result keys[MAXP], fresh[MAXP];
    mpc_frost_reshare_party parties[5];
    mpc_frost_reshare_input in[5];
    const void *inputs[5];
    if (!dkg(keys, 3, 2))
        return;
    const mpc_group *g = mpc_ctx_group(bench_ctx(), MPC_CURVE_ED25519);
    memset(parties, 0, sizeof parties);
    for (unsigned i = 0; i < 5; i++) {
        parties[i].roles = MPC_FROST_RESHARE_MEMBER;
        mpc_scalar_set_u64(g, &parties[i].new_id, i + 1);
        mpc_point_set_identity(g, &parties[i].old_vshare);
        if (i < 2) {
            parties[i].roles |= MPC_FROST_RESHARE_DEALER;
            parties[i].old_id = keys[i].key.id;
            parties[i].old_vshare = keys[0].vshares[i];
        }
    }
    for (unsigned i = 0; i < 5; i++) {
        in[i] = (mpc_frost_reshare_input){.parties = parties,
                                          .n_parties = 5,
                                          .group_pk = &keys[0].group_pk,
                                          .old_threshold = 2,
                                          .key = i < 2 ? &keys[i].key : NULL};
        inputs[i] = &in[i];
    }
    int iters = bench_iters(10);
    double t0 = bench_cpu_ms();
    for (int k = 0; k < iters; k++) {
        if (!run(&mpc_frost_reshare_protocol, 5, 3, inputs, fresh,
                 sizeof *fresh)) {
            clear_keys(keys, 3);
            failed("reshare");
            return;
        }
        clear_keys(fresh, 5);
    }
    bench_report("frost session: reshare 2-of-3 -> 3-of-5", "per party",
                 (bench_cpu_ms() - t0) / iters / 5);
    clear_keys(keys, 3);
}
