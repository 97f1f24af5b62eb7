/*
 * Safe primes p = 2q + 1 (include/mpc/bn.h): combined incremental sieve
 * (Wiener, eprint 2003/186), base-2 Fermat test, Miller–Rabin.
 *
 * Every candidate is a known offset from the accepted prime, so the whole
 * search treats candidates as secrets: residues are updated with masks
 * rather than branches, exponentiations are fixed-size mpn_sec_powm, and
 * equality tests are branch-free. The only branches are on each
 * candidate's verdict (rejected or not) — see the header.
 */
#include <string.h>

#include "lib/bn/bn_internal.h"
#include "mpc/bn.h"

/* Sieve by the odd primes 5 <= r < SIEVE_BOUND (3510 primes): measured
 * with the bench, larger bounds cost more per step than they save. */
#define SIEVE_BOUND 32768u
/* q ≡ 11 (mod 12): q ≡ 3 (mod 4) fixes Miller–Rabin's shape (s = 1) and
 * q ≡ 2 (mod 3) keeps 3 out of both q and 2q + 1. */
#define STEP 12u
/* Candidates tried from one random start before drawing a new one. */
#define WINDOW (1u << 20)
#define MIN_BITS 64
#define MAX_BITS 8192

/* ---- The sieve --------------------------------------------------------- */

#define LANES 8
typedef uint32_t u32v __attribute__((vector_size(4 * LANES)));

typedef struct sieve {
    size_t count;
    uint32_t *prime; /* r */
    uint32_t *half;  /* (r - 1) / 2: q ≡ half means r | 2q + 1 */
    uint32_t *step;  /* STEP mod r */
    uint32_t *res;   /* q mod r for the current candidate */
    uint64_t *recip; /* floor(2^RECIP_SHIFT / r), for mod_small */
    size_t bytes;
} sieve;

/* Barrett reduction of x < 2^23 (a residue below 2^15, times 256, plus a
 * byte): floor(x * floor(2^38 / r) / 2^38) is floor(x / r) or one less. */
#define RECIP_SHIFT 38

/*
 * The big-endian bytes be[0..len) mod r, for r < 2^15, with
 * multiplications only: a division instruction's latency depends on its
 * operands on many CPUs, and the residues of a candidate are secrets.
 */
static uint32_t mod_small(const uint8_t *be, size_t len, uint32_t r,
                          uint64_t recip)
{
    uint32_t res = 0;
    for (size_t i = 0; i < len; i++) {
        uint64_t x = ((uint64_t)res << 8) | be[i];
        uint32_t y = (uint32_t)(x - ((x * recip) >> RECIP_SHIFT) * r);
        y -= r & (((y - r) >> 31) - 1); /* y < 2r: subtract r if y >= r */
        res = y;
    }
    return res;
}

static mpc_err sieve_init(const mpc_ctx *ctx, sieve *s)
{
    *s = (sieve){0};
    uint8_t *composite = mpc_ctx_alloc(ctx, SIEVE_BOUND);
    if (composite == NULL)
        return MPC_ERR_NOMEM;
    for (uint32_t i = 2; i * i < SIEVE_BOUND; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j < SIEVE_BOUND; j += i)
                composite[j] = 1;
    /* Padded to whole vectors by repeating the last prime: a repeated
     * residue gives the same verdict. */
    size_t primes = 0;
    for (uint32_t i = 5; i < SIEVE_BOUND; i++)
        primes += !composite[i];
    size_t count = (primes + LANES - 1) / LANES * LANES;
    s->bytes = count * (4 * sizeof(uint32_t) + sizeof(uint64_t));
    uint32_t *mem = mpc_ctx_alloc(ctx, s->bytes);
    if (mem == NULL) {
        mpc_ctx_free_mem(ctx, composite, SIEVE_BOUND);
        return MPC_ERR_NOMEM;
    }
    s->count = count;
    s->prime = mem;
    s->half = mem + count;
    s->step = mem + 2 * count;
    s->res = mem + 3 * count;
    /* 16 * count bytes in, a multiple of 8: aligned for uint64_t. */
    s->recip = (uint64_t *)(void *)(mem + 4 * count);
    size_t k = 0;
    for (uint32_t i = 5; i < SIEVE_BOUND; i++) {
        if (composite[i])
            continue;
        s->prime[k] = i;
        s->half[k] = (i - 1) / 2;
        s->step[k] = STEP % i;
        s->recip[k] = ((uint64_t)1 << RECIP_SHIFT) / i;
        k++;
    }
    for (; k < count; k++) {
        s->prime[k] = s->prime[k - 1];
        s->half[k] = s->half[k - 1];
        s->step[k] = s->step[k - 1];
        s->recip[k] = s->recip[k - 1];
    }
    mpc_ctx_free_mem(ctx, composite, SIEVE_BOUND);
    return MPC_OK;
}

