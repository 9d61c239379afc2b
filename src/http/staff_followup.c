/*
 * The staff console's follow-up routes (docs/api.md): GET
 * /staff/api/v1/follow-up, the referrals due today and overdue and the
 * check-ins nobody answered, and GET /staff/api/v1/staff, the accounts
 * work can be assigned to.  Both are reads for any role; the follow-up
 * lists show patients' needs, so they are audited like a submission view.
 * The SQL is in src/store/referrals.c (referral_store.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "signpost/referral_store.h"
#include "signpost/staff_store.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200

/* The router sends anything under the prefix; only the path itself exists. */
static MHD_RESULT no_route(http_ctx *h)
{
    return http_error(h, MHD_HTTP_NOT_FOUND, "not_found", "no such staff API route", NULL);
}

/* Today in the clinic's time zone, as YYYYMMDD. */
static int today(void)
{
    int date, minute;
    app_local_time(time(NULL), &date, &minute);
    return date;
}

typedef struct {
    followup_item *items;
    size_t n, max;
} item_list;

static int keep_item(void *ctx, const followup_item *it)
{
    item_list *l = ctx;
    if (l->n >= l->max)
        return 1;
    l->items[l->n++] = *it;
    return 0;
}

static json_t *followup_json(const followup_item *it, const service_label *lab)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "submission_id",
                     it->screening_id, "created_at", it->created_at, "domain", it->domain,
                     "service_id", it->service_id, "name",
                     lab->found ? http_json_text(lab->name) : json_null(), "status",
                     referral_status_name(it->status), "assigned_to",
                     http_json_text(it->assigned_to), "next_follow_up", it->next_follow_up);
}

/* Both lists, with the directory's names, into o; 0 on success. */
static int add_due(sg_app *app, item_list l[2], json_t *o)
{
    static const char *const names[2] = {"due_today", "overdue"};
    size_t n = l[0].n + l[1].n, k = 0;
    service_label *labels = calloc(n ? n : 1, sizeof *labels);
    int failed = 1;

    if (!labels)
        return -1;
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; j < l[i].n; j++)
            labels[k++].service_id = l[i].items[j].service_id;
    if (store_service_labels(app->cfg->store_dir, labels, n) == SG_OK) {
        k = 0;
        for (int i = 0; i < 2; i++) {
            json_t *list = json_array();
            for (size_t j = 0; j < l[i].n; j++, k++)
                json_array_append_new(list, followup_json(&l[i].items[j], &labels[k]));
            json_object_set_new(o, names[i], list);
        }
        failed = 0;
    }
    free(labels);
    return failed ? -1 : 0;
}

static int add_no_answer(void *ctx, const char *screening_id, const char *kind,
                         time_t sent_at)
{
    return json_array_append_new(ctx, json_pack("{s:s, s:s, s:o}", "submission_id",
                                                screening_id, "kind", kind, "sent_at",
                                                http_json_time(sent_at)));
}

/* The three lists, NULL when a read failed. */
static json_t *followup_lists(sg_app *app, int today, int limit)
{
    item_list l[2] = {{NULL, 0, (size_t)limit}, {NULL, 0, (size_t)limit}};
    char day[REFERRAL_DATE_LEN];
    json_t *o, *none = json_array();

    referral_date_format(today, day);
    o = json_pack("{s:s}", "today", day);
    l[0].items = calloc((size_t)limit, sizeof *l[0].items);
    l[1].items = calloc((size_t)limit, sizeof *l[1].items);
    if (!o || !l[0].items || !l[1].items || !none ||
        store_followup_due(app->store, today, 0, limit, keep_item, &l[0]) ||
        store_followup_due(app->store, today, 1, limit, keep_item, &l[1]) ||
        store_followup_no_answer(app->store, time(NULL), limit, add_no_answer, none) ||
        add_due(app, l, o) || json_object_set(o, "no_answer", none)) {
        json_decref(o);
        o = NULL;
    }
    free(l[0].items);
    free(l[1].items);
    json_decref(none);
    return o;
}

MHD_RESULT staff_follow_up(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;
    json_t *o;
    int limit;

    if (strcmp(h->url, "/staff/api/v1/follow-up"))
        return no_route(h);
    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    if ((limit = http_query_limit(h, LIMIT_DEFAULT, LIMIT_MAX)) < 0)
        ret = http_error(h, MHD_HTTP_BAD_REQUEST, "invalid_query",
                         "limit: a whole number from 1 to 200", "limit");
    else if (staff_audit(h, s, "followup.view", NULL, NULL) ||
             !(o = followup_lists(h->app, today(), limit)))
        ret = http_store_unavailable(h);
    else
        ret = http_send_json(h, MHD_HTTP_OK, o);
    staff_session_free(s);
    return ret;
}

/* ---- the accounts work can be assigned to ---------------------------- */

static int add_account(void *ctx, const staff_user *u)
{
    if (u->disabled)
        return 0;
    return json_array_append_new(ctx, json_pack("{s:s, s:s}", "username", u->username,
                                                "role", staff_role_name(u->role)));
}

MHD_RESULT staff_accounts(http_ctx *h)
{
    staff_session *s;
    MHD_RESULT ret;
    json_t *list;

    if (strcmp(h->url, "/staff/api/v1/staff"))
        return no_route(h);
    if (!http_method_is(h, "GET", &ret) || !(s = staff_require(h, 0, "viewer", &ret)))
        return ret;
    list = json_array();
    if (!list || staff_user_list(h->app->store, add_account, list)) {
        json_decref(list);
        ret = http_store_unavailable(h);
    } else {
        ret = http_send_json(h, MHD_HTTP_OK, json_pack("{s:o}", "staff", list));
    }
    staff_session_free(s);
    return ret;
}
