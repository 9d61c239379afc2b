/*
 * The CSV exports' rows (see export.h and docs/exports.md): pure functions
 * from an export_sub, or an audit row, to RFC 4180 text in a capped
 * buffer.  The column lists are tables here, so the header and the rows
 * cannot drift apart: each row writer walks the same table as its header.
 *
 * Spreadsheet safety: a clinic opens these in Excel or LibreOffice, where
 * a cell that starts with = + - @ (or a tab or carriage return that hides
 * one) runs as a formula.  Any text that came from outside (a service
 * name, a staff note, a kiosk id) goes through export_csv_field(), which
 * prefixes such a field with a single quote.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "signpost/export.h"

static const char *const status_names[REF_NSTATUS] = {
    "suggested", "referred", "contacted", "connected", "declined", "unreachable",
};

const char *export_ref_status_name(export_ref_status s)
{
    return (unsigned)s < REF_NSTATUS ? status_names[s] : NULL;
}

int export_ref_status_parse(const char *s)
{
    for (int i = 0; s && i < REF_NSTATUS; i++)
        if (!strcmp(s, status_names[i]))
            return i;
    return -1;
}

/* ---- fields -------------------------------------------------------- */

static int needs_guard(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

static int needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL;
}

sg_rc export_csv_field(sg_buf *b, const char *s)
{
    int quote;
    sg_rc rc = SG_OK;

    if (!s)
        s = "";
    quote = needs_quotes(s);
    if (quote)
        rc = sg_buf_add(b, "\"", 1);
    if (!rc && needs_guard(s))
        rc = sg_buf_add(b, "'", 1);
    /* Copy runs between quotes; each quote is written twice. */
    while (!rc && *s) {
        size_t run = quote ? strcspn(s, "\"") : strlen(s);
        if (run && (rc = sg_buf_add(b, s, run)))
            break;
        s += run;
        if (*s == '"') {
            rc = sg_buf_add(b, "\"\"", 2);
            s++;
        }
    }
    if (!rc && quote)
        rc = sg_buf_add(b, "\"", 1);
    return rc;
}

/* A separator, then the field. */
static sg_rc next_field(sg_buf *b, const char *s)
{
    sg_rc rc = sg_buf_add(b, ",", 1);
    return rc ? rc : export_csv_field(b, s);
}

/* A separator and a number; negative means "unknown" and writes nothing. */
static sg_rc next_int(sg_buf *b, long v)
{
    return v < 0 ? sg_buf_add(b, ",", 1) : sg_buf_addf(b, ",%ld", v);
}

static sg_rc end_row(sg_buf *b)
{
    return sg_buf_add(b, "\r\n", 2);
}

/* ---- submissions ----------------------------------------------------- */

/* The columns before the domains, and those between the domains and the items. */
static const char *const sub_head[] = {
    "id",           "created_at",    "local_date",         "kiosk_id",
    "language",     "instrument_id", "instrument_version", "scoring_rule",
    "safety_score", "wants_help",
};
static const char *const sub_tail[] = {
    "help_domains",        "resources_given",
    "referrals_suggested", "referrals_referred",
    "referrals_contacted", "referrals_connected",
    "referrals_declined",  "referrals_unreachable",
    "receipt_printed",     "sms_consent",
    "texts_sent",          "replies",
};
#define NHEAD (sizeof sub_head / sizeof sub_head[0])
#define NTAIL (sizeof sub_tail / sizeof sub_tail[0])

static sg_rc names(sg_buf *b, const char *const *n, size_t count, int first)
{
    sg_rc rc = SG_OK;
    for (size_t i = 0; i < count && !rc; i++)
        rc = first && i == 0 ? export_csv_field(b, n[i]) : next_field(b, n[i]);
    return rc;
}

sg_rc export_csv_submissions_header(const sg_instrument *inst, int phones, sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "\xEF\xBB\xBF", 3);

    if (!rc)
        rc = names(b, sub_head, NHEAD, 1);
    for (int d = 0; d < inst->ndomains && !rc; d++)
        rc = next_field(b, inst->domains[d].name);
    if (!rc)
        rc = names(b, sub_tail, NTAIL, 0);
    if (!rc && phones)
        rc = next_field(b, "phone");
    for (int i = 0; i < inst->nitems && !rc; i++)
        rc = next_field(b, inst->items[i].code);
    return rc ? rc : end_row(b);
}

static const export_domain *find_domain(const export_sub *s, const char *name)
{
    for (int d = 0; d < s->ndomains; d++)
        if (!strcmp(s->domains[d].name, name))
            return &s->domains[d];
    return NULL;
}

static const export_item *find_item(const export_sub *s, const char *code)
{
    for (int i = 0; i < s->nitems; i++)
        if (!strcmp(s->items[i].code, code))
            return &s->items[i];
    return NULL;
}

static sg_rc head_fields(const export_sub *s, sg_buf *b)
{
    const char *text[] = {s->created_at,  s->local_date,    s->kiosk_id,
                          s->language,    s->instrument_id, s->instrument_version,
                          s->scoring_rule};
    sg_rc rc = export_csv_field(b, s->id);

    for (size_t i = 0; i < sizeof text / sizeof text[0] && !rc; i++)
        rc = next_field(b, text[i]);
    if (!rc)
        rc = next_int(b, s->safety_complete ? s->safety_score : -1);
    return rc ? rc : next_int(b, s->wants_help);
}

