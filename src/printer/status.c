/*
 * What a printer's real-time status bytes mean (see printer.h).  Pure: the
 * transports collect the answers to DLE EOT 1 (printer), 2 (offline cause)
 * and 4 (roll paper sensor); this file alone decides the state, so the
 * mapping is tested without a printer.
 *
 * Every real-time status byte has bits 1 and 4 set and bits 0 and 7 clear
 * (0x12 is "all quiet").  A byte without that frame is not a status at all
 * (the usual cause is a wrong baud rate, which turns bytes into noise), and
 * is reported as an error rather than read as flags.
 *
 * When several things are wrong the one a person should fix first wins: an
 * open cover (shutting it may be all that is needed), then paper, then a
 * printer error, then "offline" without a reason.  Paper near its end
 * still prints, so it only shows when nothing else is wrong.
 */
#include <stddef.h>

#include "signpost/printer.h"

#define FRAME_MASK 0x93
#define FRAME_BITS 0x12

#define PRINTER_OFFLINE_BIT 0x08 /* DLE EOT 1 bit 3 */
#define CAUSE_COVER_OPEN 0x04    /* DLE EOT 2 bit 2 */
#define CAUSE_PAPER_END 0x20     /* DLE EOT 2 bit 5: stopped at paper end */
#define CAUSE_ERROR 0x40         /* DLE EOT 2 bit 6 */
#define PAPER_NEAR_END_BITS 0x0C /* DLE EOT 4 bits 2-3 */
#define PAPER_OUT_BITS 0x60      /* DLE EOT 4 bits 5-6 */

static int framed(int b)
{
    return b < 0 || (b <= 0xFF && (b & FRAME_MASK) == FRAME_BITS);
}

/* A flag of an answer that came; an unanswered query sets no flag. */
static int has(int b, int bits)
{
    return b >= 0 && (b & bits) != 0;
}

printer_state printer_status_decode(const int reply[3], const char **why)
{
    const char *dummy;
    int st = reply[0], cause = reply[1], paper = reply[2];

    if (!why)
        why = &dummy;
    if (st < 0) {
        *why = "no answer to DLE EOT 1 (the printer is off, unplugged, or does "
               "not implement real-time status)";
        return PRINTER_NO_ANSWER;
    }
    if (!framed(st) || !framed(cause) || !framed(paper)) {
        *why = "the reply is not an ESC/POS status byte (wrong baud rate?)";
        return PRINTER_ERROR;
    }
    if (has(cause, CAUSE_COVER_OPEN)) {
        *why = "the cover is open";
        return PRINTER_COVER_OPEN;
    }
    if (has(paper, PAPER_OUT_BITS) || has(cause, CAUSE_PAPER_END)) {
        *why = "the paper has run out";
        return PRINTER_PAPER_OUT;
    }
    if (has(cause, CAUSE_ERROR)) {
        *why = "the printer reports an error (cutter jam, head too hot, ...)";
        return PRINTER_ERROR;
    }
    if (has(st, PRINTER_OFFLINE_BIT)) {
        *why = "the printer is offline";
        return PRINTER_OFFLINE;
    }
    if (has(paper, PAPER_NEAR_END_BITS)) {
        *why = "the paper roll is near its end";
        return PRINTER_PAPER_NEAR_END;
    }
    *why = "ready";
    return PRINTER_READY;
}

const char *printer_state_name(printer_state s)
{
    static const char *const names[] = {
        "ready",   "paper near end", "paper out", "cover open",
        "offline", "error",          "no answer",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

int printer_state_can_print(printer_state s)
{
    return s == PRINTER_READY || s == PRINTER_PAPER_NEAR_END || s == PRINTER_NO_ANSWER;
}
