/*
 * Checking staff's changes to a service's curation before anything is
 * written (resources.h): every key known, every value of the right type,
 * range and length, each refusal naming its field the way the console
 * shows it next to the input.  Then merging the checked changes into a
 * record.  Pure: no I/O, no globals.
 *
 * Lengths are the dir_curation fields' (what the kiosk's receipt and
 * the matcher carry).  Single-line fields refuse control characters so a
 * receipt line never breaks; notes may have line breaks and tabs.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "signpost/resources.h"

static sg_rc refuse(sg_field_error *e, int status, const char *code, const char *field,
                    const char *msg)
{
    e->status = status;
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->field, sizeof e->field, "%s", field);
    snprintf(e->message, sizeof e->message, "%s: %s", field, msg);
    return SG_EINVAL;
}

/* 1 when s has no control character (multi_line: line breaks and tabs allowed). */
static int clean_text(const char *s, int multi_line)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 || *p == 0x7F) &&
            !(multi_line && (*p == '\n' || *p == '\t' || *p == '\r')))
            return 0;
    return 1;
}

/* A string of at most cap-1 bytes into out; a 422 naming field otherwise. */
static sg_rc take_text(const json_t *v, const char *field, int multi_line, char *out,
                       size_t cap, sg_field_error *e)
{
    char msg[96];
    const char *s = json_string_value(v);

    if (!json_is_string(v))
        return refuse(e, 422, "invalid_value", field, "expected a string");
    if (json_string_length(v) >= cap) {
        snprintf(msg, sizeof msg, "at most %zu bytes", cap - 1);
        return refuse(e, 422, "too_long", field, msg);
    }
    if (strlen(s) != json_string_length(v) || !clean_text(s, multi_line))
        return refuse(e, 422, "invalid_value", field,
                      multi_line ? "no control characters other than line breaks and tabs"
                                 : "one line, no control characters");
    snprintf(out, cap, "%s", s);
    return SG_OK;
}

static int phone_chars(const char *p)
{
    return strspn(p, "0123456789 +-().x") == strlen(p);
}

/* A language code as the kiosk uses them: two or three lower-case letters. */
static int lang_code(const char *s)
{
    size_t n = strlen(s);
    return n >= 2 && n <= 3 && strspn(s, "abcdefghijklmnopqrstuvwxyz") == n;
}

static sg_rc take_ask_for(const json_t *v, curation_patch *p, sg_field_error *e)
{
    char field[64];
    const char *lang;
    json_t *text;
    sg_rc rc;

    if (!json_is_object(v))
        return refuse(
            e, 422, "invalid_value", "ask_for",
            "expected an object of language code to text, like {\"es\":\"...\"}");
    if (json_object_size(v) > SG_ASK_FOR_LANGS)
        return refuse(e, 422, "invalid_value", "ask_for", "at most 4 languages");
    json_object_foreach((json_t *)v, lang, text)
    {
        snprintf(field, sizeof field, "ask_for.%.48s", lang);
        if (!lang_code(lang))
            return refuse(e, 422, "invalid_value", field,
                          "a language code of two or three lower-case letters");
        snprintf(p->ask_for[p->nask_for].lang, sizeof p->ask_for[0].lang, "%s", lang);
        if (!json_is_null(text) &&
            (rc = take_text(text, field, 0, p->ask_for[p->nask_for].text,
                            sizeof p->ask_for[0].text, e)))
            return rc;
        p->nask_for++;
    }
    return SG_OK;
}

static sg_rc take_priority(const json_t *v, curation_patch *p, sg_field_error *e)
{
    if (!json_is_integer(v) || json_integer_value(v) < -9 || json_integer_value(v) > 9)
        return refuse(e, 422, "invalid_value", "priority", "a whole number from -9 to 9");
    p->priority = (int)json_integer_value(v);
    return SG_OK;
}

static sg_rc take_flag(const json_t *v, const char *field, int *out, sg_field_error *e)
{
    if (!json_is_boolean(v))
        return refuse(e, 422, "invalid_value", field, "expected true or false");
    *out = json_is_true(v);
    return SG_OK;
}

static const struct {
    const char *key;
    unsigned bit;
} keys[] = {
    {"contact_name", CUR_CONTACT_NAME},
    {"contact_phone", CUR_CONTACT_PHONE},
    {"ask_for", CUR_ASK_FOR},
    {"priority", CUR_PRIORITY},
    {"pinned", CUR_PINNED},
    {"hidden", CUR_HIDDEN},
    {"notes", CUR_NOTES},
};

