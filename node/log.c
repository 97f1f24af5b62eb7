/*
 * node/log.c — structured log lines (see log.h).
 */
#include "node/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = NODE_LOG_INFO;

void node_log_set_level(node_log_level level)
{
    atomic_store(&min_level, (int)level);
}

static const char *level_name(node_log_level level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    return (unsigned)level < 4u ? names[level] : "error";
}

void node_log(node_log_level level, const char *msg, const char *fields, ...)
{
    if ((int)level < atomic_load(&min_level))
        return;
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=\"%s\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L,
                     level_name(level), msg);
    size_t len = n < 0                     ? 0
                 : (size_t)n < sizeof line ? (size_t)n
                                           : sizeof line - 1;
    if (fields != NULL && len + 2 < sizeof line) {
        line[len++] = ' ';
        va_list ap;
        va_start(ap, fields);
        int m = vsnprintf(line + len, sizeof line - len, fields, ap);
        va_end(ap);
        if (m > 0)
            len += (size_t)m < sizeof line - len ? (size_t)m
                                                 : sizeof line - len - 1;
    }
    if (len + 1 < sizeof line)
        line[len++] = '\n';
    else
        line[sizeof line - 1] = '\n', len = sizeof line;
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
