#include "mpc/err.h"

#include <stddef.h>

struct err_entry {
    mpc_err code;
    const char *name;
    const char *text;
};

/* One row per code; scripts/lint.sh checks that every enum value has a row. */
static const struct err_entry err_table[] = {
    {MPC_OK, "MPC_OK", "success"},
    {MPC_ERR_NOMEM, "MPC_ERR_NOMEM", "out of memory"},
    {MPC_ERR_INVALID_ARG, "MPC_ERR_INVALID_ARG", "invalid argument"},
    {MPC_ERR_STATE, "MPC_ERR_STATE", "call not allowed in the current state"},
    {MPC_ERR_PARSE, "MPC_ERR_PARSE", "malformed encoding"},
    {MPC_ERR_VERIFY, "MPC_ERR_VERIFY", "verification failed"},
    {MPC_ERR_PROTOCOL, "MPC_ERR_PROTOCOL", "a peer violated the protocol"},
    {MPC_ERR_TIMEOUT, "MPC_ERR_TIMEOUT", "deadline passed"},
    {MPC_ERR_NOT_FOUND, "MPC_ERR_NOT_FOUND", "not found"},
    {MPC_ERR_CONFLICT, "MPC_ERR_CONFLICT", "conflict with existing state"},
    {MPC_ERR_AUTH, "MPC_ERR_AUTH", "not authorized"},
    {MPC_ERR_IO, "MPC_ERR_IO", "input/output error"},
    {MPC_ERR_UNAVAILABLE, "MPC_ERR_UNAVAILABLE", "service unavailable"},
    {MPC_ERR_INTERNAL, "MPC_ERR_INTERNAL", "internal error"},
};

static const struct err_entry *find(mpc_err e)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == e)
            return &err_table[i];
    return NULL;
}

const char *mpc_err_str(mpc_err e)
{
    const struct err_entry *x = find(e);
    return x ? x->text : "unknown error";
}

const char *mpc_err_name(mpc_err e)
{
    const struct err_entry *x = find(e);
    return x ? x->name : "MPC_ERR_UNKNOWN";
}

bool mpc_err_is_fatal(mpc_err e)
{
    return e != MPC_OK && e != MPC_ERR_INVALID_ARG && e != MPC_ERR_STATE;
}
