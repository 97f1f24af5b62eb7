/*
 * Keccak-256: the Keccak-f[1600] permutation under a sponge with a 136-byte
 * rate, 512-bit capacity and 32-byte output.
 *
 * Written from FIPS 202: §3.2 for the step mappings θ ρ π χ ι, §3.3 for
 * Keccak-p[1600, 24] = Keccak-f[1600], §4 and §5.1 for the sponge and
 * pad10*1, and Appendix B.1 for bit order. Ethereum's Keccak-256 predates
 * the standard and keeps the Keccak submission's padding: the message is
 * followed by the byte 0x01 (SHA3-256 appends the two domain bits 01 first,
 * which makes that byte 0x06), the block ends with 0x80, the two share a
 * byte (0x81) when one byte of the block is left.
 *
 * Byte i of a block goes into lane i / 8 at bit 8 * (i % 8): lanes are
 * little-endian. Shifts, not memcpy, keep that true on any host.
 */
#include "mpc/msghash.h"

#include <string.h>

#include "lib/hash/keccak_internal.h"
#include "mpc/mem.h"

enum {
    RATE = MPC_KECCAK256_RATE_BYTES,
    RATE_LANES = MPC_KECCAK256_RATE_BYTES / 8,
    ROUNDS = 24,
};

/* ι constants RC[i_r] of FIPS 202 Algorithm 6, produced by the rc(t) LFSR
 * of Algorithm 5 (a table typo fails every known-answer test). */
static const uint64_t round_constants[ROUNDS] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a,
    0x8000000080008000, 0x000000000000808b, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008a,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800a, 0x800000008000000a, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
};

/* ρ rotation of lane (x, y), stored at x + 5y: (t + 1)(t + 2) / 2 mod 64
 * along the walk of FIPS 202 Algorithm 2 (its Table 2). */
static const uint8_t rho[25] = {
    0,  1,  62, 28, 27, /* y = 0 */
    36, 44, 6,  55, 20, /* y = 1 */
    3,  10, 43, 25, 39, /* y = 2 */
    41, 45, 15, 21, 8,  /* y = 3 */
    18, 2,  61, 56, 14, /* y = 4 */
};

/* π destination of lane (x, y): y + 5 * ((2x + 3y) mod 5). FIPS 202 writes
 * π as A'[x, y] = A[x + 3y, x]; this is the same map, seen from the source
 * lane. */
static const uint8_t pi[25] = {
    0,  10, 20, 5,  15, /* y = 0 */
    16, 1,  11, 21, 6,  /* y = 1 */
    7,  17, 2,  12, 22, /* y = 2 */
    23, 8,  18, 3,  13, /* y = 3 */
    14, 24, 9,  19, 4,  /* y = 4 */
};

static uint64_t rotl(uint64_t v, unsigned n)
{
    /* The mask keeps the right shift below 64 when n is 0. */
    return (v << n) | (v >> ((64 - n) & 63));
}

/* χ and θ's D are written out per lane: with x + 1 and x + 2 mod 5 as
 * constants this runs twice as fast at -O2 as loops computing % 5
 * (bench_msghash: 1.2 us instead of 2.5 us per 32-byte hash). */
static void keccak_f1600(uint64_t a[25])
{
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t c[5], b[25];

        /* θ: each lane absorbs the parities of two neighbouring columns,
         * D[x] = C[x - 1] ^ rot(C[x + 1], 1). */
        for (int x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        const uint64_t d[5] = {
            c[4] ^ rotl(c[1], 1), c[0] ^ rotl(c[2], 1), c[1] ^ rotl(c[3], 1),
            c[2] ^ rotl(c[4], 1), c[3] ^ rotl(c[0], 1),
        };
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++)
                a[y + x] ^= d[x];

        /* ρ rotates each lane within itself; π moves it. */
        for (int i = 0; i < 25; i++)
            b[pi[i]] = rotl(a[i], rho[i]);

        /* χ, the only non-linear step, mixes each row:
         * A[x] = B[x] ^ (~B[x + 1] & B[x + 2]). */
        for (int y = 0; y < 25; y += 5) {
            const uint64_t *r = b + y;
            a[y + 0] = r[0] ^ (~r[1] & r[2]);
            a[y + 1] = r[1] ^ (~r[2] & r[3]);
            a[y + 2] = r[2] ^ (~r[3] & r[4]);
            a[y + 3] = r[3] ^ (~r[4] & r[0]);
            a[y + 4] = r[4] ^ (~r[0] & r[1]);
        }

        /* ι makes the rounds differ. */
        a[0] ^= round_constants[round];
    }
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void store64_le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* XORs `v` into byte `i` of the state. */
static void xor_byte(uint64_t a[25], size_t i, uint8_t v)
{
    a[i / 8] ^= (uint64_t)v << (8 * (i % 8));
}

void mpc_keccak256_init(mpc_keccak256_state *st)
{
    memset(st, 0, sizeof *st);
}

void mpc_keccak256_update(mpc_keccak256_state *st, const uint8_t *in,
                          size_t len)
{
    while (len > 0) {
        if (st->pos == 0 && len >= RATE) {
            /* A whole block straight from the input, a lane at a time. */
            for (int i = 0; i < RATE_LANES; i++)
                st->lanes[i] ^= load64_le(in + 8 * i);
            keccak_f1600(st->lanes);
            in += RATE;
            len -= RATE;
            continue;
        }
        size_t take = RATE - st->pos < len ? RATE - st->pos : len;
        for (size_t i = 0; i < take; i++)
            xor_byte(st->lanes, st->pos + i, in[i]);
        st->pos += take;
        in += take;
        len -= take;
        if (st->pos == RATE) {
            keccak_f1600(st->lanes);
            st->pos = 0;
        }
    }
}

void mpc_keccak256_final_pad(mpc_keccak256_state *st,
                             uint8_t out32[MPC_KECCAK256_BYTES], uint8_t pad)
{
    /* pos < RATE always holds, so the padding fits in the current block. */
    xor_byte(st->lanes, st->pos, pad);
    xor_byte(st->lanes, RATE - 1, 0x80);
    keccak_f1600(st->lanes);
    for (int i = 0; i < MPC_KECCAK256_BYTES / 8; i++)
        store64_le(out32 + 8 * i, st->lanes[i]);
    /* All-zero is exactly the initial state. */
    mpc_wipe(st, sizeof *st);
}

void mpc_keccak256_final(mpc_keccak256_state *st,
                         uint8_t out32[MPC_KECCAK256_BYTES])
{
    mpc_keccak256_final_pad(st, out32, MPC_KECCAK_PAD_KECCAK);
}

void mpc_keccak256(uint8_t out32[MPC_KECCAK256_BYTES], const uint8_t *in,
                   size_t len)
{
    mpc_keccak256_state st;
    mpc_keccak256_init(&st);
    mpc_keccak256_update(&st, in, len);
    mpc_keccak256_final(&st, out32);
}
