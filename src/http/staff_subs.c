/*
 * The staff console's submission routes (docs/api.md, "Submissions and
 * referrals"): the queue, one submission in full, changing a referral and
 * reprinting a receipt.  The follow-up lists and the accounts work can be
 * assigned to are in staff_followup.c.
 *
 * Every route starts with the method and staff_require(): reads need the
 * viewer role, changes the navigator role and the CSRF token.  Whatever
 * shows a submission or changes one writes its audit row first (a change
 * writes it in the change's own transaction) and answers 503 when it
 * cannot, so nothing is seen or done without its record.  Bad input is
 * refused before anything is written, with the field named.  The SQL is in
 * src/store/ (referral_store.h); this file turns rows into JSON, with the
 * instrument's texts and the directory's names beside the stored codes.
 * Nothing here logs a patient's answer, number or a staff note.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/log.h"
#include "signpost/referral_store.h"
#include "signpost/sms_store.h"
#include "signpost/staff_store.h"

#define API "/staff/api/v1"
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200
#define DETAIL_LIST_MAX 50 /* receipts, texts and replies shown with a submission */
#define DEFAULT_DAYS 7     /* the queue's range when none is given */
#define AUDIT_DETAIL 256

/* ---- small helpers --------------------------------------------------------- */

static MHD_RESULT not_found(http_ctx *h)
{
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such submission", NULL);
}

static const char *query(http_ctx *h, const char *key)
{
    return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, key);
}

