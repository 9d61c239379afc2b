/*
 * Languages as directories write them ("es", "spa", "es-MX", "Spanish",
 * "Español") to the one form the kiosk compares with its own language list:
 * ISO 639-1, lower case.  HSDS 3.0 gives a code, HSDS 1.x only a name, and
 * real exports mix both.
 *
 * The table covers the languages US and UK social-service directories list
 * most (interpreter-line lists, census language tables).  A language with
 * no ISO 639-1 code (Hmong, Chuukese, Karen, American Sign Language) keeps
 * its ISO 639-2/3 code.  Any other two-letter code is taken as given: 639-1
 * codes are two letters, and refusing a real but rare one helps nobody.
 */
#include <ctype.h>
#include <string.h>

#include "hsds_internal.h"

typedef struct {
    const char *code;  /* what the kiosk stores */
    const char *alt;   /* other codes, '|'-separated: ISO 639-2/T, 639-2/B, 639-3 */
    const char *names; /* lower-case names, English and native, '|'-separated */
} lang_entry;

static const lang_entry langs[] = {
    {"en", "eng", "english"},
    {"es", "spa", "spanish|español|espanol|castilian|castellano"},
    {"zh", "zho|chi|cmn|yue", "chinese|mandarin|cantonese|中文|普通话|廣東話|广东话"},
    {"vi", "vie", "vietnamese|tiếng việt|tieng viet"},
    {"tl", "tgl|fil", "tagalog|filipino"},
    {"ar", "ara", "arabic|العربية"},
    {"fr", "fra|fre", "french|français|francais"},
    {"ko", "kor", "korean|한국어"},
    {"ru", "rus", "russian|русский"},
    {"de", "deu|ger", "german|deutsch"},
    {"ht", "hat", "haitian creole|haitian|kreyòl|kreyol|creole|kreyòl ayisyen"},
    {"hi", "hin", "hindi|हिन्दी"},
    {"pt", "por", "portuguese|português|portugues"},
    {"it", "ita", "italian|italiano"},
    {"pl", "pol", "polish|polski"},
    {"ur", "urd", "urdu|اردو"},
    {"ja", "jpn", "japanese|日本語"},
    {"fa", "fas|per|prs|pes", "persian|farsi|dari|فارسی"},
    {"gu", "guj", "gujarati"},
    {"te", "tel", "telugu"},
    {"bn", "ben", "bengali|bangla"},
    {"ta", "tam", "tamil"},
    {"pa", "pan", "punjabi|panjabi"},
    {"so", "som", "somali|soomaali"},
    {"am", "amh", "amharic|አማርኛ"},
    {"ne", "nep", "nepali"},
    {"uk", "ukr", "ukrainian|українська"},
    {"my", "mya|bur", "burmese|myanmar"},
    {"km", "khm", "khmer|cambodian"},
    {"lo", "lao", "lao|laotian"},
    {"ps", "pus", "pashto|pashtu"},
    {"sw", "swa", "swahili|kiswahili"},
    {"ti", "tir", "tigrinya"},
    {"om", "orm", "oromo|afaan oromoo"},
    {"el", "ell|gre", "greek"},
    {"he", "heb", "hebrew"},
    {"yi", "yid", "yiddish"},
    {"hy", "hye|arm", "armenian"},
    {"ro", "ron|rum", "romanian"},
    {"sr", "srp", "serbian"},
    {"hr", "hrv", "croatian"},
    {"bs", "bos", "bosnian"},
    {"sq", "sqi|alb", "albanian"},
    {"tr", "tur", "turkish|türkçe"},
    {"th", "tha", "thai"},
    {"id", "ind", "indonesian|bahasa indonesia"},
    {"ms", "msa|may", "malay"},
    {"ml", "mal", "malayalam"},
    {"mr", "mar", "marathi"},
    {"kn", "kan", "kannada"},
    {"ku", "kur|ckb|kmr", "kurdish"},
    {"uz", "uzb", "uzbek"},
    {"rw", "kin", "kinyarwanda"},
    {"sm", "smo", "samoan"},
    {"to", "ton", "tongan"},
    {"mh", "mah", "marshallese"},
    {"ch", "cha", "chamorro"},
    {"nl", "nld|dut", "dutch"},
    {"sv", "swe", "swedish"},
    {"no", "nor|nob|nno", "norwegian"},
    {"da", "dan", "danish"},
    {"fi", "fin", "finnish"},
    {"hu", "hun", "hungarian"},
    {"cs", "ces|cze", "czech"},
    {"sk", "slk|slo", "slovak"},
    {"bg", "bul", "bulgarian"},
    {"ka", "kat|geo", "georgian"},
    {"yo", "yor", "yoruba"},
    {"ig", "ibo", "igbo"},
    {"ha", "hau", "hausa"},
    {"ff", "ful", "fulani|fula|pulaar"},
    {"wo", "wol", "wolof"},
    {"mn", "mon", "mongolian"},
    {"qu", "que", "quechua"},
    {"nv", "nav", "navajo|diné"},
    {"cy", "cym|wel", "welsh"},
    {"ga", "gle", "irish"},
    {"hmn", "", "hmong"},
    {"chk", "", "chuukese|trukese"},
    {"kar", "", "karen"},
    {"ceb", "", "cebuano"},
    {"ilo", "", "ilocano|ilokano"},
    {"mam", "", "mam"},
    {"quc", "", "k'iche'|kiche|quiché"},
    {"haw", "", "hawaiian"},
    {"ase", "", "american sign language|asl|sign language"},
};

