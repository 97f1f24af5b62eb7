/*
 * tests/node/nodecfg_util.h — small file helpers shared by the config,
 * identity and password tests (static inline: each test file includes what
 * it uses).
 */
#ifndef NODECFG_UTIL_H
#define NODECFG_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NC_PATH 512

/* snprintf for test paths and texts; truncation just makes a test fail. */
__attribute__((format(printf, 3, 4))) static inline void
nc_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* A fresh private directory under /tmp; false on failure. */
static inline bool nc_tmpdir(char out[NC_PATH])
{
    nc_fmt(out, NC_PATH, "/tmp/mpc-nodecfg-XXXXXX");
    return mkdtemp(out) != NULL;
}

/* Writes `len` bytes to dir/name (mode 0600); puts the path in `path`
 * (may be NULL). */
static inline bool nc_write(const char *dir, const char *name, const void *data,
                            size_t len, char *path)
{
    char buf[NC_PATH];
    nc_fmt(buf, sizeof buf, "%s/%s", dir, name);
    if (path != NULL)
        memcpy(path, buf, strlen(buf) + 1);
    int fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, len) == (ssize_t)len;
    return close(fd) == 0 && ok;
}

static inline bool nc_write_str(const char *dir, const char *name,
                                const char *text, char *path)
{
    return nc_write(dir, name, text, strlen(text), path);
}

/* Reads dir/name into a NUL-terminated malloc'd buffer (NULL on failure).
 */
static inline char *nc_read(const char *dir, const char *name, size_t *len)
{
    char path[NC_PATH];
    nc_fmt(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

/* Permission bits of dir/name, or -1. */
static inline int nc_mode(const char *dir, const char *name)
{
    char path[NC_PATH];
    struct stat st;
    nc_fmt(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static inline bool nc_exists(const char *dir, const char *name)
{
    return nc_mode(dir, name) >= 0;
}

/* rm -r of a test directory (two levels are all the tests create). */
static inline void nc_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[NC_PATH];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        nc_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            nc_rmtree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

#endif /* NODECFG_UTIL_H */