static json_t *jtristate(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static int today_local(void)
{
    int date, minute;
    app_local_time(time(NULL), &date, &minute);
    return date;
}


/* ---- the queue ----------------------------------------------------------------- */

typedef struct {
    queue_filter f;
    queue_cursor after;
    const char *field; /* what was wrong, for the 400 */
    const char *why;
} queue_query;

static int bad(queue_query *q, const char *field, const char *why)
{
    q->field = field;
    q->why = why;
    return 1;
}

/* from/to: both optional; the range defaults to the last DEFAULT_DAYS local days. */
static int parse_range(http_ctx *h, queue_query *q)
{
    const char *from = query(h, "from"), *to = query(h, "to");

    q->f.to = to ? referral_date_parse(to) : today_local();
    if (q->f.to < 0)
        return bad(q, "to", "to: a date as YYYY-MM-DD");
    q->f.from =
        from ? referral_date_parse(from) : referral_date_add(q->f.to, 1 - DEFAULT_DAYS);
    if (q->f.from < 0)
        return bad(q, "from", "from: a date as YYYY-MM-DD");
    if (q->f.from > q->f.to)
        return bad(q, "from", "from: a date on or before to");
    return 0;
}

/* assigned=me|none|USERNAME; 0, 1 (bad), or -1 when the store cannot say. */
static int parse_assigned(http_ctx *h, const staff_session *s, queue_query *q)
{
    const char *a = query(h, "assigned");
    staff_user u;
    sg_rc rc;

    q->f.assigned = QUEUE_ANYONE;
    if (!a)
        return 0;
    if (!strcmp(a, "none")) {
        q->f.assigned = QUEUE_UNASSIGNED;
        return 0;
    }
    q->f.assigned = QUEUE_ASSIGNED_TO;
    if (!strcmp(a, "me")) {
        q->f.assigned_id = s->user_id;
        return 0;
    }
    rc = staff_username_check(a, NULL, 0) ? SG_ENOTFOUND
                                          : staff_user_get(h->app->store, a, &u);
    if (rc == SG_EDB)
        return -1;
    if (rc)
        return bad(q, "assigned", "assigned: me, none or a staff username");
    q->f.assigned_id = u.id;
    sodium_memzero(&u, sizeof u);
    return 0;
}

static int parse_queue_query(http_ctx *h, const staff_session *s, queue_query *q)
{
    const char *need = query(h, "need"), *status = query(h, "status");
    const char *before = query(h, "before");

    memset(q, 0, sizeof *q);
    if (parse_range(h, q))
        return 1;
    if (need && instrument_domain_index(h->app->inst, need) < 0)
        return bad(q, "need", "need: one of the instrument's domains");
    q->f.need = need;
    q->f.status = status ? queue_status_parse(status) : -1;
    if (status && q->f.status < 0)
        return bad(q, "status", "status: new, open or closed");
    if ((q->f.limit = http_query_limit(h, LIMIT_DEFAULT, LIMIT_MAX)) < 0)
        return bad(q, "limit", "limit: a whole number from 1 to 200");
    if (before && queue_cursor_decode(before, &q->after))
        return bad(q, "before", "before: the \"next\" value of an earlier page");
    q->f.after = before ? &q->after : NULL;
    return parse_assigned(h, s, q);
}

/* "ana,bo" as ["ana","bo"]. */
static json_t *name_list(const char *csv)
{
    json_t *a = json_array();
    const char *p = csv;

    while (a && *p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

typedef struct {
    json_t *items;
    int shown, limit, more;
    queue_cursor last;
} queue_page;

static json_t *queue_item_json(const queue_item *it)
{
    json_t *pos = it->positive_json ? json_loads(it->positive_json, 0, NULL) : NULL;
    json_t *help = it->help_json ? json_loads(it->help_json, 0, NULL) : NULL;

    return json_pack(
        "{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:{s:i, s:i, s:i, s:o}, s:s, s:o,"
        " s:o}",
        "id", it->id, "created_at", it->created_at, "language", it->language,
        "wants_help", jtristate(it->wants_help), "positive_domains",
        pos ? pos : json_array(), "help_domains", help ? help : json_array(), "receipt",
        it->receipt, "texts", "scheduled", it->texts_scheduled, "sent", it->texts_sent,
        "replies", it->replies, "last_reply", http_json_text(it->last_reply), "status",
        queue_status_name(it->status), "assigned", name_list(it->assigned),
        "follow_up_due", http_json_text(it->follow_up_due));
}

static int add_queue_item(void *ctx, const queue_item *it)
{
    queue_page *pg = ctx;

    if (pg->shown == pg->limit) {
        pg->more = 1; /* the one extra row asked for: there is a next page */
        return 1;
    }
    if (json_array_append_new(pg->items, queue_item_json(it)))
        return 1;
    pg->last = it->pos;
    pg->shown++;
    return 0;
}

static MHD_RESULT queue_answer(http_ctx *h, const queue_query *q, queue_page *pg)
{
    char from[REFERRAL_DATE_LEN], to[REFERRAL_DATE_LEN], next[QUEUE_CURSOR_LEN];

    referral_date_format(q->f.from, from);
    referral_date_format(q->f.to, to);
    if (pg->more)
        queue_cursor_encode(&pg->last, next);
    return http_send_json(h, MHD_HTTP_OK,
                          json_pack("{s:O, s:o, s:s, s:s}", "submissions", pg->items,
                                    "next", pg->more ? json_string(next) : json_null(),
                                    "from", from, "to", to));
}

static MHD_RESULT queue(http_ctx *h)
{
    char detail[AUDIT_DETAIL], from[REFERRAL_DATE_LEN], to[REFERRAL_DATE_LEN];
    queue_page pg = {0};
    staff_session *s;
    queue_query q;
    MHD_RESULT ret;
    int r;

    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    if ((r = parse_queue_query(h, s, &q))) {
        ret = r < 0
                  ? http_store_unavailable(h)
                  : http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_query", q.why, q.field);
        goto out;
    }
    referral_date_format(q.f.from, from);
    referral_date_format(q.f.to, to);
    snprintf(detail, sizeof detail, "from=%s to=%s%s%s%s%s", from, to,
             q.f.need ? " need=" : "", q.f.need ? q.f.need : "",
             q.f.status >= 0 ? " status=" : "",
             q.f.status >= 0 ? queue_status_name((queue_status)q.f.status) : "");
    pg.limit = q.f.limit;
    q.f.limit++; /* one more than shown says whether there is a next page */
    if (!(pg.items = json_array()) ||
        staff_audit(h, s, "submission.list", NULL, detail) ||
        store_queue_list(h->app->store, &q.f, add_queue_item, &pg)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    ret = queue_answer(h, &q, &pg);
out:
    json_decref(pg.items);
    staff_session_free(s);
    return ret;
}

/* ---- one submission ------------------------------------------------------------- */

typedef struct {
    const sg_instrument *inst;
    int patient, staff; /* language indexes */
} lang_pair;

static json_t *both_texts(const char *const *text, const lang_pair *lp)
{
    return json_pack("{s:o, s:o}", "patient", http_json_text(text ? text[lp->patient] : NULL),
                     "staff", http_json_text(text ? text[lp->staff] : NULL));
}

/* One stored [item, answer or null] with the instrument's words for both. */
static json_t *answer_json(const lang_pair *lp, json_t *pair)
{
    const char *code = json_string_value(json_array_get(pair, 0));
    const char *ans = json_string_value(json_array_get(pair, 1));
    int i = code ? instrument_item_index(lp->inst, code) : -1;
    const instrument_item *item = i >= 0 ? &lp->inst->items[i] : NULL;
    int o = item && ans ? instrument_option_index(item, ans) : -1;
    json_t *a = json_null();

    if (ans)
        a = json_pack("{s:s, s:o, s:o}", "code", ans, "patient",
                      http_json_text(o >= 0 ? item->options[o].text[lp->patient] : NULL), "staff",
                      http_json_text(o >= 0 ? item->options[o].text[lp->staff] : NULL));
    return json_pack("{s:o, s:o, s:o, s:b}", "code", http_json_text(code), "question",
                     both_texts(item ? item->text : NULL, lp), "answer", a, "skipped",
                     ans == NULL);
}

static json_t *answers_json(const lang_pair *lp, const char *stored)
{
    json_t *in = json_loads(stored, 0, NULL), *out = json_array(), *pair;
    size_t i;

    json_array_foreach(in, i, pair)
    {
        json_array_append_new(out, answer_json(lp, pair));
    }
    json_decref(in);
    return out;
}

/* domains, positive_domains and help_domains from the stored
 * [[name, positive, score or null, wants help or null], ...]. */
static void add_domains(json_t *o, const char *stored)
{
    json_t *in = json_loads(stored, 0, NULL), *all = json_array(), *pos = json_array(),
           *help = json_array(), *d;
    size_t i;

    json_array_foreach(in, i, d)
    {
        json_t *name = json_array_get(d, 0), *score = json_array_get(d, 2),
               *wants = json_array_get(d, 3);
        int positive = json_integer_value(json_array_get(d, 1)) == 1;
        int w = json_is_integer(wants) ? json_integer_value(wants) == 1 : -1;

        json_array_append_new(
            all,
            json_pack("{s:O, s:b, s:o, s:o}", "name", name, "positive", positive, "score",
                      json_is_integer(score) ? json_copy(score) : json_null(),
                      "wants_help", jtristate(w)));
        if (positive)
            json_array_append(pos, name);
        if (w == 1)
            json_array_append(help, name);
    }
    json_object_set_new(o, "domains", all);
    json_object_set_new(o, "positive_domains", pos);
    json_object_set_new(o, "help_domains", help);
    json_decref(in);
}

static json_t *event_json(const referral_event *e)
{
    json_t *note = json_string(e->note); /* checked as UTF-8 when written */

    return json_pack("{s:s, s:s, s:o, s:o, s:o}", "at", e->at, "source",
                     e->from_sms ? "sms" : "staff", "username",
                     e->from_sms ? json_null() : http_json_text(e->username), "status",
                     http_json_text(e->status), "note", note ? note : json_string(""));
}

static const referral_row *find_row(const referral_set *set, const char *domain,
                                    const char *service)
{
    for (size_t i = 0; i < set->nrows; i++)
        if (!strcmp(set->rows[i].domain, domain) &&
            !strcmp(set->rows[i].service_id, service))
            return &set->rows[i];
    return NULL;
}

/* The row's own fields (null without a row) and its history. */
static void add_row_fields(json_t *o, const referral_row *r, const referral_set *set)
{
    json_t *events = json_array();

    json_object_set_new(o, "status",
                        json_string(r ? referral_status_name(r->status) : "suggested"));
    json_object_set_new(o, "assigned_to", http_json_text(r ? r->assigned_to : NULL));
    json_object_set_new(o, "next_follow_up", http_json_text(r ? r->next_follow_up : NULL));
    json_object_set_new(o, "updated_at", http_json_text(r ? r->updated_at : NULL));
    json_object_set_new(o, "updated_by", http_json_text(r ? r->updated_by : NULL));
    for (size_t i = 0; r && i < set->nevents; i++)
        if (set->events[i].referral_id == r->id)
            json_array_append_new(events, event_json(&set->events[i]));
    json_object_set_new(o, "events", events);
}

static json_t *referral_json(json_t *res, int rank, const service_label *lab,
                             const referral_set *set)
{
    const char *domain = json_string_value(json_array_get(res, 0));
    const char *service = json_string_value(json_array_get(res, 1));
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:i}", "domain", http_json_text(domain), "service_id",
                  http_json_text(service), "name", lab->found ? http_json_text(lab->name) : json_null(),
                  "phone", lab->found ? http_json_text(lab->phone) : json_null(), "why",
                  http_json_text(json_string_value(json_array_get(res, 2))), "rank", rank);

    if (o)
        add_row_fields(o, domain && service ? find_row(set, domain, service) : NULL, set);
    return o;
}

/*
 * Every resource the screening gave, as a referral: its row when it has
 * one ("suggested" when not), the directory's name and phone, and the
 * history.  rank counts from 1 within each need.  NULL when the store or
 * the directory cannot be read.
 */
static json_t *referrals_json(sg_app *app, const char *resources, const referral_set *set)
{
    json_t *res = json_loads(resources, 0, NULL), *out = NULL, *r;
    size_t n = json_array_size(res), i;
    service_label *labels = calloc(n ? n : 1, sizeof *labels);

    if (!labels)
        goto out;
    json_array_foreach(res, i, r)
    {
        const char *sid = json_string_value(json_array_get(r, 1));
        labels[i].service_id = sid ? sid : "";
    }
    if (store_service_labels(app->cfg->store_dir, labels, n) || !(out = json_array()))
        goto out;
    json_array_foreach(res, i, r)
    {
        int rank = 1;
        for (size_t k = 0; k < i; k++)
            rank += json_equal(json_array_get(json_array_get(res, k), 0),
                               json_array_get(r, 0));
        json_array_append_new(out, referral_json(r, rank, &labels[i], set));
    }
out:
    free(labels);
    json_decref(res);
    return out;
}

static int add_print(void *ctx, const submission_print *p)
{
    return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:i, s:o}", "job_id",
                                                p->job_id, "status", p->status,
                                                "created_at", p->created_at, "attempts",
                                                p->attempts, "error", http_json_text(p->error)));
}

