/*
 * One result code for the whole code base.  Every fallible function returns
 * an sg_rc; SG_OK is zero so "if (rc)" reads as "if it failed".  A function
 * that can say more about bad input fills a caller-owned message buffer.
 */
#ifndef SIGNPOST_RESULT_H
#define SIGNPOST_RESULT_H

typedef enum {
    SG_OK = 0,
    SG_ENOMEM,    /* allocation failed */
    SG_EINVAL,    /* bad input: a request, a file, an argument */
    SG_ETOOBIG,   /* a capped buffer or queue would overflow */
    SG_ENOTFOUND, /* no such thing */
    SG_EIO,       /* file, socket or device error */
    SG_EDB,       /* SQLite said no */
    SG_EAUTH,     /* missing, wrong or expired credentials */
    SG_EBUSY      /* try again later */
} sg_rc;

/* A static English description of rc, for logs. */
const char *sg_strerror(sg_rc rc);

#endif
