/*
 * CGGMP21 presign as a round table (mpc/cggmp_sign.h; crypto.md §2.5C,
 * paper 2021 Fig. 7 with the threshold setup). Session parties are the
 * signers; peer data is Paillier ciphertexts, points, scalars and the
 * Πenc / Πaff-g / Πlog* / Πlog*χ proofs, each checked before use. Round
 * 3 publishes δ_i, Δ_i and S_i = χ_i·Γ; the output checks δ·G = ΣΔ_j and
 * ΣS_j = δ·X. Only when one fails does round 4 carry the identification
 * proofs of δ_i and S_i against the public MtA ciphertexts (otherwise it
 * is empty), so that a single cheater is always named and every bad sign
 * share is attributable (docs/security-cggmp.md, "Identifiable abort").
 */
#include <string.h>

#include "cggmp_internal.h"
#include "lib/bn/bn_internal.h"
#include "lib/zk/zk_internal.h"
#include "mpc/bn.h"
#include "mpc/cggmp_sign.h"
#include "mpc/mem.h"
#include "mpc/vss.h"
#include "mpc/wire.h"
#include "mpc/zk_affg.h"
#include "mpc/zk_batch.h"
#include "mpc/zk_chi.h"
#include "mpc/zk_enc.h"
#include "mpc/zk_logstar.h"
#include "sign_internal.h"

#define MAXP MPC_CGGMP_MAX_PARTIES

/* Proof labels: one per proof slot, so no proof answers another's. */
#define L_ENC "cggmp21 presign enc K"
#define L_AFF "cggmp21 presign aff-g gamma"
#define L_AFFH "cggmp21 presign aff-g w"
#define L_LOGG "cggmp21 presign log* Gamma"
#define L_LOGD "cggmp21 presign log* Delta"
/* Round 4 (identification) proves δ_i (KIND_DELTA) and S_i (KIND_CHI) the
 * same way. */
enum { KIND_DELTA = 0, KIND_CHI = 1 };
static const char *const L_AFF0[2] = {"cggmp21 presign aff-g gamma k",
                                      "cggmp21 presign aff-g w k"};
static const char *const L_CHI[2] = {"cggmp21 presign log*chi delta",
                                     "cggmp21 presign log*chi S"};

/* The non-attributable aborts (§2.6): every proof passed, so only two or
 * more colluding signers can get here; every signer of the session took
 * part and nobody can be named; the header says so. */
#define DETAIL_DELTA "cggmp presign: delta check failed, not attributable"
#define DETAIL_CHI "cggmp presign: sum of S_j check failed, not attributable"

struct presign {
    const mpc_session_info *info;
    const mpc_ctx *ctx;
    const mpc_group *g;
    const mpc_params *params;
    unsigned n, self;
    bool ready;               /* the mpz and key fields are init'ed */
    mpc_scalar w;             /* λ_i x_i (+δ): secret */
    mpc_point big_w[MAXP];    /* W_j = w_j·G: public */
    mpc_paillier_sk sk;       /* own key: secret */
    mpc_paillier_pk pk[MAXP]; /* signers' keys */
    mpc_rped rp[MAXP];        /* signers' ring-Pedersen parameters */
    mpc_rped_table tab;       /* fixed-base tables of our own rp */
    mpc_scalar k, gamma;      /* secret nonces */
    mpz_t rho, nu;            /* secret Paillier nonces of K_i, G_i */
    mpz_t big_k[MAXP], big_g[MAXP];
    /* Round 2's public MtA ciphertexts under N_k, per kind (KIND_DELTA:
     * D, F of γ; KIND_CHI: D̂, F̂ of w), for C_k of round 3:
     * accd[m][k] = Π_j D_{k,j} (answers to K_k), accf[m][k] = Π_j F_{j,k}
     * (k's own). */
    mpz_t accd[2][MAXP], accf[2][MAXP];
    mpc_scalar beta[MAXP], bhat[MAXP]; /* secret MtA masks mod q */
    mpc_point gam[MAXP];               /* Γ_j */
    mpc_point big_gamma;               /* Γ */
    mpc_scalar delta_i, chi;           /* δ_i (published), χ_i (secret) */
    mpc_scalar delta_j[MAXP];          /* every signer's δ_j (public) */
    mpc_point big_delta[MAXP];         /* Δ_j = k_j·Γ */
    mpc_point big_s[MAXP];             /* S_j = χ_j·Γ */
    /* Round 3's output checks failed: round 4 identifies (and the detail
     * if nobody can be named); else round 4 is empty. */
    bool identify;
    const char *identify_detail;
    mpc_cggmp_presig out;
};

/* ---- setup ----------------------------------------------------------------
 */

/* mpc_zk_int_from_scalar for a secret scalar: mpz_import would strip the
 * top zero limbs in a loop over secret data; this goes through lib/bn,
 * which declassifies only the limb count (mpc/bn.h, "What remains
 * observable"). */
static void int_from_scalar_sec(const mpc_group *g, mpz_t out,
                                const mpc_scalar *a)
{
    enum {
        LIMBS = (MPC_SCALAR_BYTES + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t)
    };
    uint8_t b[MPC_SCALAR_BYTES];
    mp_limb_t d[LIMBS];
    mpc_scalar_serialize(g, b, a); /* big-endian on secp256k1 */
    mpc_bn_limbs_from_bytes(d, LIMBS, b, sizeof b);
    mpc_bn_limbs_store(out, d, LIMBS);
    mpc_wipe(b, sizeof b);
    mpc_wipe(d, sizeof d);
}

static void state_init_fields(struct presign *st)
{
    mpc_paillier_sk_init(&st->sk);
    mpz_inits(st->rho, st->nu, NULL);
    for (unsigned j = 0; j < MAXP; j++) {
        mpc_paillier_pk_init(&st->pk[j]);
        mpc_rped_init(&st->rp[j]);
        mpz_inits(st->big_k[j], st->big_g[j], NULL);
        for (unsigned m = 0; m < 2; m++) {
            mpz_init_set_ui(st->accd[m][j], 1);
            mpz_init_set_ui(st->accf[m][j], 1);
        }
    }
    st->ready = true;
}

/* Signers strictly ascending, inside the committee, self among them. */
static bool signers_ok(const mpc_cggmp_presign_input *in, unsigned n,
                       unsigned self)
{
    const mpc_cggmp_key_share *key = in->key;
    for (unsigned k = 0; k < n; k++) {
        if (in->signers[k] >= key->n ||
            (k > 0 && in->signers[k] <= in->signers[k - 1]))
            return false;
    }
    return in->signers[self] == key->self;
}

static bool aux_ok(const struct presign *st, const mpc_cggmp_presign_input *in)
{
    const mpc_cggmp_aux_info *aux = in->aux;
    if (aux->n != in->key->n || aux->self != in->key->self ||
        st->params == NULL || aux->sk.pk.params != st->params)
        return false;
    for (unsigned k = 0; k < st->n; k++) {
        uint32_t p = in->signers[k];
        if (aux->pks[p].params != st->params ||
            aux->rped[p].params != st->params)
            return false;
    }
    return true;
}

/* w_i and every W_j: Lagrange over the signers, δ on the first one. */
static mpc_err setup_shares(struct presign *st,
                            const mpc_cggmp_presign_input *in,
                            const mpc_scalar *delta)
{
    const mpc_cggmp_key_share *key = in->key;
    mpc_scalar xs[MAXP], lambda;
    mpc_point dg;

    for (unsigned k = 0; k < st->n; k++)
        xs[k] = key->ids[in->signers[k]];
    mpc_point_mul_base(st->g, &dg, delta);
    for (unsigned k = 0; k < st->n; k++) {
        if (mpc_lagrange_coeff_var(st->g, &lambda, xs, st->n, k, NULL) !=
            MPC_OK)
            return MPC_ERR_INVALID_ARG;
        mpc_point_mul(st->g, &st->big_w[k], &lambda,
                      &key->vshares[in->signers[k]]);
        if (k == 0)
            mpc_point_add(st->g, &st->big_w[k], &st->big_w[k], &dg);
        if (k == st->self) {
            mpc_scalar_mul(st->g, &st->w, &lambda, &key->x);
            if (k == 0)
                mpc_scalar_add(st->g, &st->w, &st->w, delta);
        }
    }
    return MPC_OK;
}

