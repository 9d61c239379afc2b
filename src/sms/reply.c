/*
 * What an inbound text means (see sms.h).  Replies come from people on
 * phones, in English or Spanish, with autocorrect, accents, capitals and
 * punctuation, so the body is first folded to plain words: ASCII lower
 * case, accents dropped (Sí -> si), apostrophes removed (don't -> dont) and
 * every other non-letter a word break.
 *
 * Keywords (STOP, HELP, "1", "not yet") must be the whole message, compared
 * with the spaces squeezed out, so "Stop.", "S T O P" and "not-yet" match.
 * A few courtesy words around a keyword are dropped first ("Stop please",
 * "1 thanks", "si gracias"), and a keyword repeated ("STOP STOP") counts
 * once.  Otherwise a keyword inside a sentence means nothing: "Did you stop
 * by?" and "the bus stop" are kept for staff to read, not taken as an
 * opt-out.  The exception is revocation: a phrase such as "stop texting
 * me" or "no me escriban" anywhere in the text opts the number out, since
 * the FCC counts any reasonable way of saying so.  The phrases all name the
 * texting or the sender, so a bare "stop" never triggers them.
 *
 * Only the first SMS_REPLY_MAX bytes are read, so the work is bounded
 * whatever a gateway delivers.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "signpost/sms.h"

#define SMS_REPLY_MAX 1600 /* ten concatenated segments, and then some */

/* ---- Folding --------------------------------------------------------------- */

/* ASCII for the Latin-1 letters U+00C0..U+00FF that Spanish and English
 * replies use; '\0' where there is no plain letter (× ÷). */
static const char latin1_fold[64 + 1] =
    "aaaaaaaceeeeiiii" /* ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ */
    "dnooooo\0ouuuuyts" /* ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞß */
    "aaaaaaaceeeeiiii" /* àáâãäåæçèéêëìíîï */
    "dnooooo\0ouuuuyty"; /* ðñòóôõö÷øùúûüýþÿ */

/* Folds one input character: the letter or digit it stands for, 0 for a
 * character that vanishes (apostrophes), ' ' for a word break. */
static char fold_char(const unsigned char *s, size_t left, size_t *used)
{
    unsigned c = s[0];
    *used = 1;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return (char)c;
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if (c == '\'')
        return 0;
    if (c == 0xC3 && left >= 2 && (s[1] & 0xC0) == 0x80) {
        *used = 2;
        char f = latin1_fold[s[1] & 0x3F];
        return f ? f : ' ';
    }
    /* ’ and ‘ (U+2019, U+2018): what phones type for an apostrophe */
    if (c == 0xE2 && left >= 3 && s[1] == 0x80 && (s[2] == 0x98 || s[2] == 0x99)) {
        *used = 3;
        return 0;
    }
    /* Any other byte, lead or continuation, is a break: a multi-byte
     * character becomes a few breaks, which squeeze to one. */
    return ' ';
}

/* Folds body[0..len) into words separated by single spaces, no space at
 * either end.  out needs len + 1 bytes: folding never lengthens text. */
static void fold_words(const char *body, size_t len, char *out)
{
    const unsigned char *s = (const unsigned char *)body;
    size_t i = 0, n = 0;

    while (i < len) {
        size_t used;
        char f = fold_char(s + i, len - i, &used);
        i += used;
        if (f == ' ' && (n == 0 || out[n - 1] == ' '))
            continue;
        if (f)
            out[n++] = f;
    }
    if (n > 0 && out[n - 1] == ' ')
        n--;
    assert(n <= len);
    out[n] = '\0';
}

/* ---- Whole-message keywords -------------------------------------------------- */

/* Words dropped around a keyword: they add courtesy, not meaning. */
static const char *const courtesy[] = {"please", "pls", "plz", "thanks", "thank", "you",
                                       "thx", "ok", "okay", "por", "favor", "gracias", NULL};

static int in_list(const char *w, size_t len, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
            return 1;
    return 0;
}

/*
 * Squeezes words into out without the spaces, leaving out courtesy words
 * (when something else remains) and immediate repeats of a word.
 */
static void squeeze(const char *words, char *out)
{
    size_t n = 0, kept = 0;
    const char *prev = NULL;
    size_t prev_len = 0;

    for (int pass = 0; pass < 2 && kept == 0; pass++) {
        n = 0;
        prev = NULL;
        for (const char *w = words; *w;) {
            size_t len = strcspn(w, " ");
            int skip = (pass == 0 && in_list(w, len, courtesy)) ||
                       (prev && prev_len == len && memcmp(prev, w, len) == 0);
            if (!skip) {
                memcpy(out + n, w, len);
                n += len;
                kept++;
                prev = w;
                prev_len = len;
            }
            w += len + (w[len] == ' ');
        }
    }
    out[n] = '\0';
}

typedef struct {
    const char *key; /* squeezed: lower case, no spaces */
    sms_reply reply;
} keyword;

