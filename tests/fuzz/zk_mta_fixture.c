/* A fixed MtA setting for the zk fuzz targets (zk_mta_fixture.h). */
#include "tests/fuzz/zk_mta_fixture.h"

#include <stdlib.h>

#include "mpc/bn.h"
#include "mpc/rng.h"

/* The first four 1024-bit safe primes of tests/vectors/paillier-fixtures.txt
 * (PUBLIC TEST DATA). */
static const char *const PRIMES[4] = {
    "cb831e17130bc20a141f5abcfa3fc3bcaba40144f1eee4e5e7ee6b2f754ce207"
    "5d1d86e70f27592e40b0b061fb4d8961fb32a6ca1bf9bc81fe07f5eee6777600"
    "d6bed39bfc251054f6dd3b3ae7d42b88e55177796fbe98d3f490ab1e5075102f"
    "42d8cdd03d44a2ac1f44da9fa528bbfa183d5867d7a783f0cbebce4b81a822ff",
    "f22992340d3811b00e1ecc656163d0a33343e730c720ba04a2c03841b51f98f7"
    "85519d6b095145d81e27b1b6e9e64df1d026450644fa49d02b5de8a6dc09e5db"
    "7c65acf0de0a158e898326e473aae63173248ceb9b2512698bac3580d7cfb35c"
    "371f3d5592ce0146f07b97eb5784c922d93723371e2cdae3259faed0d626ec2f",
    "dceceda02d30a041a7105cdc54cd925db73361db250546feda890a5fe78ab79b"
    "98a8d5eb487d76462e55b4116fd0808ffbb92f04ad6ea89ed88fc0ea958db970"
    "12fcd4a5abd35e1c1517bc8fca468233cce7118e26d3a1af830f54966aa0ee9b"
    "996c667248612a2740a49721a108c6441bc9a3af75ee22538efb9a391a162397",
    "c4ae2ef27e2d12a8a09d8fa57df666a26b653e299bff1ecaaefa61adccedd63b"
    "56019735726b5e6dafa8ea4ffe2f438a0196c12d2d0c1c58e69b932987e6c291"
    "bc6435f5ef3f5ba05c5751b5bf5c94436ae7de8d93a3f91dfec067e68f9ca619"
    "cc91a0d86e16680bd50633267db449b39b15891c6f09958ae16d464a618f18d7"};

static void need(bool ok)
{
    if (!ok)
        abort();
}

/* x·G for a small signed x. */
static void mul_g(const mpc_group *g, mpc_point *out, const mpz_t x)
{
    uint8_t be[MPC_SCALAR_BYTES] = {0};
    mpz_t q, r;
    mpz_inits(q, r, NULL);
    mpc_group_order_be(g, be);
    mpz_import(q, sizeof be, 1, 1, 1, 0, be);
    mpz_mod(r, x, q);
    need(mpc_bn_serialize(be, sizeof be, r) == MPC_OK);
    mpc_scalar s;
    mpc_scalar_reduce_be(g, &s, be, sizeof be);
    mpc_point_mul_base(g, out, &s);
    mpz_clears(q, r, NULL);
}

static void build(zkf_setting *z)
{
    static mpc_drbg drbg;
    static mpc_ctx *ctx;
    mpc_drbg_init(&drbg, (const uint8_t *)"fuzz-zk-mta", 11);
    mpc_ctx_config cfg = {.rng = mpc_drbg_fill, .rng_ud = &drbg};
    need(mpc_ctx_new(&ctx, &cfg) == MPC_OK);
    z->ctx = ctx;
    z->params = mpc_params_get(MPC_PARAMS_COMPAT);
    z->g = mpc_ctx_group(ctx, MPC_CURVE_SECP256K1);
    mpz_t p[4], lambda, m, r;
    for (int i = 0; i < 4; i++)
        need(mpz_init_set_str(p[i], PRIMES[i], 16) == 0);
    mpz_inits(lambda, m, r, NULL);
    mpc_paillier_sk_init(&z->prover);
    mpc_paillier_sk_init(&z->verifier);
    mpc_rped_init(&z->rp);
    need(mpc_paillier_sk_from_primes(ctx, &z->prover, z->params, p[0], p[1]) ==
         MPC_OK);
    need(mpc_paillier_sk_from_primes(ctx, &z->verifier, z->params, p[2],
                                     p[3]) == MPC_OK);
    need(mpc_rped_generate(ctx, &z->rp, lambda, &z->verifier) == MPC_OK);
    const mpc_paillier_pk *pp = &z->prover.pk, *pv = &z->verifier.pk;

    mpz_inits(z->K, z->C, z->D, z->Y, z->k, z->rho, z->x, z->y, z->rho_d,
              z->rho_y, NULL);
    mpz_set_si(z->k, -123456789);
    need(mpc_paillier_nonce_random(ctx, pp, z->rho) == MPC_OK);
    need(mpc_paillier_encrypt(ctx, pp, z->K, z->k, z->rho) == MPC_OK);
    mpc_point_generator(z->g, &z->G);
    mul_g(z->g, &z->X, z->k);

    mpz_set_ui(m, 987654321);
    need(mpc_paillier_nonce_random(ctx, pv, r) == MPC_OK);
    need(mpc_paillier_encrypt(ctx, pv, z->C, m, r) == MPC_OK);
    mpz_set_ui(z->x, 31337);
    mpz_set_si(z->y, -271828);
    need(mpc_paillier_nonce_random(ctx, pv, z->rho_d) == MPC_OK);
    need(mpc_paillier_affine(ctx, pv, z->D, z->C, z->x, 64, z->y, z->rho_d) ==
         MPC_OK);
    need(mpc_paillier_nonce_random(ctx, pp, z->rho_y) == MPC_OK);
    need(mpc_paillier_encrypt(ctx, pp, z->Y, z->y, z->rho_y) == MPC_OK);
    mul_g(z->g, &z->Xa, z->x);
    for (int i = 0; i < 4; i++)
        mpz_clear(p[i]);
    mpc_bn_clear(lambda);
    mpz_clears(m, r, NULL);
}

const zkf_setting *zkf_get(void)
{
    static zkf_setting z;
    static bool built;
    if (!built) {
        build(&z);
        built = true;
    }
    return &z;
}