/* The tweak: delta of a child of the joint key, or zero. */
static mpc_err take_tweak(struct presign *st, mpc_scalar *delta,
                          const mpc_cggmp_presign_input *in)
{
    mpc_point child;
    mpc_scalar_set_zero(delta);
    if (in->derive == NULL)
        return MPC_OK;
    if (mpc_scalar_parse(st->g, delta, in->derive->delta.v) != MPC_OK)
        return MPC_ERR_INVALID_ARG;
    mpc_point_mul_base(st->g, &child, delta);
    mpc_point_add(st->g, &child, &child, &in->key->pubkey);
    if (mpc_point_is_identity(st->g, &child) ||
        !mpc_point_eq(st->g, &child, &in->derive->pub))
        return MPC_ERR_INVALID_ARG;
    return MPC_OK;
}

static void fill_binding(struct presign *st, const mpc_cggmp_presign_input *in,
                         const mpc_scalar *delta)
{
    mpc_cggmp_presig_binding *b = &st->out.binding;
    memcpy(b->key_id, in->key_id, sizeof(b->key_id));
    b->key_version = in->key_version;
    for (unsigned k = 0; k < st->n; k++)
        b->signers[in->signers[k] / 8] |= (uint8_t)(1u << (in->signers[k] % 8));
    b->tweak = *delta;
    memcpy(b->presig_id, st->info->sid, sizeof(b->presig_id));
    for (unsigned k = 0; k < st->n; k++)
        st->out.positions[k] = in->signers[k];
}

static mpc_err presign_init(void *state, const mpc_session_info *info,
                            const void *input)
{
    struct presign *st = state;
    const mpc_cggmp_presign_input *in = input;
    mpc_point mine;
    mpc_scalar delta;
    mpc_err err;

    st->info = info;
    st->ctx = info->ctx;
    st->g = mpc_ctx_group(info->ctx, MPC_CURVE_SECP256K1);
    st->n = info->n;
    st->self = info->self;
    state_init_fields(st);
    if (in == NULL || in->key == NULL || in->aux == NULL ||
        in->signers == NULL || st->g == NULL || st->n < 2 || st->n > MAXP ||
        in->key->t != st->n || info->threshold != st->n || in->key->n > MAXP ||
        in->key->self >= in->key->n || !signers_ok(in, st->n, st->self))
        return MPC_ERR_INVALID_ARG;
    st->params = mpc_params_get(in->aux->params);
    if (!aux_ok(st, in))
        return MPC_ERR_INVALID_ARG;
    /* A share that does not match its public X_i would get us blamed. */
    mpc_point_mul_base(st->g, &mine, &in->key->x);
    if (!mpc_point_eq(st->g, &mine, &in->key->vshares[in->key->self]))
        return MPC_ERR_INVALID_ARG;
    if ((err = take_tweak(st, &delta, in)) != MPC_OK ||
        (err = setup_shares(st, in, &delta)) != MPC_OK)
        return err;
    /* A copy keeps the key's nonce tables; rebuilding it from p, q would
     * redo them and the checks of mpc_paillier_sk_from_primes. */
    mpc_paillier_sk_copy(&st->sk, &in->aux->sk);
    for (unsigned k = 0; k < st->n; k++) {
        mpc_paillier_pk_copy(&st->pk[k], &in->aux->pks[in->signers[k]]);
        mpc_rped_copy(&st->rp[k], &in->aux->rped[in->signers[k]]);
    }
    if (mpz_cmp(st->pk[st->self].n, st->sk.pk.n) != 0)
        return MPC_ERR_INVALID_ARG;
    /* Our own parameters verify every peer's proofs: a copy of the tables
     * cached with the aux info, or built here if it has none. */
    if (mpc_zk_rped_table_ok(&st->rp[st->self], &in->aux->tab)
            ? mpc_rped_table_copy(st->ctx, &st->tab, &in->aux->tab) != MPC_OK
            : mpc_rped_table_init(st->ctx, &st->tab, &st->rp[st->self],
                                  mpc_cggmp_rped_table_bits(st->params)) !=
                  MPC_OK)
        return MPC_ERR_NOMEM;
    fill_binding(st, in, &delta);
    return MPC_OK;
}

static unsigned presign_pattern(const void *state, unsigned round,
                                unsigned from, unsigned to)
{
    (void)state;
    (void)round;
    (void)from;
    (void)to;
    return MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P;
}

/* ---- helpers ----------------------------------------------------------------
 */

static void write_ct(mpc_wire_writer *w, const mpc_paillier_pk *pk,
                     const mpz_t c)
{
    size_t len = pk->params->ct_bytes;
    uint8_t *p = mpc_wire_write_reserve(w, len);
    if (p != NULL && mpc_paillier_ciphertext_serialize(p, len, pk, c) != MPC_OK)
        w->err = MPC_ERR_INTERNAL;
}

static mpc_err read_ct(mpc_wire_reader *r, const mpc_paillier_pk *pk, mpz_t c)
{
    const uint8_t *p;
    size_t len = pk->params->ct_bytes;
    if (mpc_wire_read_ref(r, &p, len) != MPC_OK)
        return MPC_ERR_PARSE;
    return mpc_paillier_ciphertext_parse(pk, c, p, len) == MPC_OK
               ? MPC_OK
               : MPC_ERR_PARSE;
}

static void transcript(const struct presign *st, mpc_transcript *t,
                       const char *label, unsigned prover)
{
    mpc_session_info_transcript(st->info, t, label, prover);
}

static mpc_err blame(mpc_session_inbox *in, unsigned j, mpc_err err,
                     const char *detail)
{
    mpc_session_inbox_blame(
        in, j, err == MPC_ERR_PARSE ? MPC_BLAME_PARSE : MPC_BLAME_VERIFY,
        detail);
    return err;
}

/* ---- round 1: K_i, G_i and Πenc ------------------------------------------ */

static mpc_err enc_proof_to(struct presign *st, mpc_wire_writer *w, unsigned j,
                            const mpz_t kz)
{
    mpc_zk_enc_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_enc_proof_bytes(st->params);
    uint8_t *p;
    mpc_err err;

    mpc_zk_enc_proof_init(&pf);
    transcript(st, &t, L_ENC, st->self);
    err = mpc_zk_enc_prove(st->ctx, &pf, &t, &st->rp[j], &st->sk,
                           st->big_k[st->self], kz, st->rho);
    p = mpc_wire_write_reserve(w, len);
    if (err == MPC_OK && p != NULL)
        err = mpc_zk_enc_proof_serialize(p, len, st->params, &pf);
    mpc_zk_enc_proof_clear(&pf);
    mpc_transcript_clear(&t);
    return err;
}

