/*
 * Configuration loading (see config.h).  The table below is the single
 * source of truth for every key: its section, name, type, limits and default.
 * docs/configuration.md documents the same table for humans; a unit test
 * loads a file that sets every key so the two cannot drift far apart.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "signpost/config.h"
#include "signpost/log.h"

typedef enum {
    K_STR,       /* free text */
    K_PATH,      /* a file system path (may be empty) */
    K_INT,       /* integer within [min, max] */
    K_COORD,     /* decimal degrees within [min, max], or empty */
    K_REAL,      /* non-negative decimal within [min, max] */
    K_ENUM,      /* one of choices, separated by commas */
    K_LISTEN,    /* IPv4ADDR:PORT */
    K_LANGS,     /* comma-separated two-letter language codes */
    K_DURATIONS, /* comma-separated durations like 7d, 36h, 90m */
    K_HOURSPAN,  /* HH:MM-HH:MM */
    K_TZ,        /* an IANA time zone name */
    K_BOOL       /* yes/no, true/false, on/off, 1/0 */
} key_type;

typedef struct {
    const char *section;
    const char *name;
    key_type type;
    size_t offset;
    size_t size; /* for strings: the array size */
    double min, max;
    const char *choices;
    const char *def;
} cfg_key;

#define S(sec, key, field, def)                                                  \
    {sec, key, K_STR, offsetof(sg_config, field), sizeof(((sg_config *)0)->field), \
     0, 0, NULL, def}
#define T(sec, key, type, field, def)                                            \
    {sec, key, type, offsetof(sg_config, field), sizeof(((sg_config *)0)->field),  \
     0, 0, NULL, def}
#define I(sec, key, field, lo, hi, def)                                          \
    {sec, key, K_INT, offsetof(sg_config, field), 0, lo, hi, NULL, def}
#define R(sec, key, type, field, lo, hi, def)                                    \
    {sec, key, type, offsetof(sg_config, field), 0, lo, hi, NULL, def}
#define B(sec, key, field, def)                                                  \
    {sec, key, K_BOOL, offsetof(sg_config, field), 0, 0, 1, NULL, def}
#define E(sec, key, field, choices, def)                                         \
    {sec, key, K_ENUM, offsetof(sg_config, field), sizeof(((sg_config *)0)->field), \
     0, 0, choices, def}

