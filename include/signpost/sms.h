/*
 * The pure core of SMS follow-up: phone numbers, message length, reply
 * keywords, the texts themselves and when they may be sent.
 *
 * Nothing here touches the network, the store or the clock: every function
 * takes what it needs as arguments, so the rules a patient relies on (never
 * more than one text a day, never at night, STOP works at once) are tested
 * directly.  Local time is the process time zone, which the daemon sets to
 * [clinic] timezone at start-up (tests set TZ themselves).
 */
#ifndef SIGNPOST_SMS_H
#define SIGNPOST_SMS_H

#include <stddef.h>
#include <time.h>
#include "signpost/result.h"

/* ---- Phone numbers (NANP) ------------------------------------------------ */

#define SMS_E164_LEN 16 /* "+1" and 10 digits and a NUL, with room to spare */

typedef enum {
    PHONE_OK,         /* a valid NANP number; e164 is filled */
    PHONE_INCOMPLETE, /* fine so far, but fewer than 10 digits */
    PHONE_INVALID     /* can never become valid; why says what is wrong */
} phone_check;

/*
 * Checks what a person typed: "(555) 123-4567", "555.123.4567",
 * "1 555 123 4567", "+15551234567".  Separators ( ) - . space are ignored;
 * any other character, a leading digit other than 1 before 10 digits, an
 * area code or exchange starting with 0 or 1, an N11 code or an area code
 * whose second digit is 9 is PHONE_INVALID with why set to a short English
 * reason naming the part ("area code cannot start with 0 or 1").  e164 gets
 * "+1NPANXXXXXX" on PHONE_OK.  why may be NULL.
 */
phone_check sms_phone_parse(const char *typed, char e164[SMS_E164_LEN], const char **why);

/* For the demo gateway's log lines: only the last two digits survive,
 * "+12175550167" becomes "(***) ***-**67".  Anything else gives "(invalid)". */
void sms_phone_mask(const char *e164, char out[SMS_E164_LEN + 8]);

/* ---- Segments (GSM 03.38 / UCS-2) ---------------------------------------- */

typedef struct {
    int ucs2;     /* 1 when some character is outside GSM-7 (default + escapes) */
    int units;    /* septets (GSM-7, escapes count 2) or UTF-16 code units */
    int segments; /* 1 up to 160/70 units, then ceil(units / 153 or 67) */
} sms_length;

/* Counts a UTF-8 text as a handset would.  SG_EINVAL for invalid UTF-8. */
sg_rc sms_count(const char *utf8, sms_length *out);

/* ---- Replies -------------------------------------------------------------- */

typedef enum {
    REPLY_OTHER,     /* anything else: kept for staff to read */
    REPLY_STOP,      /* STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
                        OPTOUT, PARAR, ALTO, CANCELAR, BASTA, and plain-words
                        revocations like "stop texting me" / "no me escriban" */
    REPLY_START,     /* START, UNSTOP, (YES only when opted out: see below) */
    REPLY_HELP,      /* HELP, INFO, AYUDA */
    REPLY_CONNECTED, /* "1", yes, si/sí, "I did" ... */
    REPLY_NOT_YET,   /* "2", no, not yet, todavía no ... */
    REPLY_NEED_HELP  /* "3", need help, necesito ayuda ... */
} sms_reply;

/*
 * Classifies an inbound text.  Case, accents, surrounding spaces and
 * punctuation are ignored; keywords are whole-message (STOP, "1") except
 * revocation phrases, which are honoured anywhere in the text because the
 * FCC treats any reasonable revocation as one.  opted_out says whether the
 * number is opted out now: then "YES" means START, otherwise CONNECTED.
 */
sms_reply sms_classify_reply(const char *body, int opted_out);
const char *sms_reply_name(sms_reply r); /* "stop", "connected", ... */

/* ---- Texts ---------------------------------------------------------------- */

typedef enum {
    TEXT_REMINDER,     /* the check-in: clinic name and a 1/2/3 question */
    TEXT_HELP,         /* answer to HELP: program, contact, frequency, rates, STOP */
    TEXT_STOP_CONFIRM, /* the one confirmation allowed after an opt-out */
    TEXT_START_CONFIRM /* after START */
} sms_text_kind;

