/*
 * tests/protocol/cggmp_fixture.c — see cggmp_fixture.h.
 */
#include "tests/protocol/cggmp_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "mpc/bn.h"
#include "mpc/group.h"
#include "mpc/paillier.h"
#include "mpc/cggmp_keys.h"
#include "mpc/cggmp_sign.h"
#include "mpc/msghash.h"
#include "mpc/vss.h"
#include "lib/cggmp/cggmp_internal.h"
#include "lib/session/session_internal.h"
#include "tests/harness/test.h"
#include "tests/protocol/simnet.h"
#include "tests/unit/ecdsa_oracle.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"
#define MAX_PARTIES 16

const mpc_group *cggmp_group(const mpc_ctx *ctx)
{
    return mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
}

/* out = the fixture prime number `index` of `bits` bits. */
static bool load_prime(mpz_t out, unsigned bits, unsigned index)
{
    size_t len = 0;
    char *text = test_read_file(FIXTURES, &len);
    REQUIRE(text != NULL);
    unsigned seen = 0;
    bool found = false;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL && !found;
         line = strtok_r(NULL, "\n", &save)) {
        char *hex = NULL;
        if (line[0] == '#' || strtoul(line, &hex, 10) != bits || *hex != ' ')
            continue;
        if (seen++ == index)
            found = mpz_set_str(out, hex + 1, 16) == 0;
    }
    free(text);
    REQUIRE(found);
    return true;
}

bool cggmp_fixture_primes(mpc_params_id id, unsigned index, mpz_t p, mpz_t q)
{
    const mpc_params *params = mpc_params_get(id);
    REQUIRE(params != NULL);
    unsigned keys = id == MPC_PARAMS_COMPAT ? CGGMP_FIXTURE_KEYS_COMPAT
                                            : CGGMP_FIXTURE_KEYS_128;
    index %= keys;
    REQUIRE(load_prime(p, params->prime_bits, 2 * index));
    REQUIRE(load_prime(q, params->prime_bits, 2 * index + 1));
    return true;
}

bool cggmp_fixture_paillier(const mpc_ctx *ctx, mpc_params_id id,
                            unsigned index, mpc_paillier_sk *sk)
{
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok = cggmp_fixture_primes(id, index, p, q) &&
              mpc_paillier_sk_from_primes(ctx, sk, mpc_params_get(id), p, q) ==
                  MPC_OK;
    mpz_clears(p, q, NULL);
    REQUIRE(ok);
    return true;
}

/* dst (init'ed, empty) = a copy of the ring-Pedersen parameters src. */
static bool rped_copy(mpc_rped *dst, const mpc_rped *src)
{
    uint8_t buf[3 * MPC_PARAMS_MAX_N_BYTES];
    size_t len = 3 * src->params->n_bytes;
    REQUIRE_OK(mpc_rped_serialize(buf, len, src));
    REQUIRE_OK(mpc_rped_parse(dst, src->params, buf, len));
    return true;
}

/* The key-share half of the dealer. */
static bool deal_shares(const mpc_ctx *const *ctx, unsigned n, unsigned t,
                        mpc_cggmp_key_share *shares)
{
    const mpc_group *g = cggmp_group(ctx[0]);
    mpc_scalar ids[MAX_PARTIES], x[MAX_PARTIES], secret;
    mpc_point commit[MAX_PARTIES];
    for (unsigned j = 0; j < n; j++)
        mpc_scalar_set_u64(g, &ids[j], j + 1);
    mpc_scalar_random(g, &secret);
    REQUIRE_OK(mpc_vss_deal(g, commit, x, &secret, ids, n, t));
    mpc_scalar_clear(&secret);
    uint8_t rid[32], chain[32];
    mpc_ctx_random(ctx[0], rid, sizeof rid);
    mpc_ctx_random(ctx[0], chain, sizeof chain);
    for (unsigned j = 0; j < n; j++) {
        mpc_cggmp_key_share *ks = &shares[j];
        REQUIRE_OK(mpc_cggmp_key_share_alloc(ctx[j], ks, n));
        ks->t = t;
        ks->self = j;
        ks->x = x[j];
        ks->pubkey = commit[0];
        for (unsigned k = 0; k < n; k++) {
            ks->ids[k] = ids[k];
            mpc_point_mul_base(g, &ks->vshares[k], &x[k]);
        }
        memcpy(ks->rid, rid, sizeof rid);
        memcpy(ks->chain_code, chain, sizeof chain);
    }
    for (unsigned j = 0; j < n; j++)
        mpc_scalar_clear(&x[j]);
    return true;
}