static const cfg_key keys[] = {
    S("clinic", "name", clinic_name, "Riverton Community Clinic"),
    S("clinic", "phone", clinic_phone, "(217) 555-0100"),
    T("clinic", "timezone", K_TZ, clinic_timezone, "America/Chicago"),

    T("kiosk", "listen", K_LISTEN, kiosk_listen, "127.0.0.1:8080"),
    S("kiosk", "id", kiosk_id, "kiosk-1"),
    T("kiosk", "languages", K_LANGS, kiosk_languages, "en,es"),
    R("kiosk", "latitude", K_COORD, kiosk_latitude, -90, 90, ""),
    R("kiosk", "longitude", K_COORD, kiosk_longitude, -180, 180, ""),
    I("kiosk", "idle_warning_s", idle_warning_s, 1, 3600, "60"),
    I("kiosk", "idle_reset_s", idle_reset_s, 1, 3600, "30"),
    I("kiosk", "token_ttl_s", token_ttl_s, 30, 3600, "900"),
    I("kiosk", "max_connections", max_connections, 2, 1024, "64"),
    I("kiosk", "max_body_kb", max_body_kb, 1, 1024, "16"),
    I("kiosk", "request_timeout_s", request_timeout_s, 1, 300, "10"),
    I("kiosk", "request_deadline_s", request_deadline_s, 1, 3600, "30"),
    I("kiosk", "threads", threads, 1, 64, "4"),

    T("staff", "listen", K_LISTEN, staff_listen, "0.0.0.0:8443"),
    T("staff", "tls_cert", K_PATH, staff_tls_cert, ""),
    T("staff", "tls_key", K_PATH, staff_tls_key, ""),
    E("staff", "tls", staff_tls, "auto,off", "auto"),
    I("staff", "session_idle_min", session_idle_min, 1, 720, "15"),
    I("staff", "session_max_h", session_max_h, 1, 168, "12"),
    I("staff", "threads", staff_threads, 1, 16, "2"),

    T("store", "dir", K_PATH, store_dir, "/var/lib/signpost"),
    I("store", "retention_days", retention_days, 0, 36500, "0"),
    I("store", "backups", store_backups, 0, 365, "7"),

    T("paths", "data_dir", K_PATH, data_dir, ""),
    T("paths", "ui_dir", K_PATH, ui_dir, ""),

    T("screening", "instrument", K_PATH, instrument, "ahc-hrsn-core"),
    I("screening", "safety_threshold", safety_threshold, 4, 20, "11"),

    T("directory", "import", K_PATH, directory_import, ""),
    S("directory", "sync_url", directory_sync_url, ""),
    I("directory", "sync_interval_min", sync_interval_min, 5, 10080, "360"),
    I("directory", "sync_max_pages", sync_max_pages, 1, 10000, "50"),
    I("directory", "sync_timeout_s", sync_timeout_s, 1, 600, "60"),
    I("directory", "sync_full_days", sync_full_days, 0, 365, "7"),
    T("directory", "domain_map", K_PATH, domain_map, ""),
    I("directory", "results_per_domain", results_per_domain, 1, 10, "3"),
    R("directory", "radius_km", K_REAL, radius_km, 0, 500, "0"),
    I("directory", "stale_days", stale_days, 1, 3650, "180"),

    E("printer", "transport", printer_transport, "serial,tcp,file,none", "file"),
    E("printer", "profile", printer_profile, "generic-58,csn-a2,tm-t20,tm-t88", "generic-58"),
    T("printer", "device", K_PATH, printer_device, "/dev/serial0"),
    I("printer", "baud", printer_baud, 1200, 921600, "19200"),
    E("printer", "flow", printer_flow, "none,xonxoff,rtscts", "none"),
    S("printer", "host", printer_host, ""),
    I("printer", "port", printer_port, 1, 65535, "9100"),
    T("printer", "path", K_PATH, printer_path, ""),
    I("printer", "max_queued", printer_max_queued, 1, 1000, "20"),
    I("printer", "timeout_s", printer_timeout_s, 1, 300, "20"),
    I("printer", "expire_min", printer_expire_min, 1, 1440, "10"),

    S("receipt", "qr_url", receipt_qr_url, ""),
    S("receipt", "footer", receipt_footer, ""),
    B("receipt", "print_safety", receipt_print_safety, "yes"),

    E("sms", "gateway", sms_gateway, "none,log,twilio,http,kannel", "log"),
    S("sms", "from", sms_from, ""),
    T("sms", "reminders", K_DURATIONS, sms_reminders, "7d,14d"),
    T("sms", "quiet_hours", K_HOURSPAN, sms_quiet_hours, "08:00-20:00"),
    I("sms", "max_per_day", sms_max_per_day, 1, 10, "1"),
    I("sms", "max_per_week", sms_max_per_week, 1, 30, "3"),
    I("sms", "validity_h", sms_validity_h, 1, 168, "24"),
    I("sms", "timeout_s", sms_timeout_s, 2, 120, "15"),
    I("sms", "retry_base_s", sms_retry_base_s, 1, 3600, "30"),
    I("sms", "retry_cap_s", sms_retry_cap_s, 1, 86400, "1800"),
    I("sms", "max_attempts", sms_max_attempts, 1, 50, "8"),
    I("sms", "reconcile_after_s", sms_reconcile_after_s, 1, 3600, "60"),
    B("sms", "send_list", sms_send_list, "yes"),
    S("sms", "public_url", sms_public_url, ""),
    T("sms", "key_file", K_PATH, sms_key_file, ""),

    S("sms.twilio", "account_sid", twilio_account_sid, ""),
    T("sms.twilio", "auth_token_file", K_PATH, twilio_auth_token_file, ""),
    S("sms.twilio", "messaging_service_sid", twilio_messaging_service_sid, ""),
    S("sms.twilio", "base_url", twilio_base_url, "https://api.twilio.com"),
    I("sms.twilio", "poll_s", twilio_poll_s, 0, 86400, "0"),

    S("sms.kannel", "url", kannel_url, ""),
    S("sms.kannel", "username", kannel_username, ""),
    S("sms.kannel", "smsc", kannel_smsc, ""),
    T("sms.kannel", "password_file", K_PATH, kannel_password_file, ""),

    S("sms.http", "url", http_url, ""),
    E("sms.http", "method", http_method, "POST,GET,PUT", "POST"),
    S("sms.http", "body", http_body, ""),
    S("sms.http", "headers", http_headers, ""),
    S("sms.http", "success", http_success, "2xx"),

    E("log", "level", log_level, "debug,info,warn,error", "info"),
};

