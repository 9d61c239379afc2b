/*
 * The SMS gateway front door (sms_gateway.h): picks the adapter [sms]
 * gateway names, dispatches through its ops table, and holds what every
 * adapter needs: reading a secret file (systemd credentials included),
 * percent-escaping, bounded copies, and turning "no answer came" into an
 * outcome.  Adapters never log a number, a text or a secret, and neither
 * does anything here.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_internal.h"

static const gw_ops *const adapters[] = {&gw_twilio_ops, &gw_kannel_ops, &gw_http_ops,
                                         &gw_log_ops};

sg_rc gw_open(const sg_config *cfg, sms_gateway **out, char *err, size_t errlen)
{
    const gw_ops *ops = NULL;
    sms_gateway *gw = NULL;
    sg_rc rc = SG_EINVAL;

    assert(cfg && out && err && errlen > 0);
    *out = NULL;
    err[0] = '\0';
    if (strcmp(cfg->sms_gateway, "none") == 0) {
        snprintf(err, errlen, "[sms] gateway: none is configured");
        return SG_ENOTFOUND;
    }
    for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++)
        if (strcmp(cfg->sms_gateway, adapters[i]->name) == 0)
            ops = adapters[i];
    if (!ops) {
        snprintf(err, errlen, "[sms] gateway: unknown gateway \"%.40s\"",
                 cfg->sms_gateway);
        goto out;
    }
    rc = SG_ENOMEM;
    if (!(gw = calloc(1, sizeof *gw)))
        goto out;
    gw->ops = ops;
    gw->cfg = *cfg;
    if ((rc = ops->open(gw, err, errlen)))
        goto out;
    *out = gw;
    gw = NULL;
out:
    if (rc && !err[0])
        snprintf(err, errlen, "[sms] gateway: cannot set up %s: %s", cfg->sms_gateway,
                 sg_strerror(rc));
    gw_close(gw);
    return rc;
}

void gw_close(sms_gateway *gw)
{
    if (!gw)
        return;
    if (gw->ops->close)
        gw->ops->close(gw);
    gw_curl_close(gw->curl);
    free(gw);
}

const char *gw_name(const sms_gateway *gw)
{
    return gw ? gw->ops->name : "none";
}

void gw_send(sms_gateway *gw, const gw_message *m, gw_result *r)
{
    assert(gw && m && m->to && m->body && r);
    gw_result_clear(r);
    gw->ops->send(gw, m, r);
}

int gw_reconcile(sms_gateway *gw, const gw_message *m, time_t since, gw_result *r)
{
    assert(gw && m && r);
    gw_result_clear(r);
    if (!gw->ops->reconcile) {
        snprintf(r->reason, sizeof r->reason, "the %s gateway cannot list sent texts",
                 gw->ops->name);
        return -1;
    }
    return gw->ops->reconcile(gw, m, since, r);
}

sg_rc gw_poll_inbound(sms_gateway *gw, time_t *since,
                      int (*fn)(void *ctx, const gw_inbound *in), void *ctx)
{
    assert(gw && since && fn);
    return gw->ops->poll ? gw->ops->poll(gw, since, fn, ctx) : SG_ENOTFOUND;
}

sg_rc gw_check(sms_gateway *gw, char *reason, size_t reasonlen)
{
    assert(gw && reason && reasonlen > 0);
    reason[0] = '\0';
    return gw->ops->check(gw, reason, reasonlen);
}

/* ---- Secrets ---------------------------------------------------------------- */

/* systemd's LoadCredential= puts secrets in $CREDENTIALS_DIRECTORY: a bare
 * file name in the config means "that directory's file", so one config
 * works both under systemd and from a shell. */
static sg_rc secret_path(const char *path, char *full, size_t fulllen)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    int n;

    if (strchr(path, '/') || !dir || !*dir)
        n = snprintf(full, fulllen, "%s", path);
    else
        n = snprintf(full, fulllen, "%s/%s", dir, path);
    return n < 0 || (size_t)n >= fulllen ? SG_ETOOBIG : SG_OK;
}

