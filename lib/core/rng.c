#include "mpc/rng.h"

#include <sodium.h>
#include <string.h>

#include "mpc/mem.h"

void mpc_drbg_init(mpc_drbg *d, const uint8_t *seed, size_t seed_len)
{
    static const char tag[] = "mpcium-c drbg v1";
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    crypto_hash_sha256_update(&st, seed, seed_len);
    crypto_hash_sha256_final(&st, d->key);
    d->block = 0;
}

void mpc_drbg_fill(void *ud, uint8_t *buf, size_t len)
{
    mpc_drbg *d = ud;
    /* One fresh ChaCha20 nonce per call: outputs of different calls never
     * share keystream, and the sequence depends only on the seed. */
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
    uint64_t n = d->block++;
    for (size_t i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(n >> (8 * i));
    crypto_stream_chacha20(buf, len, nonce, d->key);
}

void mpc_drbg_clear(mpc_drbg *d)
{
    mpc_wipe(d, sizeof *d);
}