#define NKEYS (sizeof keys / sizeof keys[0])

int config_list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return 1;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Checks "a.b.c.d:port" with each part in range. */
static int valid_listen(const char *v)
{
    char addr[64];
    int port;
    return config_split_listen(v, addr, sizeof addr, &port) == SG_OK;
}

static int valid_langs(const char *v)
{
    size_t n = 0;
    for (const char *p = v;; p++) {
        if (*p == ',' || *p == '\0') {
            if (n != 2)
                return 0;
            n = 0;
            if (!*p)
                return 1;
        } else if (*p >= 'a' && *p <= 'z') {
            n++;
        } else {
            return 0;
        }
    }
}

static int valid_durations(const char *v)
{
    int count = 0;
    const char *p = v;
    while (*p) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n <= 0 || n > 100000 || !strchr("smhd", *end) || !*end)
            return 0;
        count++;
        p = end + 1;
        if (*p == ',')
            p++;
        else if (*p)
            return 0;
    }
    return count > 0 && count <= SG_MAX_REMINDERS;
}

static int valid_hhmm(const char *p)
{
    return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
           p[2] == ':' && isdigit((unsigned char)p[3]) &&
           isdigit((unsigned char)p[4]) && (p[0] - '0') * 10 + (p[1] - '0') < 24 &&
           p[3] < '6';
}

/* The end of a span may be 24:00, so a whole day can be written. */
static int valid_hourspan(const char *v)
{
    return strlen(v) == 11 && valid_hhmm(v) && v[5] == '-' &&
           (valid_hhmm(v + 6) || strcmp(v + 6, "24:00") == 0);
}

