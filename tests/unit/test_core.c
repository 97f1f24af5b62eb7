/* lib/core: error table, context contract, DRBG determinism, allocator. */
#include <stdlib.h>

#include "mpc/ctx.h"
#include "mpc/err.h"
#include "mpc/mem.h"
#include "mpc/rng.h"
#include "tests/harness/test.h"

TEST(core_err_table_complete)
{
    for (int e = 0; e >= MPC_ERR_MIN; e--) {
        CHECK(strcmp(mpc_err_name((mpc_err)e), "MPC_ERR_UNKNOWN") != 0);
        CHECK(strcmp(mpc_err_str((mpc_err)e), "unknown error") != 0);
    }
    CHECK(strcmp(mpc_err_name((mpc_err)(MPC_ERR_MIN - 1)), "MPC_ERR_UNKNOWN") ==
          0);
    CHECK(!mpc_err_is_fatal(MPC_OK));
    CHECK(!mpc_err_is_fatal(MPC_ERR_INVALID_ARG));
    CHECK(!mpc_err_is_fatal(MPC_ERR_STATE));
    CHECK(mpc_err_is_fatal(MPC_ERR_PROTOCOL));
    CHECK(mpc_err_is_fatal(MPC_ERR_VERIFY));
}

TEST(core_ctx_misuse)
{
    mpc_ctx *ctx = (mpc_ctx *)1;
    mpc_ctx_config cfg = {0};
    CHECK_ERR(mpc_ctx_new(NULL, &cfg), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_ctx_new(&ctx, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(mpc_ctx_new(&ctx, &cfg), MPC_ERR_INVALID_ARG); /* no rng */
    mpc_ctx_free(NULL);
}

static size_t fail_after;
static size_t allocs;
static void *counting_zalloc(size_t n, void *ud)
{
    (void)ud;
    if (allocs++ >= fail_after)
        return NULL;
    return calloc(1, n);
}
static void counting_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

TEST(core_ctx_nomem_leaves_out_untouched)
{
    mpc_mem mem = {.zalloc = counting_zalloc, .free = counting_free};
    mpc_ctx_config cfg = {
        .rng = mpc_drbg_fill, .rng_ud = test_drbg(), .mem = &mem};
    mpc_ctx *ctx = NULL;
    fail_after = 0;
    allocs = 0;
    CHECK_ERR(mpc_ctx_new(&ctx, &cfg), MPC_ERR_NOMEM);
    CHECK(ctx == NULL);
    fail_after = 1000;
    CHECK_OK(mpc_ctx_new(&ctx, &cfg));
    CHECK(ctx != NULL);
    void *p = mpc_ctx_alloc(ctx, 16);
    CHECK(p != NULL);
    mpc_ctx_free_mem(ctx, p, 16);
    CHECK(mpc_ctx_alloc(ctx, 0) == NULL);
    CHECK(mpc_ctx_alloc_array(ctx, SIZE_MAX / 2, 4) == NULL);
    mpc_ctx_free(ctx);
}

TEST(core_drbg_is_deterministic_and_call_separated)
{
    mpc_drbg a, b;
    uint8_t x[48], y[48], z[48];
    mpc_drbg_init(&a, (const uint8_t *)"seed", 4);
    mpc_drbg_init(&b, (const uint8_t *)"seed", 4);
    mpc_drbg_fill(&a, x, sizeof x);
    mpc_drbg_fill(&b, y, sizeof y);
    CHECK_MEM(x, y, sizeof x);
    mpc_drbg_fill(&a, z, sizeof z);
    CHECK(memcmp(x, z, sizeof x) != 0);
    mpc_drbg_init(&b, (const uint8_t *)"seeD", 4);
    mpc_drbg_fill(&b, y, sizeof y);
    CHECK(memcmp(x, y, sizeof x) != 0);
    mpc_drbg_clear(&a);
    static const uint8_t zero[sizeof a.key];
    CHECK_MEM(a.key, zero, sizeof zero);
}

TEST(core_wipe_zeroes)
{
    uint8_t buf[64];
    memset(buf, 0xa5, sizeof buf);
    mpc_wipe(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0);
    mpc_wipe(NULL, 10);
}
