/* Message hashing: Keccak-256 on a digest-sized and a 1 KiB message, with
 * SHA-256 on 1 KiB for scale. Figures are per 1000 hashes (one hash is
 * below the report's 0.001 ms resolution). */
#include "mpc/msghash.h"
#include "tests/bench/bench.h"

/* Hashes `len` bytes 1000 * k times, feeding each digest back into the
 * message so no call can be skipped; returns ms per 1000 hashes. */
static double per_1000(mpc_msghash_alg alg, size_t len)
{
    uint8_t msg[1024] = {0};
    int k = bench_iters(100);
    double t0 = bench_cpu_ms();
    for (int i = 0; i < 1000 * k; i++)
        if (mpc_msghash(msg, alg, msg, len) != MPC_OK)
            return -1;
    return (bench_cpu_ms() - t0) / k;
}

BENCH(msghash_keccak256)
{
    bench_report("keccak256, 32 B message", "1000 hashes",
                 per_1000(MPC_MSGHASH_KECCAK256, 32));
    bench_report("keccak256, 1 KiB message", "1000 hashes",
                 per_1000(MPC_MSGHASH_KECCAK256, 1024));
    bench_report("sha256 (libsodium), 1 KiB message", "1000 hashes",
                 per_1000(MPC_MSGHASH_SHA256, 1024));
}
