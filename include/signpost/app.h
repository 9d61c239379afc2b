/*
 * The running daemon's shared state: configuration, the loaded instrument,
 * the directory snapshot, the store and the kiosk tokens.  Built once by
 * app_open() at start-up and read by every request thread; app_close()
 * releases it all and accepts NULL.
 */
#ifndef SIGNPOST_APP_H
#define SIGNPOST_APP_H

#include <stddef.h>
#include <time.h>
#include "signpost/config.h"
#include "signpost/directory.h"
#include "signpost/instrument.h"
#include "signpost/printer_profile.h"
#include "signpost/result.h"
#include "signpost/sms.h"
#include "signpost/sms_vault.h"
#include "signpost/store.h"
#include "signpost/token.h"

typedef struct {
    const sg_config *cfg;
    sg_instrument *inst;
    sg_store *store;
    directory_reader *dir; /* never NULL once open; may hold no directory */
    sg_domain_map map;
    sg_token_table *tokens;
    char *kiosk_json;      /* GET /api/v1/kiosk, built once */
    printer_profile profile;   /* [printer] profile */
    int printing;              /* 0 when [printer] transport = none */
    void (*print_kick)(void *ctx); /* wakes the print worker; may be NULL */
    void *print_ctx;
    /* SMS follow-up: only when [sms] gateway is not "none" (see app_sms.c). */
    int sms_on;
    sms_vault *vault;
    sms_policy policy;
    int reminder_s[SG_MAX_REMINDERS]; /* [sms] reminders, in seconds */
    int nreminders;
    char hook_secret[256];        /* checks webhooks: Twilio token, Kannel password */
    void (*sms_kick)(void *ctx);  /* wakes the outbox worker; may be NULL */
    void *sms_ctx;
} sg_app;

sg_rc app_open(const sg_config *cfg, sg_app **out, char *err, size_t errlen);

/* Loads [screening] instrument: a bare name is a bundled instrument
 * (data_dir/instruments/NAME.json), anything with a slash a path. */
sg_rc app_load_instrument(const sg_config *cfg, sg_instrument **out, char *err,
                          size_t errlen);
/* Loads [directory] domain_map, checked against the instrument's domains
 * (for commands that need the map without a whole app). */
sg_rc app_load_domain_map(const sg_config *cfg, sg_domain_map *map, char *err, size_t errlen);

/* Opens the vault, checks the texts fit one segment and reads the webhook
 * secret; does nothing when [sms] gateway = none.  Called by app_open. */
sg_rc app_open_sms(sg_app *app, char *err, size_t errlen);

/* The GET /api/v1/kiosk answer for the app as it is now (caller frees). */
char *app_kiosk_json(const sg_app *app);
void app_close(sg_app *app);

/*
 * Renders the receipt for a stored screening and queues it for the printer;
 * job_id gets the new job's id.  SG_ENOTFOUND: no such screening;
 * SG_EBUSY: the queue is full; SG_EINVAL: printing is off.
 */
sg_rc app_queue_receipt(sg_app *app, const char *screening_id, char job_id[SG_ID_LEN]);

/* Local YYYYMMDD date and minute of the day in the clinic's time zone. */
void app_local_time(time_t t, int *date, int *minute);

#endif