/* The aux-info half of the dealer. */
static bool deal_aux(const mpc_ctx *const *ctx, unsigned n,
                     mpc_params_id params, mpc_cggmp_aux_info *aux)
{
    for (unsigned j = 0; j < n; j++) {
        REQUIRE_OK(mpc_cggmp_aux_info_alloc(ctx[j], &aux[j], n));
        aux[j].self = j;
        aux[j].params = params;
        REQUIRE(cggmp_fixture_paillier(ctx[j], params, j, &aux[j].sk));
    }
    for (unsigned j = 0; j < n; j++) {
        mpc_rped rp;
        mpz_t lambda;
        mpc_rped_init(&rp);
        mpz_init(lambda);
        bool ok = mpc_rped_generate(ctx[j], &rp, lambda, &aux[j].sk) == MPC_OK;
        mpc_bn_clear(lambda);
        for (unsigned k = 0; ok && k < n; k++) {
            mpc_paillier_pk_copy(&aux[k].pks[j], &aux[j].sk.pk);
            ok = rped_copy(&aux[k].rped[j], &rp);
        }
        mpc_rped_clear(&rp);
        REQUIRE(ok);
    }
    return true;
}

bool cggmp_fixture_dealer(const mpc_ctx *const *ctx, unsigned n, unsigned t,
                          mpc_params_id params, mpc_cggmp_key_share *shares_out,
                          mpc_cggmp_aux_info *aux_out)
{
    REQUIRE(n >= 2 && n <= MAX_PARTIES && t >= 1 && t <= n);
    for (unsigned j = 0; j < n; j++) {
        mpc_cggmp_key_share_init(&shares_out[j]);
        mpc_cggmp_aux_info_init(&aux_out[j]);
    }
    REQUIRE(deal_shares(ctx, n, t, shares_out));
    REQUIRE(deal_aux(ctx, n, params, aux_out));
    return true;
}

void cggmp_fixture_clear(const mpc_ctx *const *ctx, unsigned n,
                         mpc_cggmp_key_share *shares, mpc_cggmp_aux_info *aux)
{
    for (unsigned j = 0; j < n; j++) {
        if (shares != NULL)
            mpc_cggmp_key_share_clear(ctx[j], &shares[j]);
        if (aux != NULL)
            mpc_cggmp_aux_info_clear(ctx[j], &aux[j]);
    }
}

bool cggmp_fixture_check_shares(const mpc_cggmp_key_share *shares, unsigned n)
{
    const mpc_group *g = cggmp_group(test_ctx());
    const mpc_cggmp_key_share *a = &shares[0];
    REQUIRE(a->n == n && a->t >= 1 && a->t <= n);
    for (unsigned j = 0; j < n; j++) {
        const mpc_cggmp_key_share *b = &shares[j];
        REQUIRE(b->n == n && b->t == a->t && b->self == j);
        REQUIRE(mpc_point_eq(g, &b->pubkey, &a->pubkey));
        REQUIRE(memcmp(b->rid, a->rid, 32) == 0);
        REQUIRE(memcmp(b->chain_code, a->chain_code, 32) == 0);
        for (unsigned k = 0; k < n; k++) {
            REQUIRE(mpc_scalar_eq(&b->ids[k], &a->ids[k]));
            REQUIRE(mpc_point_eq(g, &b->vshares[k], &a->vshares[k]));
        }
        mpc_point xg;
        mpc_point_mul_base(g, &xg, &b->x);
        REQUIRE(mpc_point_eq(g, &xg, &a->vshares[j]));
    }
    /* The first t shares interpolate to the secret of Y. */
    mpc_scalar sum, term, lambda;
    mpc_scalar_set_zero(&sum);
    for (unsigned j = 0; j < a->t; j++) {
        REQUIRE_OK(mpc_lagrange_coeff_var(g, &lambda, a->ids, a->t, j, NULL));
        mpc_scalar_mul(g, &term, &lambda, &shares[j].x);
        mpc_scalar_add(g, &sum, &sum, &term);
    }
    mpc_point y;
    mpc_point_mul_base(g, &y, &sum);
    REQUIRE(mpc_point_eq(g, &y, &a->pubkey));
    return true;
}

