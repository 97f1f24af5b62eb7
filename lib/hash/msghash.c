/*
 * Message hash selected by wire name: SHA-256 and SHA-256d through
 * libsodium, Keccak-256 from keccak.c.
 */
#include "mpc/msghash.h"

#include <string.h>

#include <sodium.h>

_Static_assert(crypto_hash_sha256_BYTES == MPC_MSGHASH_BYTES,
               "a SHA-256 digest fills one ECDSA digest");

static const struct {
    mpc_msghash_alg alg;
    const char *name;
} algs[] = {
    {MPC_MSGHASH_SHA256, "sha256"},
    {MPC_MSGHASH_SHA256D, "sha256d"},
    {MPC_MSGHASH_KECCAK256, "keccak256"},
};

mpc_err mpc_msghash_parse_name(mpc_msghash_alg *alg, const char *name,
                               size_t len)
{
    if (alg == NULL)
        return MPC_ERR_INVALID_ARG;
    *alg = 0;
    if (name == NULL && len > 0)
        return MPC_ERR_INVALID_ARG;
    /* Exact bytes: the length check rejects prefixes, trailing bytes and
     * an embedded NUL before memcmp runs. */
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (strlen(algs[i].name) == len &&
            memcmp(algs[i].name, name, len) == 0) {
            *alg = algs[i].alg;
            return MPC_OK;
        }
    }
    return MPC_ERR_PARSE;
}

const char *mpc_msghash_name(mpc_msghash_alg alg)
{
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].alg == alg)
            return algs[i].name;
    return NULL;
}

mpc_err mpc_msghash(uint8_t out32[MPC_MSGHASH_BYTES], mpc_msghash_alg alg,
                    const uint8_t *msg, size_t len)
{
    if (out32 == NULL)
        return MPC_ERR_INVALID_ARG;
    if (msg == NULL && len > 0) {
        memset(out32, 0, MPC_MSGHASH_BYTES);
        return MPC_ERR_INVALID_ARG;
    }
    /* Hash functions may read their input pointer even for zero bytes. */
    if (len == 0)
        msg = (const uint8_t *)"";

    switch (alg) {
    case MPC_MSGHASH_SHA256:
        crypto_hash_sha256(out32, msg, len);
        return MPC_OK;
    case MPC_MSGHASH_SHA256D: {
        uint8_t inner[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(inner, msg, len);
        crypto_hash_sha256(out32, inner, sizeof inner);
        return MPC_OK;
    }
    case MPC_MSGHASH_KECCAK256:
        mpc_keccak256(out32, msg, len);
        return MPC_OK;
    }
    memset(out32, 0, MPC_MSGHASH_BYTES);
    return MPC_ERR_INVALID_ARG;
}
