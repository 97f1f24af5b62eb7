/*
 * Variable-time multi-exponentiation (mpc_bn_multiexp_var): Straus's
 * interleaving with sliding windows, in Montgomery form.
 *
 * Every exponent is recoded left to right into odd windows of at most w
 * bits (w chosen per exponent to minimise 2^(w-1) table entries plus
 * bits / (w + 1) multiplications); one squaring chain runs over the
 * longest exponent and each base multiplies in its window where that
 * window ends. So k bases with exponents of b_i bits cost max(b_i)
 * squarings instead of Σ b_i: a 2048-bit exponent and six 384-bit ones
 * share their 384 low squarings.
 *
 * Montgomery products: mpn_mul_n / mpn_sqr, then a REDC loop of
 * mpn_addmul_1: at 4096 bits about 4.0-4.4 us a product against 5.1 for
 * mpz_mul + mpz_mod, on par with mpz_powm's own steps (bench_zk_batch:
 * one 2048-bit exponent, 10.0 ms against mpz_powm's 10.2). Variable time,
 * unlike lib/bn/mont.c: everything here is public, so the code branches
 * and indexes freely. Beyond 4096-bit moduli a dominant exponent goes to
 * mpz_powm instead (split, below). Where the CPU has AVX-512 IFMA the
 * products are lib/bn/mont.c's IFMA engine instead, about three times
 * faster at 4096 bits.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"

#define MAX_WINDOW 7

/* The state of one base: its odd powers b, b^3, ..., b^(2^w - 1) in
 * Montgomery form (an element each) and the window being scanned. */
typedef struct term {
    mpz_srcptr e; /* |exponent| */
    mp_limb_t *tab;
    unsigned w;
    size_t next; /* bits above `next` are consumed */
    size_t pos;  /* lowest bit of the pending window; SIZE_MAX if none */
    unsigned val;
} term;

typedef struct mont {
    const mp_limb_t *m;
    size_t n;
    size_t w;       /* words of an element: n, or the IFMA digits */
    mp_limb_t minv; /* -m^-1 mod 2^64 */
    mp_limb_t *t;   /* 2n limbs of scratch */
    /* The IFMA engine of lib/bn/mont.c where this machine has it (faster
     * than anything here at 1536 bits and up); NULL: the code below. */
    const mpc_bn_mont *ifma;
} mont;

static mp_limb_t neg_inverse_limb(mp_limb_t m0)
{
    mp_limb_t inv = m0; /* correct to 3 bits for odd m0 */
    for (int i = 0; i < 6; i++)
        inv *= 2 - m0 * inv;
    return (mp_limb_t)0 - inv;
}

/* r = t / 2^(64 n) mod m for t < m 2^(64 n) in ctx->t (destroyed). */
static void redc(const mont *c, mp_limb_t *r)
{
    mp_limb_t *t = c->t;
    for (size_t i = 0; i < c->n; i++)
        t[i] = mpn_addmul_1(t + i, c->m, c->n, t[i] * c->minv);
    mp_limb_t carry = mpn_add_n(r, t + c->n, t, c->n);
    if (carry != 0 || mpn_cmp(r, c->m, c->n) >= 0)
        mpn_sub_n(r, r, c->m, c->n);
}

static void mont_mul(const mont *c, mp_limb_t *r, const mp_limb_t *a,
                     const mp_limb_t *b)
{
    if (c->ifma != NULL) {
        mpc_bn_mont_mul(c->ifma, r, a, b);
        return;
    }
    if (a == b)
        mpn_sqr(c->t, a, c->n);
    else
        mpn_mul_n(c->t, a, b, c->n);
    redc(c, r);
}

/* d = x R mod m, for 0 <= x < m. */
static void to_mont(const mont *c, mp_limb_t *d, const mpz_t x, const mpz_t m)
{
    mpz_t tmp;
    mpz_init(tmp);
    if (c->ifma != NULL) {
        mpc_bn_mont_load_var(c->ifma, d, x, tmp);
    } else {
        mpz_mul_2exp(tmp, x, (mp_bitcnt_t)(c->n * GMP_NUMB_BITS));
        mpz_mod(tmp, tmp, m);
        mpc_bn_limbs_load(d, c->n, tmp);
    }
    mpz_clear(tmp);
}

