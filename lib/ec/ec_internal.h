/* Internals shared by the files of lib/ec. */
#ifndef MPC_EC_INTERNAL_H
#define MPC_EC_INTERNAL_H

#include <stdlib.h>

#include "mpc/group.h"

/*
 * A broken invariant of lib/ec: a stated precondition was violated or a
 * point's bytes were corrupted. Stop instead of computing with garbage, as
 * libsecp256k1's default illegal-argument callback does. Always on; every
 * use is a cheap test on public values.
 */
#define MPC_EC_ASSERT(cond)                                                    \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

/*
 * secp256k1 scalars mod n (scalar_secp256k1.c). Inputs are canonical
 * big-endian encodings (< n); outputs are fully reduced. Constant time.
 */

/* True when `in` encodes an integer below n. */
bool mpc_ec_k1_scalar_is_canonical(const uint8_t in[MPC_SCALAR_BYTES]);

/* r = (big-endian in[0..len)) mod n; len <= 64. */
void mpc_ec_k1_scalar_reduce(mpc_scalar *r, const uint8_t *in, size_t len);

void mpc_ec_k1_scalar_add(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b);
void mpc_ec_k1_scalar_sub(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b);
void mpc_ec_k1_scalar_mul(mpc_scalar *r, const mpc_scalar *a,
                          const mpc_scalar *b);

/* r = a^(n-2) mod n; returns false (r zeroed) when a is zero. */
bool mpc_ec_k1_scalar_inv(mpc_scalar *r, const mpc_scalar *a);

/* As mpc_ec_k1_scalar_inv, variable time (GMP mpz_invert). */
bool mpc_ec_k1_scalar_inv_var(mpc_scalar *r, const mpc_scalar *a);

#endif /* MPC_EC_INTERNAL_H */