static mpc_err start1(struct presign *st, mpc_session_outbox *out)
{
    const mpc_paillier_pk *me = &st->sk.pk;
    mpz_t kz, gz;
    mpc_err err;

    mpz_inits(kz, gz, NULL);
    mpc_scalar_random(st->g, &st->k);
    mpc_scalar_random(st->g, &st->gamma);
    int_from_scalar_sec(st->g, kz, &st->k);
    int_from_scalar_sec(st->g, gz, &st->gamma);
    err = mpc_paillier_encrypt_own(st->ctx, &st->sk, st->big_k[st->self],
                                   st->rho, kz);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(st->ctx, &st->sk, st->big_g[st->self],
                                       st->nu, gz);
    if (err == MPC_OK) {
        mpc_wire_writer *w = mpc_session_outbox_bcast(out);
        write_ct(w, me, st->big_k[st->self]);
        write_ct(w, me, st->big_g[st->self]);
    }
    for (unsigned j = 0; err == MPC_OK && j < st->n; j++)
        if (j != st->self)
            err = enc_proof_to(st, mpc_session_outbox_p2p(out, j), j, kz);
    mpc_bn_clear(kz);
    mpc_bn_clear(gz);
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

static mpc_err complete1_from(struct presign *st, mpc_session_inbox *in,
                              unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;
    mpc_zk_enc_proof pf;
    mpc_transcript t;
    mpc_err err;

    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    mpc_wire_reader_init(&r, p, len);
    err = read_ct(&r, &st->pk[j], st->big_k[j]);
    if (err == MPC_OK)
        err = read_ct(&r, &st->pk[j], st->big_g[j]);
    if (err != MPC_OK || mpc_wire_reader_finish(&r) != MPC_OK)
        return blame(in, j, MPC_ERR_PARSE, "cggmp presign: bad K/G");

    (void)mpc_session_inbox_p2p(in, j, &p, &len);
    mpc_zk_enc_proof_init(&pf);
    err = mpc_zk_enc_proof_parse(&pf, st->params, p, len) == MPC_OK
              ? MPC_OK
              : MPC_ERR_PARSE;
    if (err == MPC_OK) {
        transcript(st, &t, L_ENC, j);
        if (mpc_zk_enc_verify(&t, &st->rp[st->self], &st->tab, &st->pk[j],
                              st->big_k[j], &pf) != MPC_OK)
            err = MPC_ERR_VERIFY;
        mpc_transcript_clear(&t);
    }
    mpc_zk_enc_proof_clear(&pf);
    if (err != MPC_OK)
        return blame(in, j, err, "cggmp presign: Πenc of K failed");
    return MPC_OK;
}

/* ---- round 2: Γ_i, MtA, Πaff-g ×2, Πlog* --------------------------------- */

/*
 * One MtA answer to j's K_j with secret x (γ_i or w_i): D = x⊙K_j ⊕
 * Enc_j(-β), F = Enc_i(-β) to cw, and Πaff-g for X = x·G to pw. Keeps β
 * mod q.
 */
static mpc_err mta_to(struct presign *st, mpc_wire_writer *cw,
                      mpc_wire_writer *pw, unsigned j, const mpc_scalar *x,
                      const mpc_point *big_x, mpc_scalar *beta_out,
                      const char *label, mpc_zk_affg_proof *pf)
{
    mpz_t xz, negb, bound, r, s, d, f;
    mpc_transcript t;
    size_t len = mpc_zk_affg_proof_bytes(st->params);
    uint8_t *p;
    mpc_err err;

    mpz_inits(xz, negb, bound, r, s, d, f, NULL);
    int_from_scalar_sec(st->g, xz, x);
    mpz_setbit(bound, st->params->ell_prime);
    err = mpc_bn_random_symmetric(st->ctx, negb, bound);
    if (err == MPC_OK)
        err = mpc_paillier_nonce_random(st->ctx, &st->pk[j], r);
    if (err == MPC_OK)
        err = mpc_paillier_affine(st->ctx, &st->pk[j], d, st->big_k[j], xz, 256,
                                  negb, r);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(st->ctx, &st->sk, f, s, negb);
    if (err == MPC_OK) {
        transcript(st, &t, label, st->self);
        err =
            mpc_zk_affg_prove(st->ctx, pf, &t, &st->rp[j], &st->pk[j], &st->sk,
                              st->big_k[j], d, f, big_x, xz, negb, r, s);
        mpc_transcript_clear(&t);
    }
    /* β = -(-β): this party adds β, j's decryption holds x·k_j - β. */
    if (err == MPC_OK)
        err = mpc_zk_scalar_from_int_sec(st->ctx, st->g, beta_out, negb);
    if (err == MPC_OK) {
        mpc_scalar_neg(st->g, beta_out, beta_out);
        write_ct(cw, &st->pk[j], d);
        write_ct(cw, &st->sk.pk, f);
        p = mpc_wire_write_reserve(pw, len);
        if (p != NULL)
            err = mpc_zk_affg_proof_serialize(p, len, st->params, pf);
    }
    mpc_bn_clear(xz);
    mpc_bn_clear(negb);
    mpc_bn_clear(r);
    mpc_bn_clear(s);
    mpz_clears(bound, d, f, NULL);
    return err;
}

static mpc_err logstar_to(struct presign *st, mpc_wire_writer *w, unsigned j,
                          const char *label, const mpz_t c,
                          const mpc_point *base, const mpc_point *big_x,
                          const mpc_scalar *x, const mpz_t rho)
{
    mpc_zk_logstar_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_logstar_proof_bytes(st->params);
    mpz_t xz;
    uint8_t *p;
    mpc_err err;

    mpz_init(xz);
    int_from_scalar_sec(st->g, xz, x);
    mpc_zk_logstar_proof_init(&pf);
    transcript(st, &t, label, st->self);
    err = mpc_zk_logstar_prove(st->ctx, &pf, &t, &st->rp[j], &st->sk, c, base,
                               big_x, xz, rho);
    p = mpc_wire_write_reserve(w, len);
    if (err == MPC_OK && p != NULL)
        err = mpc_zk_logstar_proof_serialize(p, len, st->params, &pf);
    mpc_zk_logstar_proof_clear(&pf);
    mpc_transcript_clear(&t);
    mpc_bn_clear(xz);
    return err;
}

static mpc_err start2(struct presign *st, mpc_session_outbox *out)
{
    mpc_point gen;
    mpc_zk_affg_proof pf;
    mpc_err err = MPC_OK;

    mpc_wire_writer *b = mpc_session_outbox_bcast(out);
    mpc_point_generator(st->g, &gen);
    mpc_point_mul_base(st->g, &st->gam[st->self], &st->gamma);
    mpc_declassify(&st->gam[st->self], sizeof st->gam[st->self]); /* sent */
    mpc_wire_write_point(b, st->g, &st->gam[st->self]);
    mpc_zk_affg_proof_init(&pf);
    /* D, F, D̂, F̂ go to the broadcast (in signer order) because every
     * signer rebuilds each C_j of round 3 from them; proofs stay P2P. */
    for (unsigned j = 0; err == MPC_OK && j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_wire_writer *w = mpc_session_outbox_p2p(out, j);
        err = mta_to(st, b, w, j, &st->gamma, &st->gam[st->self], &st->beta[j],
                     L_AFF, &pf);
        if (err == MPC_OK)
            err = mta_to(st, b, w, j, &st->w, &st->big_w[st->self],
                         &st->bhat[j], L_AFFH, &pf);
        if (err == MPC_OK)
            err = logstar_to(st, w, j, L_LOGG, st->big_g[st->self], &gen,
                             &st->gam[st->self], &st->gamma, st->nu);
    }
    mpc_zk_affg_proof_clear(&pf);
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

/*
 * Dec(D) as a scalar, after checking that the centered plaintext lies in
 * ±2^{ℓ'+1}: an honest peer's x·k - β always does (|x k| < 2^512 <= 2^{ℓ'}),
 * and χ_i's range in round 3 (mpc/zk_chi.h) depends on it. Πaff-g alone
 * allows y up to 2^{ℓ'+ε}. The plaintext is secret: the check is constant
 * time up to its limb count (mpc/bn.h), and only its outcome, which
 * decides the blame, is declassified.
 * Returns: MPC_OK; MPC_ERR_VERIFY (out of range: blame the sender);
 * MPC_ERR_INTERNAL.
 */
static mpc_err mta_decrypt(struct presign *st, const mpz_t d, mpc_scalar *alpha)
{
    mpz_t a;
    mpc_err err = MPC_OK;

    mpz_init(a);
    if (mpc_paillier_decrypt(st->ctx, &st->sk, a, d) != MPC_OK)
        err = MPC_ERR_INTERNAL;
    else if (!mpc_zk_witness_in_range(a, (size_t)st->params->ell_prime + 1))
        err = MPC_ERR_VERIFY;
    else if (mpc_zk_scalar_from_int_sec(st->ctx, st->g, alpha, a) != MPC_OK)
        err = MPC_ERR_INTERNAL;
    mpc_bn_clear(a);
    return err;
}

/*
 * Reads j's Πaff-g from r and verifies it for the statement C = k and
 * D = d under pk0, Y = y under pk1, X = big_x; sk: our own key when pk0 is
 * it (for the CRT), else NULL. batch (for j's key pk1, or NULL): where the
 * equation under pk1 goes instead of being checked here.
 * Returns: MPC_OK; MPC_ERR_PARSE; MPC_ERR_VERIFY.
 */
static mpc_err affg_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                         const char *label, const mpc_paillier_sk *sk,
                         const mpc_paillier_pk *pk0, const mpc_paillier_pk *pk1,
                         const mpz_t k, const mpz_t d, const mpz_t y,
                         const mpc_point *big_x, mpc_zk_batch *batch)
{
    mpc_zk_affg_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_affg_proof_bytes(st->params);
    const uint8_t *p;
    mpc_err err = MPC_OK;

    mpc_zk_affg_proof_init(&pf);
    if (mpc_wire_read_ref(r, &p, len) != MPC_OK ||
        mpc_zk_affg_proof_parse(st->ctx, &pf, st->params, p, len) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err == MPC_OK) {
        transcript(st, &t, label, j);
        if ((batch != NULL ? mpc_zk_affg_verify_batched(
                                 st->ctx, batch, &t, &st->rp[st->self],
                                 &st->tab, sk, pk0, pk1, k, d, y, big_x, &pf)
                           : mpc_zk_affg_verify(st->ctx, &t, &st->rp[st->self],
                                                &st->tab, sk, pk0, pk1, k, d, y,
                                                big_x, &pf)) != MPC_OK)
            err = MPC_ERR_VERIFY;
        mpc_transcript_clear(&t);
    }
    mpc_zk_affg_proof_clear(&pf);
    return err;
}

/* Reads a Πaff-g for D (own key) and F (j's key, its equation into
 * batch); verifies. */
static mpc_err mta_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                        const mpz_t d, const mpz_t f, const mpc_point *big_x,
                        const char *label, mpc_zk_batch *batch)
{
    return affg_from(st, r, j, label, &st->sk, &st->sk.pk, &st->pk[j],
                     st->big_k[st->self], d, f, big_x, batch);
}

