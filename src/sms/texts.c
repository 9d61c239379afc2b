/*
 * The words patients read (see sms.h): the follow-up text, the answers to
 * HELP, STOP and START, and the consent shown on the kiosk before any of
 * them is sent.
 *
 * Every text must fit one GSM-7 segment: a split text can arrive in pieces
 * or out of order, costs double, and a single character outside GSM-7
 * makes the whole text UCS-2 with room for only 70.  So the Spanish texts
 * keep to GSM-7 on purpose: é, ñ, ü and ¿ are in it, but á, í, ó and ú are
 * not, and the words are chosen to avoid them (si, todavia); sms_check_texts
 * proves the result with the configured clinic name at start-up.  The
 * consent is shown on the screen, not sent, so it is written with every
 * accent.
 *
 * Nothing a patient told the kiosk ever goes into a text: only the clinic's
 * name and phone and the number of reminders.  A phone that others read
 * must not say what help someone asked for.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signpost/sms.h"

#define MAX_REMINDERS 99     /* far above the config's limit; keeps phrases short */
#define CHECK_BUF 640        /* more than one segment of anything, in UTF-8 */

const char *const sms_languages[] = {"en", "es", NULL};

/* ---- A capped writer into the caller's buffer ------------------------------ */

typedef struct {
    char *p;
    size_t cap, len;
    int over; /* something did not fit: the text is unusable */
} text_out;

static void put(text_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->over)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len) {
        o->over = 1;
        o->p[0] = '\0'; /* never leave half a text where a caller might send it */
        return;
    }
    o->len += (size_t)n;
}

static sg_rc finish(const text_out *o)
{
    return o->over ? SG_ETOOBIG : SG_OK;
}

