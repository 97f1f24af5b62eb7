/*
 * tests/ctime/ctime_util.c — what every file of tests/ctime/ needs to mark
 * secrets and load fixture keys (ctime.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ctime/ctime.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"

void ctime_secret_mpz(mpz_t x)
{
    SECRET(x->_mp_d, mpz_size(x) * sizeof(mp_limb_t));
}

void ctime_declassify_mpz(mpz_t x)
{
    DECLASSIFY(x->_mp_d, mpz_size(x) * sizeof(mp_limb_t));
}

void ctime_secret_modulus(mpz_t x)
{
    size_t n = mpz_size(x);
    ctime_secret_mpz(x);
    uint8_t *top = (uint8_t *)&x->_mp_d[n - 1];
    DECLASSIFY(top + sizeof(mp_limb_t) - 2, 2); /* little-endian host */
    DECLASSIFY(&x->_mp_d[0], 1);
}

void ctime_secret_sk(mpc_paillier_sk *sk)
{
    ctime_secret_modulus(sk->p);
    ctime_secret_modulus(sk->q);
    /* φ(N) = N - (p + q - 1) shares its top bits with the public N; its
     * bit length sizes the draws of λ (mpc_rped_generate). */
    ctime_secret_modulus(sk->phi);
    ctime_secret_modulus(sk->p2);
    ctime_secret_modulus(sk->q2);
    ctime_secret_mpz(sk->q_inv_p);
    ctime_secret_mpz(sk->q2_inv_p2);
    ctime_secret_mpz(sk->hp);
    ctime_secret_mpz(sk->hq);
    ctime_secret_mpz(sk->ep);
    ctime_secret_mpz(sk->eq);
}

bool ctime_fixture_primes(mpz_t p, mpz_t q, unsigned bits, unsigned index)
{
    FILE *f = fopen(FIXTURES, "r");
    if (f == NULL)
        return false;
    char line[2048];
    unsigned seen = 0;
    bool ok = false;
    while (!ok && fgets(line, sizeof line, f) != NULL) {
        char *hex = NULL;
        if (line[0] == '#' || strtoul(line, &hex, 10) != bits || *hex != ' ')
            continue;
        hex[1 + strcspn(hex + 1, "\r\n")] = '\0';
        if (seen == 2 * index && mpz_set_str(p, hex + 1, 16) != 0)
            break;
        if (seen == 2 * index + 1)
            ok = mpz_set_str(q, hex + 1, 16) == 0;
        seen++;
    }
    fclose(f);
    return ok;
}
