/*
 * `signpost doctor`: is this kiosk fit to run?  One line per check, OK,
 * WARN or FAIL, what was found and what to do, for the installer at the
 * screen or the person on the phone with them.  Exit 1 when any line
 * FAILs.  The thresholds and the line format are pure (src/ops/rules.c);
 * the probes here and in doctor_probes.c only look: read-only database
 * connections with a time bound, no file made (the TLS certificate
 * included), nothing sent (the gateway is asked, not used).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/app.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"

#define CHECK_MAX_S 120 /* integrity checks: a kiosk's files take seconds */

static void usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "usage: signpost %s [--config FILE] [--state-dir DIR]\n"
            "\n"
            "Checks the configuration, the databases, disk space, the clock and time\n"
            "zone, the printer, the SMS gateway, the staff certificate, the SMS key and\n"
            "the directory.  One line each: OK, WARN or FAIL, the finding, what to do.\n"
            "Exits 1 when any check FAILs.\n",
            cmd);
}

static void probe_config(doc_ctx *c, doc_line *l)
{
    char err[512], what[1024];
    sg_instrument *inst = NULL;
    sg_domain_map *map = malloc(sizeof *map);

    if (!map || app_load_instrument(c->cfg, &inst, err, sizeof err) ||
        app_load_domain_map(c->cfg, map, err, sizeof err)) {
        doc_set(l, DOC_FAIL, "config", map ? err : "out of memory",
                "fix the file or key named; the service will not start");
    } else {
        snprintf(what, sizeof what, "%s loads: instrument %s, state in %s",
                 c->cfg->demo ? "demo defaults" : c->cfg->source, c->cfg->instrument,
                 c->cfg->store_dir);
        doc_set(l, DOC_OK, "config", what, NULL);
    }
    instrument_free(inst);
    free(map);
}

/* Integrity of one database file of the state directory. */
static void probe_db(doc_ctx *c, doc_line *l, const char *name, const char *todo)
{
    char path[4096], first[200], what[4400];
    sg_rc rc = ops_state_path(c->cfg, name, path, sizeof path);

    if (!rc)
        rc = db_check(path, 0, CHECK_MAX_S, first, sizeof first);
    if (rc == SG_ENOTFOUND) {
        doc_set(l, DOC_WARN, name, "no such file yet", "it is made at the first start");
        return;
    }
    snprintf(what, sizeof what, "%s: integrity %s", path, first);
    doc_set(l, rc == SG_OK ? doc_integrity_level(first) : DOC_FAIL, name, what,
            rc == SG_OK && !strcmp(first, "ok") ? NULL : todo);
}

static void probe_store(doc_ctx *c, doc_line *l)
{
    char path[4096], what[4400];
    long long version = 0;

    probe_db(c, l, SG_DB_FILE, "stop the service and restore the newest good backup "
                               "(signpost restore)");
    if (l->level != DOC_OK || ops_state_path(c->cfg, SG_DB_FILE, path, sizeof path) ||
        db_query_long(path, "PRAGMA user_version", &version))
        return;
    if (version > store_schema_version()) {
        snprintf(what, sizeof what, "%s is at schema %lld, newer than this signpost (%d)", path,
                 version, store_schema_version());
        doc_set(l, DOC_FAIL, SG_DB_FILE, what, "install the newer signpost again");
    }
    c->db_ready = version == store_schema_version();
}

static void probe_dirdb(doc_ctx *c, doc_line *l)
{
    probe_db(c, l, DIRECTORY_DB_FILE, "import the directory again (signpost import SOURCE)");
    if (l->level == DOC_WARN)
        doc_set(l, DOC_WARN, DIRECTORY_DB_FILE, "no such file yet",
                "the first start imports [directory] import, or run signpost import");
}

