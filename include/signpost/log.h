/*
 * Levelled logging to stderr.  The level is checked before any argument is
 * formatted, so a disabled debug line costs one comparison.  Callers must
 * never pass a patient answer, a phone number or a token: log ids, counts
 * and codes instead.
 */
#ifndef SIGNPOST_LOG_H
#define SIGNPOST_LOG_H

typedef enum {
    SG_LOG_DEBUG = 0,
    SG_LOG_INFO,
    SG_LOG_WARN,
    SG_LOG_ERROR
} sg_log_level;

extern sg_log_level sg_log_threshold;

void sg_log_set_level(sg_log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 when unknown. */
int sg_log_parse_level(const char *name);
void sg_log_write(sg_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define sg_log(level, ...)                                                       \
    do {                                                                         \
        if ((level) >= sg_log_threshold)                                         \
            sg_log_write((level), __VA_ARGS__);                                  \
    } while (0)
#define sg_debug(...) sg_log(SG_LOG_DEBUG, __VA_ARGS__)
#define sg_info(...) sg_log(SG_LOG_INFO, __VA_ARGS__)
#define sg_warn(...) sg_log(SG_LOG_WARN, __VA_ARGS__)
#define sg_error(...) sg_log(SG_LOG_ERROR, __VA_ARGS__)

#endif