typedef struct {
    const char *clinic_name;
    const char *clinic_phone;
    int reminders; /* how many check-ins the schedule sends (for HELP) */
} sms_text_vars;

/*
 * Renders one text in language lang ("en", "es"; anything else falls back
 * to English) into out.  Texts name the clinic and ask a question; they
 * never carry a need, a resource or an answer.  SG_ETOOBIG when the result
 * would not fit outlen.
 */
sg_rc sms_render(sms_text_kind kind, const char *lang, const sms_text_vars *v, char *out,
                 size_t outlen);

/* The languages texts are written in, NULL-terminated ("en", "es"). */
extern const char *const sms_languages[];

/*
 * Checks that every kind of text in every language fits one segment with
 * these variables (the daemon runs it at start-up with the configured
 * clinic name).  SG_ETOOBIG names the text, language and length in err.
 */
sg_rc sms_check_texts(const sms_text_vars *v, char *err, size_t errlen);

/*
 * The consent the patient agrees to on the kiosk, in lang: clinic name,
 * how many texts and when ("2 texts, 7 and 14 days from now"), "Reply STOP
 * to stop, HELP for help. Msg & data rates may apply."  SMS_CONSENT_VERSION
 * is stored with each consent and changes whenever the wording does.
 */
#define SMS_CONSENT_VERSION "2026-11-29.1"
sg_rc sms_consent_text(const char *lang, const char *clinic_name, const int *offsets_s,
                       int n, char *out, size_t outlen);

/*
 * "Text me this list", asked for by the patient at the kiosk: the clinic
 * name, then one line per resource ("Name: phone"), in the order given,
 * as many whole lines as fit SMS_LIST_MAX_SEGMENTS segments (a line that
 * does not fit is left out, never cut).  *shown gets how many made it.
 * SG_EINVAL when not even the first fits.
 */
#define SMS_LIST_MAX_SEGMENTS 4
typedef struct {
    const char *name;
    const char *phone; /* may be NULL or "" */
} sms_list_item;
sg_rc sms_list_text(const char *lang, const char *clinic_name, const sms_list_item *items,
                    int n, char *out, size_t outlen, int *shown);

/* ---- When texts may go out ------------------------------------------------- */

typedef struct {
    int quiet_start_min; /* sending allowed from this minute of the local day */
    int quiet_end_min;   /* ... until this one (exclusive); start < end */
    int max_per_day;     /* per number, per local calendar day */
    int max_per_week;    /* per number, in any 7 consecutive local days */
} sms_policy;

/*
 * The earliest time at or after want when one more text may go to a number
 * that already has texts at the times in taken[0..ntaken) (sent or still
 * scheduled; any order): inside the allowed hours of the local day, and
 * with the day and week caps kept counting the new text.  Looks at most
 * 60 days ahead; returns (time_t)-1 when there is no such time.
 */
time_t sms_next_slot(const sms_policy *p, time_t want, const time_t *taken, int ntaken);

/*
 * Plans a whole reminder schedule: for each offset (seconds after
 * consented_at) the send time from sms_next_slot, each later text counting
 * the earlier ones and taken[].  out[i] is (time_t)-1 when offset i finds
 * no slot.  Returns how many got a slot.
 */
int sms_plan(const sms_policy *p, time_t consented_at, const int *offsets_s, int n,
             const time_t *taken, int ntaken, time_t *out);

/*
 * Backoff with full jitter before retry attempt (1 = first retry):
 * uniform in [0, min(cap_s, base_s * 2^(attempt-1))], drawn from rnd
 * (any uniformly random 32-bit value).  When retry_after_s >= 0 (the
 * gateway's Retry-After) the answer is at least that.
 */
int sms_backoff_s(int attempt, int base_s, int cap_s, int retry_after_s, unsigned rnd);

/* Parses a Retry-After value: delta seconds or an HTTP-date (relative to
 * now).  Returns seconds to wait (0 for a past date), -1 when unparsable. */
int sms_retry_after(const char *value, time_t now);

#endif
