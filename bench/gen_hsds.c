/*
 * gen_hsds: a deterministic synthetic HSDS 3.0 directory (gen_hsds.h).
 *
 * The benchmark of the directory (bench_directory.c) needs packages of 1k,
 * 10k and 100k services that stress the importer and the matcher the way a
 * real regional 211 export would, and the demo directory has 69.  This file
 * makes them up, with the same files and columns as data/demo-directory:
 *
 *   - a 60 km square around the demo kiosk (39.7990, -89.6440), denser near
 *     the centre: 55 % of locations fall in a "city" (a normal of 5 km
 *     sigma), the rest anywhere in the square, so the kiosk's neighbourhood
 *     gets crowded as the directory grows, which is what the matcher's
 *     R*Tree has to cope with;
 *   - organisations of 1-8 services and 1-3 locations; 5 % of locations are
 *     virtual (no address, no coordinates), so about 5 % of services have
 *     no coordinates;
 *   - 80 % of services carry 1-2 Open Eligibility terms from
 *     data/taxonomy/domain-map.ini, 10 % carry none but have a domain
 *     keyword in their name and description (the FTS path of the domain
 *     index), 10 % are about something the kiosk does not screen for
 *     (work, legal aid, education, health education);
 *   - 3 % inactive; weekly schedules at the service, service-at-location or
 *     location level, some split (closed for lunch), some overnight
 *     (19:00-07:00); languages English, Spanish and a few others.
 *
 * Every value comes from our own PRNG (splitmix64) seeded by the caller, one
 * draw per statement (the order in which a call's arguments are evaluated
 * is unspecified, and gcc and clang differ), so a package is reproducible
 * byte for byte.  Rows are written as they are
 * made; nothing is kept per service, so memory is flat whatever n is.
 *
 * Built twice: into the gen_hsds program (GEN_HSDS_MAIN defined, which
 * adds main()) and into bench_directory, which calls gen_hsds_write().
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen_hsds.h"

/* ---- the output files, in data/demo-directory's shapes ---- */

enum { F_ORG, F_SVC, F_LOC, F_ADDR, F_SAL, F_PHONE, F_SCHED, F_LANG, F_ATTR, F_TERM, F_TAXO,
       F_COUNT };

static const struct {
    const char *name, *resource, *header;
} files[F_COUNT] = {
    {"organizations.csv", "organization",
     "id,name,alternate_name,description,email,website,tax_status,tax_id,year_incorporated,"
     "legal_status,logo,uri,parent_organization_id"},
    {"services.csv", "service",
     "id,organization_id,program_id,name,alternate_name,description,url,email,status,"
     "interpretation_services,application_process,fees_description,wait_time,fees,"
     "accreditations,eligibility_description,minimum_age,maximum_age,assured_date,"
     "assurer_email,licenses,alert,last_modified"},
    {"locations.csv", "location",
     "id,location_type,url,organization_id,name,alternate_name,description,transportation,"
     "latitude,longitude,external_identifier,external_identifier_type"},
    {"addresses.csv", "address",
     "id,location_id,attention,address_1,address_2,city,region,state_province,postal_code,"
     "country,address_type"},
    {"service_at_location.csv", "service_at_location", "id,service_id,location_id,description"},
    {"phones.csv", "phone",
     "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,"
     "extension,type,description"},
    {"schedules.csv", "schedule",
     "id,service_id,location_id,service_at_location_id,valid_from,valid_to,dtstart,timezone,"
     "until,count,wkst,freq,interval,byday,byweekno,bymonthday,byyearday,description,"
     "opens_at,closes_at,schedule_link,attending_type,notes"},
    {"languages.csv", "language", "id,service_id,location_id,phone_id,name,code,note"},
    {"attributes.csv", "attribute", "id,link_id,taxonomy_term_id,link_type,link_entity,value"},
    {"taxonomy_terms.csv", "taxonomy_term",
     "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,term_uri"},
    {"taxonomies.csv", "taxonomy", "id,name,description,uri,version"},
};

/* ---- the PRNG: splitmix64, small and good enough for made-up data ---- */

typedef struct {
    uint64_t s;
} gen_rng;

