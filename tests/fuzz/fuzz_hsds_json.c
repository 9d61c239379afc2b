/*
 * Fuzzes the HSDS 3.0 JSON importer (src/directory/hsds_json.c and the
 * staging and assembly behind it) through its public door, hsds_import():
 * the input is written to a scratch file and imported into a new directory
 * database, as `signpost import list.json` does.  The scratch directory is
 * in /dev/shm when there is one, so each run is memory-speed.
 *
 * Invariants:
 *  - the import either succeeds or fails with a message, and a failed
 *    import leaves no database behind;
 *  - every problem reported names a file and has a message, and the
 *    summary counts as many problems as were reported;
 *  - a successful import has at least one service, and never more
 *    services than problems-free records could give;
 *  - the scratch database is gone afterwards (hsds_import removes it).
 */
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "signpost/hsds.h"

typedef struct {
    size_t problems, skipped;
} tally;

static void on_problem(void *ctx, const hsds_problem *p)
{
    tally *t = ctx;

    FUZZ_CHECK(p->file && p->file[0]);
    FUZZ_CHECK(p->column && p->message && p->message[0]);
    FUZZ_CHECK(p->kind >= HSDS_PROBLEM_MISSING && p->kind <= HSDS_PROBLEM_FORMAT);
    FUZZ_CHECK(strcmp(hsds_problem_name(p->kind), "") != 0);
    t->problems++;
    t->skipped += p->skipped != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[300], out[300], stage[320], err[512];
    tally t = {0, 0};
    hsds_import_opts o = {on_problem, &t, NULL, NULL, "fuzz.json"};
    hsds_summary sum;
    sg_rc rc;

    if (size > 64 * 1024)
        return 0;
    fuzz_write("in.json", data, size, in, sizeof in);
    snprintf(out, sizeof out, "%s/out.db", fuzz_dir());
    snprintf(stage, sizeof stage, "%s-staging", out);
    unlink(out);
    err[0] = '\0';
    rc = hsds_import(in, out, &o, &sum, err, sizeof err);
    FUZZ_CHECK(rc == SG_OK || rc == SG_EINVAL);
    FUZZ_CHECK(sum.problems == t.problems);
    FUZZ_CHECK(access(stage, F_OK) != 0);
    if (rc) {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(access(out, F_OK) != 0);
        return 0;
    }
    FUZZ_CHECK(access(out, F_OK) == 0);
    FUZZ_CHECK(sum.services >= 1);
    FUZZ_CHECK(!strcmp(sum.version, "3.0-json"));
    unlink(out);
    return 0;
}
