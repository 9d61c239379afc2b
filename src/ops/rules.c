/*
 * The pure rules of the operations commands (see ops.h): thresholds, the
 * report's line format, backup names, which backups to drop, and the
 * retention cut-off.  Kept apart from the probes so each decision can be
 * tested with made-up numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signpost/ops.h"

const char *doc_level_name(doc_level l)
{
    switch (l) {
    case DOC_OK: return "OK";
    case DOC_WARN: return "WARN";
    case DOC_FAIL: return "FAIL";
    }
    return "FAIL";
}

/* Both a share and an absolute floor: a 2 GB card at 10 % free is tighter
 * than a 64 GB one at 10 %. */
doc_level doc_disk_level(unsigned long long avail, unsigned long long total)
{
    unsigned long long pct = total ? avail * 100 / total : 0;

    if (pct < DOC_DISK_FAIL_PCT || avail < DOC_DISK_FAIL_BYTES)
        return DOC_FAIL;
    if (pct < DOC_DISK_WARN_PCT || avail < DOC_DISK_WARN_BYTES)
        return DOC_WARN;
    return DOC_OK;
}

doc_level doc_cert_level(int days_left)
{
    if (days_left < 0)
        return DOC_FAIL;
    return days_left < DOC_CERT_WARN_DAYS ? DOC_WARN : DOC_OK;
}

doc_level doc_integrity_level(const char *first_row)
{
    return first_row && strcmp(first_row, "ok") == 0 ? DOC_OK : DOC_FAIL;
}

doc_level doc_printer_level(printer_state s)
{
    switch (s) {
    case PRINTER_READY:
    case PRINTER_NO_ANSWER: return DOC_OK;
    case PRINTER_PAPER_NEAR_END: return DOC_WARN;
    case PRINTER_PAPER_OUT:
    case PRINTER_COVER_OPEN:
    case PRINTER_OFFLINE:
    case PRINTER_ERROR: return DOC_FAIL;
    }
    return DOC_FAIL;
}

doc_level doc_directory_level(long services, int age_days, int stale_days, int syncing)
{
    if (services <= 0)
        return DOC_WARN;
    if (!syncing && age_days > stale_days)
        return DOC_WARN;
    return DOC_OK;
}

void doc_set(doc_line *l, doc_level level, const char *check, const char *finding,
             const char *todo)
{
    l->level = level;
    snprintf(l->check, sizeof l->check, "%s", check);
    snprintf(l->finding, sizeof l->finding, "%s", finding);
    snprintf(l->todo, sizeof l->todo, "%s", todo ? todo : "");
}

void doc_format(const doc_line *l, char *out, size_t outlen)
{
    snprintf(out, outlen, "%-4s  %-12s %s%s%s", doc_level_name(l->level), l->check,
             l->finding, l->todo[0] ? " -> " : "", l->todo);
}

int doc_exit_code(const doc_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lines[i].level == DOC_FAIL)
            return 1;
    return 0;
}

/* UTC, so that a DST change never makes two nights share a name or sort
 * out of order. */
void ops_backup_name(time_t t, char out[OPS_BACKUP_NAME_LEN])
{
    struct tm tm;
    char stamp[20];

    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, OPS_BACKUP_NAME_LEN, OPS_BACKUP_PREFIX "%s.db", stamp);
}

int ops_is_backup_name(const char *name)
{
    static const char shape[] = "signpost-DDDDDDDD-DDDDDD.db";

    if (strlen(name) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++) {
        int digit = name[i] >= '0' && name[i] <= '9';
        if (shape[i] == 'D' ? !digit : name[i] != shape[i])
            return 0;
    }
    return 1;
}

static sg_rc put(char *out, size_t outlen, const char *base, size_t baselen, const char *ext)
{
    int n = snprintf(out, outlen, "%.*s%s", (int)baselen, base, ext);
    return n < 0 || (size_t)n >= outlen ? SG_ETOOBIG : SG_OK;
}

sg_rc ops_backup_paths_for(const char *db_path, ops_backup_paths *out)
{
    size_t len = strlen(db_path);

    if (!len)
        return SG_EINVAL;
    if (len > 3 && strcmp(db_path + len - 3, ".db") == 0)
        len -= 3;
    if (put(out->db, sizeof out->db, db_path, len, ".db") ||
        put(out->directory, sizeof out->directory, db_path, len, ".directory.db") ||
        put(out->key, sizeof out->key, db_path, len, ".sms.key"))
        return SG_ETOOBIG;
    return SG_OK;
}

/* Backup names first, in time order (their stamps sort as text); others after. */
static int by_age(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int bx = ops_is_backup_name(x), by = ops_is_backup_name(y);

    if (bx != by)
        return by - bx;
    return strcmp(x, y);
}

size_t ops_prune_plan(char **names, size_t n, int keep)
{
    size_t backups = 0;

    qsort(names, n, sizeof *names, by_age);
    while (backups < n && ops_is_backup_name(names[backups]))
        backups++;
    if (keep < 0)
        keep = 0;
    return backups > (size_t)keep ? backups - (size_t)keep : 0;
}

sg_rc ops_retention_cutoff(time_t now, int days, time_t *cut, char iso[21])
{
    struct tm tm;

    if (days <= 0)
        return SG_ENOTFOUND;
    *cut = now - (time_t)days * 86400;
    gmtime_r(cut, &tm);
    strftime(iso, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return SG_OK;
}

int ops_parse_time(const char *s, time_t *out)
{
    struct tm tm;
    char *end;
    char z = 0;
    int used = 0;
    long long v;

    memset(&tm, 0, sizeof tm);
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &used) == 7 &&
        z == 'Z' && !s[used]) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        *out = timegm(&tm);
        return 0;
    }
    v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0)
        return -1;
    *out = (time_t)v;
    return 0;
}