/* j's Πlog* (its Paillier equation into batch unless NULL). */
static mpc_err logstar_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                            const char *label, const mpz_t c,
                            const mpc_point *base, const mpc_point *big_x,
                            mpc_zk_batch *batch)
{
    mpc_zk_logstar_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_logstar_proof_bytes(st->params);
    const uint8_t *p;
    mpc_err err = MPC_OK;

    mpc_zk_logstar_proof_init(&pf);
    if (mpc_wire_read_ref(r, &p, len) != MPC_OK ||
        mpc_zk_logstar_proof_parse(st->ctx, &pf, st->params, p, len) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err == MPC_OK) {
        transcript(st, &t, label, j);
        if ((batch != NULL ? mpc_zk_logstar_verify_batched(
                                 st->ctx, batch, &t, &st->rp[st->self],
                                 &st->tab, &st->pk[j], c, base, big_x, &pf)
                           : mpc_zk_logstar_verify(
                                 st->ctx, &t, &st->rp[st->self], &st->tab,
                                 &st->pk[j], c, base, big_x, &pf)) != MPC_OK)
            err = MPC_ERR_VERIFY;
        mpc_transcript_clear(&t);
    }
    mpc_zk_logstar_proof_clear(&pf);
    return err;
}

/*
 * j's round-2 broadcast: Γ_j, then for every other signer k in order
 * D_{k,j}, F_{k,j} (γ) and D̂_{k,j}, F̂_{k,j} (w) as mta_to wrote them (D
 * under N_k, F under N_j), multiplied into accd[m][k] and accf[m][j]. out
 * (NULL for our own broadcast) gets D, F, D̂, F̂ meant for us.
 * Returns: MPC_OK; MPC_ERR_PARSE.
 */
static mpc_err read_bcast2(struct presign *st, mpc_session_inbox *in,
                           unsigned j, mpz_t *out)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;
    mpz_t d, f;
    mpc_err err = MPC_OK;

    mpz_inits(d, f, NULL);
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    mpc_wire_reader_init(&r, p, len);
    if (mpc_wire_read_point(&r, st->g, &st->gam[j]) != MPC_OK)
        err = MPC_ERR_PARSE;
    for (unsigned k = 0; err == MPC_OK && k < st->n; k++) {
        if (k == j)
            continue;
        for (unsigned m = 0; err == MPC_OK && m < 2; m++) {
            err = read_ct(&r, &st->pk[k], d);
            if (err == MPC_OK)
                err = read_ct(&r, &st->pk[j], f);
            if (err != MPC_OK)
                break;
            mpz_mul(st->accd[m][k], st->accd[m][k], d);
            mpz_mod(st->accd[m][k], st->accd[m][k], st->pk[k].n2);
            mpz_mul(st->accf[m][j], st->accf[m][j], f);
            mpz_mod(st->accf[m][j], st->accf[m][j], st->pk[j].n2);
            if (k == st->self && out != NULL) {
                mpz_set(out[2 * m], d);
                mpz_set(out[2 * m + 1], f);
            }
        }
    }
    if (err == MPC_OK && mpc_wire_reader_finish(&r) != MPC_OK)
        err = MPC_ERR_PARSE;
    mpz_clears(d, f, NULL);
    return err;
}

/* Everything j sent in round 2; adds α + β and α̂ + β̂ to δ_i and χ_i. */
static mpc_err complete2_from(struct presign *st, mpc_session_inbox *in,
                              unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;
    mpc_point gen;
    mpc_scalar alpha, ahat;
    mpz_t ct[4]; /* D, F, D̂, F̂ for us */
    mpc_zk_batch batch;
    mpc_err err;

    mpz_inits(ct[0], ct[1], ct[2], ct[3], NULL);
    err = read_bcast2(st, in, j, ct);
    if (err != MPC_OK) {
        mpz_clears(ct[0], ct[1], ct[2], ct[3], NULL);
        return blame(in, j, err, "cggmp presign: bad Gamma/D/F broadcast");
    }
    mpc_point_generator(st->g, &gen);
    (void)mpc_session_inbox_p2p(in, j, &p, &len);
    mpc_wire_reader_init(&r, p, len);
    /* j's three equations under N_j are checked as one (mpc/zk_batch.h):
     * all are j's, so a failed batch names j. */
    if (mpc_zk_batch_init(&batch, &st->pk[j]) != MPC_OK)
        err = MPC_ERR_INTERNAL;
    if (err == MPC_OK)
        err = mta_from(st, &r, j, ct[0], ct[1], &st->gam[j], L_AFF, &batch);
    if (err == MPC_OK)
        err = mta_from(st, &r, j, ct[2], ct[3], &st->big_w[j], L_AFFH, &batch);
    if (err == MPC_OK)
        err = logstar_from(st, &r, j, L_LOGG, st->big_g[j], &gen, &st->gam[j],
                           &batch);
    if (err == MPC_OK && mpc_wire_reader_finish(&r) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err == MPC_OK && mpc_zk_batch_check(&batch) != MPC_OK)
        err = MPC_ERR_VERIFY;
    mpc_zk_batch_clear(&batch);
    /* Decrypted only once every proof of j holds. */
    if (err == MPC_OK)
        err = mta_decrypt(st, ct[0], &alpha);
    if (err == MPC_OK)
        err = mta_decrypt(st, ct[2], &ahat);
    if (err == MPC_OK) {
        mpc_scalar_add(st->g, &st->delta_i, &st->delta_i, &alpha);
        mpc_scalar_add(st->g, &st->delta_i, &st->delta_i, &st->beta[j]);
        mpc_scalar_add(st->g, &st->chi, &st->chi, &ahat);
        mpc_scalar_add(st->g, &st->chi, &st->chi, &st->bhat[j]);
    }
    mpc_scalar_clear(&alpha);
    mpc_scalar_clear(&ahat);
    mpz_clears(ct[0], ct[1], ct[2], ct[3], NULL);
    if (err == MPC_ERR_INTERNAL)
        return err;
    if (err != MPC_OK)
        return blame(in, j, err, "cggmp presign: bad MtA or proof");
    return MPC_OK;
}

