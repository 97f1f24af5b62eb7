/* lib/ec: scalar and point operations of both groups. Operations that take
 * about a microsecond or less are reported per 1000 calls. */
#include <stdio.h>

#include "mpc/group.h"
#include "tests/bench/bench.h"

#define SCALAR_OPS 1000

typedef void (*scalar_binop)(const mpc_group *, mpc_scalar *,
                             const mpc_scalar *, const mpc_scalar *);

static void bench_scalar_binop(const mpc_group *g, const char *name,
                               scalar_binop op)
{
    mpc_scalar a, b;
    mpc_scalar_random(g, &a);
    mpc_scalar_random(g, &b);
    int iters = bench_iters(200);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters * SCALAR_OPS; i++)
        op(g, &a, &a, &b); /* chained, so no call can be skipped */
    bench_report(name, "1000 ops", (bench_cpu_ms() - t0) / iters);
}

static void bench_scalars(const mpc_group *g, const char *curve)
{
    char what[64];
    snprintf(what, sizeof what, "%s scalar add", curve);
    bench_scalar_binop(g, what, mpc_scalar_add);
    snprintf(what, sizeof what, "%s scalar mul", curve);
    bench_scalar_binop(g, what, mpc_scalar_mul);

    mpc_scalar a;
    uint8_t wide[64] = {1};
    int iters = bench_iters(20);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters * SCALAR_OPS; i++) {
        mpc_scalar_reduce_be(g, &a, wide, sizeof wide);
        wide[i % 64] ^= a.v[0];
    }
    snprintf(what, sizeof what, "%s scalar reduce 64 bytes", curve);
    bench_report(what, "1000 ops", (bench_cpu_ms() - t0) / iters);

    mpc_scalar_random(g, &a);
    iters = bench_iters(2000);
    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_scalar_inv(g, &a, &a) != MPC_OK)
            return;
    snprintf(what, sizeof what, "%s scalar inv", curve);
    bench_report(what, "op", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters * 10; i++)
        if (mpc_scalar_inv_var(g, &a, &a) != MPC_OK)
            return;
    snprintf(what, sizeof what, "%s scalar inv_var", curve);
    bench_report(what, "1000 ops", (bench_cpu_ms() - t0) * 100 / iters);
}

static void bench_points(const mpc_group *g, const char *curve)
{
    char what[64];
    mpc_scalar k;
    mpc_point p, q;
    mpc_scalar_random(g, &k);
    mpc_point_mul_base(g, &p, &k);

    int iters = bench_iters(1000);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        mpc_point_mul_base(g, &q, &k);
    snprintf(what, sizeof what, "%s point mul_base", curve);
    bench_report(what, "op", (bench_cpu_ms() - t0) / iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        mpc_point_mul(g, &p, &k, &p);
    snprintf(what, sizeof what, "%s point mul", curve);
    bench_report(what, "op", (bench_cpu_ms() - t0) / iters);

    int add_iters = bench_iters(10000);
    t0 = bench_cpu_ms();
    for (int i = 0; i < add_iters; i++)
        mpc_point_add(g, &p, &p, &q);
    snprintf(what, sizeof what, "%s point add", curve);
    bench_report(what, "1000 ops", (bench_cpu_ms() - t0) * 1000 / add_iters);

    uint8_t buf[MPC_POINT_MAX_BYTES];
    size_t len = mpc_group_point_bytes(g);
    t0 = bench_cpu_ms();
    for (int i = 0; i < add_iters; i++)
        mpc_point_serialize(g, buf, &p);
    snprintf(what, sizeof what, "%s point serialize", curve);
    bench_report(what, "1000 ops", (bench_cpu_ms() - t0) * 1000 / add_iters);

    t0 = bench_cpu_ms();
    for (int i = 0; i < iters; i++)
        if (mpc_point_parse(g, &q, buf, len) != MPC_OK)
            return;
    snprintf(what, sizeof what, "%s point parse", curve);
    bench_report(what, "op", (bench_cpu_ms() - t0) / iters);
}

BENCH(group_secp256k1)
{
    const mpc_group *g = mpc_ctx_group(bench_ctx(), MPC_CURVE_SECP256K1);
    bench_scalars(g, "secp256k1");
    bench_points(g, "secp256k1");
}

BENCH(group_ed25519)
{
    const mpc_group *g = mpc_ctx_group(bench_ctx(), MPC_CURVE_ED25519);
    bench_scalars(g, "ed25519");
    bench_points(g, "ed25519");
}