static int valid_tz(const char *v)
{
    char path[SG_CFG_PATH + 32];
    struct stat st;

    if (!*v || v[0] == '/' || strstr(v, ".."))
        return 0;
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return 0;
    /* Without a zoneinfo database we cannot check; tzset() falls back to UTC. */
    if (stat("/usr/share/zoneinfo", &st) != 0)
        return 1;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", v);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Text formats: the check and what the message says was expected. */
static const struct {
    key_type type;
    int (*ok)(const char *v);
    const char *expected;
} formats[] = {
    {K_LISTEN, valid_listen, "IPV4ADDRESS:PORT such as 127.0.0.1:8080"},
    {K_LANGS, valid_langs, "two-letter language codes separated by commas"},
    {K_DURATIONS, valid_durations, "up to 8 durations such as 7d,14d (units s, m, h, d)"},
    {K_HOURSPAN, valid_hourspan, "HH:MM-HH:MM"},
    {K_TZ, valid_tz, "a time zone name from the IANA database such as America/Chicago"},
};

static int apply_number(sg_config *cfg, const cfg_key *k, const char *v, char *why,
                        size_t whylen)
{
    char *field = (char *)cfg + k->offset;
    long l;
    double d;

    if (k->type == K_INT) {
        if (parse_long(v, &l) || l < (long)k->min || l > (long)k->max) {
            snprintf(why, whylen, "expected a whole number from %.0f to %.0f, got \"%s\"",
                     k->min, k->max, v);
            return -1;
        }
        *(int *)(void *)field = (int)l;
        return 0;
    }
    if (k->type == K_COORD && !*v) {
        *(double *)(void *)field = NAN;
        return 0;
    }
    if (parse_double(v, &d) || d < k->min || d > k->max) {
        snprintf(why, whylen, "expected a number from %g to %g, got \"%s\"", k->min, k->max, v);
        return -1;
    }
    *(double *)(void *)field = d;
    return 0;
}

static int apply_bool(sg_config *cfg, const cfg_key *k, const char *v, char *why,
                      size_t whylen)
{
    int *field = (int *)(void *)((char *)cfg + k->offset);
    if (config_list_has("yes,true,on,1", v))
        *field = 1;
    else if (config_list_has("no,false,off,0", v))
        *field = 0;
    else {
        snprintf(why, whylen, "expected yes or no, got \"%s\"", v);
        return -1;
    }
    return 0;
}

/* Validates v for key k and stores it in cfg; on error fills why. */
static int apply(sg_config *cfg, const cfg_key *k, const char *v, char *why, size_t whylen)
{
    if (k->type == K_INT || k->type == K_COORD || k->type == K_REAL)
        return apply_number(cfg, k, v, why, whylen);
    if (k->type == K_BOOL)
        return apply_bool(cfg, k, v, why, whylen);
    if (k->type == K_ENUM && !config_list_has(k->choices, v)) {
        snprintf(why, whylen, "expected one of %s, got \"%s\"", k->choices, v);
        return -1;
    }
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].type == k->type && !formats[i].ok(v)) {
            snprintf(why, whylen, "expected %s, got \"%s\"", formats[i].expected, v);
            return -1;
        }
    if (strlen(v) >= k->size) {
        snprintf(why, whylen, "value is longer than %zu characters", k->size - 1);
        return -1;
    }
    memcpy((char *)cfg + k->offset, v, strlen(v) + 1);
    return 0;
}

static const cfg_key *find_key(const char *section, const char *name, int *section_known)
{
    *section_known = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].section, section) != 0)
            continue;
        *section_known = 1;
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

void config_defaults(sg_config *cfg)
{
    char why[256];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NKEYS; i++) {
        int bad = apply(cfg, &keys[i], keys[i].def, why, sizeof why);
        assert(bad == 0); /* a default that fails its own check is a bug */
        (void)bad;
    }
    cfg->demo = 1;
}

typedef struct {
    sg_config *cfg;
    char why[384];  /* the first error, without file and line */
    unsigned char seen[NKEYS];
} load_ctx;

static int on_ini_entry(void *user, const char *section, const char *name,
                        const char *value)
{
    load_ctx *ctx = user;
    int section_known;
    char why[256];
    const cfg_key *k = find_key(section, name, &section_known);

    if (ctx->why[0])
        return 0; /* keep the first error only; it is the one to fix first */
    if (!k) {
        if (!section_known)
            snprintf(ctx->why, sizeof ctx->why, "[%s]: unknown section", section);
        else
            snprintf(ctx->why, sizeof ctx->why, "[%s] %s: unknown key", section, name);
        return 0;
    }
    if (ctx->seen[k - keys]) {
        snprintf(ctx->why, sizeof ctx->why, "[%s] %s: set twice", section, name);
        return 0;
    }
    ctx->seen[k - keys] = 1;
    if (apply(ctx->cfg, k, value, why, sizeof why)) {
        snprintf(ctx->why, sizeof ctx->why, "[%s] %s: %s", section, name, why);
        return 0;
    }
    return 1;
}

sg_rc ini_check_lines(FILE *f, const char *path, char *err, size_t errlen)
{
    int c, line = 1;
    size_t len = 0;

    while ((c = getc(f)) != EOF) {
        if (c == '\n') {
            line++;
            len = 0;
        } else if (++len > SG_INI_MAX_LINE) {
            snprintf(err, errlen,
                     "%s:%d: line longer than %d characters (continue a long value on "
                     "indented lines)", path, line, SG_INI_MAX_LINE);
            rewind(f);
            return SG_EINVAL;
        }
    }
    rewind(f);
    return SG_OK;
}