static void probe_disk(doc_ctx *c, doc_line *l)
{
    struct statvfs vfs;
    unsigned long long avail, total;
    char what[320];
    doc_level lv;

    if (statvfs(c->cfg->store_dir, &vfs) != 0 && statvfs(".", &vfs) != 0) {
        doc_set(l, DOC_FAIL, "disk", "cannot read the free space", "check the state folder");
        return;
    }
    avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    total = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
    lv = doc_disk_level(avail, total);
    snprintf(what, sizeof what, "%llu MB free of %llu MB (%llu %%) under %s", avail >> 20,
             total >> 20, total ? avail * 100 / total : 0, c->cfg->store_dir);
    doc_set(l, lv, "disk", what,
            lv == DOC_OK ? NULL
                         : "free space: old backups in backups/, receipts/, the journal "
                           "(journalctl --vacuum-size=50M)");
}

static void probe_clock(doc_ctx *c, doc_line *l)
{
    struct timex tx;
    int state;

    (void)c;
    if (access("/run/systemd/timesync/synchronized", F_OK) == 0) {
        doc_set(l, DOC_OK, "clock", "synchronised (systemd-timesyncd)", NULL);
        return;
    }
    memset(&tx, 0, sizeof tx); /* modes 0: only reads */
    state = adjtimex(&tx);
    if (state != -1 && state != TIME_ERROR && !(tx.status & STA_UNSYNC)) {
        doc_set(l, DOC_OK, "clock", "synchronised (kernel NTP status)", NULL);
        return;
    }
    doc_set(l, DOC_WARN, "clock", "not synchronised: reminders wait until the clock is set",
            "check the network and NTP (timedatectl timesync-status)");
}

static void probe_timezone(doc_ctx *c, doc_line *l)
{
    char path[SG_CFG_STR + 32], when[64], what[320];
    struct tm tm;

    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", c->cfg->clinic_timezone);
    if (access(path, R_OK) != 0) {
        snprintf(what, sizeof what, "%s: no such zone in /usr/share/zoneinfo",
                 c->cfg->clinic_timezone);
        doc_set(l, DOC_FAIL, "timezone", what, "install tzdata or fix [clinic] timezone");
        return;
    }
    setenv("TZ", c->cfg->clinic_timezone, 1);
    tzset();
    localtime_r(&c->now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
    snprintf(what, sizeof what, "%s: local time %s", c->cfg->clinic_timezone, when);
    doc_set(l, DOC_OK, "timezone", what, NULL);
}

typedef void (*doc_probe)(doc_ctx *c, doc_line *l);

/* In order: later probes rely on what earlier ones found (db_ready). */
static const doc_probe probes[] = {
    probe_config,      probe_store,   probe_dirdb,   probe_disk,
    probe_clock,       probe_timezone, doc_probe_printer, doc_probe_sms,
    doc_probe_tls,     doc_probe_key, doc_probe_directory,
};
#define NPROBES (sizeof probes / sizeof probes[0])

int cmd_doctor(int argc, char **argv)
{
    doc_line lines[NPROBES];
    char out[800];
    cli_opts o = {0};
    doc_ctx c = {0};
    int rc = cli_parse_opts(argc, argv, 0, OPS_FLAGS, usage, &o);

    if (rc)
        return rc < 0 ? SG_EXIT_OK : rc;
    if (ops_load(&o, &c.cfg)) {
        printf("FAIL  config       the configuration does not load (see above)"
               " -> fix it; the service will not start\n");
        return SG_EXIT_FAIL;
    }
    c.now = o.now;
    for (size_t i = 0; i < NPROBES; i++) {
        memset(&lines[i], 0, sizeof lines[i]);
        probes[i](&c, &lines[i]);
        doc_format(&lines[i], out, sizeof out);
        printf("%s\n", out);
        fflush(stdout); /* a slow gateway should not hide the lines before it */
    }
    free(c.cfg);
    return doc_exit_code(lines, NPROBES) ? SG_EXIT_FAIL : SG_EXIT_OK;
}
