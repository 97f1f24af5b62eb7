/* The security parameter sets (include/mpc/params.h). */
#include "mpc/params.h"

/* Each set once, expanded into both the table and the build-time checks. */
#define SET_COMPAT(X)                                                          \
    X(MPC_PARAMS_COMPAT, "compat-2048", MPC_PARAMS_COMPAT_PRIME_BITS, 256,     \
      1280, 512, 80)
#define SET_128(X)                                                             \
    X(MPC_PARAMS_128, "128-3072", MPC_PARAMS_128_PRIME_BITS, 256, 848, 230, 128)

#define ENTRY(ID, NAME, PBITS, ELL, ELLP, EPS, M)                              \
    {.id = (ID),                                                               \
     .name = (NAME),                                                           \
     .prime_bits = (PBITS),                                                    \
     .n_bits = 2 * (PBITS),                                                    \
     .n_min_bits = 2 * (PBITS)-1,                                              \
     .n_bytes = 2 * (PBITS) / 8,                                               \
     .ct_bytes = 4 * (PBITS) / 8,                                              \
     .ell = (ELL),                                                             \
     .ell_prime = (ELLP),                                                      \
     .eps = (EPS),                                                             \
     .m = (M)},

/* The relations the Paillier and proof code relies on. */
#define CHECK(ID, NAME, PBITS, ELL, ELLP, EPS, M)                              \
    _Static_assert((PBITS) % 64 == 0, "primes fill whole limbs");              \
    _Static_assert((ELL) + (EPS) < (ELLP), "ell + eps < ell'");                \
    _Static_assert((ELLP) + (EPS) < 2 * (PBITS)-2, "MtA must not wrap");       \
    _Static_assert(2 * (PBITS) / 8 <= MPC_PARAMS_MAX_N_BYTES, "max n");        \
    _Static_assert(4 * (PBITS) / 8 <= MPC_PARAMS_MAX_CT_BYTES, "max ct");      \
    _Static_assert((M) >= 80, "binary-challenge soundness")

SET_COMPAT(CHECK);
SET_128(CHECK);

static const mpc_params sets[] = {SET_COMPAT(ENTRY) SET_128(ENTRY)};

const mpc_params *mpc_params_get(mpc_params_id id)
{
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (sets[i].id == id)
            return &sets[i];
    return NULL;
}
