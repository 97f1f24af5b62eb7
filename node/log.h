/*
 * node/log.h — one structured line per event on stderr:
 *   2026-11-26T02:58:00.123Z level=info msg="..." key=value ...
 * Callers never pass secrets. Thread-safe (one write(2) per line).
 */
#ifndef NODE_LOG_H
#define NODE_LOG_H

typedef enum node_log_level {
    NODE_LOG_DEBUG = 0,
    NODE_LOG_INFO = 1,
    NODE_LOG_WARN = 2,
    NODE_LOG_ERROR = 3,
} node_log_level;

/** Lines below `level` are dropped (default INFO). */
void node_log_set_level(node_log_level level);

/** Logs msg (quoted) followed by the printf-formatted key=value fields
 *  (`fields` may be NULL). */
void node_log(node_log_level level, const char *msg, const char *fields, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* NODE_LOG_H */