static int add_text(void *ctx, const outbox_row *r)
{
    /* The store lists newest first; the timeline reads oldest first. */
    return json_array_insert_new(ctx, 0,
                                 json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "id", r->id,
                                           "kind", outbox_kind_name(r->kind), "state",
                                           outbox_state_name(r->state), "due_at",
                                           http_json_time(r->due_at), "sent_at", http_json_time(r->sent_at),
                                           "error", http_json_text(r->error)));
}

static int add_reply(void *ctx, time_t at, const char *reply)
{
    return json_array_append_new(
        ctx, json_pack("{s:o, s:s}", "at", http_json_time(at), "reply", reply));
}

/* Consent, texts and replies; never the number or what the patient wrote. */
static json_t *sms_json(sg_store *st, const char *id)
{
    json_t *texts = json_array(), *replies = json_array(), *consent = json_null();
    submission_consent c;
    sg_rc rc = store_submission_consent(st, id, &c);

    if (rc == SG_OK)
        consent = json_pack("{s:o, s:s, s:s}", "at", http_json_time(c.at), "language", c.language,
                            "version", c.version);
    if ((rc && rc != SG_ENOTFOUND) || !texts || !replies ||
        store_sms_list(st, id, DETAIL_LIST_MAX, add_text, texts) ||
        store_submission_replies(st, id, DETAIL_LIST_MAX, add_reply, replies)) {
        json_decref(texts);
        json_decref(replies);
        json_decref(consent);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:o}", "consent", consent, "texts", texts, "replies",
                     replies);
}