static void sieve_free(const mpc_ctx *ctx, sieve *s)
{
    if (s->prime != NULL)
        mpc_ctx_free_mem(ctx, s->prime, s->bytes);
    *s = (sieve){0};
}

/* Sets the residues of a new start q0 (n limbs); `buf` holds n limbs. */
static void sieve_start(sieve *s, const mp_limb_t *q0, size_t n, uint8_t *buf)
{
    size_t len = n * MPC_BN_LIMB_BYTES;
    mpc_bn_limbs_to_bytes(buf, len, q0, n);
    for (size_t i = 0; i < s->count; i++)
        s->res[i] = mod_small(buf, len, s->prime[i], s->recip[i]);
}

/*
 * Advances the residues by `advance` (0 or 1 step) and returns non-zero
 * iff some r divides q or 2q + 1. Pure arithmetic on LANES residues at a
 * time (GCC/Clang vector extensions, so the loop is SIMD at -O2 and has no
 * branch on a residue): x >= r is the sign bit of x - r, x == 0 the sign
 * bit of x - 1 (all values are below 2^31).
 */
static uint32_t sieve_step(sieve *s, uint32_t advance)
{
    const u32v add = (u32v){0} + (0 - advance);
    u32v bad = {0};
    for (size_t i = 0; i < s->count; i += LANES) {
        u32v x, r, h, st;
        memcpy(&x, s->res + i, sizeof x);
        memcpy(&r, s->prime + i, sizeof r);
        memcpy(&h, s->half + i, sizeof h);
        memcpy(&st, s->step + i, sizeof st);
        x += st & add;
        x -= r & (((x - r) >> 31) - 1); /* subtract r when x >= r */
        memcpy(s->res + i, &x, sizeof x);
        bad |= ((x - 1) >> 31) | (((x ^ h) - 1) >> 31);
    }
    uint32_t any = 0;
    for (unsigned k = 0; k < LANES; k++)
        any |= bad[k];
    return any;
}

/* ---- Tests on fixed-size limbs ---------------------------------------- */

/* Scratch of is_fermat2 for n limbs and an exponent of `bits` bits. */
static size_t fermat_itch(size_t n, size_t bits)
{
    return 3 * n + mpc_bn_powm_limbs_itch(n, bits);
}

/* 1 iff 2^(x-1) ≡ 1 (mod x) for odd x of n limbs and `bits` bits. */
static mp_limb_t is_fermat2(const mp_limb_t *x, size_t n, size_t bits,
                            mpc_bn_ws *w)
{
    size_t mark = w->used;
    mp_limb_t *e = mpc_bn_ws_take(w, n);
    mp_limb_t *two = mpc_bn_ws_take(w, n);
    mp_limb_t *r = mpc_bn_ws_take(w, n);
    memcpy(e, x, n * sizeof *e);
    e[0] &= ~(mp_limb_t)1; /* x - 1, x odd */
    two[0] = 2;
    mpc_bn_powm_limbs(r, two, e, bits, x, n, w);
    two[0] = 1;
    mp_limb_t ok = mpc_bn_limbs_eq(r, two, n);
    w->used = mark;
    return ok;
}

static size_t mr_itch(size_t n, size_t bits)
{
    return 8 * n +
           (mpc_bn_powm_limbs_itch(n, bits) > mpc_bn_mulmod_limbs_itch(n)
                ? mpc_bn_powm_limbs_itch(n, bits)
                : mpc_bn_mulmod_limbs_itch(n));
}

/* d[0..n) = x[0..n) >> s, for any s < 64 * n. */
static void shift_right(mp_limb_t *d, const mp_limb_t *x, size_t n, size_t s)
{
    size_t limbs = s / GMP_NUMB_BITS;
    unsigned bits = (unsigned)(s % GMP_NUMB_BITS);
    memset(d, 0, n * sizeof *d);
    memcpy(d, x + limbs, (n - limbs) * sizeof *d);
    if (bits > 0)
        mpn_rshift(d, d, (mp_size_t)(n - limbs), bits);
}