static uint64_t rng_next(gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n): multiply-shift, no modulo bias worth the name. */
static uint32_t rng_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static double rng_unit(gen_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(gen_rng *r, double p)
{
    return rng_unit(r) < p;
}

/* A standard normal (Box-Muller); 1 - u keeps log() away from zero. */
static double rng_gauss(gen_rng *r)
{
    double u = 1.0 - rng_unit(r), v = rng_unit(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Picks an index by integer weights that sum to total. */
static size_t rng_weighted(gen_rng *r, const unsigned *w, size_t n, unsigned total)
{
    uint32_t x = rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* ---- what the directory is made of ---- */

typedef struct {
    const char *code, *name, *path;
} oe_term;

/* The Open Eligibility terms the package uses: every term of the domain
 * map, then unrelated ones.  Their order fixes their ids. */
static const oe_term terms[] = {
    {"1121", "Emergency Shelter", "Emergency > Emergency Shelter"},
    {"1135", "Emergency Shelter", "Housing > Emergency Shelter"},
    {"1152", "Short-Term Housing", "Housing > Residential Housing > Short-Term Housing"},
    {"1136", "Help Find Housing", "Housing > Help Find Housing"},
    {"1295", "Help Find Housing", "Care > Navigating the System > Help Find Housing"},
    {"1137", "Help Pay for Housing", "Housing > Help Pay for Housing"},
    {"1116", "Help Pay for Housing", "Emergency > Emergency Payments > Help Pay for Housing"},
    {"1243", "Help Pay for Housing", "Money > Financial Assistance > Help Pay for Housing"},
    {"1140", "Housing Vouchers", "Housing > Help Pay for Housing > Housing Vouchers"},
    {"1150", "Public Housing", "Housing > Residential Housing > Long-Term Housing > Public Housing"},
    {"1142", "Housing Advice", "Housing > Housing Advice"},
    {"1141", "Maintenance & Repairs", "Housing > Help Pay for Housing > Maintenance & Repairs"},
    {"1246", "Maintenance & Repairs",
     "Money > Financial Assistance > Help Pay for Housing > Maintenance & Repairs"},
    {"1120", "Emergency Food", "Emergency > Emergency Food"},
    {"1128", "Emergency Food", "Food > Emergency Food"},
    {"1129", "Food Delivery", "Food > Food Delivery"},
    {"1130", "Food Pantry", "Food > Food Pantry"},
    {"1131", "Free Meals", "Food > Free Meals"},
    {"1132", "Help Pay for Food", "Food > Help Pay for Food"},
    {"1133", "Food Benefits", "Food > Help Pay for Food > Food Benefits"},
    {"1114", "Help Pay for Food", "Emergency > Emergency Payments > Help Pay for Food"},
    {"1234", "Help Pay for Food", "Money > Financial Assistance > Help Pay for Food"},
    {"1235", "Food Benefits", "Money > Financial Assistance > Help Pay for Food > Food Benefits"},
    {"1258", "Food Benefits", "Money > Government Benefits > Food Benefits"},
    {"1105", "Transit", "Transit"},
    {"1175", "Transportation", "Transit > Transportation"},
    {"1176", "Transportation for Healthcare",
     "Transit > Transportation > Transportation for Healthcare"},
    {"1205", "Transportation for Healthcare",
     "Health > Help Pay for Healthcare > Transportation for Healthcare"},
    {"1242", "Transportation for Healthcare",
     "Money > Financial Assistance > Help Pay for Healthcare > Transportation for Healthcare"},
    {"1172", "Help Pay for Transit", "Transit > Help Pay for Transit"},
    {"1173", "Bus Passes", "Transit > Help Pay for Transit > Bus Passes"},
    {"1174", "Help Pay for Gas", "Transit > Help Pay for Transit > Help Pay for Gas"},
    {"1252", "Help Pay for Transit", "Money > Financial Assistance > Help Pay for Transit"},
    {"1253", "Help Pay for Gas",
     "Money > Financial Assistance > Help Pay for Transit > Help Pay for Gas"},
    {"1254", "Bus Passes", "Money > Financial Assistance > Help Pay for Transit > Bus Passes"},
    {"1117", "Help Pay for Gas", "Emergency > Emergency Payments > Help Pay for Gas"},
    {"1119", "Help Pay for Utilities", "Emergency > Emergency Payments > Help Pay for Utilities"},
    {"1138", "Help Pay for Utilities",
     "Housing > Help Pay for Housing > Help Pay for Utilities"},
    {"1244", "Help Pay for Utilities",
     "Money > Financial Assistance > Help Pay for Housing > Help Pay for Utilities"},
    {"1123", "Immediate Safety", "Emergency > Immediate Safety"},
    {"1124", "Help Escape Violence", "Emergency > Immediate Safety > Help Escape Violence"},
    {"1125", "Safe Housing", "Emergency > Immediate Safety > Safe Housing"},
    {"1151", "Safe Housing", "Housing > Residential Housing > Safe Housing"},
    {"1305", "Help Hotlines", "Care > Support Network > Help Hotlines"},
    /* Not in the domain map: what the kiosk must leave alone. */
    {"1358", "Job Placement", "Work > Help Find Work > Job Placement"},
    {"1370", "Resume Development", "Work > Skills & Training > Resume Development"},
    {"1367", "Computer Class", "Work > Skills & Training > Computer Class"},
    {"1364", "Unemployment Benefits",
     "Work > Help Pay for Work Expenses > Unemployment Benefits"},
    {"1326", "English as a Second Language (ESL)",
     "Education > More Education > English as a Second Language (ESL)"},
    {"1375", "Advocacy & Legal Aid", "Legal > Advocacy & Legal Aid"},
    {"1381", "Citizenship & Immigration",
     "Legal > Advocacy & Legal Aid > Citizenship & Immigration"},
    {"1190", "Health Education", "Health > Health Education"},
};
#define NTERMS (sizeof terms / sizeof terms[0])

/*
 * A screening domain as the package sees it.  codes are the domain map's
 * terms; names are what such services are called when classified; kw_names
 * and kw_blurb carry one of the map's keywords (as a whole word) for the
 * unclassified ones.  weight: share of the domain among services, per cent.
 */
typedef struct {
    const char *domain;
    unsigned weight;
    const char *codes[12];
    const char *names[8];
    const char *blurb;
    const char *kw_names[4];
    const char *kw_blurb;
} gen_domain;

static const gen_domain domains[] = {
    {"housing_instability", 24,
     {"1121", "1135", "1152", "1136", "1295", "1137", "1116", "1243", "1140", "1150", "1142"},
     {"Emergency Shelter", "Rapid Rehousing", "Rental Assistance", "Housing Navigation",
      "Family Shelter", "Homelessness Prevention Fund", "Housing Counseling",
      "Transitional Housing"},
     "A safe place to stay tonight, and help finding and keeping a home.",
     {"Eviction Prevention Help", "Rent Help Desk", "Ayuda con la Renta", "Homeless Outreach"},
     "Help for people who are homeless or facing eviction, and one-time rent help."},
    {"housing_quality", 12,
     {"1141", "1246", "1142"},
     {"Home Repair Grants", "Healthy Homes Program", "Lead Hazard Control",
      "Weatherization Program", "Tenant Rights Clinic", "Housing Code Help Line"},
     "Repairs and inspections so that a home is safe and healthy to live in.",
     {"Home Repair Volunteers", "Free Smoke Alarms", "Pests and Bed Bugs Help",
      "Mold and Leaks Help"},
     "Volunteers fix leaks, mold and pests and install smoke alarms at no cost."},
    {"food", 26,
     {"1120", "1128", "1129", "1130", "1131", "1132", "1133", "1114", "1234", "1235", "1258"},
     {"Food Pantry", "Community Meals", "Mobile Market", "SNAP Enrollment Help",
      "Senior Lunch", "Home-Delivered Meals", "WIC Clinic", "Weekend Backpack Program"},
     "Groceries, hot meals and help applying for food benefits.",
     {"Neighborhood Food Pantry", "Free Meals on Sunday", "Despensa Comunitaria",
      "Groceries for Seniors"},
     "Free food and groceries for anyone who needs them; comida gratis."},
    {"transportation", 14,
     {"1105", "1175", "1176", "1205", "1242", "1172", "1173", "1174", "1252", "1253", "1254",
      "1117"},
     {"Medical Rides", "Reduced Fare Program", "Gas Card Assistance",
      "Volunteer Driver Program", "Dial-a-Ride", "Earn-a-Bike"},
     "Getting to appointments, work and the store when there is no car.",
     {"Rides to the Doctor", "Bus Pass Help", "Viajes al Medico", "Free Bike Program"},
     "Free rides to medical appointments and reduced-fare bus passes."},
    {"utilities", 12,
     {"1119", "1138", "1244"},
     {"Energy Assistance", "Utility Hardship Fund", "Water Bill Help",
      "Percentage of Income Payment Plan", "Low-Cost Internet Enrollment",
      "Heating Emergency Help"},
     "Keeping the lights, heat and water on when a bill cannot be paid.",
     {"Utility Bill Help", "Water Bill Relief", "Ayuda con la Luz", "Internet at Home"},
     "Help with a utility shut-off notice, an electric bill or a water bill."},
    {"safety", 12,
     {"1123", "1124", "1125", "1151", "1305"},
     {"Domestic Violence Hotline", "Safe House", "Legal Advocacy for Survivors",
      "Sexual Assault Crisis Line", "Elder Abuse Response", "Safety Planning"},
     "Confidential help for anyone who is not safe at home, day or night.",
     {"Domestic Violence Support", "Crisis Line for Survivors", "Apoyo contra la Violencia",
      "Elder Abuse Help"},
     "Confidential support after domestic violence or abuse, and a safety plan."},
};
#define NDOMAINS (sizeof domains / sizeof domains[0])
#define DOMAIN_WEIGHTS 100u

/* Services the kiosk does not screen for: a name and its one term. */
static const struct {
    const char *name, *code, *blurb;
} unrelated[] = {
    {"Job Placement", "1358", "Job leads and help applying for work."},
    {"Resume Workshop", "1370", "Write a resume and practise interviews with a coach."},
    {"Computer Basics Class", "1367", "Learn e-mail, the web and office software."},
    {"Unemployment Claims Help", "1364", "Help filing and following up on a claim."},
    {"ESL Classes", "1326", "English classes for adults, all levels, evenings."},
    {"Legal Aid Clinic", "1375", "Free advice from a lawyer on civil matters."},
    {"Immigration Legal Help", "1381", "Citizenship applications and immigration advice."},
    {"Diabetes Education", "1190", "Classes on living well with diabetes."},
};
#define NUNRELATED (sizeof unrelated / sizeof unrelated[0])

/* What a service is: classified (80 %), keyword only (10 %), unrelated (10 %). */
enum { KIND_CLASSIFIED, KIND_KEYWORD, KIND_UNRELATED };
static const unsigned kind_weights[] = {80, 10, 10};

typedef struct {
    const char *byday, *opens, *closes, *desc;
} sched_row;

/* Weekly patterns, as real directories write them; weights sum to 100. */
static const struct {
    unsigned weight;
    sched_row rows[2];
} patterns[] = {
    {35, {{"MO,TU,WE,TH,FR", "09:00", "17:00", "Monday to Friday, 9 am to 5 pm"}}},
    {15, {{"MO,TU,WE,TH,FR", "08:00", "12:00", "Monday to Friday, 8 am to noon"},
          {"MO,TU,WE,TH,FR", "13:00", "16:30", "Monday to Friday, 1 pm to 4:30 pm"}}},
    {8, {{"MO,TU,WE,TH,FR,SA,SU", "19:00", "07:00",
          "Open every night from 7 pm to 7 am the next morning"}}},
    {14, {{"TU,TH", "10:00", "14:00", "Tuesday and Thursday, 10 am to 2 pm"},
          {"SA", "09:00", "12:00", "Saturday, 9 am to noon"}}},
    {10, {{"WE", "17:30", "19:30", "Wednesday evenings, 5:30 pm to 7:30 pm"}}},
    {12, {{"MO,TU,WE,TH", "09:00", "20:00", "Monday to Thursday, 9 am to 8 pm"},
          {"FR,SA", "09:00", "17:00", "Friday and Saturday, 9 am to 5 pm"}}},
    {6, {{"MO,WE,FR", "08:30", "11:30", "Monday, Wednesday and Friday, 8:30 to 11:30 am"}}},
};
#define NPATTERNS (sizeof patterns / sizeof patterns[0])

static const struct {
    const char *name, *code;
} other_langs[] = {
    {"Vietnamese", "vi"}, {"Polish", "pl"}, {"Arabic", "ar"}, {"American Sign Language", "ase"},
    {"Chinese", "zh"},    {"French", "fr"}, {"Russian", "ru"},
};

static const struct {
    const char *text;
    const char *min_age, *max_age;
} eligibility[] = {
    {"Anyone who lives in Marlow County.", "", ""},
    {"Adults 18 and over.", "18", ""},
    {"Adults 60 and over.", "60", ""},
    {"Families with at least one child under 18.", "", ""},
    {"Young people 16 to 24.", "16", "24"},
    {"Household income at or below 200% of the federal poverty level.", "", ""},
};

static const char *const org_places[] = {"Riverton", "Marlow", "Eastside", "Northgate",
                                         "Prairie", "Cedar", "Willow", "Lakeview",
                                         "Millbrook", "Oak Hollow", "Southfield", "Harbor"};
static const char *const org_nouns[] = {"Hope", "Community", "Family", "Neighbors", "Unity",
                                        "Open Door", "Good Table", "Bridge", "Harvest",
                                        "Lighthouse"};
static const char *const org_types[] = {"Center", "Alliance", "Network", "Services",
                                        "Ministries", "Association", "Coalition", "Fund"};
static const char *const streets[] = {"Wrenfield", "Cobbler's", "Maple", "Jefferson", "Ninth",
                                      "Prairie", "Mill", "Lincoln", "Sangamon", "Oak", "Union",
                                      "Washington", "Elm", "Grand", "Adams", "Monroe"};
static const char *const suffixes[] = {"Avenue", "Street", "Road", "Row", "Drive", "Lane"};
/* Towns by compass octant outside the city; Riverton is the centre. */
static const char *const towns[] = {"Ashford",  "Bellhaven", "Cedar Falls", "Dunmore",
                                    "Elkton",   "Fairview",  "Glenwood",    "Marlow"};
static const char *const processes[] = {
    "Walk in.", "Call to make an appointment.", "Apply online or by phone.",
    "Call the intake line; staff will call you back within one business day."};

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- writing ---- */

enum { ID_ORG = 1, ID_SVC, ID_LOC, ID_ADDR, ID_SAL, ID_PHONE, ID_SCHED, ID_LANG, ID_ATTR,
       ID_TERM, ID_TAXO };

typedef char gen_id[37];

typedef struct {
    FILE *f[F_COUNT];
    size_t ncols[F_COUNT];
    uint64_t next[ID_TAXO + 1]; /* the last id handed out, per kind */
    gen_rng r;
    gen_hsds_stats st;
} gen;

/* UUID-shaped (as HSDS wants), unique per kind and readable in a debugger:
 * the kind in the first group, the serial number in the last. */
static void make_id(char out[37], unsigned kind, uint64_t n)
{
    snprintf(out, 37, "%08x-5167-4000-8000-%012llx", kind, (unsigned long long)n);
}

static void next_id(gen *g, unsigned kind, char out[37])
{
    make_id(out, kind, ++g->next[kind]);
}

static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f); /* RFC 4180: a quote inside is doubled */
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_row(gen *g, int file, const char *const *v, size_t n)
{
    FILE *f = g->f[file];
    assert(n == g->ncols[file]); /* every row as wide as its header */
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        put_field(f, v[i]);
    }
    fputc('\n', f);
}

#define ROW(g, file, ...)                                                                \
    put_row((g), (file), (const char *const[]){__VA_ARGS__},                             \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static size_t count_columns(const char *header)
{
    size_t n = 1;
    for (; *header; header++)
        n += *header == ',';
    return n;
}

/* ---- one organisation at a time ---- */

typedef struct {
    gen_id id;
    int virtual_only; /* no address, no coordinates */
} gen_loc;

typedef struct {
    gen_id id;
    char name[96], slug[24], place[16];
    gen_loc locs[3];
    int nlocs;
} gen_org;

static void fictional_phone(gen *g, char out[16])
{
    static const char *const areas[] = {"217", "309", "618"};
    /* 555-0100..0199 is the range reserved for fiction.  One draw per
     * statement: the order of a call's arguments is unspecified in C, and
     * the package must not depend on the compiler. */
    uint32_t line = rng_below(&g->r, 100);
    const char *area = PICK(&g->r, areas);
    snprintf(out, 16, "(%s) 555-01%02u", area, line);
}

/* A point in the 60 km square: the city (a normal around the kiosk) or
 * anywhere; *town gets the town it falls in. */
static void place(gen *g, double *lat, double *lon, const char **town, int *octant)
{
    const double half_km = 30.0, km_lat = 111.2, lat0 = 39.7990, lon0 = -89.6440;
    double x, y;

    if (rng_chance(&g->r, 0.55)) {
        do {
            x = 5.0 * rng_gauss(&g->r);
            y = 5.0 * rng_gauss(&g->r);
        } while (fabs(x) > half_km || fabs(y) > half_km);
    } else {
        x = (2.0 * rng_unit(&g->r) - 1.0) * half_km;
        y = (2.0 * rng_unit(&g->r) - 1.0) * half_km;
    }
    *lat = lat0 + y / km_lat;
    *lon = lon0 + x / (km_lat * cos(lat0 * M_PI / 180.0));
    *octant = (int)floor((atan2(y, x) + M_PI) / (M_PI / 4.0)) & 7;
    *town = hypot(x, y) < 7.0 ? "Riverton" : towns[*octant];
}

static void write_schedule(gen *g, const char *svc, const char *loc, const char *sal,
                           const sched_row *s)
{
    gen_id id;
    next_id(g, ID_SCHED, id);
    ROW(g, F_SCHED, id, svc, loc, sal, "", "", "", "America/Chicago", "", "", "", "WEEKLY", "",
        s->byday, "", "", "", s->desc, s->opens, s->closes, "", "", "");
    g->st.schedules++;
}

/* One weekly pattern (one or two rows) at the given level. */
static void write_pattern(gen *g, const char *svc, const char *loc, const char *sal)
{
    unsigned w[NPATTERNS];
    for (size_t i = 0; i < NPATTERNS; i++)
        w[i] = patterns[i].weight;
    size_t p = rng_weighted(&g->r, w, NPATTERNS, 100);
    for (size_t i = 0; i < 2 && patterns[p].rows[i].byday; i++)
        write_schedule(g, svc, loc, sal, &patterns[p].rows[i]);
}

static void write_location(gen *g, gen_org *o, gen_loc *l)
{
    char lat[24] = "", lon[24] = "", name[200], street[96], zip[16], phone[16], desc[240];
    const char *town = "";
    gen_id addr, ph;
    int oct = 0;

    next_id(g, ID_LOC, l->id);
    l->virtual_only = rng_chance(&g->r, 0.05);
    g->st.locations++;
    if (l->virtual_only) {
        snprintf(name, sizeof name, "%s (phone and online)", o->name);
        ROW(g, F_LOC, l->id, "virtual", "", o->id, name, "", "", "", "", "", "", "");
        return;
    }
    double la, lo;
    place(g, &la, &lo, &town, &oct);
    snprintf(lat, sizeof lat, "%.6f", la);
    snprintf(lon, sizeof lon, "%.6f", lo);
    const char *suffix = PICK(&g->r, suffixes), *sname = PICK(&g->r, streets);
    snprintf(street, sizeof street, "%u %s %s", 1 + rng_below(&g->r, 2400), sname, suffix);
    snprintf(name, sizeof name, "%s, %s", o->name, street);
    snprintf(desc, sizeof desc, "Bus route %u stops nearby.", 1 + rng_below(&g->r, 14));
    ROW(g, F_LOC, l->id, "physical", "", o->id, name, "", "", desc, lat, lon, "", "");
    next_id(g, ID_ADDR, addr);
    snprintf(zip, sizeof zip, "629%02d", strcmp(town, "Riverton") == 0 ? 99 : 90 + oct);
    ROW(g, F_ADDR, addr, l->id, "", street, "", town, "Marlow County", "IL", zip, "US",
        "physical");
    if (rng_chance(&g->r, 0.6)) {
        next_id(g, ID_PHONE, ph);
        fictional_phone(g, phone);
        snprintf(desc, sizeof desc, "Main number for %s.", name);
        ROW(g, F_PHONE, ph, l->id, "", o->id, "", "", phone, "", "voice", desc);
        g->st.phones++;
    }
    /* Location-level hours: what a service without its own falls back to. */
    if (rng_chance(&g->r, 0.3))
        write_pattern(g, "", l->id, "");
}

static void write_org(gen *g, gen_org *o)
{
    static const unsigned nloc_w[] = {70, 22, 8};
    char email[64], web[64], year[8], desc[200];

    next_id(g, ID_ORG, o->id);
    snprintf(o->place, sizeof o->place, "%s", PICK(&g->r, org_places));
    const char *type = PICK(&g->r, org_types), *noun = PICK(&g->r, org_nouns);
    snprintf(o->name, sizeof o->name, "%s %s %s", o->place, noun, type);
    snprintf(o->slug, sizeof o->slug, "org%llu", (unsigned long long)g->next[ID_ORG]);
    snprintf(email, sizeof email, "info@%s.example.org", o->slug);
    snprintf(web, sizeof web, "https://%s.example.org", o->slug);
    snprintf(year, sizeof year, "%u", 1950 + rng_below(&g->r, 75));
    snprintf(desc, sizeof desc, "A nonprofit serving %s and the rest of Marlow County.",
             o->place);
    ROW(g, F_ORG, o->id, o->name, "", desc, email, web, "501(c)(3)", "", year,
        "Nonprofit corporation", "", "", "");
    g->st.organizations++;
    o->nlocs = 1 + (int)rng_weighted(&g->r, nloc_w, 3, 100);
    for (int i = 0; i < o->nlocs; i++)
        write_location(g, o, &o->locs[i]);
}

/* ---- one service ---- */

typedef struct {
    const char *name, *blurb;
    const char *codes[2];
    int ncodes;
} svc_kind;

/* Draws what the service is about and which terms it carries. */
static void draw_kind(gen *g, svc_kind *k)
{
    unsigned dw[NDOMAINS];
    size_t kind = rng_weighted(&g->r, kind_weights, 3, 100), d;

    memset(k, 0, sizeof *k);
    if (kind == KIND_UNRELATED) {
        size_t u = rng_below(&g->r, NUNRELATED);
        *k = (svc_kind){unrelated[u].name, unrelated[u].blurb, {unrelated[u].code, NULL}, 1};
        g->st.unrelated++;
        return;
    }
    for (size_t i = 0; i < NDOMAINS; i++)
        dw[i] = domains[i].weight;
    d = rng_weighted(&g->r, dw, NDOMAINS, DOMAIN_WEIGHTS);
    if (kind == KIND_KEYWORD) {
        k->name = PICK(&g->r, domains[d].kw_names);
        k->blurb = domains[d].kw_blurb;
        g->st.keyword_only++;
        return;
    }
    const gen_domain *dm = &domains[d];
    size_t ncodes = 0, nnames = 0;
    while (ncodes < 12 && dm->codes[ncodes])
        ncodes++;
    while (nnames < 8 && dm->names[nnames])
        nnames++;
    k->name = dm->names[rng_below(&g->r, (uint32_t)nnames)];
    k->blurb = dm->blurb;
    k->codes[k->ncodes++] = dm->codes[rng_below(&g->r, (uint32_t)ncodes)];
    /* A third also carry a second term: another of the domain's, or one of
     * a neighbouring domain's (shelters that also serve meals). */
    if (rng_chance(&g->r, 0.35)) {
        const gen_domain *d2 = rng_chance(&g->r, 0.5) ? dm : &domains[rng_below(&g->r, NDOMAINS)];
        size_t n2 = 0;
        while (n2 < 12 && d2->codes[n2])
            n2++;
        const char *c2 = d2->codes[rng_below(&g->r, (uint32_t)n2)];
        if (strcmp(c2, k->codes[0]) != 0)
            k->codes[k->ncodes++] = c2;
    }
    g->st.classified++;
}

static size_t term_index(const char *code)
{
    for (size_t i = 0; i < NTERMS; i++)
        if (strcmp(terms[i].code, code) == 0)
            return i;
    assert(0 && "every code drawn is in terms[]");
    return 0;
}

static void write_terms_of(gen *g, const char *svc, const svc_kind *k)
{
    gen_id id, term;
    for (int i = 0; i < k->ncodes; i++) {
        next_id(g, ID_ATTR, id);
        make_id(term, ID_TERM, term_index(k->codes[i]) + 1);
        ROW(g, F_ATTR, id, svc, term, "service_category", "service", "");
        g->st.term_links++;
    }
}

static void write_lang(gen *g, const char *svc, const char *name, const char *code,
                       const char *note)
{
    gen_id id;
    next_id(g, ID_LANG, id);
    ROW(g, F_LANG, id, svc, "", "", name, code, note);
    g->st.languages++;
}

static void write_languages(gen *g, const char *svc)
{
    if (rng_chance(&g->r, 0.65))
        write_lang(g, svc, "English", "en", "");
    if (rng_chance(&g->r, 0.45))
        write_lang(g, svc, "Spanish", "es", "Bilingual staff");
    if (rng_chance(&g->r, 0.12)) {
        size_t i = rng_below(&g->r, sizeof other_langs / sizeof other_langs[0]);
        write_lang(g, svc, other_langs[i].name, other_langs[i].code, "Bilingual staff");
    }
}

static void write_service_row(gen *g, const gen_org *o, const char *id, const svc_kind *k)
{
    char name[128], desc[400], url[96], email[96], assured[16], modified[40];
    size_t e = rng_below(&g->r, sizeof eligibility / sizeof eligibility[0]);
    int inactive = rng_chance(&g->r, 0.03);
    unsigned long long n = (unsigned long long)g->next[ID_SVC];

    snprintf(name, sizeof name, "%s %s", o->place, k->name);
    snprintf(desc, sizeof desc, "%s Offered by %s.", k->blurb, o->name);
    snprintf(url, sizeof url, "https://%s.example.org/s%llu", o->slug, n);
    snprintf(email, sizeof email, "s%llu@%s.example.org", n, o->slug);
    uint32_t day = 1 + rng_below(&g->r, 28), month = 1 + rng_below(&g->r, 10);
    uint32_t minute = rng_below(&g->r, 60), hour = 8 + rng_below(&g->r, 10);
    snprintf(assured, sizeof assured, "2026-%02u-%02u", month, day);
    snprintf(modified, sizeof modified, "%sT%02u:%02u:00Z", assured, hour, minute);
    ROW(g, F_SVC, id, o->id, "", name, "", desc, url, email, inactive ? "inactive" : "active",
        "", PICK(&g->r, processes), "Free.", "", "", "", eligibility[e].text,
        eligibility[e].min_age, eligibility[e].max_age, assured,
        "directory@marlow211.example.org", "", "", modified);
    g->st.inactive += (size_t)inactive;
}

/* Links the service to one location of its organisation, sometimes two;
 * returns the first link's id in first_sal.  Counts it unlocated when every
 * location it is at is virtual. */
static void write_sals(gen *g, const gen_org *o, const char *svc, char first_sal[37])
{
    int a = (int)rng_below(&g->r, (uint32_t)o->nlocs), n = 1;
    int idx[2] = {a, a};
    gen_id id;

    if (o->nlocs > 1 && rng_chance(&g->r, 0.15)) {
        idx[1] = (a + 1 + (int)rng_below(&g->r, (uint32_t)o->nlocs - 1)) % o->nlocs;
        n = 2;
    }
    for (int i = 0; i < n; i++) {
        next_id(g, ID_SAL, id);
        ROW(g, F_SAL, id, svc, o->locs[idx[i]].id, "");
        if (i == 0)
            memcpy(first_sal, id, sizeof id);
    }
    g->st.unlocated += (size_t)(o->locs[idx[0]].virtual_only && o->locs[idx[n - 1]].virtual_only);
}

static void write_service(gen *g, const gen_org *o)
{
    gen_id id, sal, ph;
    char phone[16];
    svc_kind k;

    draw_kind(g, &k);
    next_id(g, ID_SVC, id);
    write_service_row(g, o, id, &k);
    write_terms_of(g, id, &k);
    write_languages(g, id);
    write_sals(g, o, id, sal);
    next_id(g, ID_PHONE, ph);
    fictional_phone(g, phone);
    ROW(g, F_PHONE, ph, "", id, o->id, "", "", phone, "", "voice", "");
    g->st.phones++;
    /* Hours: 65 % on the service, 15 % on its first service_at_location,
     * 20 % none of its own (the location's, if any, apply). */
    double lvl = rng_unit(&g->r);
    if (lvl < 0.65)
        write_pattern(g, id, "", "");
    else if (lvl < 0.80)
        write_pattern(g, "", "", sal);
    g->st.services++;
}

/* ---- the package ---- */

static void write_taxonomy(gen *g)
{
    gen_id taxo, id;
    make_id(taxo, ID_TAXO, 1);
    ROW(g, F_TAXO, taxo, "Open Eligibility",
        "Open Eligibility taxonomy of human services (service facet), by Aunt Bertha (now "
        "findhelp), CC BY-SA 3.0.",
        "https://github.com/auntbertha/openeligibility", "2.0");
    for (size_t i = 0; i < NTERMS; i++) {
        make_id(id, ID_TERM, i + 1);
        ROW(g, F_TERM, id, terms[i].code, terms[i].name, terms[i].path, "", "Open Eligibility",
            "en", taxo, "");
    }
}

/* The header as Table Schema fields: names only, every field a string,
 * which is what a tabular resource needs at the least. */
static void write_fields(FILE *f, const char *header)
{
    const char *p = header;
    for (int first = 1; *p; first = 0) {
        size_t len = strcspn(p, ",");
        fprintf(f, "%s{\"name\": \"%.*s\"}", first ? "" : ", ", (int)len, p);
        p += len + (p[len] == ',');
    }
}

static int write_datapackage(const char *dir, size_t n, char *err, size_t errlen)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/datapackage.json", dir);
    if (!(f = fopen(path, "w"))) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "{\n  \"profile\": \"tabular-data-package\",\n"
               "  \"name\": \"signpost-synthetic-%zu\",\n"
               "  \"title\": \"Synthetic HSDS 3.0 directory of %zu services (bench/gen_hsds)\",\n"
               "  \"licenses\": [{\"name\": \"CC0-1.0\"}],\n  \"resources\": [\n",
            n, n);
    for (int i = 0; i < F_COUNT; i++) {
        fprintf(f,
                "    {\"name\": \"%s\", \"path\": \"%s\", \"profile\": \"tabular-data-resource\","
                " \"format\": \"csv\", \"mediatype\": \"text/csv\", \"encoding\": \"utf-8\",\n"
                "     \"schema\": {\"fields\": [",
                files[i].resource, files[i].name);
        write_fields(f, files[i].header);
        fprintf(f, "]}}%s\n", i + 1 < F_COUNT ? "," : "");
    }
    fputs("  ]\n}\n", f);
    if (ferror(f) | fclose(f)) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}

static int open_files(gen *g, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    for (int i = 0; i < F_COUNT; i++) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(err, errlen, "output folder path too long");
            return -1;
        }
        if (!(g->f[i] = fopen(path, "w"))) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        setvbuf(g->f[i], NULL, _IOFBF, 1 << 16);
        g->ncols[i] = count_columns(files[i].header);
        fputs(files[i].header, g->f[i]);
        fputc('\n', g->f[i]);
    }
    return 0;
}

