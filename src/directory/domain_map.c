/*
 * The domain map: which taxonomy codes and keywords serve each screening
 * domain.  It is an INI file (data/taxonomy/domain-map.ini by default) so a
 * clinic can change what "utilities" means locally without a rebuild:
 *
 *   [food]
 *   terms = 1102, 1130
 *   keywords = pantry, meals, despensa
 */
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "signpost/config.h"
#include "signpost/directory.h"

typedef struct {
    sg_domain_map *map;
    const sg_instrument *inst;
    char why[200];
} map_ctx;

static domain_terms *section(map_ctx *c, const char *name)
{
    for (int i = 0; i < c->map->ndomains; i++)
        if (strcmp(c->map->domains[i].name, name) == 0)
            return &c->map->domains[i];
    if (c->map->ndomains >= SG_MAX_DOMAINS)
        return NULL;
    domain_terms *d = &c->map->domains[c->map->ndomains++];
    snprintf(d->name, sizeof d->name, "%s", name);
    return d;
}

/* Splits a comma list into fixed slots, trimming spaces; -1 on overflow. */
static int split(const char *value, char *slots, size_t slotlen, int max, int *count)
{
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        if (len == 0)
            break;
        if (*count >= max || len >= slotlen)
            return -1;
        char *slot = slots + (size_t)*count * slotlen;
        for (size_t i = 0; i < len; i++)
            slot[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] - 'A' + 'a') : p[i];
        slot[len] = '\0';
        (*count)++;
        p += len;
    }
    return 0;
}

static int on_entry(void *user, const char *sec, const char *key, const char *value)
{
    map_ctx *c = user;
    domain_terms *d;

    if (c->why[0])
        return 0;
    if (instrument_domain_index(c->inst, sec) < 0) {
        snprintf(c->why, sizeof c->why, "[%s]: not a domain of instrument %s", sec, c->inst->id);
        return 0;
    }
    if (!(d = section(c, sec)))
        return 0;
    if (strcmp(key, "terms") == 0) {
        if (split(value, &d->terms[0][0], sizeof d->terms[0], SG_MAP_MAX_TERMS, &d->nterms))
            snprintf(c->why, sizeof c->why, "[%s] terms: too many or too long", sec);
    } else if (strcmp(key, "keywords") == 0) {
        if (split(value, &d->keywords[0][0], sizeof d->keywords[0], SG_MAP_MAX_KEYWORDS,
                  &d->nkeywords))
            snprintf(c->why, sizeof c->why, "[%s] keywords: too many or too long", sec);
    } else {
        snprintf(c->why, sizeof c->why, "[%s] %s: unknown key (terms or keywords)", sec, key);
    }
    return c->why[0] ? 0 : 1;
}

sg_rc domain_map_load(const char *path, const sg_instrument *inst, sg_domain_map *out,
                      char *err, size_t errlen)
{
    map_ctx c = {out, inst, ""};
    FILE *f = fopen(path, "r");
    int line;

    memset(out, 0, sizeof *out);
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return SG_EIO;
    }
    if (ini_check_lines(f, path, err, errlen)) {
        fclose(f);
        return SG_EINVAL;
    }
    line = ini_parse_file(f, on_entry, &c);
    fclose(f);
    if (line > 0) {
        snprintf(err, errlen, "%s:%d: %s", path, line, c.why[0] ? c.why : "not a valid INI line");
        return SG_EINVAL;
    }
    return SG_OK;
}