/*
 * Miller–Rabin with `rounds` uniform bases in [2, x - 2] on odd x >= 5 of
 * n limbs (top limb non-zero) and `bits` bits. x - 1 = 2^s * d; s is read
 * from x's low bits: s = 1 for every candidate of the generator, by
 * construction. Sets *pass to whether x passed every round.
 */
static mpc_err miller_rabin(const mpc_ctx *ctx, const mp_limb_t *x, size_t n,
                            size_t bits, int rounds, mpc_bn_ws *w, bool *pass)
{
    size_t mark = w->used;
    mp_limb_t *xm1 = mpc_bn_ws_take(w, n);
    mp_limb_t *d = mpc_bn_ws_take(w, n);
    mp_limb_t *xm3 = mpc_bn_ws_take(w, n);
    mp_limb_t *a = mpc_bn_ws_take(w, n);
    mp_limb_t *y = mpc_bn_ws_take(w, n);
    mp_limb_t *one = mpc_bn_ws_take(w, n);
    mp_limb_t *tmp = mpc_bn_ws_take(w, n);
    uint8_t *buf = (uint8_t *)mpc_bn_ws_take(w, n);
    memcpy(xm1, x, n * sizeof *xm1);
    xm1[0] &= ~(mp_limb_t)1;
    size_t s = (size_t)mpn_scan1(xm1, 0); /* x - 1 >= 4 is not zero */
    shift_right(d, xm1, n, s);
    /* Bases a = 2 + u with u uniform in [0, x - 3). */
    one[0] = 3;
    mpn_cnd_sub_n(1, xm3, x, one, (mp_size_t)n);
    one[0] = 1;
    mp_limb_t ok_all = 1;
    mpc_err err = MPC_OK;
    for (int i = 0; i < rounds && ok_all; i++) {
        err = mpc_bn_limbs_random_below(ctx, a, xm3, n, bits, buf, tmp);
        if (err != MPC_OK)
            break;
        mpn_sec_add_1(a, a, (mp_size_t)n, 2, tmp);
        mpc_bn_powm_limbs(y, a, d, bits - s, x, n, w);
        mp_limb_t ok = mpc_bn_limbs_eq(y, one, n) | mpc_bn_limbs_eq(y, xm1, n);
        for (size_t j = 1; j < s; j++) {
            mpc_bn_mulmod_limbs(y, y, y, x, n, w);
            ok |= mpc_bn_limbs_eq(y, xm1, n);
        }
        /* The loop stops at a failed round: a verdict on a composite. */
        ok_all &= ok;
    }
    *pass = err == MPC_OK && ok_all;
    w->used = mark;
    return err;
}

/* ---- Generation -------------------------------------------------------- */

/* q[0..n) = a random qbits-bit q with its top two bits set, q ≡ 11
 * (mod 12). A carry past bit qbits (q within 8 of 2^qbits) is caught by
 * the caller's bit-length check. */
static void draw_start(const mpc_ctx *ctx, mp_limb_t *q, size_t n, size_t qbits,
                       uint8_t *buf, mp_limb_t *tp)
{
    size_t nbytes = (qbits + 7) / 8;
    mpc_ctx_random(ctx, buf, nbytes);
    buf[0] &= (uint8_t)(0xFF >> (8 * nbytes - qbits));
    mpc_bn_limbs_from_bytes(q, n, buf, nbytes);
    q[(qbits - 1) / GMP_NUMB_BITS] |= (mp_limb_t)1
                                      << ((qbits - 1) % GMP_NUMB_BITS);
    q[(qbits - 2) / GMP_NUMB_BITS] |= (mp_limb_t)1
                                      << ((qbits - 2) % GMP_NUMB_BITS);
    q[0] |= 3;
    /* Adding 4 keeps q mod 4 and adds 1 mod 3: add 4k to reach 2 mod 3. */
    size_t len = n * MPC_BN_LIMB_BYTES;
    mpc_bn_limbs_to_bytes(buf, len, q, n);
    uint32_t r3 = mod_small(buf, len, 3, ((uint64_t)1 << RECIP_SHIFT) / 3);
    mpn_sec_add_1(q, q, (mp_size_t)n, 4 * ((5 - r3) % 3), tp);
}

static size_t max2(size_t a, size_t b)
{
    return a > b ? a : b;
}