sg_rc config_load(sg_config *cfg, const char *path, char *err, size_t errlen)
{
    load_ctx *ctx;
    FILE *f;
    int line;
    sg_rc rc = SG_OK;

    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return SG_EIO;
    }
    ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        fclose(f);
        return SG_ENOMEM;
    }
    if ((rc = ini_check_lines(f, path, err, errlen))) {
        fclose(f);
        goto out;
    }
    ctx->cfg = cfg;
    line = ini_parse_file(f, on_ini_entry, ctx);
    fclose(f);
    if (line != 0) {
        if (ctx->why[0])
            snprintf(err, errlen, "%s:%d: %s", path, line, ctx->why);
        else
            snprintf(err, errlen, "%s:%d: not a valid INI line", path, line);
        rc = SG_EINVAL;
        goto out;
    }
    snprintf(cfg->source, sizeof cfg->source, "%s", path);
    cfg->demo = 0;
out:
    free(ctx);
    return rc;
}

sg_rc config_set(sg_config *cfg, const char *section, const char *key,
                 const char *value, char *err, size_t errlen)
{
    int section_known;
    char why[256];
    const cfg_key *k = find_key(section, key, &section_known);

    if (!k) {
        snprintf(err, errlen, "[%s] %s: unknown key", section, key);
        return SG_EINVAL;
    }
    if (apply(cfg, k, value, why, sizeof why)) {
        snprintf(err, errlen, "[%s] %s: %s", section, key, why);
        return SG_EINVAL;
    }
    return SG_OK;
}