/* The window minimising table size plus multiplications for `bits`. */
static unsigned window_for(size_t bits)
{
    unsigned best = 1;
    double best_cost = 1.0 + (double)bits / 2.0;
    for (unsigned w = 2; w <= MAX_WINDOW; w++) {
        double cost = (double)(1u << (w - 1)) + (double)bits / (w + 1);
        if (cost < best_cost) {
            best = w;
            best_cost = cost;
        }
    }
    return best;
}

/* Finds the next window below t->next: its top bit is the highest set bit
 * left, it spans at most w bits and ends (lowest bit) on a set bit. */
static void next_window(term *t)
{
    size_t i = t->next;
    while (i > 0 && mpz_tstbit(t->e, i - 1) == 0)
        i--;
    if (i == 0) {
        t->pos = SIZE_MAX;
        t->next = 0;
        return;
    }
    size_t top = i - 1;
    size_t low = top + 1 >= t->w ? top + 1 - t->w : 0;
    while (mpz_tstbit(t->e, low) == 0)
        low++;
    unsigned val = 0;
    for (size_t j = top + 1; j-- > low;)
        val = (val << 1) | (unsigned)mpz_tstbit(t->e, j);
    t->pos = low;
    t->val = val;
    t->next = low;
}

/* Fills t->tab with b^1, b^3, ..., in Montgomery form (b reduced). */
static void fill_table(const mont *c, term *t, const mpz_t b, const mpz_t m,
                       mp_limb_t *sq)
{
    const size_t n = c->w;
    to_mont(c, t->tab, b, m);
    if (t->w == 1)
        return;
    mont_mul(c, sq, t->tab, t->tab);
    for (size_t k = 1; k < ((size_t)1 << (t->w - 1)); k++)
        mont_mul(c, t->tab + k * n, t->tab + (k - 1) * n, sq);
}

/* The multiexp on reduced bases and non-negative exponents. */
static void straus(mpz_t r, const mpz_t *bases, term *terms, size_t count,
                   const mpz_t m)
{
    const size_t n = mpz_size(m);
    size_t entries = 0, top = 0;
    for (size_t i = 0; i < count; i++) {
        size_t bits =
            mpz_sgn(terms[i].e) == 0 ? 0 : mpz_sizeinbase(terms[i].e, 2);
        terms[i].w = window_for(bits);
        terms[i].next = bits;
        entries += (size_t)1 << (terms[i].w - 1);
        if (bits > top)
            top = bits;
    }
    const size_t w = mpc_bn_mont_width(n), ms = mpc_bn_mont_scratch(n);
    size_t limbs = (entries + 2) * w + 2 * n + ms;
    mp_limb_t *mem = mpc_bn_gmp_alloc(limbs * sizeof(mp_limb_t));
    mpc_bn_mont fast;
    mpc_bn_mont_setup(&fast, mpz_limbs_read(m), n, mem);
    mont c = {.m = mpz_limbs_read(m),
              .n = n,
              .w = w,
              .minv = neg_inverse_limb(mpz_getlimbn(m, 0)),
              .t = mem + ms,
              .ifma = fast.ifma ? &fast : NULL};
    mp_limb_t *acc = c.t + 2 * n, *sq = acc + w, *tab = sq + w;
    for (size_t i = 0; i < count; i++) {
        terms[i].tab = tab;
        tab += ((size_t)1 << (terms[i].w - 1)) * w;
        fill_table(&c, &terms[i], bases[i], m, sq);
        next_window(&terms[i]);
    }
    bool started = false;
    for (size_t j = top; j-- > 0;) {
        if (started)
            mont_mul(&c, acc, acc, acc);
        for (size_t i = 0; i < count; i++) {
            term *t = &terms[i];
            if (t->pos != j)
                continue;
            const mp_limb_t *x = t->tab + (size_t)(t->val >> 1) * w;
            if (started)
                mont_mul(&c, acc, acc, x);
            else
                memcpy(acc, x, w * sizeof(mp_limb_t));
            started = true;
            next_window(t);
        }
    }
    if (!started) {
        mpz_set_ui(r, 1);
    } else if (c.ifma != NULL) {
        mpc_bn_mont_export(c.ifma, sq, acc);
        mpc_bn_limbs_store(r, sq, n);
    } else {
        memset(c.t, 0, 2 * n * sizeof(mp_limb_t));
        memcpy(c.t, acc, n * sizeof(mp_limb_t));
        redc(&c, acc);
        mpc_bn_limbs_store(r, acc, n);
    }
    mpc_bn_gmp_free(mem, limbs * sizeof(mp_limb_t));
}

