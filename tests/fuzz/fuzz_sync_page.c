/*
 * Fuzzes the directory-sync page reader (src/directory/sync_parse.c): the
 * body of one GET {sync_url}/services?... answer, as `signpost sync` and
 * the daemon's sync worker read it with sync_page_parse(), then the paging
 * decision (sync_page_is_last()) and, for each service, what the mirror
 * does with it: its last_modified through sync_time_parse() (the next
 * pass's mark) and its JSON text as the mirror stores and later writes it
 * out for the importer.  A short input is also tried as a timestamp on its
 * own, so the time parser gets direct attention.
 *
 * Invariants:
 *  - a body is either an accepted page with a contents array or refused
 *    with a reason in err and nothing left to free; a bare array is its
 *    own contents and has no paging fields;
 *  - the paging fields are what the JSON says (integers, booleans) or -1,
 *    never a value the server did not send;
 *  - the listing ends as sync.h documents it: on an empty page, "empty"
 *    or "last_page" true, page_number (or the page asked for) reaching
 *    total_pages, and with no paging fields on a short page; "last_page":
 *    false keeps it going;
 *  - each service's text, as the mirror keeps it (compact JSON) and writes
 *    it out ("[", texts joined by ",", "]"), reads back as the same
 *    services, so the importer sees what the API sent;
 *  - a timestamp that parses formats as "YYYY-MM-DDTHH:MM:SS.mmmZ", and
 *    that text parses back to the same instant (years 0000-9999), so a
 *    stored mark means the time it was taken from.
 */
#include <limits.h>
#include <jansson.h>
#include <string.h>

#include "fuzz_common.h"
#include "signpost/sync.h"

/* 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms. */
#define MS_YEAR_0 (-62167219200000LL)
#define MS_YEAR_9999_END (253402300799999LL)

static void check_time(const char *s)
{
    char text[SYNC_TIME_LEN];
    int64_t ms, again;

    if (sync_time_parse(s, &ms) != 0)
        return;
    if (ms < MS_YEAR_0 || ms > MS_YEAR_9999_END)
        return; /* an offset pushed it out of four-digit years */
    sync_time_format(ms, text);
    FUZZ_CHECK(strlen(text) == 24 && text[4] == '-' && text[10] == 'T' &&
               text[23] == 'Z');
    FUZZ_CHECK(sync_time_parse(text, &again) == 0);
    FUZZ_CHECK(again == ms);
}

/* A paging field is the JSON's integer when it is one a long can hold and
 * not negative, or -1. */
static void check_int_field(const json_t *root, const char *key, long got)
{
    const json_t *v = json_is_object(root) ? json_object_get(root, key) : NULL;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

    if (n >= 0 && n <= LONG_MAX)
        FUZZ_CHECK(got == n);
    else
        FUZZ_CHECK(got == -1);
}

static void check_bool_field(const json_t *root, const char *key, int got)
{
    const json_t *v = json_is_object(root) ? json_object_get(root, key) : NULL;

    FUZZ_CHECK(got == (json_is_boolean(v) ? json_is_true(v) : -1));
}

/*
 * sync_page_is_last() against what sync.h promises, as properties rather
 * than a second copy of the rule: an empty page, or one that says it is
 * the last or empty, ends the listing; one that says more follow does not;
 * a full page without paging fields may have more after it; a page at or
 * past the stated total ends it.
 */
static void check_paging(const sync_page *p)
{
    static const int per_page[] = {1, 2, SYNC_PER_PAGE};
    size_t n = json_array_size(p->contents);

    for (size_t i = 0; i < sizeof per_page / sizeof per_page[0]; i++)
        for (int requested = 1; requested <= 3; requested++) {
            int last = sync_page_is_last(p, requested, per_page[i]);
            long page = p->page_number >= 0 ? p->page_number : requested;

            FUZZ_CHECK(last == 0 || last == 1);
            if (n == 0 || p->empty == 1 || p->last_page == 1)
                FUZZ_CHECK(last);
            else if (p->last_page == 0)
                FUZZ_CHECK(!last);
            else if (p->total_pages >= 0)
                FUZZ_CHECK(last == (page >= p->total_pages));
            else if (n >= (size_t)per_page[i])
                FUZZ_CHECK(!last);
        }
}

/* The mirror's text of each service, joined as write_mirror() writes it,
 * reads back as the same services; timestamps are checked on the way. */
static void check_mirror(const json_t *contents)
{
    sg_buf out;
    json_t *svc, *back;
    json_error_t je;
    size_t i, kept = 0;

    sg_buf_init(&out, 64u * 1024 * 1024);
    FUZZ_CHECK(sg_buf_adds(&out, "[\n") == SG_OK);
    json_array_foreach(contents, i, svc) {
        const char *modified = json_string_value(json_object_get(svc, "last_modified"));
        char *text;
        if (modified)
            check_time(modified);
        if (!json_is_object(svc))
            continue; /* the mirror keeps objects with an id only */
        FUZZ_CHECK((text = json_dumps(svc, JSON_COMPACT)) != NULL);
        FUZZ_CHECK(sg_buf_adds(&out, kept++ ? ",\n" : "") == SG_OK);
        FUZZ_CHECK(sg_buf_adds(&out, text) == SG_OK);
        free(text);
    }
    FUZZ_CHECK(sg_buf_adds(&out, "\n]\n") == SG_OK);
    back = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, &je);
    FUZZ_CHECK(back && json_array_size(back) == kept);
    kept = 0;
    json_array_foreach(contents, i, svc) {
        if (json_is_object(svc))
            FUZZ_CHECK(json_equal(svc, json_array_get(back, kept++)));
    }
    json_decref(back);
    sg_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    sync_page p;
    sg_rc rc;

    if (size > 256 * 1024)
        return 0;
    if (size <= 64) {
        char *s = fuzz_cstr(data, size);
        check_time(s);
        free(s);
    }
    err[0] = '\0';
    rc = sync_page_parse((const char *)data, size, &p, err, sizeof err);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL);
    if (rc) {
        FUZZ_CHECK(err[0] != '\0' && !p.root && !p.contents);
        return 0;
    }
    FUZZ_CHECK(json_is_array(p.contents));
    if (p.contents == p.root) {
        FUZZ_CHECK(p.page_number == -1 && p.total_pages == -1);
        FUZZ_CHECK(p.last_page == -1 && p.empty == -1);
    } else {
        FUZZ_CHECK(json_object_get(p.root, "contents") == p.contents);
    }
    check_int_field(p.root, "page_number", p.page_number);
    check_int_field(p.root, "total_pages", p.total_pages);
    check_bool_field(p.root, "last_page", p.last_page);
    check_bool_field(p.root, "empty", p.empty);
    check_paging(&p);
    check_mirror(p.contents);
    sync_page_free(&p);
    FUZZ_CHECK(!p.root && !p.contents);
    sync_page_free(NULL);
    return 0;
}
