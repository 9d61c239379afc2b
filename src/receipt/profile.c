/*
 * Loading printer profiles (see printer_profile.h).  The fields are a
 * table, as in Redis's config: name, kind, where the value goes and its
 * range.  Each field is required, unknown fields are refused (a misspelt
 * "cuter" must not quietly mean "no cutter"), and after the fields come the
 * checks that involve two of them (pacing only without flow control, a
 * width in whole bytes).  Only the profile asked for is checked in depth,
 * so one broken entry does not stop a kiosk that uses another.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "signpost/printer_profile.h"

#define FORMAT_NAME "signpost-printers/1"

typedef enum { F_STRING, F_INT, F_BOOL, F_CODEPAGE, F_FLOW } field_kind;

typedef struct {
    const char *name;
    field_kind kind;
    size_t offset;
    size_t size;  /* F_STRING: the buffer's size */
    int min, max; /* F_INT */
} field;

#define STR_FIELD(f)                                                                   \
    #f, F_STRING, offsetof(printer_profile, f), sizeof(((printer_profile *)0)->f)
#define INT_FIELD(f) #f, F_INT, offsetof(printer_profile, f), 0

static const field fields[] = {
    {STR_FIELD(name), 0, 0},
    {STR_FIELD(description), 0, 0},
    {INT_FIELD(dots_per_line), 64, 4096},
    {INT_FIELD(columns_font_a), 8, 255},
    {INT_FIELD(columns_font_b), 0, 255},
    {"codepage", F_CODEPAGE, offsetof(printer_profile, page), 0, 0, 0},
    {INT_FIELD(codepage_esc_t), 0, 255},
    {"native_qr", F_BOOL, offsetof(printer_profile, native_qr), 0, 0, 0},
    {"cutter", F_BOOL, offsetof(printer_profile, cutter), 0, 0, 0},
    {INT_FIELD(max_raster_rows), 1, 2047},
    {INT_FIELD(baud), 1200, 115200},
    {"flow", F_FLOW, offsetof(printer_profile, flow), 0, 0, 0},
    {INT_FIELD(pacing_bytes_per_s), 0, 11520},
    {INT_FIELD(qr_module_dots), 1, 16},
};

static const int bauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
static const char *const flow_names[] = {"none", "xonxoff", "rtscts"};

const char *printer_flow_name(printer_flow flow)
{
    return (unsigned)flow < 3 ? flow_names[flow] : "?";
}

static sg_rc fail(char *err, size_t errlen, sg_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static sg_rc fail(char *err, size_t errlen, sg_rc rc, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(err);

    va_start(ap, fmt);
    vsnprintf(err + n, errlen - n, fmt, ap);
    va_end(ap);
    return rc;
}

/* Stores v as field f of p; on a bad value returns what was expected. */
static const char *set_field(const field *f, json_t *v, printer_profile *p)
{
    char *at = (char *)p + f->offset;
    const char *s = json_string_value(v);

    switch (f->kind) {
    case F_STRING:
        if (!s || !*s || json_string_length(v) >= f->size)
            return "expected a non-empty string";
        memcpy(at, s, json_string_length(v) + 1);
        return NULL;
    case F_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min ||
            json_integer_value(v) > f->max)
            return "expected a whole number in range";
        *(int *)(void *)at = (int)json_integer_value(v);
        return NULL;
    case F_BOOL:
        if (!json_is_boolean(v))
            return "expected true or false";
        *(int *)(void *)at = json_is_true(v);
        return NULL;
    case F_CODEPAGE:
        if (codepage_from_name(s) == CODEPAGE_NONE)
            return "expected one of CP437, CP850, CP858, WPC1252";
        *(codepage *)(void *)at = codepage_from_name(s);
        return NULL;
    case F_FLOW:
        for (int i = 0; s && i < 3; i++)
            if (strcmp(s, flow_names[i]) == 0) {
                *(printer_flow *)(void *)at = (printer_flow)i;
                return NULL;
            }
        return "expected \"none\", \"xonxoff\" or \"rtscts\"";
    }
    return "unknown field kind";
}