/* "es", "ES", "es-MX", "es_US" are Spanish; anything else is English. */
static int is_spanish(const char *lang)
{
    return lang && (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 's' || lang[1] == 'S') &&
           (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

/* ---- The SMS texts ------------------------------------------------------------ */

static void put_reminder(text_out *o, int es, const sms_text_vars *v)
{
    if (es)
        put(o, "Hola, somos %s. \xC2\xBFPudo recibir la ayuda de su visita? Responda 1 si, "
               "2 todavia no, 3 necesito ayuda. STOP para parar",
            v->clinic_name);
    else
        put(o, "Hi, this is %s. Did you reach the help from your visit? Reply 1 yes, "
               "2 not yet, 3 need more help. STOP to stop",
            v->clinic_name);
}

/* HELP: program name, frequency, contact, rates and how to stop (CTIA). */
static void put_help(text_out *o, int es, const sms_text_vars *v)
{
    if (es)
        put(o, "Mensajes de %s: hasta %d por visita. Ayuda: %s. Pueden aplicarse tarifas de "
               "msj y datos. STOP para parar.",
            v->clinic_name, v->reminders, v->clinic_phone);
    else
        put(o, "%s follow-up texts: up to %d %s per visit. Help: call %s. Msg&data rates may "
               "apply. Reply STOP to stop.",
            v->clinic_name, v->reminders, v->reminders == 1 ? "text" : "texts",
            v->clinic_phone);
}

static void put_stop_confirm(text_out *o, int es, const sms_text_vars *v)
{
    if (es)
        put(o, "%s: Ya no le enviaremos mensajes. Responda START para recibirlos otra vez.",
            v->clinic_name);
    else
        put(o, "%s: You will get no more texts from us. Reply START to get them again.",
            v->clinic_name);
}

static void put_start_confirm(text_out *o, int es, const sms_text_vars *v)
{
    if (es)
        put(o, "%s: Le enviaremos mensajes otra vez. AYUDA para ayuda, STOP para parar. "
               "Pueden aplicarse tarifas de msj y datos.",
            v->clinic_name);
    else
        put(o, "%s: You will get follow-up texts again. Reply HELP for help, STOP to stop. "
               "Msg&data rates may apply.",
            v->clinic_name);
}

static int vars_ok(const sms_text_vars *v)
{
    return v && v->clinic_name && v->clinic_name[0] && v->clinic_phone && v->clinic_phone[0] &&
           v->reminders >= 1 && v->reminders <= MAX_REMINDERS;
}

sg_rc sms_render(sms_text_kind kind, const char *lang, const sms_text_vars *v, char *out,
                 size_t outlen)
{
    text_out o = {out, outlen, 0, 0};
    int es = is_spanish(lang);

    if (!out || outlen == 0)
        return SG_EINVAL;
    out[0] = '\0';
    if (!vars_ok(v))
        return SG_EINVAL;
    switch (kind) {
    case TEXT_REMINDER: put_reminder(&o, es, v); break;
    case TEXT_HELP: put_help(&o, es, v); break;
    case TEXT_STOP_CONFIRM: put_stop_confirm(&o, es, v); break;
    case TEXT_START_CONFIRM: put_start_confirm(&o, es, v); break;
    default: return SG_EINVAL;
    }
    return finish(&o);
}

/* ---- The start-up check ------------------------------------------------------- */

static const char *kind_name(sms_text_kind k)
{
    switch (k) {
    case TEXT_REMINDER: return "reminder";
    case TEXT_HELP: return "help";
    case TEXT_STOP_CONFIRM: return "stop_confirm";
    case TEXT_START_CONFIRM: return "start_confirm";
    }
    return "unknown";
}

/* Renders and counts one text; fills err when it is not one segment. */
static sg_rc check_one(sms_text_kind k, const char *lang, const sms_text_vars *v, char *err,
                       size_t errlen)
{
    char text[CHECK_BUF];
    sms_length len;
    sg_rc rc = sms_render(k, lang, v, text, sizeof text);

    if (rc == SG_OK)
        rc = sms_count(text, &len);
    if (rc == SG_OK && len.segments > 1) {
        snprintf(err, errlen, "text %s (%s) is %d %s, over one segment (%d)", kind_name(k),
                 lang, len.units, len.ucs2 ? "UCS-2 units" : "characters", len.ucs2 ? 70 : 160);
        return SG_ETOOBIG;
    }
    if (rc == SG_ETOOBIG)
        snprintf(err, errlen, "text %s (%s) is far over one segment", kind_name(k), lang);
    else if (rc == SG_EINVAL)
        snprintf(err, errlen, "text %s (%s): clinic name and phone must be set and valid "
                 "UTF-8, reminders 1 to %d", kind_name(k), lang, MAX_REMINDERS);
    return rc;
}

sg_rc sms_check_texts(const sms_text_vars *v, char *err, size_t errlen)
{
    static const sms_text_kind kinds[] = {TEXT_REMINDER, TEXT_HELP, TEXT_STOP_CONFIRM,
                                          TEXT_START_CONFIRM};

    assert(err && errlen > 0);
    err[0] = '\0';
    for (size_t l = 0; sms_languages[l]; l++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            sg_rc rc = check_one(kinds[k], sms_languages[l], v, err, errlen);
            if (rc)
                return rc;
        }
    return SG_OK;
}

/* ---- The consent -------------------------------------------------------------- */

typedef struct {
    int secs;
    const char *en, *en_pl, *es, *es_pl;
} time_unit;

static const time_unit units[] = {
    {86400, "day", "days", "d\xC3\xAD" "a", "d\xC3\xAD" "as"},
    {3600, "hour", "hours", "hora", "horas"},
    {60, "minute", "minutes", "minuto", "minutos"},
    {1, "second", "seconds", "segundo", "segundos"},
};

/* The largest unit an offset is a whole number of (7d, not 168h). */
static const time_unit *unit_of(int secs)
{
    size_t i = 0;
    while (i + 1 < sizeof units / sizeof units[0] && (secs == 0 || secs % units[i].secs))
        i++;
    return &units[i];
}

/*
 * "7 and 14 days" / "7 y 14 días": the offsets in order, each run of one
 * unit named once after its last number ("1 hour, 7 and 14 days").
 */
static void put_when(text_out *o, int es, const int *offsets, int n)
{
    int run = 0;
    for (int i = 0; i < n; i++) {
        const time_unit *u = unit_of(offsets[i]);
        if (i > 0)
            put(o, "%s", i == n - 1 ? (es ? " y " : " and ") : ", ");
        put(o, "%d", offsets[i] / u->secs);
        run++;
        if (i == n - 1 || unit_of(offsets[i + 1]) != u) {
            int one = run == 1 && offsets[i] == u->secs;
            put(o, " %s", es ? (one ? u->es : u->es_pl) : (one ? u->en : u->en_pl));
            run = 0;
        }
    }
}

static void put_consent(text_out *o, int es, const char *clinic, const int *offsets, int n)
{
    if (es) {
        put(o, "%s le enviar\xC3\xA1 %d %s, dentro de ", clinic, n,
            n == 1 ? "mensaje de texto" : "mensajes de texto");
        put_when(o, es, offsets, n);
        put(o, ", para preguntarle si recibi\xC3\xB3 la ayuda que necesitaba. Los mensajes no "
               "dir\xC3\xA1n qu\xC3\xA9 ayuda necesita. Responda STOP para parar, AYUDA para "
               "recibir ayuda. Pueden aplicarse tarifas de mensajes y datos.");
    } else {
        put(o, "%s will send you %d %s, ", clinic, n, n == 1 ? "text" : "texts");
        put_when(o, es, offsets, n);
        put(o, " from now, to ask if you got the help you needed. The texts will not say what "
               "help you need. Reply STOP to stop, HELP for help. Msg & data rates may apply.");
    }
}

sg_rc sms_consent_text(const char *lang, const char *clinic_name, const int *offsets_s,
                       int n, char *out, size_t outlen)
{
    text_out o = {out, outlen, 0, 0};

    if (!out || outlen == 0)
        return SG_EINVAL;
    out[0] = '\0';
    if (!clinic_name || !clinic_name[0] || !offsets_s || n < 1 || n > MAX_REMINDERS)
        return SG_EINVAL;
    for (int i = 0; i < n; i++)
        if (offsets_s[i] < 0)
            return SG_EINVAL;
    put_consent(&o, is_spanish(lang), clinic_name, offsets_s, n);
    return finish(&o);
}
