/*
 * The doctor's probes of things outside the databases (see doctor.c): the
 * printer, the SMS gateway, the staff certificate, the SMS key and the
 * directory.  Each asks with a short timeout and changes nothing: the
 * certificate is read only when it exists (tls_load_or_create would make
 * one), the gateway is asked whether it knows us, never given a text.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_internal.h"
#include "signpost/directory_db.h"
#include "signpost/maintain.h"
#include "signpost/sms_gateway.h"
#include "signpost/sms_store.h"
#include "signpost/tls.h"

#define PRINTER_STATUS_MS 2000
#define GATEWAY_TIMEOUT_S 10

void doc_probe_printer(doc_ctx *c, doc_line *l)
{
    char path[SG_CFG_PATH + 32], err[512], what[320];
    printer_profile p;
    printer *pr = NULL;
    printer_state st = PRINTER_ERROR;
    doc_level lv;

    if (!strcmp(c->cfg->printer_transport, "none")) {
        doc_set(l, DOC_OK, "printer", "printing off ([printer] transport = none)", NULL);
        return;
    }
    if (!strcmp(c->cfg->printer_transport, "file") && !c->cfg->printer_path[0] &&
        access(c->cfg->store_dir, F_OK) != 0) { /* opening would make the folders */
        doc_set(l, DOC_OK, "printer", "file printer: receipts/ is made at first start", NULL);
        return;
    }
    snprintf(path, sizeof path, "%s/printers/profiles.json", c->cfg->data_dir);
    if (printer_profile_load(path, c->cfg->printer_profile, &p, err, sizeof err) ||
        printer_open(c->cfg, &p, &pr, err, sizeof err) ||
        printer_status(pr, &st, PRINTER_STATUS_MS)) {
        doc_set(l, DOC_FAIL, "printer", pr ? printer_errmsg(pr) : err,
                "check the cable or network, the power, and [printer] in the configuration");
        printer_close(pr);
        return;
    }
    lv = doc_printer_level(st);
    snprintf(what, sizeof what, "%s: %s", printer_describe(pr), printer_state_name(st));
    doc_set(l, lv, "printer", what,
            lv == DOC_OK ? NULL : "load paper, close the cover, check the printer's light");
    printer_close(pr);
}

void doc_probe_sms(doc_ctx *c, doc_line *l)
{
    char err[512], reason[512], what[1024];
    sms_gateway *gw = NULL;
    sg_rc rc;

    if (!strcmp(c->cfg->sms_gateway, "none")) {
        doc_set(l, DOC_OK, "sms", "texting off ([sms] gateway = none)", NULL);
        return;
    }
    if (!strcmp(c->cfg->sms_gateway, "log")) {
        doc_set(l, DOC_OK, "sms", "demo gateway: texts are only logged, never sent", NULL);
        return;
    }
    if (c->cfg->sms_timeout_s > GATEWAY_TIMEOUT_S)
        c->cfg->sms_timeout_s = GATEWAY_TIMEOUT_S; /* a check, not a send: answer soon */
    if ((rc = gw_open(c->cfg, &gw, err, sizeof err)) == SG_OK)
        rc = gw_check(gw, reason, sizeof reason);
    else
        snprintf(reason, sizeof reason, "%s", err);
    if (rc) {
        snprintf(what, sizeof what, "%s: %s", c->cfg->sms_gateway, reason);
        doc_set(l, DOC_FAIL, "sms", what,
                rc == SG_EAUTH ? "check the account and the secret file named in [sms.*]"
                               : "check the network and the gateway's address in [sms.*]");
    } else {
        snprintf(what, sizeof what, "%s answers and accepts the credentials", gw_name(gw));
        doc_set(l, DOC_OK, "sms", what, NULL);
    }
    gw_close(gw);
}

static void tls_finding(doc_ctx *c, doc_line *l, const tls_material *m)
{
    char when[32], what[320];
    int days = tls_days_left(m, c->now);
    doc_level lv = doc_cert_level(days);
    struct tm tm;

    gmtime_r(&m->not_after, &tm);
    strftime(when, sizeof when, "%Y-%m-%d", &tm);
    snprintf(what, sizeof what, "staff certificate %s %s (%d days), SHA-256 %s",
             days < 0 ? "expired on" : "expires", when, days, m->fingerprint);
    doc_set(l, lv, "tls", what,
            lv == DOC_OK ? NULL
                         : "renew it: new [staff] tls_cert/tls_key files, or delete "
                           "staff-tls.crt and staff-tls.key for a new self-signed pair");
}

