#include "mpc/mem.h"

#include <gmp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#if defined(MPC_TEST_BUILD) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MPC_HAVE_MEMCHECK 1
#endif
#endif

static void *std_zalloc(size_t size, void *ud)
{
    (void)ud;
    return calloc(1, size);
}

static void std_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

void mpc_mem_default(mpc_mem *mem)
{
    mem->ud = NULL;
    mem->zalloc = std_zalloc;
    mem->free = std_free;
}

void mpc_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0)
        return;
    sodium_memzero(p, len);
#ifdef MPC_HAVE_MEMCHECK
    /* In test builds a use of wiped memory is reported by valgrind. */
    VALGRIND_MAKE_MEM_UNDEFINED(p, len);
#endif
}

void mpc_declassify(const void *p, size_t len)
{
#ifdef MPC_HAVE_MEMCHECK
    VALGRIND_MAKE_MEM_DEFINED(p, len);
#else
    (void)p;
    (void)len;
#endif
}

/* GMP's hooks abort on failure by contract (GMP manual, "Custom
 * Allocation"): they may not return NULL. */
static void *gmp_alloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        abort();
    return p;
}

static void *gmp_realloc(void *old, size_t old_size, size_t new_size)
{
    void *p = gmp_alloc(new_size);
    memcpy(p, old, old_size < new_size ? old_size : new_size);
    sodium_memzero(old, old_size);
    free(old);
    return p;
}

static void gmp_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    sodium_memzero(p, size);
    free(p);
}

void mpc_gmp_use_zeroing_allocator(void)
{
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
}