static json_t *detail_head(const submission_row *row)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:o, s:b, s:o}", "id", row->id,
        "created_at", row->created_at, "kiosk_id", row->kiosk_id, "language",
        row->language, "instrument", "id", row->instrument_id, "version",
        row->instrument_version, "scoring_rule", row->scoring_rule, "safety_score",
        row->safety_score >= 0 ? json_integer(row->safety_score) : json_null(),
        "safety_complete", row->safety_complete, "wants_help",
        jtristate(row->wants_help));
}

/* The whole answer of GET /submissions/{id}; NULL when a read failed. */
static json_t *detail_json(sg_app *app, const submission_row *row, int staff_lang)
{
    int pl = instrument_lang(app->inst, row->language);
    lang_pair lp = {app->inst, pl >= 0 ? pl : 0, staff_lang};
    referral_set set;
    json_t *o = detail_head(row), *prints = json_array(), *refs = NULL, *sms = NULL;

    if (store_referrals_load(app->store, row->id, &set) == SG_OK) {
        refs = referrals_json(app, row->resources_json, &set);
        referral_set_free(&set);
    }
    if (prints && store_submission_prints(app->store, row->id, DETAIL_LIST_MAX, add_print,
                                          prints)) {
        json_decref(prints);
        prints = NULL;
    }
    sms = sms_json(app->store, row->id);
    if (!o || !refs || !prints || !sms) {
        json_decref(o);
        json_decref(refs);
        json_decref(prints);
        json_decref(sms);
        return NULL;
    }
    add_domains(o, row->domains_json);
    json_object_set_new(o, "answers", answers_json(&lp, row->answers_json));
    json_object_set_new(o, "referrals", refs);
    json_object_set_new(o, "prints", prints);
    json_object_set_new(o, "sms", sms);
    return o;
}

