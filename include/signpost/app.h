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
#include "signpost/result.h"
#include "signpost/store.h"
#include "signpost/token.h"

typedef struct {
    const sg_config *cfg;
    sg_instrument *inst;
    sg_store *store;
    sg_directory *dir;     /* may be empty, never NULL once open */
    sg_domain_map map;
    sg_token_table *tokens;
    char *kiosk_json;      /* GET /api/v1/kiosk, built once */
} sg_app;

sg_rc app_open(const sg_config *cfg, sg_app **out, char *err, size_t errlen);
void app_close(sg_app *app);

/* Local weekday (0 = Monday), minute of the day and YYYYMMDD date in the
 * clinic's time zone. */
void app_local_time(time_t t, int *weekday, int *minute, int *date);

#endif
