/*
 * The one text that carries resources: the list a patient asked to have
 * texted to them at the kiosk (see sms_list_text in sms.h).  It is built
 * line by line and measured with sms_count after each line, so it never
 * runs past SMS_LIST_MAX_SEGMENTS however long the names are, and a line
 * is either whole or absent: half a phone number is worse than none.
 */
#include <stdio.h>
#include <string.h>

#include "signpost/sms.h"

/* Appends "\n" line to out if the whole text still fits; 1 when it did. */
static int try_line(char *out, size_t outlen, const char *name, const char *phone)
{
    size_t used = strlen(out);
    sms_length len;
    int n = snprintf(out + used, outlen - used, "\n%s%s%s", name, phone && *phone ? ": " : "",
                     phone && *phone ? phone : "");

    if (n < 0 || (size_t)n >= outlen - used || sms_count(out, &len) ||
        len.segments > SMS_LIST_MAX_SEGMENTS) {
        out[used] = '\0';
        return 0;
    }
    return 1;
}

sg_rc sms_list_text(const char *lang, const char *clinic_name, const sms_list_item *items,
                    int n, char *out, size_t outlen, int *shown)
{
    int k;

    *shown = 0;
    if (!outlen)
        return SG_ETOOBIG;
    if (lang && strcmp(lang, "es") == 0)
        k = snprintf(out, outlen, "%s - ayuda de su visita:", clinic_name);
    else
        k = snprintf(out, outlen, "%s - help from your visit:", clinic_name);
    if (k < 0 || (size_t)k >= outlen)
        return SG_ETOOBIG;
    for (int i = 0; i < n; i++)
        if (items[i].name && *items[i].name && try_line(out, outlen, items[i].name, items[i].phone))
            (*shown)++;
    return *shown > 0 ? SG_OK : SG_EINVAL;
}
