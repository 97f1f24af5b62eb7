/*
 * tests/protocol/test_cggmp_chain.c — CGGMP21 end to end on simnet, each
 * step fed by the previous one's real output: aux-info -> keygen ->
 * presign -> sign, for 2-of-3, 3-of-5, 5-of-7 and 2-of-3 under the
 * 128-bit parameter set, in both modes (interactive; pooled presign + sign
 * share + combine, with every mpc_msghash_alg), with and without an HD path.
 * Every signature is checked by libsecp256k1 and OpenSSL under the key it
 * claims (the joint key or the derived child).
 *
 * Cost (CPU, release, before the presign speed-ups): presign is about
 * 0.3 s per signer at 2-of-3 and 1.5 s per signer at 5-of-7; aux-info
 * for 7 parties about 10 s. 2-of-3 signs with every signer set in both
 * modes, with and without the HD path; 3-of-5 with every signer set
 * once, alternating mode, key and hash; 5-of-7 with a fixed
 * pseudo-random sample of its 21 sets, test_iters(2) of them
 * (MPC_TEST_ITERS=1050 runs all 21). The file takes about 110 s of CPU,
 * release or ASan alike (GMP dominates).
 */
#include <stdio.h>
#include <string.h>

#include "mpc/cggmp_keys.h"
#include "mpc/cggmp_sign.h"
#include "mpc/hd.h"
#include "mpc/msghash.h"
#include "mpc/rng.h"
#include "tests/harness/test.h"
#include "tests/protocol/cggmp_fixture.h"
#include "tests/protocol/simnet.h"

#define MAXN 7

static const mpc_msghash_alg algs[3] = {MPC_MSGHASH_SHA256, MPC_MSGHASH_SHA256D,
                                        MPC_MSGHASH_KECCAK256};

/* A committee after aux-info and keygen, and one HD child of its key. */
typedef struct chain {
    unsigned n, t;
    const mpc_ctx *ctx[MAXN];
    mpc_cggmp_aux_info aux[MAXN];
    mpc_cggmp_key_share ks[MAXN];
    mpc_hd_child child;
} chain;

static bool chain_make(chain *c, unsigned n, unsigned t, mpc_params_id params)
{
    static const uint32_t path[3] = {44, 60, 5};
    c->n = n;
    c->t = t;
    cggmp_fixture_ctxs(c->ctx, n);
    for (unsigned j = 0; j < n; j++)
        mpc_cggmp_key_share_init(&c->ks[j]);
    REQUIRE(cggmp_fixture_aux(c->ctx, n, params, c->aux));
    if (!cggmp_fixture_keygen(c->ctx, n, t, c->ks)) {
        cggmp_fixture_clear(c->ctx, n, c->ks, c->aux);
        return false;
    }
    mpc_err err = mpc_hd_derive(cggmp_group(c->ctx[0]), &c->child,
                                &c->ks[0].pubkey, c->ks[0].chain_code, path, 3);
    if (err != MPC_OK)
        cggmp_fixture_clear(c->ctx, n, c->ks, c->aux);
    REQUIRE_OK(err);
    return true;
}

static void chain_clear(chain *c)
{
    cggmp_fixture_clear(c->ctx, c->n, c->ks, c->aux);
}

/* out = the committee positions in mask, ascending; returns how many. */
static unsigned mask_positions(unsigned mask, uint32_t *out)
{
    unsigned count = 0;
    for (uint32_t j = 0; j < 32; j++)
        if (mask >> j & 1)
            out[count++] = j;
    return count;
}

/* Interactive sign by `signers` of a random digest. */
static bool sign_interactive(chain *c, const uint32_t *signers, bool hd)
{
    cggmp_signing s;
    uint8_t digest[32];
    mpc_ctx_random(test_ctx(), digest, sizeof digest);
    cggmp_signing_set(&s, c->ks, c->aux, signers, c->t, hd ? &c->child : NULL);
    REQUIRE(cggmp_sign_interactive(&s, digest));
    return true;
}

/* Pooled sign by `signers` of a preimage naming them. */
static bool sign_pooled(chain *c, const uint32_t *signers, bool hd,
                        mpc_msghash_alg alg)
{
    cggmp_signing s;
    char msg[64];
    int len = snprintf(msg, sizeof msg, "pay 1 to %u-of-%u, signers %u %u",
                       c->t, c->n, signers[0], signers[1]);
    REQUIRE(len > 0 && (size_t)len < sizeof msg);
    cggmp_signing_set(&s, c->ks, c->aux, signers, c->t, hd ? &c->child : NULL);
    REQUIRE(cggmp_sign_pooled(&s, alg, (const uint8_t *)msg, (size_t)len));
    return true;
}

/* One signing by the signer set `mask`: pooled (hashing with alg) or
 * interactive, under the HD child or the joint key. */
static bool sign_one(chain *c, unsigned mask, bool pooled, bool hd,
                     mpc_msghash_alg alg)
{
    uint32_t signers[MAXN];
    REQUIRE(mask_positions(mask, signers) == c->t);
    if (pooled)
        REQUIRE(sign_pooled(c, signers, hd, alg));
    else
        REQUIRE(sign_interactive(c, signers, hd));
    return true;
}

