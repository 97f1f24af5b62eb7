/*
 * Fuzzes what the signing side reads from peers and clients:
 * - byte 0 even: a DER signature (mpc_ecdsa_signature_from_der). An
 *   accepted one re-encodes to exactly the input (strict DER has one
 *   spelling); a refused one is MPC_ERR_PARSE with a zeroed output.
 * - byte 0 odd: sign shares σ_j given to the combiner
 *   (mpc_cggmp_sign_combine) for a fixed key, R and digest, with the
 *   level-3 check points present or not. Only OK, PARSE or VERIFY may come
 *   back; OK means the signature verifies, else it is zeroed.
 */
#include <stdlib.h>
#include <string.h>

#include "mpc/cggmp_sign.h"
#include "mpc/ctx.h"
#include "mpc/ecdsa.h"
#include "mpc/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const mpc_group *group(void)
{
    static mpc_drbg drbg;
    static mpc_ctx *ctx;
    if (ctx == NULL) {
        mpc_drbg_init(&drbg, (const uint8_t *)"fuzz-cggmp-sign", 15);
        mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbg};
        if (mpc_ctx_new(&ctx, &cfg) != MPC_OK)
            abort();
    }
    return mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
}

static void fuzz_der(const mpc_group *g, const uint8_t *in, size_t len)
{
    static const mpc_ecdsa_signature zero;
    mpc_ecdsa_signature sig;
    uint8_t der[MPC_ECDSA_DER_MAX_BYTES];
    size_t der_len;
    mpc_err err = mpc_ecdsa_signature_from_der(g, &sig, in, len);
    if (err != MPC_OK) {
        if (err != MPC_ERR_PARSE || memcmp(&sig, &zero, sizeof sig) != 0)
            abort();
        return;
    }
    if (mpc_ecdsa_signature_to_der(&sig, der, &der_len) != MPC_OK ||
        der_len != len || memcmp(der, in, len) != 0)
        abort();
}

static void fuzz_combine(const mpc_group *g, const uint8_t *in, size_t len)
{
    static const mpc_ecdsa_signature zero;
    uint8_t shares[4][MPC_CGGMP_SIGN_SHARE_BYTES] = {{0}};
    uint8_t digest[32] = {7};
    uint32_t pos[4] = {0, 3, 5, 63};
    mpc_point pts[2][4], pk, big_r;
    mpc_scalar x, k;
    mpc_cggmp_combine_input ci;
    mpc_ecdsa_signature sig;
    mpc_blame b;
    size_t count = len < 1 ? 1 : (size_t)(in[0] % 4) + 1;

    mpc_scalar_set_u64(g, &x, 12345);
    mpc_scalar_set_u64(g, &k, 777);
    mpc_point_mul_base(g, &pk, &x);
    mpc_point_mul_base(g, &big_r, &k);
    for (size_t j = 0; j < 4; j++) {
        mpc_point_mul_base(g, &pts[0][j], &k);
        mpc_point_mul_base(g, &pts[1][j], &x);
    }
    if (len > 1)
        memcpy(shares, in + 1,
               len - 1 < sizeof shares ? len - 1 : sizeof shares);
    memset(&ci, 0, sizeof ci);
    ci.pubkey = &pk;
    ci.digest = digest;
    ci.big_r = &big_r;
    ci.count = count;
    ci.positions = pos;
    ci.shares = (const uint8_t(*)[MPC_CGGMP_SIGN_SHARE_BYTES])shares;
    if (len > 0 && (in[0] & 0x10)) {
        ci.k_r = pts[0];
        ci.chi_r = pts[1];
    }
    mpc_err err = mpc_cggmp_sign_combine(g, &sig, &b, &ci);
    if (err == MPC_OK) {
        if (mpc_ecdsa_verify_var(g, &pk, digest, &sig) != MPC_OK)
            abort();
        return;
    }
    if ((err != MPC_ERR_PARSE && err != MPC_ERR_VERIFY) || b.err != err ||
        memcmp(&sig, &zero, sizeof sig) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const mpc_group *g = group();
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        fuzz_der(g, data + 1, size - 1);
    else
        fuzz_combine(g, data + 1, size - 1);
    return 0;
}
