#!/usr/bin/env python3
"""Check an HSDS 3.0 tabular data package (by default the Riverton demo
directory next to this script). Python 3 standard library only.

usage: check.py [DIR] [--hsds-examples DIR] [--domain-map FILE]
                [--min-per-domain N] [--generic] [--today YYYY-MM-DD]

  DIR               package folder (default: the folder of this script)
  --hsds-examples   folder of HSDS 3.0 example CSVs; every CSV header must
                    equal the header of the example file of the same name.
                    Skipped when not given or not present.
  --domain-map      screening-domain map (default: DIR/../taxonomy/domain-map.ini)
  --min-per-domain  active services each domain must match (default 8)
  --generic         skip the checks that only make sense for the demo data
                    (fictional phone range, distance from the kiosk, LF line ends)

Exit status 0 when clean, 1 when any error was found.
"""
import argparse
import configparser
import csv
import datetime
import io
import json
import math
import os
import re
import sys

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?(Z|[+-]\d{2}:?\d{2})?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URI_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")
BYDAY_RE = re.compile(r"^(-?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
IANA_RE = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)+$|^UTC$")
DEMO_PHONE_RE = re.compile(r"^\(217\) 555-01\d\d$")
KIOSK = (39.7990, -89.6440)
LINK_ENTITY_FILE = {"service": "service", "organization": "organization", "location": "location",
                    "service_at_location": "service_at_location", "contact": "contact", "phone": "phone"}

errors = []
warnings = []


def err(where, msg):
    errors.append("%s: %s" % (where, msg))


def warn(where, msg):
    warnings.append("%s: %s" % (where, msg))


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def read_csv(path, generic):
    """Return (header, rows as dicts with '_line') or None after reporting."""
    name = os.path.basename(path)
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        err(name, "cannot read: %s" % e)
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        err(name, "starts with a UTF-8 byte order mark")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(name, "not valid UTF-8: %s" % e)
        return None
    if not generic and "\r" in text:
        err(name, "contains CR characters; line ends must be LF")
    if text and not text.endswith("\n"):
        warn(name, "last line has no line end")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        table = list(reader)
    except csv.Error as e:
        err(name, "CSV parse error near line %d: %s" % (reader.line_num, e))
        return None
    if not table:
        err(name, "empty file (no header row)")
        return None
    header = table[0]
    rows = []
    for i, r in enumerate(table[1:], start=2):
        if len(r) != len(header):
            err("%s line %d" % (name, i), "%d fields, header has %d" % (len(r), len(header)))
            continue
        d = dict(zip(header, r))
        d["_line"] = i
        rows.append(d)
    return header, rows