static sg_rc take_one(unsigned bit, const json_t *v, curation_patch *p, sg_field_error *e)
{
    switch (bit) {
    case CUR_CONTACT_NAME:
        return take_text(v, "contact_name", 0, p->contact_name, sizeof p->contact_name,
                         e);
    case CUR_CONTACT_PHONE:
        if (take_text(v, "contact_phone", 0, p->contact_phone, sizeof p->contact_phone,
                      e))
            return SG_EINVAL;
        return phone_chars(p->contact_phone)
                   ? SG_OK
                   : refuse(e, 422, "invalid_value", "contact_phone",
                            "only digits, spaces and + - ( ) . x");
    case CUR_ASK_FOR:
        return take_ask_for(v, p, e);
    case CUR_PRIORITY:
        return take_priority(v, p, e);
    case CUR_PINNED:
        return take_flag(v, "pinned", &p->pinned, e);
    case CUR_HIDDEN:
        return take_flag(v, "hidden", &p->hidden, e);
    default:
        return take_text(v, "notes", 1, p->notes, sizeof p->notes, e);
    }
}

sg_rc curation_patch_parse(const void *json_body, curation_patch *out,
                           sg_field_error *err)
{
    const json_t *body = json_body;
    const char *key;
    json_t *v;
    size_t k;
    sg_rc rc;

    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    if (!json_is_object(body))
        return refuse(err, 400, "invalid_body", "body", "expected a JSON object");
    /* Every key first: a typo is a 400 before any value is judged. */
    json_object_foreach((json_t *)body, key, v)
    {
        for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(key, keys[k].key); k++)
            ;
        if (k == sizeof keys / sizeof keys[0]) {
            char field[64];
            snprintf(field, sizeof field, "%.63s", key);
            return refuse(err, 400, "unknown_field", field, "not a curation field");
        }
    }
    if (json_object_size(body) == 0)
        return refuse(err, 400, "invalid_body", "body",
                      "give at least one field to change");
    for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (!(v = json_object_get(body, keys[k].key)))
            continue;
        if ((rc = take_one(keys[k].bit, v, out, err)))
            return rc;
        out->set |= keys[k].bit;
    }
    return SG_OK;
}

static int find_lang(const dir_curation *c, const char *lang)
{
    for (int j = 0; j < c->nask_for && j < SG_ASK_FOR_LANGS; j++)
        if (!strcmp(c->ask_for[j].lang, lang))
            return j;
    return -1;
}

/* Merges the patch's languages into c's: replaced or ("") removed first,
 * then added, so one request can swap a language for another. */
static sg_rc merge_ask_for(const curation_patch *p, dir_curation *c, sg_field_error *err)
{
    dir_curation m = *c;
    int n = 0, j;

    for (int i = 0; i < p->nask_for; i++)
        if ((j = find_lang(&m, p->ask_for[i].lang)) >= 0)
            snprintf(m.ask_for[j].text, sizeof m.ask_for[j].text, "%s",
                     p->ask_for[i].text);
    for (j = 0; j < m.nask_for && j < SG_ASK_FOR_LANGS; j++)
        if (m.ask_for[j].text[0])
            c->ask_for[n++] = m.ask_for[j];
    for (int i = 0; i < p->nask_for; i++) {
        if (!p->ask_for[i].text[0] || find_lang(&m, p->ask_for[i].lang) >= 0)
            continue;
        if (n == SG_ASK_FOR_LANGS)
            return refuse(err, 422, "invalid_value", "ask_for",
                          "at most 4 languages per service");
        snprintf(c->ask_for[n].lang, sizeof c->ask_for[n].lang, "%s", p->ask_for[i].lang);
        snprintf(c->ask_for[n].text, sizeof c->ask_for[n].text, "%s", p->ask_for[i].text);
        n++;
    }
    for (j = n; j < SG_ASK_FOR_LANGS; j++)
        memset(&c->ask_for[j], 0, sizeof c->ask_for[j]);
    c->nask_for = n;
    return SG_OK;
}

sg_rc curation_patch_apply(const curation_patch *p, dir_curation *c, sg_field_error *err)
{
    dir_curation keep = *c;

    memset(err, 0, sizeof *err);
    if ((p->set & CUR_ASK_FOR) && merge_ask_for(p, c, err)) {
        *c = keep;
        return SG_EINVAL;
    }
    if (p->set & CUR_CONTACT_NAME)
        snprintf(c->contact_name, sizeof c->contact_name, "%s", p->contact_name);
    if (p->set & CUR_CONTACT_PHONE)
        snprintf(c->contact_phone, sizeof c->contact_phone, "%s", p->contact_phone);
    if (p->set & CUR_PRIORITY)
        c->priority = p->priority;
    if (p->set & CUR_PINNED)
        c->pinned = p->pinned;
    if (p->set & CUR_HIDDEN)
        c->hidden = p->hidden;
    if (p->set & CUR_NOTES)
        snprintf(c->notes, sizeof c->notes, "%s", p->notes);
    if (p->set & CUR_VERIFIED) {
        snprintf(c->verified_on, sizeof c->verified_on, "%s", p->verified_on);
        snprintf(c->verified_by, sizeof c->verified_by, "%s", p->verified_by);
    }
    return SG_OK;
}
