/*
 * The SMS part of start-up (see app_open_sms in app.h).  Everything that
 * would otherwise fail days later, when the first reminder falls due, is
 * checked now: the key file, that every text still fits one segment with
 * this clinic's name, and that the webhook secret can be read.
 */
#include <stdio.h>
#include <string.h>

#include "signpost/app.h"
#include "signpost/log.h"
#include "signpost/sms_gateway.h"
#include "signpost/sms_store.h"

static sg_rc open_vault(sg_app *app, char *err, size_t errlen)
{
    const sg_config *cfg = app->cfg;
    char path[SG_CFG_PATH + 16], why[SG_CFG_PATH + 128];
    long sealed = 0;
    sg_rc rc;

    if (cfg->sms_key_file[0])
        snprintf(path, sizeof path, "%s", cfg->sms_key_file);
    else
        snprintf(path, sizeof path, "%s/sms.key", cfg->store_dir);
    if ((rc = store_sms_sealed_count(app->store, &sealed)))
        return rc;
    /* A new key cannot open old boxes: make one only for an empty store. */
    rc = vault_open(path, sealed == 0, &app->vault, why, sizeof why);
    if (rc == SG_ENOTFOUND)
        snprintf(err, errlen, "[sms] key_file: %s; the store holds %ld sealed phone numbers "
                 "and texts that only that key opens (restore it from the backup)", why, sealed);
    else if (rc)
        snprintf(err, errlen, "[sms] key_file: %s", why);
    return rc;
}

static sg_rc read_hook_secret(sg_app *app, char *err, size_t errlen)
{
    const sg_config *cfg = app->cfg;
    const char *file = NULL, *key = NULL;

    if (strcmp(cfg->sms_gateway, "twilio") == 0) {
        file = cfg->twilio_auth_token_file;
        key = "[sms.twilio] auth_token_file";
    } else if (strcmp(cfg->sms_gateway, "kannel") == 0) {
        file = cfg->kannel_password_file;
        key = "[sms.kannel] password_file";
    }
    if (!file)
        return SG_OK;
    if (!file[0]) {
        snprintf(err, errlen, "%s: required when [sms] gateway = %s", key, cfg->sms_gateway);
        return SG_EINVAL;
    }
    return gw_read_secret(file, app->hook_secret, sizeof app->hook_secret, err, errlen);
}

sg_rc app_open_sms(sg_app *app, char *err, size_t errlen)
{
    const sg_config *cfg = app->cfg;
    sms_text_vars vars;
    sg_rc rc;

    if (strcmp(cfg->sms_gateway, "none") == 0)
        return SG_OK;
    app->nreminders = config_durations(cfg->sms_reminders, app->reminder_s, SG_MAX_REMINDERS);
    config_hourspan(cfg->sms_quiet_hours, &app->policy.quiet_start_min,
                    &app->policy.quiet_end_min);
    app->policy.max_per_day = cfg->sms_max_per_day;
    app->policy.max_per_week = cfg->sms_max_per_week;
    vars = (sms_text_vars){cfg->clinic_name, cfg->clinic_phone, app->nreminders};
    if ((rc = sms_check_texts(&vars, err, errlen))) {
        size_t used = strlen(err);
        if (rc == SG_ETOOBIG)
            snprintf(err + used, errlen - used, " ([clinic] name: try a shorter name)");
        return rc;
    }
    if ((rc = read_hook_secret(app, err, errlen)) || (rc = open_vault(app, err, errlen)))
        return rc;
    if (!cfg->demo && strcmp(cfg->sms_gateway, "log") == 0)
        sg_warn("[sms] gateway = log: texts are only written to this log, never sent; "
                "set twilio, http or kannel, or none to stop offering texts");
    app->sms_on = 1;
    return SG_OK;
}