static mpc_err complete2(struct presign *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;

    mpc_scalar_mul(st->g, &st->delta_i, &st->gamma, &st->k);
    mpc_scalar_mul(st->g, &st->chi, &st->w, &st->k);
    if (read_bcast2(st, in, st->self, NULL) != MPC_OK)
        return MPC_ERR_INTERNAL; /* our own broadcast */
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = complete2_from(st, in, j);
        if (e == MPC_ERR_INTERNAL)
            return e;
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;
    mpc_point_set_identity(st->g, &st->big_gamma);
    for (unsigned j = 0; j < st->n; j++)
        mpc_point_add(st->g, &st->big_gamma, &st->big_gamma, &st->gam[j]);
    if (mpc_point_is_identity(st->g, &st->big_gamma)) {
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_PROTOCOL,
                                "cggmp presign: Gamma is the identity");
        return MPC_ERR_PROTOCOL;
    }
    mpc_point_mul(st->g, &st->big_delta[st->self], &st->k, &st->big_gamma);
    mpc_point_mul(st->g, &st->big_s[st->self], &st->chi, &st->big_gamma);
    return MPC_OK;
}

/* ---- rounds 3 and 4: δ_i, Δ_i, S_i; output checks; identification ------ */

/*
 * C_k = D⁰_k · accd[m][k] · (Y⁰_k · accf[m][k])⁻¹ mod N_k², from public
 * ciphertexts only (D⁰_k, Y⁰_k of k's round 3; the round-2 broadcasts):
 * for m = KIND_DELTA an encryption of γ_k·k_k + Σ_j α_{k,j} + Σ_j β_{j,k},
 * i.e. of δ_k as an integer; for KIND_CHI likewise of χ_k (w_k, α̂, β̂).
 * Returns: MPC_OK; MPC_ERR_VERIFY (not invertible, which parsed
 * ciphertexts rule out).
 */
static mpc_err chi_cipher(const struct presign *st, unsigned m, unsigned k,
                          const mpz_t d0, const mpz_t y0, mpz_t c)
{
    mpz_srcptr n2 = st->pk[k].n2;
    mpz_t den;
    bool ok;

    mpz_init(den);
    mpz_mul(den, y0, st->accf[m][k]);
    mpz_mod(den, den, n2);
    ok = mpz_invert(den, den, n2) != 0;
    mpz_mul(c, d0, st->accd[m][k]);
    mpz_mod(c, c, n2);
    mpz_mul(c, c, den);
    mpz_mod(c, c, n2);
    mpz_clear(den);
    return ok ? MPC_OK : MPC_ERR_VERIFY;
}

/*
 * out = the N-th root of c modulo the safe prime p (the other prime is q):
 * c^d mod p with d = N⁻¹ mod (p-1) = q⁻¹ mod (p-1). p - 1 = 2h with h
 * prime, so d ≡ q⁻¹ (mod h) and d is odd; every step is constant time.
 */
static mpc_err root_mod_prime(const mpc_ctx *ctx, mpz_t out, const mpz_t c,
                              const mpz_t p, const mpz_t q)
{
    mpz_t h, qh, x, d, cp, one, two, inv2;
    mpc_err err;

    mpz_inits(h, qh, x, d, cp, one, two, inv2, NULL);
    mpz_sub_ui(h, p, 1);
    mpz_fdiv_q_2exp(h, h, 1);
    mpz_add_ui(inv2, h, 1); /* 2⁻¹ mod h */
    mpz_fdiv_q_2exp(inv2, inv2, 1);
    mpz_set_ui(one, 1);
    mpz_set_ui(two, 2);
    err = mpc_bn_mod_sec(ctx, qh, q, h);
    if (err == MPC_OK)
        err = mpc_bn_invert_sec(ctx, x, qh, h);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, d, x, h, one, two, inv2);
    if (err == MPC_OK)
        err = mpc_bn_mod_sec(ctx, cp, c, p);
    if (err == MPC_OK)
        err = mpc_bn_powm_sec(ctx, out, cp, d, mpz_sizeinbase(p, 2), p);
    mpc_bn_clear(h);
    mpc_bn_clear(qh);
    mpc_bn_clear(x);
    mpc_bn_clear(d);
    mpc_bn_clear(cp);
    mpc_bn_clear(inv2);
    mpz_clears(one, two, NULL);
    return err;
}

/* rho = the nonce of c under our own key: c = (1+N)^m rho^N mod N². */
static mpc_err nonce_of(const mpc_ctx *ctx, const mpc_paillier_sk *sk,
                        mpz_t rho, const mpz_t c)
{
    mpz_t rp, rq;
    mpc_err err;

    mpz_inits(rp, rq, NULL);
    err = root_mod_prime(ctx, rp, c, sk->p, sk->q);
    if (err == MPC_OK)
        err = root_mod_prime(ctx, rq, c, sk->q, sk->p);
    if (err == MPC_OK)
        err = mpc_bn_crt_sec(ctx, rho, rp, sk->p, rq, sk->q, sk->q_inv_p);
    mpc_bn_clear(rp);
    mpc_bn_clear(rq);
    return err;
}

/* What round 3 proves about δ_i or S_i, kept only while start3 runs. */
struct chi_witness {
    unsigned kind;          /* KIND_DELTA or KIND_CHI */
    const mpc_point *big_x; /* Γ_i or W_i */
    mpc_point base, target; /* (G, δ_i·G) or (Γ, S_i) */
    mpz_t xz, zero, r0, s0; /* γ_i or w_i, 0, the nonces of D⁰, Y⁰: secret */
    mpz_t d0, y0, c; /* D⁰ = xz⊙K_i ⊕ Enc(0; r0), Y⁰ = Enc(0; s0),
                        C_i: public */
    mpz_t x, rho;    /* δ_i or χ_i as an integer, the nonce of C_i */
};

static void chi_witness_init(struct presign *st, struct chi_witness *cw,
                             unsigned kind)
{
    mpz_inits(cw->xz, cw->zero, cw->r0, cw->s0, cw->d0, cw->y0, cw->c, cw->x,
              cw->rho, NULL);
    cw->kind = kind;
    if (kind == KIND_DELTA) {
        cw->big_x = &st->gam[st->self];
        mpc_point_generator(st->g, &cw->base);
        mpc_point_mul_base(st->g, &cw->target, &st->delta_i);
        int_from_scalar_sec(st->g, cw->xz, &st->gamma);
    } else {
        /* Our true S_i, not the echo-confirmed copy read in round 3. */
        cw->big_x = &st->big_w[st->self];
        cw->base = st->big_gamma;
        mpc_point_mul(st->g, &cw->target, &st->chi, &st->big_gamma);
        int_from_scalar_sec(st->g, cw->xz, &st->w);
    }
}

static mpc_err chi_witness_make(struct presign *st, struct chi_witness *cw)
{
    const mpc_scalar *want = cw->kind == KIND_DELTA ? &st->delta_i : &st->chi;
    mpc_scalar check;
    mpc_err err;

    err = mpc_paillier_affine_own(st->ctx, &st->sk, cw->d0, cw->r0,
                                  st->big_k[st->self], cw->xz, 256, cw->zero);
    if (err == MPC_OK)
        err = mpc_paillier_encrypt_own(st->ctx, &st->sk, cw->y0, cw->s0,
                                       cw->zero);
    if (err == MPC_OK)
        err = chi_cipher(st, cw->kind, st->self, cw->d0, cw->y0, cw->c);
    if (err == MPC_OK)
        err = mpc_paillier_decrypt(st->ctx, &st->sk, cw->x, cw->c);
    if (err == MPC_OK)
        err = nonce_of(st->ctx, &st->sk, cw->rho, cw->c);
    /* C_i must hold our δ_i or χ_i, or we would prove a wrong value. */
    if (err == MPC_OK)
        err = mpc_zk_scalar_from_int_sec(st->ctx, st->g, &check, cw->x);
    if (err == MPC_OK) {
        /* Both sides are secret for χ_i; only the outcome is public. */
        bool same = mpc_scalar_eq(&check, want);
        mpc_declassify(&same, sizeof same);
        err = same ? MPC_OK : MPC_ERR_INTERNAL;
    }
    mpc_scalar_clear(&check);
    return err;
}