static MHD_RESULT detail(http_ctx *h, const char *id)
{
    const char *lang = query(h, "lang");
    int sl = instrument_lang(h->app->inst, lang ? lang : "en");
    submission_row row;
    staff_session *s;
    MHD_RESULT ret;
    json_t *o;
    sg_rc rc;

    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    memset(&row, 0, sizeof row);
    if (sl < 0) {
        ret = http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_query",
                         "lang: one of the instrument's languages", "lang");
        goto out;
    }
    rc = store_submission_get(h->app->store, id, &row);
    if (rc) {
        ret = rc == SG_ENOTFOUND ? not_found(h) : http_store_unavailable(h);
        goto out;
    }
    /* The view is recorded before anything is shown, or nothing is shown. */
    if (staff_audit(h, s, "submission.view", id, NULL) ||
        !(o = detail_json(h->app, &row, sl))) {
        ret = http_store_unavailable(h);
        goto out;
    }
    ret = http_send_json(h, MHD_HTTP_OK, o);
out:
    submission_row_clear(&row);
    staff_session_free(s);
    return ret;
}

/* ---- changing a referral ------------------------------------------------------------
 */

typedef struct {
    referral_change c;
    const char *field; /* what was wrong */
    const char *why;
    unsigned status; /* 400 or 422 */
} change_body;

static int refuse(change_body *b, unsigned status, const char *field, const char *why)
{
    b->status = status;
    b->field = field;
    b->why = why;
    return 1;
}

static int unknown_key(json_t *body, const char **key)
{
    static const char *const known[] = {"domain",      "service_id", "status",
                                        "assigned_to", "note",       "next_follow_up"};
    const char *k;
    json_t *v;

    json_object_foreach(body, k, v)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof known[0] && strcmp(k, known[i]))
            i++;
        if (i == sizeof known / sizeof known[0]) {
            *key = k;
            return 1;
        }
    }
    return 0;
}