void cggmp_fixture_ctxs(const mpc_ctx **ctx, unsigned n)
{
    static const char *const labels[] = {"cggmp-p0", "cggmp-p1", "cggmp-p2",
                                         "cggmp-p3", "cggmp-p4", "cggmp-p5",
                                         "cggmp-p6", "cggmp-p7"};
    for (unsigned i = 0; i < n && i < 8; i++)
        ctx[i] = test_new_ctx(labels[i]);
}

bool cggmp_fixture_primes_bytes(mpc_params_id id, unsigned index,
                                uint8_t buf[CGGMP_FIXTURE_PRIMES_MAX_BYTES],
                                size_t *len)
{
    const mpc_params *params = mpc_params_get(id);
    REQUIRE(params != NULL);
    size_t pb = params->prime_bits / 8;
    mpz_t p, q;
    mpz_inits(p, q, NULL);
    bool ok = cggmp_fixture_primes(id, index, p, q) &&
              mpz_sizeinbase(p, 256) == pb && mpz_sizeinbase(q, 256) == pb;
    if (ok) {
        mpz_export(buf, NULL, 1, 1, 1, 0, p);
        mpz_export(buf + pb, NULL, 1, 1, 1, 0, q);
        *len = 2 * pb;
    }
    mpz_clears(p, q, NULL);
    REQUIRE(ok);
    return true;
}

bool cggmp_fixture_blamed(const simnet *net, unsigned honest, unsigned culprit,
                          mpc_blame_reason reason)
{
    for (unsigned k = 0; k < 32; k++) {
        if ((honest >> k & 1) == 0)
            continue;
        mpc_blame b = simnet_blame(net, k);
        REQUIRE(simnet_status(net, k) == MPC_SESSION_FAILED);
        REQUIRE(b.attributable);
        REQUIRE(mpc_blame_count(&b) == 1 && mpc_blame_has(&b, culprit));
        if (reason != MPC_BLAME_NONE)
            REQUIRE(b.reason == reason);
        else
            REQUIRE(b.reason == MPC_BLAME_PARSE ||
                    b.reason == MPC_BLAME_VERIFY);
    }
    return true;
}

static uint8_t tamper_buf[1u << 20];

simnet_verdict cggmp_tamper_hook(void *ud, mpc_session_frame *f,
                                 mpc_wire_writer *payload)
{
    cggmp_tamper *t = ud;
    if (f->round != t->round || f->kind != t->kind || f->to >= 32 ||
        (t->victims >> f->to & 1) == 0 || f->payload_len > sizeof tamper_buf)
        return SIMNET_KEEP;
    size_t len = t->new_len != 0 ? t->new_len : f->payload_len;
    if (len > sizeof tamper_buf)
        return SIMNET_KEEP;
    memset(tamper_buf, 0, len);
    memcpy(tamper_buf, f->payload, len < f->payload_len ? len : f->payload_len);
    if (t->fn != NULL)
        t->fn(tamper_buf, len);
    mpc_wire_write_bytes(payload, tamper_buf, len);
    f->payload_len = len;
    return SIMNET_REWRITE;
}

void cggmp_flip_middle(uint8_t *p, size_t len)
{
    p[len / 2] ^= 0x04;
}

void cggmp_flip_last(uint8_t *p, size_t len)
{
    p[len - 1] ^= 0x01;
}