static void chi_witness_clear(struct chi_witness *cw)
{
    mpc_bn_clear(cw->xz);
    mpc_bn_clear(cw->r0);
    mpc_bn_clear(cw->s0);
    mpc_bn_clear(cw->x);
    mpc_bn_clear(cw->rho);
    mpz_clears(cw->zero, cw->d0, cw->y0, cw->c, NULL);
}

/* Πaff-g for D⁰, Y⁰ with X = Γ_i or W_i (both under our own key), to l. */
static mpc_err aff0_to(struct presign *st, mpc_wire_writer *w, unsigned l,
                       const struct chi_witness *cw)
{
    mpc_zk_affg_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_affg_proof_bytes(st->params);
    uint8_t *p;
    mpc_err err;

    mpc_zk_affg_proof_init(&pf);
    transcript(st, &t, L_AFF0[cw->kind], st->self);
    err = mpc_zk_affg_prove(st->ctx, &pf, &t, &st->rp[l], &st->sk.pk, &st->sk,
                            st->big_k[st->self], cw->d0, cw->y0, cw->big_x,
                            cw->xz, cw->zero, cw->r0, cw->s0);
    p = mpc_wire_write_reserve(w, len);
    if (err == MPC_OK && p != NULL)
        err = mpc_zk_affg_proof_serialize(p, len, st->params, &pf);
    mpc_zk_affg_proof_clear(&pf);
    mpc_transcript_clear(&t);
    return err;
}

/* Πlog*χ for C_i with (G, δ_i·G) or (Γ, S_i), to l. */
static mpc_err chi_to(struct presign *st, mpc_wire_writer *w, unsigned l,
                      const struct chi_witness *cw)
{
    mpc_zk_chi_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_chi_proof_bytes(st->params);
    uint8_t *p;
    mpc_err err;

    mpc_zk_chi_proof_init(&pf);
    transcript(st, &t, L_CHI[cw->kind], st->self);
    err = mpc_zk_chi_prove(st->ctx, &pf, &t, &st->rp[l], &st->sk, cw->c,
                           &cw->base, &cw->target, cw->x, cw->rho);
    p = mpc_wire_write_reserve(w, len);
    if (err == MPC_OK && p != NULL)
        err = mpc_zk_chi_proof_serialize(p, len, st->params, &pf);
    mpc_zk_chi_proof_clear(&pf);
    mpc_transcript_clear(&t);
    return err;
}

static mpc_err start3(struct presign *st, mpc_session_outbox *out)
{
    mpc_wire_writer *b = mpc_session_outbox_bcast(out);
    const mpc_point *big_delta = &st->big_delta[st->self];
    mpc_err err = MPC_OK;

    /* δ_i, Δ_i and S_i are broadcast below: public from here on. */
    mpc_declassify(&st->delta_i, sizeof st->delta_i);
    mpc_declassify(big_delta, sizeof *big_delta);
    mpc_declassify(&st->big_s[st->self], sizeof st->big_s[st->self]);
    mpc_wire_write_scalar(b, st->g, &st->delta_i);
    mpc_wire_write_point(b, st->g, big_delta);
    mpc_wire_write_point(b, st->g, &st->big_s[st->self]);
    for (unsigned l = 0; err == MPC_OK && l < st->n; l++) {
        if (l == st->self)
            continue;
        err = logstar_to(st, mpc_session_outbox_p2p(out, l), l, L_LOGD,
                         st->big_k[st->self], &st->big_gamma, big_delta, &st->k,
                         st->rho);
    }
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

/* Round 4 without identification: empty payloads (the engine wants every
 * writer of the plan asked for). */
static mpc_err start4_quiet(const struct presign *st, mpc_session_outbox *out)
{
    (void)mpc_session_outbox_bcast(out);
    for (unsigned l = 0; l < st->n; l++)
        if (l != st->self)
            (void)mpc_session_outbox_p2p(out, l);
    return MPC_OK;
}

/* Round 4 when identifying: D⁰, Y⁰ of δ and of χ to everyone, and to each
 * peer the Πaff-g and Πlog*χ proving δ_i and S_i against them. */
static mpc_err start4_identify(struct presign *st, mpc_session_outbox *out)
{
    mpc_wire_writer *b = mpc_session_outbox_bcast(out);
    struct chi_witness cw[2];
    mpc_err err = MPC_OK;

    for (unsigned m = 0; m < 2; m++)
        chi_witness_init(st, &cw[m], m);
    for (unsigned m = 0; err == MPC_OK && m < 2; m++)
        err = chi_witness_make(st, &cw[m]);
    for (unsigned m = 0; err == MPC_OK && m < 2; m++) {
        write_ct(b, &st->sk.pk, cw[m].d0);
        write_ct(b, &st->sk.pk, cw[m].y0);
    }
    for (unsigned l = 0; err == MPC_OK && l < st->n; l++) {
        if (l == st->self)
            continue;
        mpc_wire_writer *w = mpc_session_outbox_p2p(out, l);
        for (unsigned m = 0; err == MPC_OK && m < 2; m++) {
            err = aff0_to(st, w, l, &cw[m]);
            if (err == MPC_OK)
                err = chi_to(st, w, l, &cw[m]);
        }
    }
    for (unsigned m = 0; m < 2; m++)
        chi_witness_clear(&cw[m]);
    return err == MPC_OK ? MPC_OK : MPC_ERR_INTERNAL;
}

/* j's Πaff-g of kind m for D⁰_j, Y⁰_j against K_j and Γ_j or W_j. */
static mpc_err aff0_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                         unsigned m, const mpz_t d0, const mpz_t y0)
{
    const mpc_point *big_x = m == KIND_DELTA ? &st->gam[j] : &st->big_w[j];
    return affg_from(st, r, j, L_AFF0[m], NULL, &st->pk[j], &st->pk[j],
                     st->big_k[j], d0, y0, big_x, NULL);
}

/* j's Πlog*χ of kind m: C_j encrypts the discrete log of target to base. */
static mpc_err chi_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                        unsigned m, const mpz_t c, const mpc_point *base,
                        const mpc_point *target)
{
    mpc_zk_chi_proof pf;
    mpc_transcript t;
    size_t len = mpc_zk_chi_proof_bytes(st->params);
    const uint8_t *p;
    mpc_err err = MPC_OK;

    mpc_zk_chi_proof_init(&pf);
    if (mpc_wire_read_ref(r, &p, len) != MPC_OK ||
        mpc_zk_chi_proof_parse(st->ctx, &pf, st->params, p, len) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err == MPC_OK) {
        transcript(st, &t, L_CHI[m], j);
        if (mpc_zk_chi_verify(st->ctx, &t, &st->rp[st->self], &st->tab,
                              &st->pk[j], c, base, target, &pf) != MPC_OK)
            err = MPC_ERR_VERIFY;
        mpc_transcript_clear(&t);
    }
    mpc_zk_chi_proof_clear(&pf);
    return err;
}