def check_value(where, field, value):
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    cons = field.get("constraints", {})
    if value == "":
        if cons.get("required"):
            err(where, "required field is empty")
        return
    if "enum" in cons and value not in cons["enum"]:
        err(where, "%r is not one of %s" % (value, ", ".join(cons["enum"])))
    if ftype == "string":
        if fmt == "uuid" and not UUID_RE.match(value):
            err(where, "%r is not a lower-case UUID" % value)
        elif fmt == "email" and not EMAIL_RE.match(value):
            err(where, "%r is not an e-mail address" % value)
        elif fmt == "uri" and not URI_RE.match(value):
            err(where, "%r is not a URI" % value)
    elif ftype in ("number", "integer"):
        try:
            float(value)
        except ValueError:
            err(where, "%r is not a number" % value)
    elif ftype == "date":
        try:
            if not DATE_RE.match(value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            err(where, "%r is not a YYYY-MM-DD date" % value)
    elif ftype == "datetime":
        if not DATETIME_RE.match(value):
            err(where, "%r is not an ISO 8601 date-time" % value)
    elif ftype == "time":
        pat = HHMM_RE if fmt == "%H:%M" else TIME_RE
        if not pat.match(value):
            err(where, "%r is not a valid time%s" % (value, " (HH:MM)" if fmt == "%H:%M" else ""))


def load_domain_map(path):
    cp = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        cp.read_string(text, source=path)
    except (OSError, UnicodeDecodeError, configparser.Error) as e:
        err(os.path.basename(path), "cannot parse: %s" % e)
        return None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith(";") and re.search(r"\s[;#]", line):
            err("%s line %d" % (os.path.basename(path), n), "inline comment; put comments on their own line")
    out = {}
    for sec in cp.sections():
        # configparser joins continuation lines with "\n"; an inih loader gets
        # each line separately under the same key and appends. Same result.
        def items(key):
            return [x.strip() for x in re.split(r"[,\n]", cp[sec].get(key, "")) if x.strip()]
        terms = items("terms")
        kws = items("keywords")
        for t in terms:
            if not t.isdigit():
                err("%s [%s]" % (os.path.basename(path), sec), "term %r is not a numeric id" % t)
        for k in kws:
            if k != k.lower():
                err("%s [%s]" % (os.path.basename(path), sec), "keyword %r is not lower case" % k)
        out[sec] = (terms, kws)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Check an HSDS 3.0 tabular data package.")
    ap.add_argument("dir", nargs="?", default=here)
    ap.add_argument("--hsds-examples")
    ap.add_argument("--domain-map")
    ap.add_argument("--min-per-domain", type=int, default=8)
    ap.add_argument("--generic", action="store_true")
    ap.add_argument("--today", default=datetime.date.today().isoformat())
    a = ap.parse_args()
    d = a.dir
    today = datetime.date.fromisoformat(a.today)

    # ---- descriptor ----
    dp_path = os.path.join(d, "datapackage.json")
    try:
        dp = json.load(open(dp_path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        err("datapackage.json", "cannot load: %s" % e)
        return finish()
    if dp.get("profile") != "tabular-data-package":
        err("datapackage.json", "profile is not tabular-data-package")
    if not dp.get("licenses"):
        err("datapackage.json", "no licenses entry")
    resources = dp.get("resources", [])
    by_name, by_path = {}, {}
    for r in resources:
        if not r.get("name") or not r.get("path") or "schema" not in r:
            err("datapackage.json", "resource without name, path or schema: %r" % r.get("name"))
            continue
        if r["name"] in by_name:
            err("datapackage.json", "duplicate resource name %s" % r["name"])
        by_name[r["name"]] = r
        by_path[r["path"]] = r
    for f in sorted(os.listdir(d)):
        if f.endswith(".csv") and f not in by_path:
            err("datapackage.json", "%s is in the folder but not listed" % f)

    # ---- read every table ----
    tables = {}
    for r in resources:
        p = os.path.join(d, r["path"])
        if not os.path.exists(p):
            err("datapackage.json", "listed file %s does not exist" % r["path"])
            continue
        got = read_csv(p, a.generic)
        if got is None:
            continue
        header, rows = got
        names = [f["name"] for f in r["schema"]["fields"]]
        if header != names:
            err(r["path"], "header does not match the schema in datapackage.json")
        if a.hsds_examples:
            ex = os.path.join(a.hsds_examples, r["path"])
            if os.path.isdir(a.hsds_examples) and os.path.exists(ex):
                with open(ex, encoding="utf-8", newline="") as f:
                    ex_header = next(csv.reader(f))
                if header != ex_header:
                    err(r["path"], "header differs from HSDS 3.0 example %s:\n      got  %s\n      want %s"
                        % (ex, ",".join(header), ",".join(ex_header)))
            elif not os.path.isdir(a.hsds_examples):
                warn("--hsds-examples", "%s not found; header check against HSDS skipped" % a.hsds_examples)
                a.hsds_examples = None
            else:
                warn(r["path"], "no HSDS example file of this name")
        fields = {f["name"]: f for f in r["schema"]["fields"]}
        seen = {}
        for row in rows:
            for fname, field in fields.items():
                if fname in row:
                    check_value("%s line %d, %s" % (r["path"], row["_line"], fname), field, row[fname])
                if field.get("constraints", {}).get("unique") and row.get(fname, "") != "":
                    key = (fname, row[fname])
                    if key in seen:
                        err("%s line %d" % (r["path"], row["_line"]), "%s %r repeats line %d"
                            % (fname, row[fname], seen[key]))
                    else:
                        seen[key] = row["_line"]
        tables[r["name"]] = rows

    # ---- foreign keys ----
    ids = {name: {row["id"]: row for row in rows} for name, rows in tables.items()}
    for r in resources:
        rows = tables.get(r.get("name"), [])
        for fk in r["schema"].get("foreignKeys", []):
            col = fk["fields"]
            target = fk["reference"]["resource"] or r["name"]
            if target not in ids:
                warn(r["path"], "foreign key %s refers to %s, which is not shipped" % (col, target))
                continue
            for row in rows:
                v = row.get(col, "")
                if v and v not in ids[target]:
                    err("%s line %d, %s" % (r["path"], row["_line"], col), "%s not found in %s" % (v, target))
    for row in tables.get("attribute", []):
        target = LINK_ENTITY_FILE.get(row.get("link_entity"))
        if target is None:
            err("attributes.csv line %d" % row["_line"], "unknown link_entity %r" % row.get("link_entity"))
        elif target in ids and row["link_id"] not in ids[target]:
            err("attributes.csv line %d" % row["_line"], "link_id %s not found in %s" % (row["link_id"], target))
    for row in tables.get("taxonomy_term", []):
        if row.get("parent_id") and row["parent_id"] not in ids.get("taxonomy_term", {}):
            err("taxonomy_terms.csv line %d" % row["_line"], "parent_id %s not found" % row["parent_id"])

    services = tables.get("service", [])
    sal = tables.get("service_at_location", [])
    sal_by_id = {s["id"]: s for s in sal}

    # ---- schedules ----
    for row in tables.get("schedule", []):
        w = "schedules.csv line %d" % row["_line"]
        if not (row.get("service_id") or row.get("location_id") or row.get("service_at_location_id")):
            err(w, "not linked to a service, location or service_at_location")
        s = sal_by_id.get(row.get("service_at_location_id", ""))
        if s and row.get("service_id") and row["service_id"] != s["service_id"]:
            err(w, "service_id differs from the service of its service_at_location")
        if s and row.get("location_id") and row["location_id"] != s["location_id"]:
            err(w, "location_id differs from the location of its service_at_location")
        days = [x.strip() for x in row.get("byday", "").split(",") if x.strip()]
        for x in days:
            m = BYDAY_RE.match(x)
            if not m:
                err(w, "byday entry %r is not a two-letter day" % x)
            elif m.group(1) and row.get("freq") != "MONTHLY":
                err(w, "byday %r has an ordinal but freq is not MONTHLY" % x)
        if len(set(days)) != len(days):
            err(w, "byday repeats a day")
        if bool(row.get("opens_at")) != bool(row.get("closes_at")):
            err(w, "opens_at and closes_at must both be set or both empty")
        if row.get("opens_at") and row.get("opens_at") == row.get("closes_at"):
            err(w, "opens_at equals closes_at")
        if row.get("freq") and not days and not row.get("bymonthday"):
            err(w, "freq without byday or bymonthday")
        tz = row.get("timezone", "")
        if tz:
            try:
                float(tz)
            except ValueError:
                if not IANA_RE.match(tz):
                    err(w, "timezone %r is neither a UTC offset number nor an IANA zone name" % tz)

    # ---- locations ----
    for row in tables.get("location", []):
        w = "locations.csv line %d" % row["_line"]
        la, lo = row.get("latitude", ""), row.get("longitude", "")
        if bool(la) != bool(lo):
            err(w, "latitude and longitude must both be set or both empty")
            continue
        if not la:
            continue
        try:
            fla, flo = float(la), float(lo)
        except ValueError:
            continue  # already reported as not a number
        if not -90 <= fla <= 90:
            err(w, "latitude %s out of range" % la)
        if not -180 <= flo <= 180:
            err(w, "longitude %s out of range" % lo)
        if not a.generic:
            dist = km(KIOSK[0], KIOSK[1], fla, flo)
            if not 0.3 - 0.01 <= dist <= 15.0:
                err(w, "%.2f km from the kiosk; demo locations must be 0.3 to 15 km away" % dist)

    # ---- phones ----
    if not a.generic:
        for row in tables.get("phone", []):
            if not DEMO_PHONE_RE.match(row.get("number", "")):
                err("phones.csv line %d" % row["_line"], "%r is not in the fictional (217) 555-01NN form"
                    % row.get("number"))

    # ---- taxonomy terms vs Open Eligibility ----
    oe_path = os.path.join(d, "..", "taxonomy", "open-eligibility.csv")
    oe = {}
    if os.path.exists(oe_path):
        with open(oe_path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                oe.setdefault(r["id"], []).append(r)
    tax_by_id = ids.get("taxonomy", {})
    term_by_id = ids.get("taxonomy_term", {})
    for row in tables.get("taxonomy_term", []):
        tx = tax_by_id.get(row.get("taxonomy_id", ""))
        if oe and tx and tx.get("name") == "Open Eligibility":
            cands = oe.get(row.get("code", ""), [])
            if not cands:
                err("taxonomy_terms.csv line %d" % row["_line"], "code %r is not an Open Eligibility id" % row["code"])
            elif len(cands) > 1:
                err("taxonomy_terms.csv line %d" % row["_line"], "code %r is ambiguous in Open Eligibility" % row["code"])
            elif cands[0]["name"] != row["name"] or cands[0]["path"] != row["description"]:
                err("taxonomy_terms.csv line %d" % row["_line"], "name/description do not match Open Eligibility %s (%s)"
                    % (row["code"], cands[0]["path"]))

    # ---- per-service facts ----
    svc_terms = {s["id"]: set() for s in services}
    for row in tables.get("attribute", []):
        if row.get("link_entity") == "service" and row["link_id"] in svc_terms:
            t = term_by_id.get(row["taxonomy_term_id"])
            if t:
                svc_terms[row["link_id"]].add(t["code"])
    sal_of = {}
    for s in sal:
        sal_of.setdefault(s["service_id"], []).append(s)
    pairs = set()
    for s in sal:
        key = (s["service_id"], s["location_id"])
        if key in pairs:
            err("service_at_location.csv line %d" % s["_line"], "same service and location listed twice")
        pairs.add(key)
    sched = tables.get("schedule", [])
    sched_svc = {r["service_id"] for r in sched if r.get("service_id")}
    sched_sal = {r["service_at_location_id"] for r in sched if r.get("service_at_location_id")}
    sched_loc = {r["location_id"] for r in sched if r.get("location_id") and not r.get("service_at_location_id")}
    no_hours, no_loc, stale = [], [], []
    for s in services:
        sals = sal_of.get(s["id"], [])
        if not sals:
            no_loc.append(s["name"])
        has = s["id"] in sched_svc or any(x["id"] in sched_sal or x["location_id"] in sched_loc for x in sals)
        if not has:
            no_hours.append(s["name"])
        if s.get("assured_date"):
            try:
                if (today - datetime.date.fromisoformat(s["assured_date"])).days > 730:
                    stale.append(s["name"])
            except ValueError:
                pass

    # ---- domain coverage ----
    dm_path = a.domain_map or os.path.join(d, "..", "taxonomy", "domain-map.ini")
    coverage = {}
    if os.path.exists(dm_path):
        dm = load_domain_map(dm_path)
        if dm is not None:
            for dom, (terms, kws) in dm.items():
                pats = [re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)", re.IGNORECASE) for k in kws]
                by_term, by_kw = [], []
                for s in services:
                    if s.get("status") != "active":
                        continue
                    if svc_terms[s["id"]]:
                        if svc_terms[s["id"]] & set(terms):
                            by_term.append(s["name"])
                    else:
                        text = s["name"] + " " + s.get("description", "")
                        if any(p.search(text) for p in pats):
                            by_kw.append(s["name"])
                for t in terms:
                    if oe and t in oe and len(oe[t]) > 1:
                        err(os.path.basename(dm_path), "[%s] term %s is ambiguous in Open Eligibility" % (dom, t))
                    elif oe and t not in oe:
                        err(os.path.basename(dm_path), "[%s] term %s is not an Open Eligibility id" % (dom, t))
                coverage[dom] = (by_term, by_kw)
                if len(by_term) + len(by_kw) < a.min_per_domain:
                    err("coverage", "domain %s matches %d active services; at least %d wanted"
                        % (dom, len(by_term) + len(by_kw), a.min_per_domain))
    else:
        warn("coverage", "no domain map at %s; coverage not checked" % dm_path)

    # ---- report ----
    print("package: %s" % os.path.abspath(d))
    for r in resources:
        print("  %-26s %4d rows" % (r["path"], len(tables.get(r["name"], []))))
    st = {}
    for s in services:
        st[s.get("status", "")] = st.get(s.get("status", ""), 0) + 1
    print("services by status: %s" % ", ".join("%s %d" % kv for kv in sorted(st.items())))
    untagged = [s["name"] for s in services if not svc_terms[s["id"]]]
    print("services without taxonomy terms (%d): %s" % (len(untagged), "; ".join(untagged)))
    print("services without a location (%d): %s" % (len(no_loc), "; ".join(no_loc)))
    print("services with no hours at any level (%d): %s" % (len(no_hours), "; ".join(no_hours)))
    print("services assured more than 2 years before %s (%d): %s" % (today, len(stale), "; ".join(stale)))
    nocoord = [l["name"] for l in tables.get("location", []) if not l.get("latitude")]
    print("locations without coordinates (%d): %s" % (len(nocoord), "; ".join(nocoord)))
    if coverage:
        print("active services per screening domain (by taxonomy term + by keyword):")
        for dom, (bt, bk) in coverage.items():
            print("  %-20s %2d = %2d + %d%s" % (dom, len(bt) + len(bk), len(bt), len(bk),
                                                ("  (keyword: %s)" % "; ".join(bk)) if bk else ""))
    return finish()


def finish():
    for w in warnings:
        print("warning: " + w)
    for e in errors:
        print("error: " + e)
    print("%d error(s), %d warning(s)" % (len(errors), len(warnings)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