bool cggmp_fixture_keygen(const mpc_ctx *const *ctx, unsigned n, unsigned t,
                          mpc_cggmp_key_share *shares_out)
{
    REQUIRE(n >= 2 && n <= MAX_PARTIES);
    for (unsigned j = 0; j < n; j++)
        mpc_cggmp_key_share_init(&shares_out[j]);
    simnet_config c = {.protocol = &mpc_cggmp_keygen_protocol,
                       .n = n,
                       .threshold = t,
                       .ctxs = ctx};
    simnet *net = simnet_new_cfg(&c);
    REQUIRE(net != NULL);
    bool ok = simnet_run(net, 1000000) == SIMNET_ALL_DONE;
    for (unsigned j = 0; j < n && ok; j++)
        ok = simnet_take_result(net, j, &shares_out[j], sizeof shares_out[j]) ==
             MPC_OK;
    simnet_free(net);
    REQUIRE(ok);
    REQUIRE(cggmp_fixture_check_shares(shares_out, n));
    return true;
}

/* Re-encodes f with its echo's slot for the culprit's round-1 broadcast
 * replaced by t->digest, and injects it. */
static void inject_fixed(cggmp_committed_tamper *t, const mpc_session_frame *f)
{
    static uint8_t echo[MPC_SESSION_ECHO_MAX_BYTES];
    static uint8_t frame[1u << 20];
    mpc_session_frame g = *f;
    memcpy(echo, f->echo, f->echo_len);
    memcpy(echo + f->from * MPC_SESSION_DIGEST_BYTES, t->digest,
           MPC_SESSION_DIGEST_BYTES);
    g.echo = echo;
    if (g.kind == MPC_SESSION_BCAST)
        g.to = MPC_SESSION_TO_ALL;
    const uint8_t *bytes = NULL;
    size_t len = 0;
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, frame, sizeof frame);
    if (mpc_session_frame_serialize(&w, &g) == MPC_OK &&
        mpc_wire_writer_finish(&w, &bytes, &len) == MPC_OK)
        simnet_inject(t->net, f->from, f->to, bytes, len);
}

/* The commitment to the mangled opening, as a round-1 frame. */
static bool make_round1(cggmp_committed_tamper *t, const mpc_session_frame *f)
{
    uint8_t v[MPC_CGGMP_COMMIT_BYTES];
    memcpy(t->opening, f->payload, f->payload_len);
    t->opening_len = f->payload_len;
    t->fn(t->opening, t->opening_len);
    mpc_cggmp_commit(v, f->sid, t->protocol_id, f->from, t->opening,
                     t->opening_len);
    mpc_session_frame g = {.kind = MPC_SESSION_BCAST,
                           .protocol = f->protocol,
                           .round = 1,
                           .from = f->from,
                           .to = MPC_SESSION_TO_ALL,
                           .payload = v,
                           .payload_len = sizeof v};
    memcpy(g.sid, f->sid, sizeof g.sid);
    const uint8_t *bytes = NULL;
    mpc_wire_writer w;
    mpc_wire_writer_init_fixed(&w, t->r1, sizeof t->r1);
    REQUIRE(mpc_session_frame_serialize(&w, &g) == MPC_OK &&
            mpc_wire_writer_finish(&w, &bytes, &t->r1_len) == MPC_OK);
    mpc_session_frame_digest(t->digest, t->r1, t->r1_len);
    t->ready = true;
    return true;
}