/* Both proofs of kind m from j: Πaff-g on D⁰, Y⁰ and Πlog*χ on C_j. */
static mpc_err kind_from(struct presign *st, mpc_wire_reader *r, unsigned j,
                         unsigned m, const mpz_t d0, const mpz_t y0,
                         const mpc_scalar *delta_j)
{
    mpc_point base, target;
    mpz_t c;
    mpc_err err;

    mpz_init(c);
    if (m == KIND_DELTA) {
        mpc_point_generator(st->g, &base);
        mpc_point_mul_base(st->g, &target, delta_j);
    } else {
        base = st->big_gamma;
        target = st->big_s[j];
    }
    err = aff0_from(st, r, j, m, d0, y0);
    if (err == MPC_OK)
        err = chi_cipher(st, m, j, d0, y0, c);
    if (err == MPC_OK)
        err = chi_from(st, r, j, m, c, &base, &target);
    mpz_clear(c);
    return err;
}

/* j's round-3 broadcast: δ_j, Δ_j, S_j. */
static mpc_err read_bcast3(struct presign *st, mpc_session_inbox *in,
                           unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;

    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    mpc_wire_reader_init(&r, p, len);
    if (mpc_wire_read_scalar(&r, st->g, &st->delta_j[j]) != MPC_OK ||
        mpc_wire_read_point(&r, st->g, &st->big_delta[j]) != MPC_OK ||
        mpc_wire_read_point(&r, st->g, &st->big_s[j]) != MPC_OK ||
        mpc_wire_reader_finish(&r) != MPC_OK)
        return MPC_ERR_PARSE;
    return MPC_OK;
}

/* j's round-3 broadcast and its Πlog* for Δ_j. */
static mpc_err complete3_from(struct presign *st, mpc_session_inbox *in,
                              unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;
    mpc_err err = read_bcast3(st, in, j);

    if (err == MPC_OK) {
        (void)mpc_session_inbox_p2p(in, j, &p, &len);
        mpc_wire_reader_init(&r, p, len);
        err = logstar_from(st, &r, j, L_LOGD, st->big_k[j], &st->big_gamma,
                           &st->big_delta[j], NULL);
    }
    if (err == MPC_OK && mpc_wire_reader_finish(&r) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err != MPC_OK)
        return blame(in, j, err, "cggmp presign: bad delta, Delta or S");
    return MPC_OK;
}

/* δ·G = ΣΔ_j and δ invertible; dinv = δ⁻¹. δ is public: variable time. */
static bool delta_ok(const struct presign *st, const mpc_scalar *delta,
                     mpc_scalar *dinv)
{
    mpc_point sum, dg;
    mpc_point_set_identity(st->g, &sum);
    for (unsigned j = 0; j < st->n; j++)
        mpc_point_add(st->g, &sum, &sum, &st->big_delta[j]);
    mpc_point_mul_base(st->g, &dg, delta);
    return mpc_point_eq(st->g, &dg, &sum) &&
           mpc_scalar_inv_var(st->g, dinv, delta) == MPC_OK;
}

/*
 * ΣS_j = δ·X with X = ΣW_j (the signing key, tweak included): what makes
 * the combiner's per-share check complete (docs/security-cggmp.md,
 * "Identifiable abort").
 */
static bool chi_ok(const struct presign *st, const mpc_scalar *delta)
{
    mpc_point sum, x;
    mpc_point_set_identity(st->g, &sum);
    mpc_point_set_identity(st->g, &x);
    for (unsigned j = 0; j < st->n; j++) {
        mpc_point_add(st->g, &sum, &sum, &st->big_s[j]);
        mpc_point_add(st->g, &x, &x, &st->big_w[j]);
    }
    mpc_point_mul(st->g, &x, delta, &x);
    return mpc_point_eq(st->g, &x, &sum);
}

static void set_output(struct presign *st, const mpc_scalar *dinv)
{
    mpc_point_mul(st->g, &st->out.big_r, dinv, &st->big_gamma);
    for (unsigned j = 0; j < st->n; j++) {
        mpc_point_mul(st->g, &st->out.k_r[j], dinv, &st->big_delta[j]);
        mpc_point_mul(st->g, &st->out.chi_r[j], dinv, &st->big_s[j]);
    }
    st->out.count = st->n;
    st->out.k = st->k;
    st->out.chi = st->chi;
    st->out.magic = MPC_CGGMP_PRESIG_MAGIC;
}

/*
 * The output checks on the echo-confirmed round-3 broadcasts, so every
 * honest signer reaches the same verdict: pass, the presignature is
 * complete (round 4 is empty); fail, round 4 identifies.
 */
static mpc_err complete3(struct presign *st, mpc_session_inbox *in)
{
    mpc_scalar delta, dinv;
    mpc_err err = MPC_OK;

    /* Our own values as sent, like everyone else's: the verdict is then
     * the one every signer reaches from the echo-confirmed broadcasts. */
    if (read_bcast3(st, in, st->self) != MPC_OK)
        return MPC_ERR_INTERNAL;
    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = complete3_from(st, in, j);
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;
    mpc_scalar_set_zero(&delta);
    for (unsigned j = 0; j < st->n; j++)
        mpc_scalar_add(st->g, &delta, &delta, &st->delta_j[j]);
    if (!delta_ok(st, &delta, &dinv)) {
        st->identify = true;
        st->identify_detail = DETAIL_DELTA;
    } else if (!chi_ok(st, &delta)) {
        st->identify = true;
        st->identify_detail = DETAIL_CHI;
    } else {
        set_output(st, &dinv);
    }
    return MPC_OK;
}

/* Both proofs of both kinds from j in round 4 (D⁰, Y⁰ in its broadcast). */
static mpc_err complete4_identify_from(struct presign *st,
                                       mpc_session_inbox *in, unsigned j)
{
    const uint8_t *p;
    size_t len;
    mpc_wire_reader r;
    mpz_t ct[4]; /* D⁰, Y⁰ of δ, then of χ */
    mpc_err err = MPC_OK;

    mpz_inits(ct[0], ct[1], ct[2], ct[3], NULL);
    (void)mpc_session_inbox_bcast(in, j, &p, &len);
    mpc_wire_reader_init(&r, p, len);
    for (unsigned i = 0; err == MPC_OK && i < 4; i++)
        err = read_ct(&r, &st->pk[j], ct[i]);
    if (err == MPC_OK && mpc_wire_reader_finish(&r) != MPC_OK)
        err = MPC_ERR_PARSE;
    if (err == MPC_OK) {
        (void)mpc_session_inbox_p2p(in, j, &p, &len);
        mpc_wire_reader_init(&r, p, len);
    }
    for (unsigned m = 0; err == MPC_OK && m < 2; m++)
        err =
            kind_from(st, &r, j, m, ct[2 * m], ct[2 * m + 1], &st->delta_j[j]);
    if (err == MPC_OK && mpc_wire_reader_finish(&r) != MPC_OK)
        err = MPC_ERR_PARSE;
    mpz_clears(ct[0], ct[1], ct[2], ct[3], NULL);
    if (err != MPC_OK)
        return blame(in, j, err, "cggmp presign: delta or S not proven");
    return MPC_OK;
}

/*
 * Identification (round 4 after failed output checks): every signer whose
 * proofs fail is named; if all pass, only two or more colluding signers
 * can have caused the failure and nobody is named (§2.6). Always an
 * error: there is no presignature.
 */
static mpc_err complete4_identify(struct presign *st, mpc_session_inbox *in)
{
    mpc_err err = MPC_OK;

    for (unsigned j = 0; j < st->n; j++) {
        if (j == st->self)
            continue;
        mpc_err e = complete4_identify_from(st, in, j);
        err = err != MPC_OK ? err : e;
    }
    if (err != MPC_OK)
        return err;
    return mpc_cggmp_blame(in, MPC_BLAME_NOBODY, MPC_BLAME_VERIFY,
                           MPC_ERR_VERIFY, st->identify_detail);
}

/* No identification: j's round-4 P2P (and, if bcast_empty, its broadcast)
 * must be empty; a signer that sends proofs saw other round-3 values,
 * which the echo rules out for an honest one. */