/* status, assigned_to, next_follow_up: each optional, each checked. */
static int parse_fields(json_t *body, change_body *b)
{
    json_t *st = json_object_get(body, "status"),
           *as = json_object_get(body, "assigned_to");
    json_t *fu = json_object_get(body, "next_follow_up");

    b->c.status = -1;
    if (st && !json_is_string(st))
        return refuse(b, 400, "status", "status: a string");
    if (st && (b->c.status = referral_status_parse(json_string_value(st))) < 0)
        return refuse(b, 422, "status",
                      "status: suggested, referred, contacted, connected, declined or"
                      " unreachable");
    if (as && !json_is_string(as) && !json_is_null(as))
        return refuse(b, 400, "assigned_to", "assigned_to: a username or null");
    b->c.set_assigned = as != NULL;
    b->c.assigned_to = json_string_value(as);
    if (fu && !json_is_string(fu) && !json_is_null(fu))
        return refuse(b, 400, "next_follow_up", "next_follow_up: a date or null");
    if (json_is_string(fu) && referral_date_parse(json_string_value(fu)) < 0)
        return refuse(b, 422, "next_follow_up",
                      "next_follow_up: a real date as YYYY-MM-DD");
    b->c.set_follow_up = fu != NULL;
    b->c.next_follow_up = json_string_value(fu);
    return 0;
}

static int parse_change(json_t *body, change_body *b)
{
    json_t *note;
    const char *key, *why;

    memset(b, 0, sizeof *b);
    if (!json_is_object(body))
        return refuse(b, 400, NULL, "the body must be a JSON object");
    if (unknown_key(body, &key))
        return refuse(b, 400, key, "unexpected field");
    if (!(b->c.domain = json_string_value(json_object_get(body, "domain"))))
        return refuse(b, 400, "domain", "domain: a string is required");
    if (!(b->c.service_id = json_string_value(json_object_get(body, "service_id"))))
        return refuse(b, 400, "service_id", "service_id: a string is required");
    if (parse_fields(body, b))
        return 1;
    note = json_object_get(body, "note");
    if (note && !json_is_string(note) && !json_is_null(note))
        return refuse(b, 400, "note", "note: a string");
    b->c.note = json_string_value(note);
    if (b->c.note && referral_note_check(b->c.note, &why))
        return refuse(b, 422, "note", why);
    if (b->c.status < 0 && !b->c.set_assigned && !b->c.set_follow_up &&
        !(b->c.note && *b->c.note))
        return refuse(
            b, 422, "status",
            "nothing to change: give status, assigned_to, next_follow_up or note");
    return 0;
}

/* What changed, for the audit log: names and dates, never the note's text. */
static void change_detail(const referral_change *c, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s%s%s%s%s%s%s%s", c->domain, c->service_id,
             c->status >= 0 ? " status=" : "",
             c->status >= 0 ? referral_status_name((referral_status)c->status) : "",
             c->set_assigned ? " assigned_to=" : "",
             c->set_assigned ? (c->assigned_to ? c->assigned_to : "nobody") : "",
             c->set_follow_up ? " next_follow_up=" : "",
             c->set_follow_up ? (c->next_follow_up ? c->next_follow_up : "none") : "",
             c->note && *c->note ? " note" : "");
}

/* The one of referrals (from referrals_json) that c changed, or NULL. */
static json_t *pick(json_t *all, const referral_change *c)
{
    json_t *r;
    size_t i;

    json_array_foreach(all, i, r)
    {
        const char *d = json_string_value(json_object_get(r, "domain"));
        const char *sid = json_string_value(json_object_get(r, "service_id"));
        if (d && sid && !strcmp(d, c->domain) && !strcmp(sid, c->service_id))
            return json_incref(r);
    }
    return NULL;
}

/* The referral as GET /submissions/{id} shows it, after the change. */
static MHD_RESULT changed_answer(http_ctx *h, const char *id, const referral_change *c)
{
    submission_row row;
    referral_set set;
    json_t *all = NULL, *found;

    if (store_submission_get(h->app->store, id, &row))
        return http_store_unavailable(h);
    if (store_referrals_load(h->app->store, id, &set) == SG_OK) {
        all = referrals_json(h->app, row.resources_json, &set);
        referral_set_free(&set);
    }
    submission_row_clear(&row);
    found = pick(all, c);
    json_decref(all);
    /* Saved, but not read back: the console reloads the submission. */
    return found ? http_send_json(h, MHD_HTTP_OK, found) : http_store_unavailable(h);
}