simnet_verdict cggmp_committed_hook(void *ud, mpc_session_frame *f,
                                    mpc_wire_writer *payload)
{
    cggmp_committed_tamper *t = ud;
    (void)payload;
    if (f->round == 1 && f->kind == MPC_SESSION_BCAST)
        return SIMNET_DROP;
    if (f->round != 2 || f->echo_len != t->n * MPC_SESSION_DIGEST_BYTES)
        return SIMNET_KEEP;
    if (f->kind == MPC_SESSION_P2P) {
        if (t->ready) {
            inject_fixed(t, f);
            return SIMNET_DROP;
        }
        /* Wait for the opening; keep a copy to send then. */
        if (t->pending_n < 8 && f->payload_len <= sizeof t->pending[0] &&
            f->echo_len <= sizeof t->pending_echo[0]) {
            struct cggmp_pending *q = &t->pending_frame[t->pending_n];
            q->f = *f;
            memcpy(t->pending[t->pending_n], f->payload, f->payload_len);
            memcpy(t->pending_echo[t->pending_n], f->echo, f->echo_len);
            q->f.payload = t->pending[t->pending_n];
            q->f.echo = t->pending_echo[t->pending_n];
            t->pending_n++;
        }
        return SIMNET_DROP;
    }
    if (f->kind != MPC_SESSION_BCAST || f->payload_len > sizeof t->opening)
        return SIMNET_KEEP;
    if (!t->ready && !make_round1(t, f))
        return SIMNET_KEEP;
    simnet_inject(t->net, f->from, f->to, t->r1, t->r1_len);
    mpc_session_frame g = *f;
    g.payload = t->opening;
    g.payload_len = t->opening_len;
    inject_fixed(t, &g);
    for (unsigned k = 0; k < t->pending_n; k++)
        inject_fixed(t, &t->pending_frame[k].f);
    t->pending_n = 0;
    return SIMNET_DROP;
}

/* Every party's view of party j's public aux data is party j's own. */
static bool aux_agree(const mpc_cggmp_aux_info *aux, unsigned n,
                      mpc_params_id id)
{
    for (unsigned i = 0; i < n; i++) {
        REQUIRE(aux[i].n == n && aux[i].self == i && aux[i].params == id);
        for (unsigned j = 0; j < n; j++) {
            REQUIRE(aux[i].pks[j].params == mpc_params_get(id));
            REQUIRE(mpz_cmp(aux[i].pks[j].n, aux[j].sk.pk.n) == 0);
            REQUIRE(mpz_cmp(aux[i].rped[j].n, aux[j].sk.pk.n) == 0);
            REQUIRE(mpz_cmp(aux[i].rped[j].s, aux[j].rped[j].s) == 0);
            REQUIRE(mpz_cmp(aux[i].rped[j].t, aux[j].rped[j].t) == 0);
        }
    }
    return true;
}

bool cggmp_fixture_aux(const mpc_ctx *const *ctx, unsigned n,
                       mpc_params_id params, mpc_cggmp_aux_info *aux_out)
{
    static uint8_t primes[MAX_PARTIES][CGGMP_FIXTURE_PRIMES_MAX_BYTES];
    mpc_cggmp_aux_input in[MAX_PARTIES];
    const void *inputs[MAX_PARTIES];
    REQUIRE(n >= 2 && n <= MAX_PARTIES);
    for (unsigned j = 0; j < n; j++) {
        size_t len = 0;
        mpc_cggmp_aux_info_init(&aux_out[j]);
        REQUIRE(cggmp_fixture_primes_bytes(params, j, primes[j], &len));
        in[j] = (mpc_cggmp_aux_input){
            .params = params, .primes = primes[j], .primes_len = len};
        inputs[j] = &in[j];
    }
    simnet_config c = {.protocol = &mpc_cggmp_aux_protocol,
                       .n = n,
                       .inputs = inputs,
                       .ctxs = ctx};
    simnet *net = simnet_new_cfg(&c);
    REQUIRE(net != NULL);
    bool ok = simnet_run(net, 1000000) == SIMNET_ALL_DONE;
    for (unsigned j = 0; j < n && ok; j++)
        ok = simnet_take_result(net, j, &aux_out[j], sizeof aux_out[j]) ==
             MPC_OK;
    simnet_free(net);
    ok = ok && aux_agree(aux_out, n, params);
    if (!ok)
        cggmp_fixture_clear(ctx, n, NULL, aux_out);
    REQUIRE(ok);
    return true;
}

/* ---- signing chains ------------------------------------------------------ */

void cggmp_signing_set(cggmp_signing *s, const mpc_cggmp_key_share *ks,
                       const mpc_cggmp_aux_info *aux, const uint32_t *signers,
                       unsigned t, const mpc_hd_child *derive)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    s->derive = derive;
    for (unsigned k = 0; k < t && k < CGGMP_FIXTURE_MAX_SIGNERS; k++) {
        s->key[k] = &ks[signers[k]];
        s->aux[k] = &aux[signers[k]];
        s->signers[k] = signers[k];
    }
}

