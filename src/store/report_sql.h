/*
 * The SQL of every report metric (reports.h lists them), written once and
 * used twice: by the retention purge (maintain.c), which adds the counts
 * of the rows it is about to delete to daily_counts, and by the report
 * (reports.c), which counts the rows still there.  Because both run the
 * same text, a day counts the same before and after its visits are
 * deleted.  Internal to src/store/.
 *
 * Each macro takes the rows to count as a parenthesised derived table:
 *   V  screenings (alias s), T  sms_outbox (alias o), R  sms_inbound (i),
 * and gives SELECT statements of (local day, metric, value).  Local days
 * are those of the process's TZ.
 */
#ifndef SIGNPOST_REPORT_SQL_H
#define SIGNPOST_REPORT_SQL_H

#define RS_VDAY "date(s.created_at, 'localtime')"
#define RS_TDAY "date(o.created_at, 'unixepoch', 'localtime')"
#define RS_RDAY "date(i.received_at, 'unixepoch', 'localtime')"

/* How far a status goes along the funnel: referred 1, contacted 2,
 * connected 3; suggested, declined and unreachable 0. */
#define RS_STAGE(col)                                                                       \
    "CASE " col " WHEN 'referred' THEN 1 WHEN 'contacted' THEN 2"                           \
    " WHEN 'connected' THEN 3 ELSE 0 END"

/* The furthest stage referral r has reached: its status now, or any its
 * history set (a referral contacted and then declined was contacted). */
#define RS_REACHED                                                                          \
    "max(" RS_STAGE("r.status") ", coalesce((SELECT max(" RS_STAGE("e.status") ")"          \
    " FROM referral_events e WHERE e.referral_id = r.id), 0))"

#define RS_POSITIVE_ANY                                                                     \
    "EXISTS (SELECT 1 FROM json_each(s.domains) pd WHERE json_extract(pd.value, '$[1]') = 1)"

/* A positive visit with a referral that reached stage n or beyond. */
#define RS_REACHED_ANY(n)                                                                   \
    " WHERE " RS_POSITIVE_ANY " AND EXISTS (SELECT 1 FROM referrals r"                      \
    " WHERE r.screening_id = s.id AND " RS_REACHED " >= " n ")"

/* The funnel's later stages, one row per stage a referral counts in. */
#define RS_STAGES                                                                           \
    "(SELECT 'referred' AS stage, 1 AS lvl UNION ALL SELECT 'contacted', 2"                 \
    " UNION ALL SELECT 'connected', 3 UNION ALL SELECT 'declined', 0"                       \
    " UNION ALL SELECT 'unreachable', 0)"

#define RS_VISIT_METRICS(V)                                                                 \
    "SELECT " RS_VDAY ", 'screenings', count(*) FROM " V " s GROUP BY 1",                   \
    "SELECT " RS_VDAY ", 'wants_help', count(*) FROM " V " s"                               \
    " WHERE s.wants_help = 1 GROUP BY 1",                                                   \
    "SELECT " RS_VDAY ", 'wants_help_no', count(*) FROM " V " s"                            \
    " WHERE s.wants_help = 0 GROUP BY 1",                                                   \
    "SELECT " RS_VDAY ", 'language:' || s.language, count(*) FROM " V " s GROUP BY 1, 2",   \
    "SELECT " RS_VDAY ", 'positive:' || json_extract(j.value, '$[0]'), count(*)"            \
    " FROM " V " s, json_each(s.domains) j WHERE json_extract(j.value, '$[1]') = 1"         \
    " GROUP BY 1, 2",                                                                       \
    "SELECT " RS_VDAY ", 'sms_consents', count(*) FROM " V " s"                             \
    " JOIN sms_contacts c ON c.screening_id = s.id GROUP BY 1",                             \
    "SELECT " RS_VDAY ", 'positive_any', count(*) FROM " V " s"                             \
    " WHERE " RS_POSITIVE_ANY " GROUP BY 1",                                                \
    "SELECT " RS_VDAY ", 'referred_any', count(*) FROM " V " s" RS_REACHED_ANY("1")         \
    " GROUP BY 1",                                                                          \
    "SELECT " RS_VDAY ", 'connected_any', count(*) FROM " V " s" RS_REACHED_ANY("3")        \
    " GROUP BY 1",                                                                          \
    /* suggested: every resource given, and any referral made beyond them */               \
    "SELECT " RS_VDAY ", 'funnel:suggested', count(*) FROM " V " s,"                        \
    " json_each(s.resources) j GROUP BY 1",                                                 \
    "SELECT " RS_VDAY ", 'funnel:suggested', count(*) FROM " V " s"                         \
    " JOIN referrals r ON r.screening_id = s.id WHERE NOT EXISTS (SELECT 1"                 \
    " FROM json_each(s.resources) g WHERE json_extract(g.value, '$[0]') = r.domain"         \
    " AND json_extract(g.value, '$[1]') = r.service_id) GROUP BY 1",                        \
    "SELECT " RS_VDAY ", 'funnel:' || f.stage, count(*) FROM " V " s"                       \
    " JOIN referrals r ON r.screening_id = s.id JOIN " RS_STAGES " f"                       \
    " ON (f.lvl > 0 AND " RS_REACHED " >= f.lvl) OR (f.lvl = 0 AND r.status = f.stage)"     \
    " GROUP BY 1, 2"

#define RS_TEXT_METRICS(T)                                                                  \
    "SELECT " RS_TDAY ", 'texts_sent', count(*) FROM " T " o"                               \
    " WHERE o.state IN ('sent', 'delivered') GROUP BY 1",                                   \
    "SELECT " RS_TDAY ", 'texts:' || o.state, count(*) FROM " T " o"                        \
    " WHERE o.state IN ('delivered', 'failed', 'expired') GROUP BY 1, 2"

#define RS_REPLY_METRICS(R)                                                                 \
    "SELECT " RS_RDAY ", 'replies:' || i.reply, count(*) FROM " R " i GROUP BY 1, 2"

#endif
