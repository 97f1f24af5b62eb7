/* Text paths ("m/44/60/0/0/0") from untrusted clients. The grammar admits
 * one spelling per path, so a path can be compared or logged as text
 * without normalising it first. */
#include <string.h>

#include "mpc/hd.h"

static mpc_err parse(uint32_t *path, size_t *n, const char *s, size_t len)
{
    if (len == 0 || s[0] != 'm')
        return MPC_ERR_PARSE;
    size_t i = 1;
    while (i < len) {
        if (s[i] != '/' || *n == MPC_HD_MAX_DEPTH)
            return MPC_ERR_PARSE;
        size_t start = ++i;
        uint64_t v = 0; /* < 2^31 before each digit, so no overflow */
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (i > start && s[start] == '0')
                return MPC_ERR_PARSE; /* leading zero */
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v >= MPC_HD_HARDENED)
                return MPC_ERR_PARSE;
            i++;
        }
        if (i == start)
            return MPC_ERR_PARSE; /* empty component or not a digit */
        path[(*n)++] = (uint32_t)v;
    }
    return MPC_OK;
}

mpc_err mpc_hd_path_parse(uint32_t path[MPC_HD_MAX_DEPTH], size_t *path_len,
                          const char *str, size_t str_len)
{
    if (path_len != NULL)
        *path_len = 0;
    if (path != NULL)
        memset(path, 0, MPC_HD_MAX_DEPTH * sizeof *path);
    if (path == NULL || path_len == NULL || str == NULL)
        return MPC_ERR_INVALID_ARG;

    size_t n = 0;
    mpc_err err = parse(path, &n, str, str_len);
    if (err != MPC_OK) {
        memset(path, 0, MPC_HD_MAX_DEPTH * sizeof *path);
        return err;
    }
    *path_len = n;
    return MPC_OK;
}