/* Closes every file; -1 when any write failed.  Adds up the bytes. */
static int close_files(gen *g, char *err, size_t errlen)
{
    int rc = 0;
    for (int i = 0; i < F_COUNT; i++) {
        if (!g->f[i])
            continue;
        long pos = ftell(g->f[i]);
        g->st.bytes += pos > 0 ? (uint64_t)pos : 0;
        if ((ferror(g->f[i]) | fclose(g->f[i])) && rc == 0) {
            snprintf(err, errlen, "writing %s failed", files[i].name);
            rc = -1;
        }
        g->f[i] = NULL;
    }
    return rc;
}

int gen_hsds_write(size_t n, const char *dir, uint64_t seed, gen_hsds_stats *stats, char *err,
                   size_t errlen)
{
    static const unsigned nsvc_w[] = {35, 30, 20, 10, 2, 1, 1, 1};
    gen *g = calloc(1, sizeof *g);
    int rc = -1;

    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (n == 0 || n > GEN_HSDS_MAX_SERVICES) {
        snprintf(err, errlen, "the number of services must be 1..%u", GEN_HSDS_MAX_SERVICES);
        goto out;
    }
    g->r.s = seed;
    if (open_files(g, dir, err, errlen))
        goto out;
    write_taxonomy(g);
    while (g->st.services < n) {
        gen_org o;
        size_t want = 1 + rng_weighted(&g->r, nsvc_w, 8, 100);
        write_org(g, &o);
        for (size_t i = 0; i < want && g->st.services < n; i++)
            write_service(g, &o);
    }
    rc = 0;
out:
    if (close_files(g, err, errlen))
        rc = -1;
    if (rc == 0)
        rc = write_datapackage(dir, n, err, errlen);
    if (stats)
        *stats = g->st;
    free(g);
    return rc;
}

