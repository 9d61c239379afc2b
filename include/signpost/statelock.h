/*
 * The state directory's lock: one process at a time may own a state
 * directory's databases in a way that excludes the others.  `signpost
 * serve` takes it for its whole life; `signpost restore` takes it while it
 * swaps files, so a restore never runs under a live daemon and a daemon
 * never starts in the middle of a restore.
 *
 * It is an flock(2) on DIR/signpost.lock: the kernel drops it when the
 * process ends, however it ends, so a crash never leaves a stale lock.
 * Commands that only read, or that the daemon tolerates (backup, maintain,
 * doctor, import), do not take it.
 */
#ifndef SIGNPOST_STATELOCK_H
#define SIGNPOST_STATELOCK_H

#include <stddef.h>
#include "signpost/result.h"

#define SG_STATELOCK_FILE "signpost.lock"

/*
 * Takes the lock on dir (creating dir, mode 0700, and the lock file when
 * missing).  SG_EBUSY when another process (or another statelock_acquire
 * in this one) holds it; SG_EIO when the file cannot be opened; err says
 * which.  fd (may be NULL) gets the descriptor, for statelock_release();
 * with NULL the lock is kept until the process exits.
 */
sg_rc statelock_acquire(const char *dir, int *fd, char *err, size_t errlen);

/* Gives up a lock taken with a descriptor.  Accepts -1. */
void statelock_release(int fd);

/* 1 when some process holds dir's lock, 0 when nobody does (or there is
 * no lock file yet), -1 when it cannot be told. */
int statelock_held(const char *dir);

#endif
