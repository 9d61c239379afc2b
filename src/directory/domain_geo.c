/*
 * The per-domain spatial index (service_domain_geo, directory_db.h): one
 * R*Tree entry per screening domain and located, active service, with the
 * domain as a third dimension (min = max = the domain's code).  A box query
 * for one domain then visits only that domain's part of the tree and
 * returns only its services, few enough for the reader to order them by
 * distance and keep the nearest, however crowded the neighbourhood is with
 * services of other kinds.
 *
 * It is derived from service_domains, so it is rebuilt with it (import,
 * sync, an edited domain map), and at start-up when a file written before
 * it existed lacks it.  Entries go in sorted by domain, then by the Hilbert
 * key of their coordinates: SQLite's R*Tree keeps neighbours that arrive
 * together in the same node, so its boxes stay small and apart.  Filled in
 * service order instead, as first tried, the boxes overlapped so much that
 * a query cost more than with no domain axis at all.
 */
#include <math.h>
#include <stdio.h>

#include "signpost/directory_db.h"

#define HILBERT_BITS 24 /* per axis: about 1 m of latitude, finer than needed */
#define SQL_NUMBER(x) #x
#define SQL_INT(x) SQL_NUMBER(x)

/* Position of (x, y) along the Hilbert curve over a 2^bits square. */
static long long hilbert_index(unsigned x, unsigned y, int bits)
{
    unsigned long long d = 0;
    unsigned last = (1u << bits) - 1;

    for (unsigned s = 1u << (bits - 1); s > 0; s >>= 1) {
        unsigned rx = (x & s) != 0, ry = (y & s) != 0;
        d += (unsigned long long)s * s * ((3 * rx) ^ ry);
        if (ry == 0) { /* rotate the quadrant so the curve stays continuous */
            unsigned t;
            if (rx == 1) {
                x = last - x;
                y = last - y;
            }
            t = x, x = y, y = t;
        }
    }
    return (long long)d;
}

static unsigned grid(double v, double lo, double span)
{
    double cells = (double)(1u << HILBERT_BITS);
    double c = floor((v - lo) / span * cells);
    return c < 0 ? 0 : c >= cells ? (1u << HILBERT_BITS) - 1 : (unsigned)c;
}

/* SQL signpost_hilbert(latitude, longitude): the sort key of the fill. */
static void hilbert_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(ctx, hilbert_index(grid(sqlite3_value_double(argv[1]), -180, 360),
                                            grid(sqlite3_value_double(argv[0]), -90, 180),
                                            HILBERT_BITS));
}

/* Codes are the domains in name order from 1; ids sid * DIRECTORY_GEO_IDS + code. */
static const char build_sql[] =
    "DROP TABLE IF EXISTS service_domain_geo;"
    "DROP TABLE IF EXISTS service_domain_codes;"
    "CREATE TABLE service_domain_codes(domain TEXT PRIMARY KEY, code INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    "INSERT INTO service_domain_codes(domain, code)"
    " SELECT domain, row_number() OVER (ORDER BY domain)"
    " FROM (SELECT DISTINCT domain FROM service_domains);"
    "CREATE VIRTUAL TABLE service_domain_geo USING rtree(id, dmin, dmax,"
    " min_lat, max_lat, min_lon, max_lon);"
    "INSERT INTO service_domain_geo(id, dmin, dmax, min_lat, max_lat, min_lon, max_lon)"
    " SELECT d.sid * " SQL_INT(DIRECTORY_GEO_IDS) " + c.code, c.code, c.code,"
    "        s.latitude, s.latitude, s.longitude, s.longitude"
    " FROM service_domains d JOIN service_domain_codes c ON c.domain = d.domain"
    " JOIN services s ON s.sid = d.sid"
    " WHERE d.located = 1 AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL"
    "   AND s.status IN ('active', '')"
    " ORDER BY c.code, signpost_hilbert(s.latitude, s.longitude);";

sg_rc directory_db_build_geo(sqlite3 *db)
{
    int too_many;
    sqlite3_stmt *s = NULL;

    /* Codes must fit below the id's multiplier; the map allows fewer. */
    too_many = sqlite3_prepare_v2(db, "SELECT count(DISTINCT domain) FROM service_domains", -1,
                                  &s, NULL) != SQLITE_OK ||
               sqlite3_step(s) != SQLITE_ROW ||
               sqlite3_column_int64(s, 0) >= DIRECTORY_GEO_IDS;
    sqlite3_finalize(s);
    if (too_many ||
        sqlite3_create_function(db, "signpost_hilbert", 2,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                hilbert_fn, NULL, NULL) != SQLITE_OK)
        return SG_EDB;
    return sqlite3_exec(db, build_sql, NULL, NULL, NULL) == SQLITE_OK ? SG_OK : SG_EDB;
}

int directory_db_has_geo(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int n = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_schema WHERE name IN"
                           " ('service_domain_geo', 'service_domain_codes')",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n == 2;
}
