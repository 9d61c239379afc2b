/*
 * ESC/POS bytes for a receipt model (see receipt.h), for one printer
 * profile.  Pure: the bytes go to a caller-owned sg_buf; sending them
 * (serial, TCP 9100, file) is the printer transport's job.
 *
 * Every job starts with ESC @ (reset) and ESC t n (the profile's code page),
 * because a printer keeps whatever page the last job or its power-on
 * default left.  Styles are one ESC ! per change and alignment one ESC a
 * per change, so a typical receipt is little more than its text: bytes are
 * time on a 9600-baud line.  The QR code is the native GS ( k symbol when
 * the profile says the printer has it, otherwise a raster image from
 * libqrencode sent as GS v 0 bands no taller than the profile allows, with
 * its quiet zone made of paper feed rather than white bytes.  The job ends
 * with a feed-and-cut (GS V 66) when there is a cutter, else a feed past
 * the tear bar.
 */
#ifndef SIGNPOST_ESCPOS_H
#define SIGNPOST_ESCPOS_H

#include "signpost/buf.h"
#include "signpost/printer_profile.h"
#include "signpost/receipt.h"
#include "signpost/result.h"

/* Lines fed before tearing when the printer has no cutter. */
#define ESCPOS_TEAR_FEED_LINES 4

/*
 * Appends the job for m on p to out.  On failure out is restored to the
 * length it had (SG_ETOOBIG when its cap is reached; SG_ETOOBIG when the QR
 * code cannot fit the paper width even at one dot per module).
 */
sg_rc escpos_encode(const receipt_model *m, const printer_profile *p, sg_buf *out);

#endif