static const keyword keywords[] = {
    {"stop", REPLY_STOP}, {"stopall", REPLY_STOP}, {"unsubscribe", REPLY_STOP},
    {"cancel", REPLY_STOP}, {"end", REPLY_STOP}, {"quit", REPLY_STOP},
    {"revoke", REPLY_STOP}, {"optout", REPLY_STOP}, {"parar", REPLY_STOP},
    {"alto", REPLY_STOP}, {"cancelar", REPLY_STOP}, {"basta", REPLY_STOP},
    {"start", REPLY_START}, {"unstop", REPLY_START},
    {"help", REPLY_HELP}, {"info", REPLY_HELP}, {"ayuda", REPLY_HELP},
    {"1", REPLY_CONNECTED}, {"yes", REPLY_CONNECTED}, {"y", REPLY_CONNECTED},
    {"yeah", REPLY_CONNECTED}, {"yep", REPLY_CONNECTED}, {"si", REPLY_CONNECTED},
    {"yesidid", REPLY_CONNECTED}, {"idid", REPLY_CONNECTED}, {"ya", REPLY_CONNECTED},
    {"yalohice", REPLY_CONNECTED}, {"silohice", REPLY_CONNECTED},
    {"sipude", REPLY_CONNECTED}, {"yapude", REPLY_CONNECTED},
    {"2", REPLY_NOT_YET}, {"no", REPLY_NOT_YET}, {"n", REPLY_NOT_YET},
    {"nope", REPLY_NOT_YET}, {"notyet", REPLY_NOT_YET}, {"nonotyet", REPLY_NOT_YET},
    {"todaviano", REPLY_NOT_YET}, {"notodavia", REPLY_NOT_YET}, {"aunno", REPLY_NOT_YET},
    {"nopude", REPLY_NOT_YET}, {"notodaviano", REPLY_NOT_YET},
    {"3", REPLY_NEED_HELP}, {"needhelp", REPLY_NEED_HELP}, {"ineedhelp", REPLY_NEED_HELP},
    {"morehelp", REPLY_NEED_HELP}, {"needmorehelp", REPLY_NEED_HELP},
    {"ineedmorehelp", REPLY_NEED_HELP}, {"necesitoayuda", REPLY_NEED_HELP},
    {"necesitomasayuda", REPLY_NEED_HELP}, {"masayuda", REPLY_NEED_HELP},
};

/* The keyword squeezed text is, REPLY_OTHER when none. */
static sms_reply match_keyword(const char *squeezed, int opted_out)
{
    /* After an opt-out, yes / si answers the "reply START" prompt. */
    if (opted_out && (strcmp(squeezed, "yes") == 0 || strcmp(squeezed, "si") == 0))
        return REPLY_START;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(squeezed, keywords[i].key) == 0)
            return keywords[i].reply;
    return REPLY_OTHER;
}

/* ---- Revocation phrases anywhere ------------------------------------------- */

/* Folded word sequences; each names the texting or the sender, so that
 * ordinary sentences with "stop" or "no" in them do not match.  "Wrong
 * number" is here too: whoever has the phone now never agreed to texts. */
static const char *const revocations[] = {
    "stop texting", "stop sending", "stop messaging", "stop contacting", "stop the texts",
    "stop these texts", "stop all texts", "dont text", "do not text", "dont message",
    "do not message", "dont send me", "do not send me", "dont contact me",
    "do not contact me", "no more texts", "no more text", "no more messages",
    "leave me alone", "unsubscribe", "opt out", "optout", "take me off", "remove me from",
    "no me escriban", "no me escribas", "no me escribe", "no me manden", "no me mande",
    "no me envien", "no me envie", "dejen de escribirme", "deja de escribirme",
    "dejen de mandarme", "deja de mandarme", "dejen de enviarme", "no mas mensajes",
    "no quiero mensajes", "no quiero mas mensajes", "no quiero recibir", "wrong number",
    "numero equivocado", NULL};

/* Whether a phrase occurs in words as whole words. */
static int has_phrase(const char *words, const char *phrase)
{
    size_t plen = strlen(phrase);
    for (const char *p = strstr(words, phrase); p; p = strstr(p + 1, phrase)) {
        int starts = p == words || p[-1] == ' ';
        int ends = p[plen] == '\0' || p[plen] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static int is_revocation(const char *words)
{
    for (size_t i = 0; revocations[i]; i++)
        if (has_phrase(words, revocations[i]))
            return 1;
    return 0;
}

/* ---- The classifier ---------------------------------------------------------- */

sms_reply sms_classify_reply(const char *body, int opted_out)
{
    char words[SMS_REPLY_MAX + 1], squeezed[SMS_REPLY_MAX + 1];
    sms_reply r;

    if (!body)
        return REPLY_OTHER;
    /* A character cut at the limit folds to a break; nothing past it is read. */
    fold_words(body, strnlen(body, SMS_REPLY_MAX), words);
    squeeze(words, squeezed);
    r = match_keyword(squeezed, opted_out);
    if (r != REPLY_OTHER)
        return r;
    return is_revocation(words) ? REPLY_STOP : REPLY_OTHER;
}

const char *sms_reply_name(sms_reply r)
{
    switch (r) {
    case REPLY_OTHER: return "other";
    case REPLY_STOP: return "stop";
    case REPLY_START: return "start";
    case REPLY_HELP: return "help";
    case REPLY_CONNECTED: return "connected";
    case REPLY_NOT_YET: return "not_yet";
    case REPLY_NEED_HELP: return "need_help";
    }
    return "unknown";
}