/* "food;safety": the domains the patient asked for help with. */
static sg_rc help_field(const export_sub *s, sg_buf *b)
{
    char list[SG_MAX_DOMAINS * (EXPORT_CODE_MAX + 1)] = "";
    size_t n = 0;

    for (int d = 0; d < s->ndomains; d++)
        if (s->domains[d].wants_help == 1) {
            int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ";" : "",
                             s->domains[d].name);
            if (w < 0 || (size_t)w >= sizeof list - n)
                return SG_ETOOBIG;
            n += (size_t)w;
        }
    return next_field(b, list);
}

static sg_rc tail_fields(const export_sub *s, int phones, sg_buf *b)
{
    long count[REF_NSTATUS] = {0};
    sg_rc rc;

    for (int i = 0; i < s->nrefs; i++)
        count[s->refs[i].status]++;
    rc = help_field(s, b);
    if (!rc)
        rc = next_int(b, s->nresources);
    for (int k = 0; k < REF_NSTATUS && !rc; k++)
        rc = next_int(b, count[k]);
    if (!rc)
        rc = sg_buf_addf(b, ",%d,%d,%d,%d", s->receipt_printed != 0, s->sms_consent != 0,
                         s->texts_sent, s->replies);
    if (!rc && phones)
        rc = next_field(b, s->phone);
    return rc;
}

/* The LA codes chosen for one item, joined by ';'; empty when skipped or absent. */
static sg_rc item_field(const export_item *it, sg_buf *b)
{
    char joined[SG_MAX_OPTIONS * EXPORT_CODE_MAX] = "";
    size_t n = 0;

    for (int k = 0; it && !it->skipped && k < it->nchosen; k++) {
        int w =
            snprintf(joined + n, sizeof joined - n, "%s%s", k ? ";" : "", it->chosen[k]);
        if (w < 0 || (size_t)w >= sizeof joined - n)
            return SG_ETOOBIG;
        n += (size_t)w;
    }
    return next_field(b, joined);
}

sg_rc export_csv_submission(const sg_instrument *inst, const export_sub *s, int phones,
                            sg_buf *b)
{
    sg_rc rc = head_fields(s, b);

    for (int d = 0; d < inst->ndomains && !rc; d++) {
        const export_domain *dom = find_domain(s, inst->domains[d].name);
        rc = next_int(b, dom ? dom->positive != 0 : -1);
    }
    if (!rc)
        rc = tail_fields(s, phones, b);
    for (int i = 0; i < inst->nitems && !rc; i++)
        rc = item_field(find_item(s, inst->items[i].code), b);
    return rc ? rc : end_row(b);
}

/* ---- referrals --------------------------------------------------------- */

static const char *const ref_cols[] = {
    "submission_id",  "local_date", "domain",     "service_id",
    "service_name",   "rank",       "status",     "assigned_to",
    "next_follow_up", "updated_at", "updated_by", "last_note",
};

sg_rc export_csv_referrals_header(sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "\xEF\xBB\xBF", 3);
    if (!rc)
        rc = names(b, ref_cols, sizeof ref_cols / sizeof ref_cols[0], 1);
    return rc ? rc : end_row(b);
}

static sg_rc referral_row(const export_sub *s, const export_referral *r, sg_buf *b)
{
    const char *mid[] = {r->domain, r->service_id, r->service_name};
    const char *end[] = {export_ref_status_name(r->status),
                         r->assigned_to,
                         r->next_follow_up,
                         r->updated_at,
                         r->updated_by,
                         r->last_note};
    sg_rc rc = export_csv_field(b, s->id);

    assert(export_ref_status_name(r->status));
    if (!rc)
        rc = next_field(b, s->local_date);
    for (size_t i = 0; i < sizeof mid / sizeof mid[0] && !rc; i++)
        rc = next_field(b, mid[i]);
    if (!rc)
        rc = next_int(b, r->rank > 0 ? r->rank : -1);
    for (size_t i = 0; i < sizeof end / sizeof end[0] && !rc; i++)
        rc = next_field(b, end[i]);
    return rc ? rc : end_row(b);
}

sg_rc export_csv_referrals(const export_sub *s, sg_buf *b)
{
    sg_rc rc = SG_OK;
    for (int i = 0; i < s->nrefs && !rc; i++)
        rc = referral_row(s, &s->refs[i], b);
    return rc;
}

/* ---- audit log ------------------------------------------------------------ */

static const char *const audit_cols[] = {
    "id", "at", "user_id", "username", "action", "target", "detail", "ip",
};

sg_rc export_csv_audit_header(sg_buf *b)
{
    sg_rc rc = sg_buf_add(b, "\xEF\xBB\xBF", 3);
    if (!rc)
        rc = names(b, audit_cols, sizeof audit_cols / sizeof audit_cols[0], 1);
    return rc ? rc : end_row(b);
}

sg_rc export_csv_audit_row(const audit_row *r, sg_buf *b)
{
    const char *text[] = {r->username, r->action, r->target, r->detail, r->ip};
    sg_rc rc = sg_buf_addf(b, "%lld", r->id);

    if (!rc)
        rc = next_field(b, r->at);
    if (!rc)
        rc = r->user_id ? sg_buf_addf(b, ",%lld", r->user_id) : sg_buf_add(b, ",", 1);
    for (size_t i = 0; i < sizeof text / sizeof text[0] && !rc; i++)
        rc = next_field(b, text[i]);
    return rc ? rc : end_row(b);
}