#ifdef GEN_HSDS_MAIN
static int parse_u64(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long long n, seed = GEN_HSDS_SEED;
    gen_hsds_stats st;
    char err[512];

    if (argc < 3 || argc > 4 || parse_u64(argv[1], &n) ||
        (argc == 4 && parse_u64(argv[3], &seed))) {
        fprintf(stderr, "usage: gen_hsds N OUTDIR [SEED]\n"
                        "  writes an HSDS 3.0 tabular package of N services into OUTDIR\n");
        return 2;
    }
    if (mkdir(argv[2], 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_hsds: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    if (gen_hsds_write((size_t)n, argv[2], seed, &st, err, sizeof err)) {
        fprintf(stderr, "gen_hsds: %s\n", err);
        return 1;
    }
    printf("%zu services (%zu classified, %zu keyword only, %zu unrelated; %zu inactive, "
           "%zu without coordinates), %zu organizations, %zu locations, %zu schedules, "
           "%zu languages, %zu phones, %zu term links: %.1f MB in %s\n",
           st.services, st.classified, st.keyword_only, st.unrelated, st.inactive,
           st.unlocated, st.organizations, st.locations, st.schedules, st.languages, st.phones,
           st.term_links, (double)st.bytes / 1e6, argv[2]);
    return 0;
}
#endif