mpc_err mpc_bn_safe_prime_generate(const mpc_ctx *ctx, mpz_t p, size_t bits)
{
    if (p == NULL)
        return MPC_ERR_INVALID_ARG;
    if (ctx == NULL || bits < MIN_BITS || bits > MAX_BITS) {
        mpz_set_ui(p, 0);
        return MPC_ERR_INVALID_ARG;
    }
    /* p has n limbs; q = (p - 1) / 2 may have one limb fewer. */
    size_t n = mpc_bn_limbs_for_bits(bits);
    size_t nq = mpc_bn_limbs_for_bits(bits - 1);
    size_t add_itch = (size_t)mpn_sec_add_1_itch((mp_size_t)n);
    size_t itch = max2(fermat_itch(n, bits),
                       max2(mr_itch(n, bits), mr_itch(nq, bits - 1)));
    sieve s;
    mpc_bn_ws w = {0};
    mpc_err err = sieve_init(ctx, &s);
    if (err == MPC_OK)
        err = mpc_bn_ws_init(&w, ctx, 4 * n + add_itch + itch);
    if (err != MPC_OK)
        goto out;
    mp_limb_t *q0 = mpc_bn_ws_take(&w, n);
    mp_limb_t *q = mpc_bn_ws_take(&w, n);
    mp_limb_t *pl = mpc_bn_ws_take(&w, n);
    uint8_t *buf = (uint8_t *)mpc_bn_ws_take(&w, n);
    mp_limb_t *tp = mpc_bn_ws_take(&w, add_itch);
    unsigned top_shift = (unsigned)((bits - 1) % GMP_NUMB_BITS);
    bool found = false;
    while (!found && err == MPC_OK) {
        draw_start(ctx, q0, n, bits - 1, buf, tp);
        sieve_start(&s, q0, n, buf);
        for (uint32_t k = 0; k < WINDOW && !found && err == MPC_OK; k++) {
            if (sieve_step(&s, k > 0))
                continue;
            /* q = q0 + 12k, p = 2q + 1 (k < 2^20, so 12k fits a limb). */
            mpn_sec_add_1(q, q0, (mp_size_t)n, (mp_limb_t)STEP * k, tp);
            mpn_lshift(pl, q, (mp_size_t)n, 1);
            pl[0] |= 1;
            if ((pl[n - 1] >> top_shift) != 1)
                break; /* p ran past `bits` bits: draw a new start */
            if (!is_fermat2(pl, n, bits, &w))
                continue;
            bool pass = false;
            err = miller_rabin(ctx, q, nq, bits - 1,
                               MPC_BN_SAFE_PRIME_MR_ROUNDS, &w, &pass);
            if (err == MPC_OK && pass)
                err = miller_rabin(ctx, pl, n, bits,
                                   MPC_BN_SAFE_PRIME_MR_ROUNDS, &w, &pass);
            found = err == MPC_OK && pass;
        }
    }
    if (found)
        mpc_bn_limbs_store(p, pl, n);
out:
    if (err != MPC_OK)
        mpz_set_ui(p, 0);
    mpc_bn_ws_free(&w);
    sieve_free(ctx, &s);
    return err;
}

mpc_err mpc_bn_safe_prime_check(const mpc_ctx *ctx, const mpz_t p)
{
    if (ctx == NULL || p == NULL)
        return MPC_ERR_INVALID_ARG;
    /* q = (p - 1) / 2 must be odd and at least 5. */
    if (mpz_cmp_ui(p, 11) < 0 || mpz_even_p(p) || !mpz_tstbit(p, 1))
        return MPC_ERR_VERIFY;
    size_t bits = mpz_sizeinbase(p, 2);
    size_t n = mpz_size(p);
    size_t nq = mpc_bn_limbs_for_bits(bits - 1);
    mpc_bn_ws w;
    mpc_err err = mpc_bn_ws_init(
        &w, ctx, 2 * n + max2(mr_itch(n, bits), mr_itch(nq, bits - 1)));
    if (err != MPC_OK)
        return err;
    mp_limb_t *pl = mpc_bn_ws_take(&w, n);
    mp_limb_t *ql = mpc_bn_ws_take(&w, n);
    mpc_bn_limbs_load(pl, n, p);
    mpn_rshift(ql, pl, (mp_size_t)n, 1);
    bool pass = false;
    err = miller_rabin(ctx, ql, nq, bits - 1, MPC_BN_SAFE_PRIME_MR_ROUNDS, &w,
                       &pass);
    if (err == MPC_OK && pass)
        err = miller_rabin(ctx, pl, n, bits, MPC_BN_SAFE_PRIME_MR_ROUNDS, &w,
                           &pass);
    mpc_bn_ws_free(&w);
    if (err != MPC_OK)
        return err;
    return pass ? MPC_OK : MPC_ERR_VERIFY;
}
