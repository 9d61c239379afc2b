/*
 * Levelled log lines on stderr: an ISO 8601 UTC time, the level, the text.
 * systemd's journal adds its own time, but the daemon is also run by hand and
 * by tests, which read these lines (for example the listening address).
 * Each line is written with one fprintf under stdio's own lock, so lines from
 * different threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "signpost/log.h"

sg_log_level sg_log_threshold = SG_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void sg_log_set_level(sg_log_level level)
{
    sg_log_threshold = level;
}

int sg_log_parse_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void sg_log_write(sg_log_level level, const char *fmt, ...)
{
    char msg[1024];
    char stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s: %s\n", stamp, level_names[level], msg);
}