void doc_probe_tls(doc_ctx *c, doc_line *l)
{
    const sg_config *cfg = c->cfg;
    char path[4096], err[512];
    tls_material m;
    int own = !cfg->staff_tls_cert[0];

    if (!strcmp(cfg->staff_tls, "off")) {
        doc_set(l, DOC_OK, "tls", "staff listener is plain HTTP on loopback ([staff] tls = off)",
                NULL);
        return;
    }
    if (own && (ops_state_path(cfg, "staff-tls.crt", path, sizeof path) ||
                access(path, F_OK) != 0)) {
        doc_set(l, DOC_OK, "tls", "no staff certificate yet: made at first start", NULL);
        return;
    }
    if (tls_load_or_create(cfg->staff_tls_cert, cfg->staff_tls_key, cfg->store_dir, &m, err,
                           sizeof err)) {
        doc_set(l, DOC_FAIL, "tls", err, "fix or replace the certificate and key files");
        return;
    }
    tls_finding(c, l, &m);
    tls_material_free(&m);
}

/* How many sealed numbers and texts the store holds; -1 when unknown. */
static long sealed_count(doc_ctx *c)
{
    char err[512];
    sg_store *st = NULL;
    long n = -1;

    /* Opened only at this binary's schema: the doctor never migrates. */
    if (c->db_ready && store_open(c->cfg->store_dir, 1, &st, err, sizeof err) == SG_OK &&
        store_sms_sealed_count(st, &n) != SG_OK)
        n = -1;
    store_close(st);
    return n;
}

void doc_probe_key(doc_ctx *c, doc_line *l)
{
    char path[4096], what[4400];
    long sealed = sealed_count(c);
    struct stat st;

    if (ops_key_path(c->cfg, path, sizeof path) || stat(path, &st) != 0) {
        snprintf(what, sizeof what, "%s missing; the store holds %ld sealed numbers and texts",
                 path, sealed < 0 ? 0 : sealed);
        doc_set(l, sealed > 0 ? DOC_FAIL : DOC_OK, "sms key",
                sealed > 0 ? what : "no key yet: made on first use, nothing sealed",
                sealed > 0 ? "restore the key file from the backup (signpost restore)" : NULL);
        return;
    }
    snprintf(what, sizeof what, "%s present, %ld sealed numbers and texts", path,
             sealed < 0 ? 0 : sealed);
    if (st.st_mode & 077)
        doc_set(l, DOC_WARN, "sms key", what, "readable by others: chmod 600 it");
    else
        doc_set(l, DOC_OK, "sms key", what, NULL);
}

void doc_probe_directory(doc_ctx *c, doc_line *l)
{
    char path[4096], err[512], what[320];
    directory_reader *r = NULL;
    long long age = -1;
    long services = 0;
    doc_level lv;

    if (ops_state_path(c->cfg, DIRECTORY_DB_FILE, path, sizeof path) || access(path, F_OK)) {
        doc_set(l, DOC_WARN, "directory", "no directory imported yet",
                "the first start imports [directory] import, or run signpost import SOURCE");
        return;
    }
    if (directory_reader_open(c->cfg->store_dir, &r, err, sizeof err)) {
        doc_set(l, DOC_FAIL, "directory", err, "import it again (signpost import SOURCE)");
        return;
    }
    services = (long)directory_reader_count(r);
    directory_reader_close(r);
    db_query_long(path, "SELECT CAST(julianday('now') - julianday(value) AS INTEGER)"
                        " FROM meta WHERE key = 'imported_at'", &age);
    lv = doc_directory_level(services, (int)age, c->cfg->stale_days,
                             c->cfg->directory_sync_url[0] != '\0');
    snprintf(what, sizeof what, "%ld services, imported %lld days ago%s", services, age,
             c->cfg->directory_sync_url[0] ? ", kept up to date by sync" : "");
    doc_set(l, lv, "directory", what,
            lv == DOC_OK ? NULL
                         : services ? "import a current copy (signpost import) or set "
                                      "[directory] sync_url"
                                    : "import one (signpost import SOURCE)");
}
