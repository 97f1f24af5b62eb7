#include "common/os_rng.h"

#include <sodium.h>

void os_rng_fill(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    randombytes_buf(buf, len);
}
