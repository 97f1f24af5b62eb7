/*
 * Independent ECDSA verifiers for tests: libsecp256k1 (verify + public key
 * recovery from the recovery id) and OpenSSL (EVP over the raw digest).
 * Both take the 33-byte compressed public key.
 */
#ifndef MPC_TESTS_ECDSA_ORACLE_H
#define MPC_TESTS_ECDSA_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpc/cggmp.h"

/* libsecp256k1: the compact (r, s) verifies (it requires low-S) AND
 * recovering with sig->recid yields pub33. */
bool ecdsa_oracle_secp256k1(const uint8_t pub33[33], const uint8_t digest[32],
                            const mpc_ecdsa_signature *sig);

/* OpenSSL EVP_PKEY_verify on a DER signature (accepts high-S too). */
bool ecdsa_oracle_openssl(const uint8_t pub33[33], const uint8_t digest[32],
                          const uint8_t *der, size_t der_len);

/* Both oracles on a signature of ours (DER made with mpc_ecdsa). */
bool ecdsa_oracle_both(const uint8_t pub33[33], const uint8_t digest[32],
                       const mpc_ecdsa_signature *sig);

#endif
