/* ser33(P) for both curves. The Ed25519 form needs the affine x, which an
 * RFC 8032 encoding only implies (y plus the sign of x), so it is recovered
 * from the curve equation with GMP: the points are public, and variable
 * time is fine. */
#include <gmp.h>
#include <string.h>

#include "lib/hd/hd_internal.h"

_Static_assert(MPC_HD_SER_BYTES == MPC_SECP256K1_POINT_BYTES,
               "secp256k1 ser33 is its compressed encoding");
_Static_assert(MPC_HD_SER_BYTES == 1 + MPC_HD_FE_BYTES, "prefix || x");

/* The odd-order curve -x^2 + y^2 = 1 + d x^2 y^2 over p = 2^255 - 19
 * (RFC 8032 section 5.1). x^2 = (y^2 - 1) / (d y^2 + 1); since p = 5 mod 8
 * a square root of w is w^((p+3)/8) or that times sqrt(-1) = 2^((p-1)/4)
 * (RFC 8032 section 5.1.3). */
mpc_err mpc_hd_ed25519_x_var(uint8_t x_be[MPC_HD_FE_BYTES],
                             const uint8_t enc[MPC_HD_FE_BYTES])
{
    mpc_err err = MPC_ERR_INTERNAL;
    mpz_t p, d, y, w, x, t;
    mpz_inits(p, d, y, w, x, t, NULL);
    memset(x_be, 0, MPC_HD_FE_BYTES);

    mpz_setbit(p, 255);
    mpz_sub_ui(p, p, 19);
    mpz_set_ui(t, 121666);
    mpz_invert(d, t, p);
    mpz_mul_si(d, d, -121665);
    mpz_mod(d, d, p);

    uint8_t ybuf[MPC_HD_FE_BYTES];
    memcpy(ybuf, enc, MPC_HD_FE_BYTES);
    int sign = ybuf[MPC_HD_FE_BYTES - 1] >> 7;
    ybuf[MPC_HD_FE_BYTES - 1] &= 0x7f;
    mpz_import(y, MPC_HD_FE_BYTES, -1, 1, 0, 0, ybuf); /* little-endian */
    if (mpz_cmp(y, p) >= 0)
        goto out;

    mpz_mul(y, y, y); /* y^2 */
    mpz_mul(t, d, y);
    mpz_add_ui(t, t, 1);
    if (mpz_invert(t, t, p) == 0) /* never: d is not a square */
        goto out;
    mpz_sub_ui(w, y, 1);
    mpz_mul(w, w, t);
    mpz_mod(w, w, p);

    mpz_add_ui(t, p, 3);
    mpz_fdiv_q_2exp(t, t, 3);
    mpz_powm(x, w, t, p);
    mpz_mul(t, x, x);
    mpz_mod(t, t, p);
    if (mpz_cmp(t, w) != 0) {
        mpz_sub_ui(t, p, 1);
        mpz_fdiv_q_2exp(t, t, 2);
        mpz_set_ui(y, 2);
        mpz_powm(y, y, t, p);
        mpz_mul(x, x, y);
        mpz_mod(x, x, p);
        mpz_mul(t, x, x);
        mpz_mod(t, t, p);
        if (mpz_cmp(t, w) != 0) /* not on the curve */
            goto out;
    }
    if (mpz_sgn(x) == 0 && sign)
        goto out;
    if (mpz_odd_p(x) != sign)
        mpz_sub(x, p, x);

    size_t n = (mpz_sizeinbase(x, 2) + 7) / 8;
    mpz_export(x_be + MPC_HD_FE_BYTES - n, NULL, 1, 1, 1, 0, x);
    err = MPC_OK;
out:
    mpz_clears(p, d, y, w, x, t, NULL);
    return err;
}

mpc_err mpc_hd_ser_var(const mpc_group *g, uint8_t out[MPC_HD_SER_BYTES],
                       const mpc_point *p)
{
    memset(out, 0, MPC_HD_SER_BYTES);
    if (mpc_point_is_identity(g, p))
        return MPC_ERR_INVALID_ARG;
    if (mpc_group_curve(g) == MPC_CURVE_SECP256K1) {
        mpc_point_serialize(g, out, p);
        return MPC_OK;
    }
    uint8_t enc[MPC_ED25519_POINT_BYTES];
    mpc_point_serialize(g, enc, p);
    mpc_err err = mpc_hd_ed25519_x_var(out + 1, enc);
    if (err != MPC_OK) {
        memset(out, 0, MPC_HD_SER_BYTES);
        return err;
    }
    /* enc is canonical, so its low bit is the low bit of y. */
    out[0] = (uint8_t)(0x02 | (enc[0] & 1));
    return MPC_OK;
}