static MHD_RESULT apply_change(http_ctx *h, const staff_session *s, const char *id,
                               change_body *b)
{
    char detail[AUDIT_DETAIL], ip[INET6_ADDRSTRLEN];
    audit_entry e = {s->user_id, s->username, "referral.update", id, detail, ip};
    const char *field = NULL;
    sg_rc rc;

    staff_client_ip(h, ip, sizeof ip);
    change_detail(&b->c, detail, sizeof detail);
    b->c.screening_id = id;
    b->c.username = s->username;
    b->c.audit = &e;
    rc = store_referral_update(h->app->store, &b->c, &field);
    if (rc == SG_ENOTFOUND)
        return not_found(h);
    if (rc == SG_EINVAL)
        return http_error(h, 422, "invalid_field",
                          field && !strcmp(field, "assigned_to")
                              ? "assigned_to: no enabled staff account has that name"
                              : "service_id: not one of this submission's resources",
                          field);
    if (rc)
        return http_store_unavailable(h);
    sg_info("staff: %s changed a referral", s->username);
    return changed_answer(h, id, &b->c);
}

static MHD_RESULT referral_post(http_ctx *h, const char *id)
{
    staff_session *s;
    change_body b;
    MHD_RESULT ret;
    json_t *body = NULL;

    if (!http_method_is(h, "POST", &ret) || !(s = staff_require(h, 1, "navigator", &ret)))
        return ret;
    if (!(body = http_json_body(h, &ret)))
        goto out;
    if (parse_change(body, &b))
        ret = http_error(h, b.status, b.status == 400 ? "invalid_body" : "invalid_field",
                         b.why, b.field);
    else
        ret = apply_change(h, s, id, &b);
out:
    json_decref(body);
    staff_session_free(s);
    return ret;
}

/* ---- reprinting ---------------------------------------------------------------------
 */

static MHD_RESULT reprint(http_ctx *h, const char *id)
{
    char job[SG_ID_LEN];
    submission_row row;
    staff_session *s;
    MHD_RESULT ret;
    sg_rc rc;

    if (!http_method_is(h, "POST", &ret) || !(s = staff_require(h, 1, "navigator", &ret)))
        return ret;
    memset(&row, 0, sizeof row);
    if (!h->app->printing) {
        ret = http_error(h, MHD_HTTP_CONFLICT, "printing_off",
                         "this kiosk has no printer ([printer] transport = none)", NULL);
        goto out;
    }
    if ((rc = store_submission_get(h->app->store, id, &row))) {
        ret = rc == SG_ENOTFOUND ? not_found(h) : http_store_unavailable(h);
        goto out;
    }
    if (staff_audit(h, s, "receipt.reprint", id, NULL)) {
        ret = http_store_unavailable(h);
        goto out;
    }
    rc = app_queue_receipt(h->app, id, job);
    if (rc == SG_OK)
        ret = http_send_json(h, MHD_HTTP_ACCEPTED,
                             json_pack("{s:s, s:s}", "job_id", job, "status", "queued"));
    else if (rc == SG_ENOTFOUND)
        ret = not_found(h);
    else if (rc == SG_EBUSY)
        ret = http_error(h, MHD_HTTP_SERVICE_UNAVAILABLE, "queue_full",
                         "the print queue is full; try again when the printer catches up",
                         NULL);
    else
        ret = http_store_unavailable(h);
out:
    submission_row_clear(&row);
    staff_session_free(s);
    return ret;
}

/* ---- routing
 * ----------------------------------------------------------------------------- */

/* /submissions/{id}[/referrals|/reprint] */
static MHD_RESULT one_submission(http_ctx *h, const char *rest)
{
    size_t n = strcspn(rest, "/");
    char id[SG_ID_LEN];

    if (!kiosk_valid_id(rest, n))
        return not_found(h);
    memcpy(id, rest, n);
    id[n] = '\0';
    if (!rest[n])
        return detail(h, id);
    if (!strcmp(rest + n, "/referrals"))
        return referral_post(h, id);
    if (!strcmp(rest + n, "/reprint"))
        return reprint(h, id);
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route",
                      NULL);
}

MHD_RESULT staff_subs(http_ctx *h)
{
    static const char subs[] = API "/submissions/";

    if (!strcmp(h->url, API "/submissions"))
        return queue(h);
    if (!strncmp(h->url, subs, sizeof subs - 1))
        return one_submission(h, h->url + sizeof subs - 1);
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route",
                      NULL);
}