static mpc_err complete4_quiet(const struct presign *st, mpc_session_inbox *in,
                               bool bcast_empty)
{
    mpc_err err = MPC_OK;

    for (unsigned j = 0; j < st->n; j++) {
        const uint8_t *p;
        size_t len = 0, blen = 0;
        if (j == st->self)
            continue;
        (void)mpc_session_inbox_p2p(in, j, &p, &len);
        if (bcast_empty)
            (void)mpc_session_inbox_bcast(in, j, &p, &blen);
        if (len != 0 || blen != 0)
            err = mpc_cggmp_blame(in, j, MPC_BLAME_PARSE, MPC_ERR_PARSE,
                                  "cggmp presign: identification without "
                                  "cause");
    }
    return err;
}

/* ---- table -------------------------------------------------------------- */

static mpc_err presign_start(void *state, unsigned round,
                             mpc_session_outbox *out)
{
    struct presign *st = state;
    if (round == 1)
        return start1(st, out);
    if (round == 2)
        return start2(st, out);
    if (round == 3)
        return start3(st, out);
    if (round == 4)
        return st->identify ? start4_identify(st, out) : start4_quiet(st, out);
    return MPC_ERR_INTERNAL;
}

static mpc_err presign_complete(void *state, unsigned round,
                                mpc_session_inbox *in)
{
    struct presign *st = state;
    mpc_err err = MPC_OK;
    if (round == 1) {
        for (unsigned j = 0; j < st->n; j++) {
            if (j == st->self)
                continue;
            mpc_err e = complete1_from(st, in, j);
            err = err != MPC_OK ? err : e;
        }
        return err;
    }
    if (round == 2)
        return complete2(st, in);
    if (round == 3)
        return complete3(st, in);
    if (round == 4)
        return st->identify ? complete4_identify(st, in)
                            : complete4_quiet(st, in, true);
    return MPC_ERR_INTERNAL;
}

static void presign_take(void *state, void *result)
{
    struct presign *st = state;
    memcpy(result, &st->out, sizeof st->out);
    mpc_cggmp_presig_clear(&st->out);
}

static void presign_clear(void *state)
{
    struct presign *st = state;
    if (st->ready) {
        mpc_paillier_sk_clear(&st->sk);
        mpc_rped_table_clear(st->ctx, &st->tab);
        mpc_bn_clear(st->rho);
        mpc_bn_clear(st->nu);
        for (unsigned j = 0; j < MAXP; j++) {
            mpc_paillier_pk_clear(&st->pk[j]);
            mpc_rped_clear(&st->rp[j]);
            mpz_clears(st->big_k[j], st->big_g[j], st->accd[0][j],
                       st->accf[0][j], st->accd[1][j], st->accf[1][j], NULL);
        }
    }
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_cggmp_presign_protocol = {
    .id = MPC_CGGMP_PRESIGN_PROTOCOL_ID,
    .name = "cggmp21-secp256k1-presign",
    .rounds = 4,
    .state_bytes = sizeof(struct presign),
    .result_bytes = sizeof(mpc_cggmp_presig),
    .max_payload_bytes = 0,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = presign_init,
    .pattern = presign_pattern,
    .round_start = presign_start,
    .round_complete = presign_complete,
    .take_result = presign_take,
    .clear = presign_clear,
};

/* ---- interactive sign: presign rounds 1-3, then σ_i in round 4 (or, when
 * the output checks failed, presign's identification instead) ---------- */

struct isign {
    struct presign ps;
    uint8_t digest[MPC_ECDSA_DIGEST_BYTES];
    mpc_point pubkey;
    mpc_scalar sigma; /* published in round 4 */
    mpc_cggmp_sign_result result;
};

static mpc_err isign_init(void *state, const mpc_session_info *info,
                          const void *input)
{
    struct isign *st = state;
    const mpc_cggmp_sign_input *in = input;
    mpc_err err = presign_init(&st->ps, info, in ? &in->presign : NULL);
    if (err != MPC_OK)
        return err;
    memcpy(st->digest, in->digest, sizeof(st->digest));
    st->pubkey = in->presign.derive != NULL ? in->presign.derive->pub
                                            : in->presign.key->pubkey;
    return MPC_OK;
}

static unsigned isign_pattern(const void *state, unsigned round, unsigned from,
                              unsigned to)
{
    (void)state;
    (void)round;
    (void)from;
    (void)to;
    return MPC_PROTOCOL_BCAST | MPC_PROTOCOL_P2P;
}

static mpc_err isign_start(void *state, unsigned round, mpc_session_outbox *out)
{
    struct isign *st = state;
    if (round < 4 || st->ps.identify)
        return presign_start(&st->ps, round, out);
    if (mpc_cggmp_sign_share_digest(st->ps.g, &st->sigma, &st->ps.out,
                                    st->digest) != MPC_OK)
        return MPC_ERR_INTERNAL; /* R was checked in round 3 */
    mpc_err err = start4_quiet(&st->ps, out);
    mpc_wire_write_scalar(mpc_session_outbox_bcast(out), st->ps.g, &st->sigma);
    return err;
}

static mpc_err isign_complete4(struct isign *st, mpc_session_inbox *in)
{
    uint8_t shares[MAXP][MPC_CGGMP_SIGN_SHARE_BYTES];
    uint32_t pos[MAXP];
    mpc_cggmp_combine_input ci;
    mpc_blame b;
    mpc_err err;

    for (unsigned j = 0; j < st->ps.n; j++) {
        const uint8_t *p;
        size_t len;
        pos[j] = j;
        memset(shares[j], 0xff, sizeof(shares[j])); /* >= n: unparseable */
        if (j == st->ps.self)
            mpc_scalar_serialize(st->ps.g, shares[j], &st->sigma);
        else if (mpc_session_inbox_bcast(in, j, &p, &len) &&
                 len == MPC_CGGMP_SIGN_SHARE_BYTES)
            memcpy(shares[j], p, len);
    }
    /* The presignature's public record survives its consumption in
     * round 4's start; blame names session indices here. */
    memset(&ci, 0, sizeof(ci));
    mpc_cggmp_combine_input_set_presig(&ci, &st->ps.out);
    ci.pubkey = &st->pubkey;
    ci.digest = st->digest;
    ci.positions = pos;
    ci.shares = (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares;
    err = mpc_cggmp_sign_combine(st->ps.g, &st->result.sig, &b, &ci);
    if (err == MPC_OK) {
        mpc_point_serialize(st->ps.g, st->result.pubkey, &st->pubkey);
        return MPC_OK;
    }
    if (mpc_blame_count(&b) == 0) {
        mpc_session_inbox_blame(in, MPC_BLAME_NOBODY, b.reason, b.detail);
        return err;
    }
    for (unsigned j = 0; j < st->ps.n; j++)
        if (mpc_blame_has(&b, j))
            mpc_session_inbox_blame(in, j, b.reason,
                                    "cggmp sign: bad signature share");
    return err;
}

static mpc_err isign_complete(void *state, unsigned round,
                              mpc_session_inbox *in)
{
    struct isign *st = state;
    if (round < 4 || st->ps.identify)
        return presign_complete(&st->ps, round, in);
    mpc_err err = complete4_quiet(&st->ps, in, false);
    return err != MPC_OK ? err : isign_complete4(st, in);
}

static void isign_take(void *state, void *result)
{
    struct isign *st = state;
    memcpy(result, &st->result, sizeof st->result);
}

static void isign_clear(void *state)
{
    struct isign *st = state;
    presign_clear(&st->ps);
    mpc_wipe(st, sizeof *st);
}

const mpc_protocol mpc_cggmp_sign_protocol = {
    .id = MPC_CGGMP_SIGN_PROTOCOL_ID,
    .name = "cggmp21-secp256k1-sign",
    .rounds = 4,
    .state_bytes = sizeof(struct isign),
    .result_bytes = sizeof(mpc_cggmp_sign_result),
    .max_payload_bytes = 0,
    .echo_exchange = MPC_PROTOCOL_ROUND(3),
    .init = isign_init,
    .pattern = isign_pattern,
    .round_start = isign_start,
    .round_complete = isign_complete,
    .take_result = isign_take,
    .clear = isign_clear,
};
