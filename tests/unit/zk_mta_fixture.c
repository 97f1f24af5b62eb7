/* Shared set-up of the Πenc, Πlog* and Πaff-g tests. */
#include "tests/unit/zk_mta_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "mpc/bn.h"
#include "tests/harness/test.h"

#define FIXTURES "tests/vectors/paillier-fixtures.txt"
#define MAX_PRIMES 32

/* Loads up to `max` fixture primes of `bits` bits, in file order. */
static size_t load_primes(size_t bits, mpz_t *out, size_t max)
{
    size_t len = 0, n = 0;
    char *text = test_read_file(FIXTURES, &len);
    if (text == NULL)
        return 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        char *hex = NULL;
        size_t b = strtoul(line, &hex, 10);
        if (b != bits || hex == NULL || *hex != ' ')
            continue;
        if (mpz_set_str(out[n], hex + 1, 16) == 0)
            n++;
    }
    free(text);
    return n;
}

bool zkmta_key(mpc_paillier_sk *sk, mpc_params_id id, size_t index)
{
    const mpc_params *params = mpc_params_get(id);
    REQUIRE(params != NULL);
    mpz_t pr[MAX_PRIMES];
    for (size_t i = 0; i < MAX_PRIMES; i++)
        mpz_init(pr[i]);
    size_t n = load_primes(params->prime_bits, pr, MAX_PRIMES);
    bool ok = 2 * index + 1 < n &&
              mpc_paillier_sk_from_primes(test_ctx(), sk, params, pr[2 * index],
                                          pr[2 * index + 1]) == MPC_OK;
    for (size_t i = 0; i < MAX_PRIMES; i++)
        mpz_clear(pr[i]);
    REQUIRE(ok);
    return true;
}

bool zkmta_primes(mpz_t p, mpz_t q, size_t bits)
{
    mpz_t pr[2];
    mpz_inits(pr[0], pr[1], NULL);
    size_t n = load_primes(bits, pr, 2);
    mpz_set(p, pr[0]);
    mpz_set(q, pr[1]);
    mpz_clears(pr[0], pr[1], NULL);
    REQUIRE(n == 2);
    return true;
}

bool zkmta_party_init(zkmta_party *p, mpc_params_id id, size_t index)
{
    const mpc_params *params = mpc_params_get(id);
    mpc_paillier_sk_init(&p->sk);
    mpc_rped_init(&p->rp);
    p->tab.s.pow = p->tab.t.pow = NULL;
    p->tab.s.count = p->tab.t.count = 0;
    REQUIRE(zkmta_key(&p->sk, id, index));
    mpz_t lambda;
    mpz_init(lambda);
    mpc_err err = mpc_rped_generate(test_ctx(), &p->rp, lambda, &p->sk);
    mpc_bn_clear(lambda);
    REQUIRE_OK(err);
    /* The largest exponent a verifier raises: z3 of Πaff-g, ℓ+ε+n_bits+1
     * bits (and ℓ'+ε for z2). */
    size_t bits = params->ell + params->eps + params->n_bits + 2;
    REQUIRE_OK(mpc_rped_table_init(test_ctx(), &p->tab, &p->rp, bits));
    return true;
}

void zkmta_party_clear(zkmta_party *p)
{
    mpc_rped_table_clear(test_ctx(), &p->tab);
    mpc_rped_clear(&p->rp);
    mpc_paillier_sk_clear(&p->sk);
}

void zkmta_transcript(mpc_transcript *t, const char *sid, uint64_t prover)
{
    mpc_transcript_init(t, "zkmta-test", (const uint8_t *)sid, strlen(sid));
    mpc_transcript_append_u64(t, "prover", prover);
}

void zkmta_rand_signed(mpz_t x, size_t bits)
{
    mpz_t b;
    mpz_init(b);
    mpz_setbit(b, bits);
    if (mpc_bn_random_symmetric(test_ctx(), x, b) != MPC_OK)
        mpz_set_ui(x, 0);
    mpz_clear(b);
}

bool zkmta_encrypt(const mpc_paillier_pk *pk, mpz_t c, mpz_t r, const mpz_t m)
{
    REQUIRE_OK(mpc_paillier_nonce_random(test_ctx(), pk, r));
    REQUIRE_OK(mpc_paillier_encrypt(test_ctx(), pk, c, m, r));
    return true;
}

bool zkmta_all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

void zkmta_flip(uint8_t *buf, size_t pos, unsigned bit)
{
    buf[pos] ^= (uint8_t)(1u << (bit & 7));
}