static unsigned popcount(unsigned m)
{
    unsigned k = 0;
    for (; m != 0; m &= m - 1)
        k++;
    return k;
}

/* Every signer set of the committee signs once; the i-th (in mask order)
 * signs pooled when i is odd, under the HD child when i / 2 is odd, with
 * algs[i / 2 % 3]: the first six sets use every mode and key, and every
 * hash in pooled mode. */
static bool sign_every_subset(chain *c)
{
    unsigned i = 0;
    for (unsigned mask = 0; mask < 1u << c->n; mask++) {
        if (popcount(mask) != c->t)
            continue;
        REQUIRE(sign_one(c, mask, i % 2 == 1, i / 2 % 2 == 1, algs[i / 2 % 3]));
        i++;
    }
    return true;
}

/* 2-of-3: every subset, each in both modes with and without the HD path
 * (so every algorithm signs twice, once under each key). */
TEST(cggmp_chain_2of3_every_subset)
{
    static const unsigned masks[3] = {0x3, 0x5, 0x6};
    chain c;
    if (!chain_make(&c, 3, 2, MPC_PARAMS_COMPAT))
        return;
    for (unsigned i = 0; i < 3; i++) {
        uint32_t signers[2];
        CHECK(mask_positions(masks[i], signers) == 2);
        for (unsigned hd = 0; hd < 2; hd++) {
            CHECK(sign_interactive(&c, signers, hd == 1));
            CHECK(sign_pooled(&c, signers, hd == 1, algs[(2 * i + hd) % 3]));
        }
    }
    chain_clear(&c);
}

TEST(cggmp_chain_3of5_every_subset)
{
    chain c;
    if (!chain_make(&c, 5, 3, MPC_PARAMS_COMPAT))
        return;
    CHECK(sign_every_subset(&c));
    chain_clear(&c);
}

/* 5-of-7: a sample of the 21 signer sets, the same in every run (a DRBG
 * with a fixed seed, so a failure names a reproducible set). */
TEST(cggmp_chain_5of7_sample)
{
    static const uint8_t seed[] = "cggmp_chain_5of7_sample";
    unsigned masks[21], nmasks = 0;
    for (unsigned mask = 0; mask < 1u << 7; mask++)
        if (popcount(mask) == 5)
            masks[nmasks++] = mask;
    CHECK(nmasks == 21);
    /* Fisher-Yates with the fixed DRBG; the first `want` are signed. */
    mpc_drbg d;
    mpc_drbg_init(&d, seed, sizeof seed);
    for (unsigned i = nmasks - 1; i > 0; i--) {
        uint8_t r[4];
        mpc_drbg_fill(&d, r, sizeof r);
        uint32_t v = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
                     (uint32_t)r[2] << 8 | r[3];
        unsigned j = v % (i + 1), tmp = masks[i];
        masks[i] = masks[j];
        masks[j] = tmp;
    }
    mpc_drbg_clear(&d);
    unsigned want = (unsigned)test_iters(2);
    if (want > nmasks)
        want = nmasks;

    chain c;
    if (!chain_make(&c, 7, 5, MPC_PARAMS_COMPAT))
        return;
    /* Alternately interactive under the child and pooled under the joint
     * key. */
    for (unsigned i = 0; i < want; i++)
        CHECK(sign_one(&c, masks[i], i % 2 == 1, i % 2 == 0, algs[i % 3]));
    chain_clear(&c);
}

/* The 128-bit set (3072-bit moduli; three fixture keys): 2-of-3, two of
 * the signer sets, one per mode. */
TEST(cggmp_chain_128bit_2of3)
{
    chain c;
    if (!chain_make(&c, 3, 2, MPC_PARAMS_128))
        return;
    CHECK(c.aux[0].params == MPC_PARAMS_128);
    CHECK(sign_one(&c, 0x5, false, true, algs[0]));
    CHECK(sign_one(&c, 0x6, true, false, algs[2]));
    chain_clear(&c);
}

/* ---- the network misbehaves ------------------------------------------------
 * Every run above already delivers in a random order. Here messages are
 * also duplicated (the sessions must drop the copies and succeed) or
 * dropped (the sessions must fail by timeout, naming the silent peers as
 * suspects only: every party here is honest, so nobody may be blamed with
 * certainty, and no party may output a signature that does not verify).
 */

static void set_dups(simnet *net, void *ud)
{
    simnet_set_dup_rate(net, *(const unsigned *)ud);
}

/* Keygen on a net that duplicates `dups` per mille of the messages. */
static bool keygen_dups(chain *c, unsigned dups)
{
    simnet_config cfg = {.protocol = &mpc_cggmp_keygen_protocol,
                         .n = c->n,
                         .threshold = c->t,
                         .ctxs = c->ctx};
    simnet *net = simnet_new_cfg(&cfg);
    REQUIRE(net != NULL);
    simnet_set_dup_rate(net, dups);
    bool ok = simnet_run(net, 1000000) == SIMNET_ALL_DONE;
    for (unsigned j = 0; j < c->n && ok; j++)
        ok = simnet_take_result(net, j, &c->ks[j], sizeof c->ks[j]) == MPC_OK;
    simnet_free(net);
    REQUIRE(ok);
    REQUIRE(cggmp_fixture_check_shares(c->ks, c->n));
    return true;
}

