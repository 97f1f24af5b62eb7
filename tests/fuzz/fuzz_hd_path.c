/* Fuzzes mpc_hd_path_parse, which reads text paths from untrusted clients.
 * Besides memory safety it checks the contract: failures leave zeroed
 * outputs, and an accepted path is valid and re-formats to exactly the
 * input bytes (the grammar has one spelling per path). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpc/hd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t path[MPC_HD_MAX_DEPTH];
    size_t len = SIZE_MAX;
    memset(path, 0xa5, sizeof path);
    mpc_err err = mpc_hd_path_parse(path, &len, (const char *)data, size);
    if (err != MPC_OK) {
        if (err != MPC_ERR_PARSE || len != 0)
            abort();
        for (size_t i = 0; i < MPC_HD_MAX_DEPTH; i++) {
            if (path[i] != 0)
                abort();
        }
        return 0;
    }
    if (!mpc_hd_path_is_valid(path, len))
        abort();

    char text[1 + MPC_HD_MAX_DEPTH * sizeof "/2147483647"];
    size_t n = 0;
    text[n++] = 'm';
    for (size_t i = 0; i < len; i++) {
        int w = snprintf(text + n, sizeof text - n, "/%" PRIu32, path[i]);
        if (w < 0 || (size_t)w >= sizeof text - n)
            abort();
        n += (size_t)w;
    }
    if (n != size || memcmp(text, data, size) != 0)
        abort();
    return 0;
}
