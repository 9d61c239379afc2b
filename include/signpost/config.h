/*
 * The daemon's configuration: one INI file, one flat struct.
 *
 * Every key is described once, in a table in config.c, with its type, limits
 * and default; defaults are applied by running the default text through the
 * same parser as the file, so a default can never be invalid.  A wrong
 * section, key or value stops start-up with "FILE:LINE: [section] key: why".
 * Strings live in fixed arrays inside the struct, so an sg_config owns no
 * heap memory and needs no free.
 */
#ifndef SIGNPOST_CONFIG_H
#define SIGNPOST_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include "signpost/result.h"

#define SG_CFG_STR 128
#define SG_CFG_PATH 256
#define SG_CFG_LONG 512
#define SG_MAX_REMINDERS 8

typedef struct {
    /* [clinic] */
    char clinic_name[SG_CFG_STR];
    char clinic_phone[SG_CFG_STR];
    char clinic_timezone[SG_CFG_STR];
    /* [kiosk] */
    char kiosk_listen[SG_CFG_STR];
    char kiosk_id[SG_CFG_STR];
    char kiosk_languages[SG_CFG_STR]; /* comma-separated language codes */
    double kiosk_latitude, kiosk_longitude; /* NAN when not set */
    int idle_warning_s, idle_reset_s;
    int token_ttl_s;
    int max_connections;
    int max_body_kb;
    int request_timeout_s;  /* idle: a connection silent this long is closed */
    int request_deadline_s; /* whole: one request's headers and body, however slow */
    int threads;
    /* [staff] */
    char staff_listen[SG_CFG_STR];
    char staff_tls_cert[SG_CFG_PATH], staff_tls_key[SG_CFG_PATH];
    char staff_tls[SG_CFG_STR]; /* "auto", or "off" (loopback listen only) */
    int session_idle_min;
    int session_max_h; /* absolute session lifetime, whatever the activity */
    int staff_threads; /* the staff listener's pool: a login's hash stalls only one */
    /* [store] */
    char store_dir[SG_CFG_PATH];
    int retention_days;
    int store_backups; /* nightly copies `signpost maintain` keeps; 0: none */
    /* [paths] */
    char data_dir[SG_CFG_PATH];
    char ui_dir[SG_CFG_PATH];
    /* [screening] */
    char instrument[SG_CFG_PATH];
    int safety_threshold;
    /* [directory] */
    char directory_import[SG_CFG_PATH];
    char directory_sync_url[SG_CFG_LONG];
    int sync_interval_min; /* between background sync runs */
    int sync_max_pages;    /* API pages per sync run */
    int sync_timeout_s;    /* one sync request */
    int sync_full_days;    /* a full listing this often; 0 never */
    char domain_map[SG_CFG_PATH];
    int results_per_domain;
    double radius_km; /* 0: no limit */
    int stale_days;
    /* [printer] */
    char printer_transport[SG_CFG_STR], printer_profile[SG_CFG_STR];
    char printer_device[SG_CFG_PATH], printer_flow[SG_CFG_STR];
    char printer_host[SG_CFG_STR], printer_path[SG_CFG_PATH];
    int printer_baud, printer_port;
    int printer_max_queued; /* receipts that may wait for the printer */
    int printer_timeout_s;  /* for one write or status question */
    int printer_expire_min; /* a receipt not printed by then is dropped */
    /* [receipt] */
    char receipt_qr_url[SG_CFG_LONG], receipt_footer[SG_CFG_LONG];
    int receipt_print_safety; /* 0: safety resources only on screen */
    /* [sms] */
    char sms_gateway[SG_CFG_STR], sms_from[SG_CFG_STR];
    char sms_reminders[SG_CFG_STR], sms_quiet_hours[SG_CFG_STR];
    int sms_max_per_day, sms_max_per_week;
    int sms_validity_h;    /* a text not sent this long after its slot expires */
    int sms_timeout_s;     /* one gateway request, all of it */
    int sms_retry_base_s, sms_retry_cap_s; /* backoff with full jitter */
    int sms_max_attempts;  /* transient failures before a text fails */
    int sms_reconcile_after_s; /* wait before asking the gateway about an unknown text */
    int sms_send_list;     /* 1: patients may ask for their list by text */
    char sms_public_url[SG_CFG_LONG]; /* how gateways reach the staff listener */
    char sms_key_file[SG_CFG_PATH];   /* phone-number key; "" = STATE/sms.key */
    /* [sms.twilio] */
    char twilio_account_sid[SG_CFG_STR], twilio_auth_token_file[SG_CFG_PATH];
    char twilio_messaging_service_sid[SG_CFG_STR], twilio_base_url[SG_CFG_LONG];
    int twilio_poll_s; /* fetch replies this often; 0 = webhooks only */
    /* [sms.kannel] */
    char kannel_url[SG_CFG_LONG], kannel_username[SG_CFG_STR], kannel_smsc[SG_CFG_STR];
    char kannel_password_file[SG_CFG_PATH];
    /* [sms.http] */
    char http_url[SG_CFG_LONG], http_method[SG_CFG_STR], http_body[SG_CFG_LONG];
    char http_headers[SG_CFG_LONG], http_success[SG_CFG_STR];
    /* [log] */
    char log_level[SG_CFG_STR];

    /* Not keys: where the values came from. */
    char source[SG_CFG_PATH]; /* the file read, or "" for demo defaults */
    int demo;                 /* 1 when no file was read */
} sg_config;

/* Fills cfg with the documented defaults of every key. */
void config_defaults(sg_config *cfg);

/*
 * Reads path over the defaults already in cfg.  On failure err holds
 * "path:line: [section] key: reason" and cfg may be partly updated.
 */
sg_rc config_load(sg_config *cfg, const char *path, char *err, size_t errlen);

/*
 * Sets one key as if it appeared in the file ("kiosk", "listen", "1.2.3.4:0");
 * used for command-line overrides.  Same validation as the file.
 */
sg_rc config_set(sg_config *cfg, const char *section, const char *key,
                 const char *value, char *err, size_t errlen);

/*
 * Checks rules that involve more than one key and resolves the data and UI
 * directories when they were left empty.
 */
sg_rc config_finish(sg_config *cfg, char *err, size_t errlen);

/*
 * The INI reader takes lines of at most SG_INI_MAX_LINE characters; longer
 * values continue on indented lines.  Checks f (rewound afterwards) so that
 * an over-long line gets a clear message instead of a bare parse error.
 */
#define SG_INI_MAX_LINE 199
sg_rc ini_check_lines(FILE *f, const char *path, char *err, size_t errlen);

/* 1 when item is one of the entries of a comma-separated list value. */
int config_list_has(const char *list, const char *item);

/* Seconds of each duration in a validated K_DURATIONS value ("7d,14d"),
 * at most max of them; returns how many. */
int config_durations(const char *v, int *out, int max);
/* Minutes of the day of a validated HH:MM-HH:MM value (the end may be 1440). */
void config_hourspan(const char *v, int *start_min, int *end_min);

/* Splits an "ADDR:PORT" listen value; addr must hold 64 bytes. */
sg_rc config_split_listen(const char *listen, char *addr, size_t addrlen, int *port);

#endif