/* The checks that relate two fields, after each one is valid by itself. */
static const char *check_together(const printer_profile *p, const char **which)
{
    int baud_ok = 0;

    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        baud_ok |= p->baud == bauds[i];
    if ((*which = "baud"), !baud_ok)
        return "expected a standard rate (1200 to 115200)";
    if ((*which = "dots_per_line"), p->dots_per_line % 8)
        return "expected a multiple of 8 (raster rows are whole bytes)";
    if ((*which = "columns_font_b"), p->columns_font_b && p->columns_font_b < 8)
        return "expected 0 (no font B) or at least 8";
    *which = "pacing_bytes_per_s";
    if (p->flow == PRINTER_FLOW_NONE && p->pacing_bytes_per_s == 0)
        return "expected a rate above 0: without flow control writes must be paced";
    if (p->flow != PRINTER_FLOW_NONE && p->pacing_bytes_per_s != 0)
        return "expected 0: with flow control the printer sets the pace";
    if (p->pacing_bytes_per_s > p->baud / 10)
        return "expected at most baud / 10 (8N1 sends 10 bits per byte)";
    return NULL;
}

static sg_rc load_one(json_t *obj, const char *name, printer_profile *out, char *err,
                      size_t errlen)
{
    printer_profile p;
    const char *key, *why, *which;
    json_t *v;

    memset(&p, 0, sizeof p);
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (i < sizeof fields / sizeof fields[0] && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == sizeof fields / sizeof fields[0])
            return fail(err, errlen, SG_EINVAL, "%s.%s: unknown field", name, key);
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        v = json_object_get(obj, fields[i].name);
        if (!v)
            return fail(err, errlen, SG_EINVAL, "%s.%s: missing", name, fields[i].name);
        if ((why = set_field(&fields[i], v, &p))) {
            if (fields[i].kind == F_INT)
                return fail(err, errlen, SG_EINVAL,
                            "%s.%s: expected a whole number from %d to %d", name,
                            fields[i].name, fields[i].min, fields[i].max);
            return fail(err, errlen, SG_EINVAL, "%s.%s: %s", name, fields[i].name, why);
        }
    }
    if ((why = check_together(&p, &which)))
        return fail(err, errlen, SG_EINVAL, "%s.%s: %s", name, which, why);
    *out = p;
    return SG_OK;
}

/* Finds the entry called name; checks that names are present and unique. */
static sg_rc find_entry(json_t *list, const char *name, json_t **found, char *err,
                        size_t errlen)
{
    json_t *v;
    size_t i;

    *found = NULL;
    json_array_foreach(list, i, v) {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (!json_is_object(v) || !n || !*n)
            return fail(err, errlen, SG_EINVAL, "profiles[%zu].name: missing", i);
        for (size_t j = 0; j < i; j++) {
            json_t *earlier = json_object_get(json_array_get(list, j), "name");
            if (!strcmp(n, json_string_value(earlier)))
                return fail(err, errlen, SG_EINVAL,
                            "profiles[%zu].name: \"%s\" listed twice", i, n);
        }
        if (strcmp(n, name) == 0)
            *found = v;
    }
    if (*found)
        return SG_OK;
    fail(err, errlen, SG_ENOTFOUND, "no printer profile named \"%s\"; known:", name);
    json_array_foreach(list, i, v)
        fail(err, errlen, SG_ENOTFOUND, "%s %s", i ? "," : "",
             json_string_value(json_object_get(v, "name")));
    return SG_ENOTFOUND;
}

sg_rc printer_profile_load(const char *path, const char *name, printer_profile *out,
                           char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root, *list, *entry;
    const char *format;
    sg_rc rc;

    snprintf(err, errlen, "%s: ", path);
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        int missing = json_error_code(&jerr) == json_error_cannot_open_file;
        snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return missing ? SG_EIO : SG_EINVAL;
    }
    format = json_string_value(json_object_get(root, "format"));
    list = json_object_get(root, "profiles");
    if (!format || strcmp(format, FORMAT_NAME) != 0)
        rc = fail(err, errlen, SG_EINVAL, "format: expected \"%s\"", FORMAT_NAME);
    else if (!json_is_array(list))
        rc = fail(err, errlen, SG_EINVAL, "profiles: expected an array");
    else if (!(rc = find_entry(list, name, &entry, err, errlen)))
        rc = load_one(entry, name, out, err, errlen);
    if (!rc)
        err[0] = '\0';
    json_decref(root);
    return rc;
}