/* 1 when s is one of the '|'-separated items of list. */
static int in_list(const char *list, const char *s)
{
    size_t n = strlen(s);
    while (*list) {
        size_t m = strcspn(list, "|");
        if (m == n && memcmp(list, s, n) == 0)
            return 1;
        list += m + (list[m] == '|');
    }
    return 0;
}

static int lookup(const char *s, char out[8])
{
    size_t n = strlen(s);
    for (size_t i = 0; i < sizeof langs / sizeof *langs; i++)
        if ((n == 2 && !strcmp(langs[i].code, s)) ||
            (n == 3 && !strcmp(langs[i].code, s)) ||
            (n == 3 && in_list(langs[i].alt, s)) || in_list(langs[i].names, s)) {
            snprintf(out, 8, "%s", langs[i].code);
            return 0;
        }
    return -1;
}

/* A code with a region or script ("es-MX", "zh_Hant"): the letters before it. */
static size_t code_prefix(const char *s)
{
    size_t n = 0;
    while (isalpha((unsigned char)s[n]))
        n++;
    return (s[n] == '\0' || s[n] == '-' || s[n] == '_') ? n : 0;
}

int hsds_lang_code(const char *s, char out[8])
{
    char low[64];
    size_t n = 0, p;

    for (; s[n] && n < sizeof low - 1; n++)
        low[n] = (char)tolower((unsigned char)s[n]);
    low[n] = '\0';
    if (!n || s[n])
        return -1;
    p = code_prefix(low);
    if (p == 2 || p == 3) {
        char code[4];
        memcpy(code, low, p);
        code[p] = '\0';
        if (lookup(code, out) == 0)
            return 0;
        if (p == 2) { /* a two-letter code the table lacks is still ISO 639-1 */
            snprintf(out, 8, "%s", code);
            return 0;
        }
    }
    if (lookup(low, out) == 0)
        return 0;
    /* "Spanish (Mexico)", "Chinese - Mandarin", "Chinese/Cantonese" */
    n = strcspn(low, "(,;/-");
    while (n && low[n - 1] == ' ')
        n--;
    if (n && low[n]) {
        low[n] = '\0';
        return lookup(low, out);
    }
    return -1;
}
