/*
 * mpc/params.h — security parameter sets of the Paillier-based ECDSA
 * protocol (CGGMP21 aux-info, MtA and proofs).
 *
 * A set is chosen at run time by passing an mpc_params_id: there is no
 * global default. The sets are constants in a const table; callers hold a
 * `const mpc_params *` for as long as they like.
 *
 * Names follow the CGGMP21 paper and the LFDT spec: ell (ℓ), ell' (ℓ'),
 * eps (ε), m (repetitions of the binary-challenge proofs Πmod and Πprm).
 * The values are the published sets below, not derived here; the build
 * checks the relations the code relies on (lib/paillier/params.c):
 * n_bits = 2 * prime_bits, n_min_bits = n_bits - 1, ℓ + ε < ℓ' and
 * ℓ' + ε < n_bits - 2 (MtA shares never wrap modulo N).
 *
 * - MPC_PARAMS_COMPAT: N of 2048 bits from two 1024-bit safe primes,
 *   ℓ = 256, ℓ' = 1280, ε = 512, m = 80 (Taurus multi-party-sig; matches
 *   tss-lib deployments, ~112-bit factoring security). Recommended.
 * - MPC_PARAMS_128: N of 3072 bits from two 1536-bit safe primes, ℓ = 256,
 *   ℓ' = 848, ε = 230, m = 128 (LFDT SecurityLevel128, κ = 384).
 */
#ifndef MPC_PARAMS_H
#define MPC_PARAMS_H

#include <stddef.h>

/** Parameter set identifiers; stable values (they may be stored). */
typedef enum mpc_params_id {
    MPC_PARAMS_COMPAT = 1,
    MPC_PARAMS_128 = 2,
} mpc_params_id;

typedef struct mpc_params {
    mpc_params_id id;
    /** Short stable name, e.g. "compat-2048". */
    const char *name;
    /** Bits of each safe prime of our own Paillier modulus. */
    unsigned prime_bits;
    /** Bits of our own N (= 2 * prime_bits; exactly this many). */
    unsigned n_bits;
    /** Smallest accepted bit length of a peer's N (BitForge size rule). */
    unsigned n_min_bits;
    /** Wire length of N, ring-Pedersen s and t: n_bits / 8 bytes. */
    size_t n_bytes;
    /** Wire length of a ciphertext (an element of Z_{N^2}). */
    size_t ct_bytes;
    /** ℓ: bits of the secrets the range proofs bound (curve order). */
    unsigned ell;
    /** ℓ': bits of the MtA masks. */
    unsigned ell_prime;
    /** ε: slack bits of the range proofs. */
    unsigned eps;
    /** m: repetitions of Πmod and Πprm (soundness 2^-m). */
    unsigned m;
} mpc_params;

#define MPC_PARAMS_COMPAT_PRIME_BITS 1024
#define MPC_PARAMS_128_PRIME_BITS 1536
/** Largest n_bytes / ct_bytes of any set, for stack buffers. */
#define MPC_PARAMS_MAX_N_BYTES 384
#define MPC_PARAMS_MAX_CT_BYTES 768

/**
 * The parameter set `id`, or NULL if `id` is not a known set. The result
 * points into a const table and is valid forever.
 */
const mpc_params *mpc_params_get(mpc_params_id id);

#endif /* MPC_PARAMS_H */
