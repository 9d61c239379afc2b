/*
 * Assembling the daemon's shared state (see app.h).  Everything that can be
 * wrong with the installation is checked here, before the listener opens:
 * a malformed instrument, a language the instrument lacks, an unreadable
 * domain map or directory, a store that cannot be opened or migrated.
 */
#include <jansson.h>
#include <sodium.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signpost/app.h"
#include "signpost/directory_db.h"
#include "signpost/log.h"

sg_rc app_load_instrument(const sg_config *cfg, sg_instrument **out, char *err,
                          size_t errlen)
{
    char path[SG_CFG_PATH * 2 + 32];

    /* A bare name means a bundled instrument; anything with a slash is a path. */
    if (strchr(cfg->instrument, '/'))
        snprintf(path, sizeof path, "%s", cfg->instrument);
    else
        snprintf(path, sizeof path, "%s/instruments/%s.json", cfg->data_dir, cfg->instrument);
    return instrument_load(path, out, err, errlen);
}

sg_rc app_load_domain_map(const sg_config *cfg, sg_domain_map *map, char *err, size_t errlen)
{
    sg_instrument *inst = NULL;
    sg_rc rc = app_load_instrument(cfg, &inst, err, errlen);

    if (!rc)
        rc = domain_map_load(cfg->domain_map, inst, map, err, errlen);
    instrument_free(inst);
    return rc;
}

static sg_rc check_languages(const sg_app *app, char *err, size_t errlen)
{
    char list[SG_CFG_STR];
    char *save = NULL;

    snprintf(list, sizeof list, "%s", app->cfg->kiosk_languages);
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (instrument_lang(app->inst, tok) < 0) {
            snprintf(err, errlen, "[kiosk] languages: instrument %s has no \"%s\" text",
                     app->inst->id, tok);
            return SG_EINVAL;
        }
    return SG_OK;
}

static sg_rc load_directory(sg_app *app, char *err, size_t errlen)
{
    const sg_config *cfg = app->cfg;
    char why[512] = "";
    size_t problems = 0;
    sg_rc rc;

    rc = directory_prepare(cfg->store_dir, cfg->directory_import, &app->map, &problems, why,
                           sizeof why);
    if (rc) {
        snprintf(err, errlen, "[directory] import: %s", why);
        return rc;
    }
    if ((rc = directory_reader_open(cfg->store_dir, &app->dir, err, errlen)))
        return rc;
    if (!directory_reader_count(app->dir))
        sg_warn(cfg->directory_sync_url[0]
                    ? "no directory yet: the kiosk will show no resources until the first "
                      "directory sync completes"
                    : "no directory imported yet: the kiosk will show no resources until "
                      "'signpost import' is run");
    return SG_OK;
}

static sg_rc load_printer_profile(sg_app *app, char *err, size_t errlen)
{
    char path[SG_CFG_PATH + 64];
    sg_rc rc;

    app->printing = strcmp(app->cfg->printer_transport, "none") != 0;
    snprintf(path, sizeof path, "%s/printers/profiles.json", app->cfg->data_dir);
    rc = printer_profile_load(path, app->cfg->printer_profile, &app->profile, err, errlen);
    if (rc == SG_ENOTFOUND)
        snprintf(err, errlen, "[printer] profile: no profile \"%s\" in %s",
                 app->cfg->printer_profile, path);
    return rc;
}

char *app_kiosk_json(const sg_app *app)
{
    const sg_config *cfg = app->cfg;
    json_t *langs = json_array(), *o;
    char list[SG_CFG_STR], *save = NULL, *s;

    snprintf(list, sizeof list, "%s", cfg->kiosk_languages);
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int l = instrument_lang(app->inst, tok);
        json_array_append_new(langs, json_pack("{s:s, s:s}", "code", tok, "name",
                                               app->inst->langs[l].name));
    }
    o = json_pack("{s:s, s:{s:s, s:s}, s:o, s:s%, s:i, s:i, s:{s:b, s:b}}", "kiosk_id",
                  cfg->kiosk_id, "clinic", "name", cfg->clinic_name, "phone",
                  cfg->clinic_phone, "languages", langs, "default_language",
                  cfg->kiosk_languages, (size_t)2, "idle_warning_s", cfg->idle_warning_s,
                  "idle_reset_s", cfg->idle_reset_s, "features", "receipt", app->printing && app->print_kick, "sms",
                  app->sms_on && app->sms_kick);
    if (o && app->sms_on)
        json_object_set_new(o, "sms", json_pack("{s:i, s:b, s:s}", "reminders", app->nreminders,
                                                "send_list", cfg->sms_send_list, "from",
                                                cfg->sms_from)); /* where to text START */
    s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

sg_rc app_open(const sg_config *cfg, sg_app **out, char *err, size_t errlen)
{
    sg_app *app = calloc(1, sizeof *app);
    sg_rc rc = SG_ENOMEM;

    *out = NULL;
    if (!app)
        return SG_ENOMEM;
    app->cfg = cfg;
    if ((rc = app_load_instrument(cfg, &app->inst, err, errlen)) || (rc = check_languages(app, err, errlen)) ||
        (rc = domain_map_load(cfg->domain_map, app->inst, &app->map, err, errlen)) ||
        (rc = load_printer_profile(app, err, errlen)) ||
        (rc = store_open(cfg->store_dir, cfg->threads, &app->store, err, errlen)) ||
        (rc = load_directory(app, err, errlen)) || (rc = app_open_sms(app, err, errlen)))
        goto out;
    rc = SG_ENOMEM;
    app->tokens = token_table_new(cfg->token_ttl_s);
    app->kiosk_json = app_kiosk_json(app);
    if (!app->tokens || !app->kiosk_json)
        goto out;
    *out = app;
    app = NULL;
    rc = SG_OK;
out:
    app_close(app);
    return rc;
}

void app_close(sg_app *app)
{
    if (!app)
        return;
    store_close(app->store);
    vault_close(app->vault);
    sodium_memzero(app->hook_secret, sizeof app->hook_secret);
    directory_reader_close(app->dir);
    instrument_free(app->inst);
    token_table_free(app->tokens);
    free(app->kiosk_json);
    free(app);
}

void app_local_time(time_t t, int *date, int *minute)
{
    struct tm tm;
    localtime_r(&t, &tm); /* TZ was set to [clinic] timezone at start-up */
    *minute = tm.tm_hour * 60 + tm.tm_min;
    *date = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}