sg_rc gw_read_secret(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
    char full[SG_CFG_PATH * 2];
    FILE *f = NULL;
    size_t n = 0;
    sg_rc rc = SG_EIO;

    assert(path && out && outlen > 1 && err && errlen > 0);
    out[0] = '\0';
    if (!*path) {
        snprintf(err, errlen, "no secret file is named");
        return SG_EINVAL;
    }
    if (secret_path(path, full, sizeof full)) {
        snprintf(err, errlen, "the secret file's path is too long");
        return SG_EINVAL;
    }
    if (!(f = fopen(full, "re"))) {
        snprintf(err, errlen, "cannot read %s: %s", full, strerror(errno));
        goto out;
    }
    n = fread(out, 1, outlen, f);
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", full, strerror(errno));
        goto out;
    }
    if (n == outlen) {
        snprintf(err, errlen, "%s holds more than %zu bytes: not a secret", full,
                 outlen - 1);
        rc = SG_ETOOBIG;
        goto out;
    }
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        n--;
    out[n] = '\0';
    if (!n || memchr(out, '\0', n) || strchr(out, '\n')) {
        snprintf(err, errlen, "%s must hold one line, the secret", full);
        rc = SG_EINVAL;
        goto out;
    }
    rc = SG_OK;
out:
    if (f)
        fclose(f);
    if (rc)
        memset(out, 0, outlen); /* no part of a bad secret lingers */
    return rc;
}

/* ---- Helpers ---------------------------------------------------------------- */

sg_rc gw_add_escaped(sg_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    sg_rc rc = SG_OK;

    for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
            *p == '~') {
            rc = sg_buf_add(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = sg_buf_add(b, e, 3);
        }
    }
    return rc;
}

sg_rc gw_add_param(sg_buf *b, const char *name, const char *value)
{
    sg_rc rc = b->len ? sg_buf_add(b, "&", 1) : SG_OK;

    if (!rc)
        rc = gw_add_escaped(b, name);
    if (!rc)
        rc = sg_buf_add(b, "=", 1);
    return rc ? rc : gw_add_escaped(b, value);
}

int gw_copy(char *out, size_t outlen, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int cut = 0;

    assert(out && outlen > 0);
    if (n >= outlen) {
        n = outlen - 1;
        /* Back up over UTF-8 continuation bytes to a character start. */
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    }
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
    return cut;
}

const char *gw_param_get(const gw_param *p, size_t np, const char *name)
{
    for (size_t i = 0; i < np; i++)
        if (p[i].name && strcmp(p[i].name, name) == 0)
            return p[i].value ? p[i].value : "";
    return NULL;
}

int gw_url_ok(const char *url)
{
    const char *host;

    if (strncasecmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return 0;
    return *host && *host != '/' && !strpbrk(url, " \t\r\n");
}

int gw_sid_ok(const char *s, const char *prefix)
{
    size_t pl = strlen(prefix);

    if (strncmp(s, prefix, pl) != 0 || strlen(s) != pl + 32)
        return 0;
    for (s += pl; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
              (*s >= 'A' && *s <= 'F')))
            return 0;
    return 1;
}

void gw_result_clear(gw_result *r)
{
    memset(r, 0, sizeof *r);
    r->outcome = GW_FAILED;
    r->retry_after_s = -1;
}

void gw_result_from_net(const gw_response *rs, const char *gateway, gw_result *r)
{
    assert(rs->net != GW_NET_ANSWERED);
    r->http_status = 0;
    if (rs->net == GW_NET_NOT_SENT) {
        r->outcome = GW_RETRY;
        snprintf(r->reason, sizeof r->reason, "%s not reached (%s): not sent", gateway,
                 rs->error);
    } else {
        r->outcome = GW_UNKNOWN;
        snprintf(r->reason, sizeof r->reason,
                 "%s got the request but no answer came (%s): may have been sent",
                 gateway, rs->error);
    }
}

sg_rc gw_parse_int(const char *s, long min, long max, long *out)
{
    const char *p = s;
    int neg = 0;
    long n = 0;

    /* Bounds far from LONG_MAX, so n * 10 + 9 below can never overflow. */
    assert(min > -1000000000000L && max < 1000000000000L && min <= max);
    if (!s || !*s)
        return SG_EINVAL;
    if (*p == '-')
        neg = 1, p++;
    if (!*p)
        return SG_EINVAL;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || n > (max > -min ? max : -min) / 10)
            return SG_EINVAL;
        n = n * 10 + (*p - '0');
    }
    n = neg ? -n : n;
    if (n < min || n > max)
        return SG_EINVAL;
    *out = n;
    return SG_OK;
}

/* A required parameter into out: SG_EINVAL naming it (never its value)
 * when it is missing or too long for out. */
sg_rc gw_take_param(const gw_param *p, size_t np, const char *name, char *out,
                    size_t outlen, char *err, size_t errlen)
{
    const char *v = gw_param_get(p, np, name);

    if (!v) {
        snprintf(err, errlen, "%s is missing", name);
        return SG_EINVAL;
    }
    if (gw_copy(out, outlen, v)) {
        snprintf(err, errlen, "%s is too long", name);
        return SG_EINVAL;
    }
    return SG_OK;
}
