/*
 * Descriptions of the result codes, for log lines and error messages.
 */
#include "signpost/result.h"

const char *sg_strerror(sg_rc rc)
{
    switch (rc) {
    case SG_OK: return "no error";
    case SG_ENOMEM: return "out of memory";
    case SG_EINVAL: return "invalid input";
    case SG_ETOOBIG: return "too large";
    case SG_ENOTFOUND: return "not found";
    case SG_EIO: return "input/output error";
    case SG_EDB: return "database error";
    case SG_EAUTH: return "not authorised";
    case SG_EBUSY: return "busy";
    }
    return "unknown error";
}
