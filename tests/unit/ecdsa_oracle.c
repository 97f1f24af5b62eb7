#include "tests/unit/ecdsa_oracle.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "mpc/ecdsa.h"

bool ecdsa_oracle_secp256k1(const uint8_t pub33[33], const uint8_t digest[32],
                            const mpc_ecdsa_signature *sig)
{
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_signature s;
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey pk, rec;
    uint8_t compact[64], out[33];
    size_t out_len = sizeof(out);
    bool ok = false;

    memcpy(compact, sig->r, 32);
    memcpy(compact + 32, sig->s, 32);
    if (!secp256k1_ec_pubkey_parse(c, &pk, pub33, 33) ||
        !secp256k1_ecdsa_signature_parse_compact(c, &s, compact) ||
        !secp256k1_ecdsa_verify(c, &s, digest, &pk) || sig->recid > 3 ||
        !secp256k1_ecdsa_recoverable_signature_parse_compact(c, &rs, compact,
                                                             sig->recid) ||
        !secp256k1_ecdsa_recover(c, &rec, &rs, digest))
        goto out;
    secp256k1_ec_pubkey_serialize(c, out, &out_len, &rec,
                                  SECP256K1_EC_COMPRESSED);
    ok = out_len == 33 && memcmp(out, pub33, 33) == 0;
out:
    secp256k1_context_destroy(c);
    return ok;
}

bool ecdsa_oracle_openssl(const uint8_t pub33[33], const uint8_t digest[32],
                          const uint8_t *der, size_t der_len)
{
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY_CTX *vc = NULL;
    EVP_PKEY *pkey = NULL;
    uint8_t pub[33];
    char group[] = "secp256k1";
    bool ok = false;

    memcpy(pub, pub33, sizeof(pub));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub,
                                          sizeof(pub)),
        OSSL_PARAM_construct_end(),
    };
    if (pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
        EVP_PKEY_fromdata(pc, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto out;
    vc = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (vc == NULL || EVP_PKEY_verify_init(vc) != 1)
        goto out;
    ok = EVP_PKEY_verify(vc, der, der_len, digest, 32) == 1;
out:
    EVP_PKEY_CTX_free(vc);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pc);
    return ok;
}

bool ecdsa_oracle_both(const uint8_t pub33[33], const uint8_t digest[32],
                       const mpc_ecdsa_signature *sig)
{
    uint8_t der[MPC_ECDSA_DER_MAX_BYTES];
    size_t der_len;

    if (mpc_ecdsa_signature_to_der(sig, der, &der_len) != MPC_OK)
        return false;
    return ecdsa_oracle_secp256k1(pub33, digest, sig) &&
           ecdsa_oracle_openssl(pub33, digest, der, der_len);
}