void cggmp_fixture_key_id(uint8_t out[32], const mpc_cggmp_key_share *ks)
{
    uint8_t pub[MPC_SECP256K1_POINT_BYTES];
    mpc_point_serialize(cggmp_group(test_ctx()), pub, &ks->pubkey);
    if (mpc_msghash(out, MPC_MSGHASH_SHA256, pub, sizeof pub) != MPC_OK)
        memset(out, 0, 32);
}

simnet *cggmp_signing_net(cggmp_signing *s, const uint8_t *digest)
{
    const void *inputs[CGGMP_FIXTURE_MAX_SIGNERS];
    if (s->t < 2 || s->t > CGGMP_FIXTURE_MAX_SIGNERS)
        return NULL;
    for (unsigned k = 0; k < s->t; k++) {
        mpc_cggmp_sign_input *in = &s->in[k];
        memset(in, 0, sizeof *in);
        in->presign.key = s->key[k];
        in->presign.aux = s->aux[k];
        in->presign.signers = s->signers;
        /* Every signer binds the key it believes in: a signer with a
         * stale share still names the same key. */
        cggmp_fixture_key_id(in->presign.key_id, s->key[0]);
        in->presign.key_version = 1;
        in->presign.derive = s->derive;
        if (digest != NULL)
            memcpy(in->digest, digest, MPC_ECDSA_DIGEST_BYTES);
        /* The presign input is the first member of the sign input. */
        inputs[k] = digest != NULL ? (const void *)in : &in->presign;
    }
    const mpc_protocol *proto =
        digest != NULL ? &mpc_cggmp_sign_protocol : &mpc_cggmp_presign_protocol;
    simnet *net = simnet_new(proto, s->t, s->t, inputs);
    if (net != NULL && s->net_setup != NULL)
        s->net_setup(net, s->net_setup_ud);
    return net;
}

void cggmp_signing_pubkey(const cggmp_signing *s,
                          uint8_t pub[MPC_SECP256K1_POINT_BYTES])
{
    const mpc_point *y =
        s->derive != NULL ? &s->derive->pub : &s->key[0]->pubkey;
    mpc_point_serialize(cggmp_group(test_ctx()), pub, y);
}

bool cggmp_signing_check(const cggmp_signing *s, const uint8_t digest[32],
                         const mpc_cggmp_sign_result *res)
{
    uint8_t pub[MPC_SECP256K1_POINT_BYTES];
    cggmp_signing_pubkey(s, pub);
    REQUIRE(memcmp(res->pubkey, pub, sizeof pub) == 0);
    REQUIRE(ecdsa_oracle_both(pub, digest, &res->sig));
    return true;
}

bool cggmp_sign_interactive(cggmp_signing *s, const uint8_t digest[32])
{
    mpc_cggmp_sign_result res[CGGMP_FIXTURE_MAX_SIGNERS];
    simnet *net = cggmp_signing_net(s, digest);
    REQUIRE(net != NULL);
    bool ok = simnet_run(net, 1000000) == SIMNET_ALL_DONE;
    for (unsigned k = 0; k < s->t && ok; k++)
        ok = simnet_take_result(net, k, &res[k], sizeof res[k]) == MPC_OK;
    simnet_free(net);
    REQUIRE(ok);
    for (unsigned k = 1; k < s->t; k++)
        REQUIRE(memcmp(&res[k], &res[0], sizeof res[0]) == 0);
    REQUIRE(cggmp_signing_check(s, digest, &res[0]));
    return true;
}

