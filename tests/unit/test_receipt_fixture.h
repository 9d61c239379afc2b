/*
 * The receipt the receipt and ESC/POS tests share: a typical Spanish
 * receipt with three needs and three places each (nine resources), the
 * shape the 1.5 KB budget speaks of, written like the demo
 * directory's entries.  Its text uses every Spanish letter, upper and
 * lower case, plus the euro sign, so the golden files show each one's
 * byte on each code page.  All names, numbers and addresses are invented.
 */
#ifndef SIGNPOST_TEST_RECEIPT_FIXTURE_H
#define SIGNPOST_TEST_RECEIPT_FIXTURE_H

#include "helpers.h"
#include "signpost/printer_profile.h"
#include "signpost/receipt.h"

#define PROFILES_PATH SOURCE_DIR "/data/printers/profiles.json"
#define FIXTURE_PAYLOAD "https://clinica.example.org/r/7Q2K9"
#define FIXTURE_RESOURCES 9

static inline printer_profile fixture_profile(const char *name)
{
    char err[256];
    printer_profile p;
    if (printer_profile_load(PROFILES_PATH, name, &p, err, sizeof err) != SG_OK)
        fail_msg("%s", err);
    return p;
}

typedef struct {
    const char *domain, *name, *phone, *address, *hours, *ask_for;
} fixture_row;

static const fixture_row fixture_rows[FIXTURE_RESOURCES] = {
    {"food", "Despensa Comunitaria Riverton", "(217) 555-0131", "610 Harlan Street, Riverton, IL 62999",
     "Abierto ahora hasta las 5 p. m.", "una caja de alimentos"},
    {"food", "Comedor de San Andrés", "(217) 555-0132", "88 Cobbler's Row, Riverton, IL 62999",
     "Abre hoy a las 11:30 a. m.", NULL},
    {"food", "Mercado Móvil de Marlow", "(217) 555-0133", "1507 Thistledown Lane, Riverton",
     "", NULL},
    {"housing_instability", "Albergue Familiar Hearthstone", "(217) 555-0104",
     "412 Wrenfield Avenue, Riverton, IL 62999", "Abierto las 24 horas",
     "Ángela Núñez, Íñigo u Óscar (Único número)"},
    {"housing_instability", "Asesoría Legal de Vivienda", "(217) 555-0141",
     "27 Elm Court, Riverton, IL 62999", "Abre el lunes a las 9 a. m.", NULL},
    {"housing_instability", "Vales de Vivienda", "(217) 555-0142",
     "300 Ébano Street, Riverton, IL 62999", "Abre mañana a las 8 a. m.", NULL},
    {"transportation", "Transporte Médico Gratuito", "(217) 555-0151",
     "9 Depot Plaza, Riverton, IL 62999", "Abierto ahora hasta las 4 p. m.",
     "Un viaje a su cita médica"},
    {"transportation", "Pases de Autobús Ñandú", "(217) 555-0152",
     "45 Ninth Street, Riverton, IL 62999", "Abre hoy a la 1 p. m.", NULL},
    {"transportation", "Voluntarios al Volante", "(217) 555-0153", "Solo por teléfono",
     "Abre el martes a las 10 a. m.", NULL},
};

typedef struct {
    int needs[3];
    sg_resource res[FIXTURE_RESOURCES];
    const char *ask_for[FIXTURE_RESOURCES];
    receipt_input in;
} fixture;

static inline void fixture_init(fixture *f, const sg_instrument *ins)
{
    static const char *const needs[3] = {"housing_instability", "food", "transportation"};
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 3; i++) {
        f->needs[i] = instrument_domain_index(ins, needs[i]);
        assert_true(f->needs[i] >= 0);
    }
    for (int i = 0; i < FIXTURE_RESOURCES; i++) {
        const fixture_row *r = &fixture_rows[i];
        sg_resource *s = &f->res[i];
        s->domain = instrument_domain_index(ins, r->domain);
        snprintf(s->service_id, sizeof s->service_id, "svc-%d", i);
        snprintf(s->name, sizeof s->name, "%s", r->name);
        snprintf(s->phone, sizeof s->phone, "%s", r->phone);
        snprintf(s->address, sizeof s->address, "%s", r->address);
        snprintf(s->hours, sizeof s->hours, "%s", r->hours);
        s->open_now = -1;
        f->ask_for[i] = r->ask_for;
    }
    f->in = (receipt_input){
        .clinic_name = "Clínica Comunitaria San José",
        .clinic_phone = "(217) 555-0100",
        .date = "24/11/2026 10:15",
        .lang = "es",
        .inst = ins,
        .needs = f->needs,
        .nneeds = 3,
        .resources = f->res,
        .nresources = FIXTURE_RESOURCES,
        .ask_for = f->ask_for,
        .safety_positive = 0,
        .print_safety = 1,
        .qr_payload = FIXTURE_PAYLOAD,
        .footer = "¿Preguntas? ¡Llámenos! Consulta: 0 €. Pingüino Ártico",
    };
}

/* Every line of a model joined by '\n', for searching. */
static inline char *fixture_text(const receipt_model *m)
{
    sg_buf b;
    sg_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < m->nlines; i++)
        if (m->lines[i].kind == RECEIPT_TEXT) {
            assert_int_equal(sg_buf_adds(&b, m->lines[i].text), SG_OK);
            assert_int_equal(sg_buf_adds(&b, "\n"), SG_OK);
        }
    return b.data ? sg_buf_take(&b) : strdup("");
}

#endif