TEST(cggmp_chain_duplicates_2of3)
{
    static const uint32_t signers[2] = {0, 2};
    static const unsigned dups = 400;
    const uint8_t msg[] = "twice is once";
    uint8_t digest[32];
    cggmp_signing s;
    chain c;

    c.n = 3;
    c.t = 2;
    cggmp_fixture_ctxs(c.ctx, 3);
    for (unsigned j = 0; j < 3; j++)
        mpc_cggmp_key_share_init(&c.ks[j]);
    if (!cggmp_fixture_aux(c.ctx, 3, MPC_PARAMS_COMPAT, c.aux))
        return;
    CHECK(keygen_dups(&c, dups));
    if (!test_failed()) {
        cggmp_signing_set(&s, c.ks, c.aux, signers, 2, NULL);
        s.net_setup = set_dups;
        s.net_setup_ud = (void *)&dups;
        mpc_ctx_random(test_ctx(), digest, sizeof digest);
        CHECK(cggmp_sign_interactive(&s, digest));
        CHECK(
            cggmp_sign_pooled(&s, MPC_MSGHASH_KECCAK256, msg, sizeof msg - 1));
    }
    chain_clear(&c);
}

/* After a faulty run: no party stalled, every party that finished holds a
 * valid signature, every party that failed blames nobody with certainty.
 * Returns the number of parties that failed. */
static unsigned check_fault_outcome(const cggmp_signing *s, simnet *net,
                                    const uint8_t digest[32], bool *ok)
{
    unsigned failed = 0;
    *ok = true;
    for (unsigned k = 0; k < s->t; k++) {
        mpc_session_state st = simnet_status(net, k);
        if (st == MPC_SESSION_DONE) {
            mpc_cggmp_sign_result res;
            *ok = *ok &&
                  simnet_take_result(net, k, &res, sizeof res) == MPC_OK &&
                  cggmp_signing_check(s, digest, &res);
            continue;
        }
        mpc_blame b = simnet_blame(net, k);
        failed++;
        *ok = *ok && st == MPC_SESSION_FAILED && b.err != MPC_OK &&
              !b.attributable;
    }
    return failed;
}

/* Interactive sign with every message of `round` from signer 1 to signer
 * 0 dropped: signer 0 times out suspecting signer 1; nobody is blamed,
 * nothing wrong is signed. */
static bool drop_round(chain *c, unsigned round)
{
    static const uint32_t signers[2] = {1, 2};
    uint8_t digest[32];
    cggmp_signing s;
    bool ok = false;

    mpc_ctx_random(test_ctx(), digest, sizeof digest);
    cggmp_signing_set(&s, c->ks, c->aux, signers, 2, NULL);
    simnet *net = cggmp_signing_net(&s, digest);
    REQUIRE(net != NULL);
    simnet_drop_match(net, round, 1, 0);
    simnet_outcome out = simnet_run(net, 1000000);
    mpc_blame b = simnet_blame(net, 0);
    unsigned failed = check_fault_outcome(&s, net, digest, &ok);
    simnet_free(net);
    REQUIRE(out == SIMNET_SOME_FAILED && ok && failed >= 1);
    REQUIRE(b.err == MPC_ERR_TIMEOUT && b.reason == MPC_BLAME_TIMEOUT);
    REQUIRE(mpc_blame_has(&b, 1) && mpc_blame_count(&b) == 1);
    return true;
}

static void set_drops(simnet *net, void *ud)
{
    simnet_set_drop_rate(net, *(const unsigned *)ud);
    simnet_set_dup_rate(net, 100);
}

TEST(cggmp_chain_drops_fail_cleanly)
{
    static const unsigned rate = 30;
    static const uint32_t signers[2] = {0, 1};
    chain c;
    if (!chain_make(&c, 3, 2, MPC_PARAMS_COMPAT))
        return;
    for (unsigned round = 1; round <= 4; round++)
        CHECK(drop_round(&c, round));

    /* Random drops (and duplicates) in presign and sign: whatever the
     * outcome, it is clean. */
    cggmp_signing s;
    cggmp_signing_set(&s, c.ks, c.aux, signers, 2, &c.child);
    s.net_setup = set_drops;
    s.net_setup_ud = (void *)&rate;
    unsigned runs = (unsigned)test_iters(3);
    for (unsigned i = 0; i < runs; i++) {
        uint8_t digest[32];
        bool ok = false;
        mpc_ctx_random(test_ctx(), digest, sizeof digest);
        simnet *net = cggmp_signing_net(&s, digest);
        CHECK(net != NULL);
        CHECK(simnet_run(net, 1000000) != SIMNET_STALLED);
        (void)check_fault_outcome(&s, net, digest, &ok);
        simnet_free(net);
        CHECK(ok);
    }
    chain_clear(&c);
}