/*
 * Above SPLIT_LIMBS limbs GMP's own REDC (mpn_redc_n, subquadratic) beats
 * the basecase loop above by about 25% (6144-bit moduli), so an exponent
 * at least twice as long as every other one (the N of a batch, then the
 * e of a lone equation) goes to mpz_powm on its own, repeatedly, and the
 * rest share a shorter squaring chain.
 */
#define SPLIT_LIMBS 64

static void split(mpz_t r, mpz_t *bases, term *terms, size_t count,
                  const mpz_t m)
{
    mpz_t big, x;
    mpz_init_set_ui(big, 1);
    mpz_init(x);
    bool any = false;
    /* (The IFMA engine beats mpz_powm at every size it takes.) */
    while (count > 0 && mpz_size(m) > SPLIT_LIMBS &&
           mpc_bn_mont_width(mpz_size(m)) == mpz_size(m)) {
        size_t top = 0, first = 0, second = 0;
        for (size_t i = 0; i < count; i++) {
            size_t bits = mpz_sizeinbase(terms[i].e, 2);
            if (bits > first) {
                second = first;
                first = bits;
                top = i;
            } else if (bits > second) {
                second = bits;
            }
        }
        if (first <= 1 || first < 2 * second)
            break;
        mpz_powm(x, bases[top], terms[top].e, m);
        mpz_mul(big, big, x);
        mpz_mod(big, big, m);
        any = true;
        /* Move the last term into the hole. */
        count--;
        mpz_swap(bases[top], bases[count]);
        term tmp = terms[top];
        terms[top] = terms[count];
        terms[count] = tmp;
    }
    straus(r, (const mpz_t *)bases, terms, count, m);
    if (any) {
        mpz_mul(r, r, big);
        mpz_mod(r, r, m);
    }
    mpz_clears(big, x, NULL);
}

mpc_err mpc_bn_multiexp_var(mpz_t r, const mpz_srcptr *b, const mpz_srcptr *e,
                            size_t count, const mpz_t m)
{
    if (r == NULL)
        return MPC_ERR_INVALID_ARG;
    /* r is written only after the inputs are copied: it may alias them. */
    bool ok = m != NULL && mpz_cmp_ui(m, 3) >= 0 && mpz_odd_p(m) &&
              (count == 0 || (b != NULL && e != NULL)) &&
              count <= SIZE_MAX / (2 * sizeof(mpz_t) + sizeof(term));
    for (size_t i = 0; ok && i < count; i++)
        ok = b[i] != NULL && e[i] != NULL;
    if (!ok) {
        mpz_set_ui(r, 0);
        return MPC_ERR_INVALID_ARG;
    }
    if (count == 0) {
        mpz_set_ui(r, 1);
        return MPC_OK;
    }
    void *mem = mpc_bn_gmp_alloc(count * (sizeof(mpz_t) * 2 + sizeof(term)));
    mpz_t *bases = mem;
    mpz_t *exps = bases + count;
    term *terms = (term *)(exps + count);
    mpc_err err = MPC_OK;
    for (size_t i = 0; i < count; i++) {
        mpz_init(bases[i]);
        mpz_init(exps[i]);
        mpz_abs(exps[i], e[i]);
        terms[i].e = exps[i];
        if (mpz_sgn(e[i]) >= 0)
            mpz_mod(bases[i], b[i], m);
        else if (mpz_invert(bases[i], b[i], m) == 0)
            err = MPC_ERR_VERIFY;
    }
    if (err == MPC_OK)
        split(r, bases, terms, count, m);
    else
        mpz_set_ui(r, 0);
    for (size_t i = 0; i < count; i++)
        mpz_clears(bases[i], exps[i], NULL);
    mpc_bn_gmp_free(mem, count * (sizeof(mpz_t) * 2 + sizeof(term)));
    return err;
}
