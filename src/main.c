/*
 * signpost: a waiting-room social-needs kiosk.  Everything lives in the
 * library; see src/cli/cli.c for the commands.
 */
#include <malloc.h>
#include <sqlite3.h>

#include "signpost/cli.h"

int main(int argc, char **argv)
{
    /*
     * Memory for a kiosk that must idle in under 8 MB (docs/performance.md,
     * the memory section, for the figures).  Both are process-wide and must
     * come before any thread or SQLite call; tests link the library without
     * this file and keep the defaults.
     *
     * glibc gives every thread that mallocs its own arena (up to 8 per
     * CPU), each keeping the memory its thread freed; the request pool and
     * the workers then hold several partly used heaps.  Two arenas keep
     * most of that memory shared, at a cost in lock contention that a
     * single kiosk's request rate never reaches.
     */
    mallopt(M_ARENA_MAX, 2);
    /*
     * SQLite preallocates 20 page slots (about 87 KB, every slot written)
     * in one block for each database file a connection opens, whether or
     * not they are ever used: the writer, each reader and the directory
     * reader's two files are 7 such blocks at idle.  With no preallocation
     * pages are allocated one by one as a cache really needs them.  Only
     * the number of malloc calls while a cache first fills changes.
     */
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    return cli_main(argc, argv);
}