/* Runs presign; ps[k] = signer k's presignature, checked against s. */
static bool presign_run(cggmp_signing *s, mpc_cggmp_presig *ps)
{
    const mpc_group *g = cggmp_group(test_ctx());
    uint8_t bits[32] = {0}, sid[32];
    simnet *net = cggmp_signing_net(s, NULL);
    REQUIRE(net != NULL);
    memcpy(sid, simnet_sid(net), sizeof sid);
    bool ok = simnet_run(net, 1000000) == SIMNET_ALL_DONE;
    for (unsigned k = 0; k < s->t && ok; k++)
        ok = simnet_take_result(net, k, &ps[k], sizeof ps[k]) == MPC_OK;
    simnet_free(net);
    REQUIRE(ok);
    for (unsigned k = 0; k < s->t; k++)
        bits[s->signers[k] / 8] |= (uint8_t)(1u << (s->signers[k] % 8));
    for (unsigned k = 0; k < s->t; k++) {
        const mpc_cggmp_presig_binding *b = &ps[k].binding;
        REQUIRE(mpc_cggmp_presig_is_fresh(&ps[k]));
        REQUIRE(mpc_point_eq(g, &ps[k].big_r, &ps[0].big_r));
        REQUIRE(memcmp(b->key_id, s->in[k].presign.key_id, 32) == 0);
        REQUIRE(b->key_version == 1);
        REQUIRE(memcmp(b->signers, bits, sizeof bits) == 0);
        REQUIRE(memcmp(b->presig_id, sid, sizeof sid) == 0);
        if (s->derive != NULL)
            REQUIRE(mpc_scalar_eq(&b->tweak, &s->derive->delta));
        else
            REQUIRE(mpc_scalar_is_zero(&b->tweak));
    }
    return true;
}

/* Every share of the presignatures ps on the request, then the combiner. */
static bool share_and_combine(cggmp_signing *s, mpc_cggmp_presig *ps,
                              const mpc_cggmp_sign_request *req,
                              mpc_cggmp_sign_result *res)
{
    const mpc_group *g = cggmp_group(test_ctx());
    uint8_t shares[CGGMP_FIXTURE_MAX_SIGNERS][MPC_CGGMP_SIGN_SHARE_BYTES];
    uint8_t digest[32];
    mpc_point y = s->derive != NULL ? s->derive->pub : s->key[0]->pubkey;
    mpc_point big_r = ps[0].big_r;
    mpc_blame blame;

    for (unsigned k = 0; k < s->t; k++) {
        REQUIRE_OK(mpc_cggmp_sign_share(g, shares[k], &ps[k], req));
        REQUIRE(!mpc_cggmp_presig_is_fresh(&ps[k]));
    }
    REQUIRE_OK(mpc_msghash(digest, req->alg, req->msg, req->msg_len));
    mpc_cggmp_combine_input ci = {
        .pubkey = &y,
        .digest = digest,
        .big_r = &big_r,
        .count = s->t,
        .positions = s->signers,
        .shares = (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares};
    REQUIRE_OK(mpc_cggmp_sign_combine(g, &res->sig, &blame, &ci));
    REQUIRE(blame.err == MPC_OK && mpc_blame_count(&blame) == 0);
    mpc_point_serialize(g, res->pubkey, &y);
    REQUIRE(cggmp_signing_check(s, digest, res));
    return true;
}

bool cggmp_sign_pooled(cggmp_signing *s, mpc_msghash_alg alg,
                       const uint8_t *msg, size_t len)
{
    mpc_cggmp_presig ps[CGGMP_FIXTURE_MAX_SIGNERS];
    mpc_cggmp_sign_request req;
    mpc_cggmp_sign_result res;

    REQUIRE(s->t >= 2 && s->t <= CGGMP_FIXTURE_MAX_SIGNERS);
    REQUIRE(presign_run(s, ps));
    memset(&req, 0, sizeof req);
    memcpy(req.key_id, ps[0].binding.key_id, 32);
    req.key_version = ps[0].binding.key_version;
    memcpy(req.signers, ps[0].binding.signers, 32);
    if (s->derive != NULL)
        req.tweak = s->derive->delta;
    req.alg = alg;
    req.msg = msg;
    req.msg_len = len;
    bool ok = share_and_combine(s, ps, &req, &res);
    for (unsigned k = 0; k < s->t; k++)
        mpc_cggmp_presig_clear(&ps[k]);
    REQUIRE(ok);
    return true;
}