sg_rc config_split_listen(const char *listen, char *addr, size_t addrlen, int *port)
{
    const char *colon = strrchr(listen, ':');
    unsigned a, b, c, d;
    char tail;
    long p;

    if (!colon || (size_t)(colon - listen) >= addrlen || addrlen < 16)
        return SG_EINVAL;
    memcpy(addr, listen, (size_t)(colon - listen));
    addr[colon - listen] = '\0';
    if (sscanf(addr, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 ||
        b > 255 || c > 255 || d > 255)
        return SG_EINVAL;
    if (parse_long(colon + 1, &p) || p < 0 || p > 65535)
        return SG_EINVAL;
    *port = (int)p;
    return SG_OK;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source tree while developing, the installed copy otherwise. */
static void resolve_data_dirs(sg_config *cfg)
{
    if (!cfg->data_dir[0]) {
        const char *d = is_dir(SIGNPOST_SOURCE_DATA "/data/instruments")
                            ? SIGNPOST_SOURCE_DATA "/data"
                            : SIGNPOST_INSTALL_DATA "/data";
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", d);
    }
    if (!cfg->ui_dir[0]) {
        const char *d = is_dir(SIGNPOST_SOURCE_DATA "/kiosk-ui")
                            ? SIGNPOST_SOURCE_DATA "/kiosk-ui"
                            : SIGNPOST_INSTALL_DATA "/kiosk-ui";
        snprintf(cfg->ui_dir, sizeof cfg->ui_dir, "%s", d);
    }
}

int config_durations(const char *v, int *out, int max)
{
    int n = 0;
    for (const char *p = v; *p && n < max;) {
        char *end;
        long x = strtol(p, &end, 10);
        long unit = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ? 60 : 1;
        if (end == p || x <= 0 || !*end)
            return -1;
        out[n++] = (int)(x * unit); /* valid_durations capped x at 100000 */
        p = end + 1;
        if (*p == ',')
            p++;
    }
    return n;
}

void config_hourspan(const char *v, int *start_min, int *end_min)
{
    *start_min = ((v[0] - '0') * 10 + (v[1] - '0')) * 60 + (v[3] - '0') * 10 + (v[4] - '0');
    *end_min = ((v[6] - '0') * 10 + (v[7] - '0')) * 60 + (v[9] - '0') * 10 + (v[10] - '0');
}

/* Rules between [sms] and [staff] keys, so a mistake stops start-up. */
static int check_sms_staff(const sg_config *cfg, char *err, size_t errlen)
{
    const char *src = cfg->source[0] ? cfg->source : "defaults";
    int a, b;

    config_hourspan(cfg->sms_quiet_hours, &a, &b);
    if (a >= b) {
        snprintf(err, errlen, "%s: [sms] quiet_hours: the start must be before the end "
                 "(texts go out between them)", src);
        return -1;
    }
    /* Plain HTTP carries logins and patient data: only on this machine. */
    if (strcmp(cfg->staff_tls, "off") == 0 && strncmp(cfg->staff_listen, "127.", 4) != 0) {
        snprintf(err, errlen, "%s: [staff] tls: off is allowed only with a 127.x.x.x "
                 "listen address (behind a local reverse proxy)", src);
        return -1;
    }
    if (cfg->sms_public_url[0] && strncmp(cfg->sms_public_url, "https://", 8) != 0 &&
        strncmp(cfg->sms_public_url, "http://", 7) != 0) {
        snprintf(err, errlen, "%s: [sms] public_url: expected an http:// or https:// URL", src);
        return -1;
    }
    return 0;
}

sg_rc config_finish(sg_config *cfg, char *err, size_t errlen)
{
    const char *url;
    int n;

    resolve_data_dirs(cfg);
    if (!cfg->domain_map[0]) {
        n = snprintf(cfg->domain_map, sizeof cfg->domain_map, "%s/taxonomy/domain-map.ini",
                     cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof cfg->domain_map)
            goto too_long;
    }
    /* A demo's console is for this machine only. */
    if (cfg->demo && !strcmp(cfg->staff_listen, "0.0.0.0:8443"))
        snprintf(cfg->staff_listen, sizeof cfg->staff_listen, "127.0.0.1:8443");
    /* The demo runs on the bundled fictional city unless told otherwise. */
    if (cfg->demo && !cfg->directory_import[0]) {
        n = snprintf(cfg->directory_import, sizeof cfg->directory_import,
                     "%s/demo-directory", cfg->data_dir);
        if (n < 0 || (size_t)n >= sizeof cfg->directory_import)
            goto too_long;
    }
    if (isnan(cfg->kiosk_latitude) != isnan(cfg->kiosk_longitude)) {
        snprintf(err, errlen, "%s: [kiosk] latitude and longitude must be set together",
                 cfg->source[0] ? cfg->source : "defaults");
        return SG_EINVAL;
    }
    /* Checked here so that a typo stops start-up, not the first sync hours later. */
    url = cfg->directory_sync_url;
    if (url[0] && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
        snprintf(err, errlen,
                 "%s: [directory] sync_url: expected an http:// or https:// URL",
                 cfg->source[0] ? cfg->source : "defaults");
        return SG_EINVAL;
    }
    /* An idle keep-alive connection would otherwise be cut, and logged, as
     * a slow client rather than closed quietly by the idle timeout. */
    if (cfg->request_deadline_s < cfg->request_timeout_s) {
        snprintf(err, errlen,
                 "%s: [kiosk] request_deadline_s (%d) must be at least request_timeout_s (%d)",
                 cfg->source[0] ? cfg->source : "defaults", cfg->request_deadline_s,
                 cfg->request_timeout_s);
        return SG_EINVAL;
    }
    if (check_sms_staff(cfg, err, errlen))
        return SG_EINVAL;
    if (strcmp(cfg->printer_transport, "tcp") == 0 && !cfg->printer_host[0]) {
        snprintf(err, errlen, "%s: [printer] host: required when transport = tcp",
                 cfg->source);
        return SG_EINVAL;
    }
    return SG_OK;
too_long:
    snprintf(err, errlen, "[paths] data_dir: path too long");
    return SG_EINVAL;
}
