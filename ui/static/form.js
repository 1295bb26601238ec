// The query form: filled from the page's state, read back into a new state, and checked
// before anything is sent so that a person sees what is wrong next to the field.
import { VARIANT_PARAMS, FILTERS_JSON } from './state.js';
import { readFilters, writeFilters, parseItem } from './filters.js';

const $ = id => document.getElementById(id);

// PARAMS_OF_FORM are the parameters the form owns; others in the URL are kept as they are.
const PARAMS_OF_FORM = ['filters', FILTERS_JSON, 'requestedGranularity', 'limit', 'skip', 'includeResultsetResponses', ...VARIANT_PARAMS];

// fill shows a state in the form; it returns problems found reading the URL.
export function fill(state, filterList) {
  const problems = [];
  const [entry = 'individuals', id = '', related = ''] = state.path;
  $('entry').value = entry;
  $('record-id').value = id;
  updateRelated(entry, related);
  filterList.set(readFilters(state.params, problems));
  const p = state.params;
  for (const name of VARIANT_PARAMS) $('v-' + name).value = p.get(name) ?? '';
  $('variant-box').open = entry === 'g_variants' || VARIANT_PARAMS.some(n => p.has(n));
  const g = p.get('requestedGranularity');
  for (const r of document.querySelectorAll('input[name=requestedGranularity]')) {
    r.checked = g ? r.value === g : (state.path.length === 0 && r.value === 'count');
  }
  $('limit').value = p.get('limit') ?? '10';
  $('include').value = p.get('includeResultsetResponses') ?? '';
  updateVariantSummary();
  return problems;
}

// relatedOf maps an entry path segment to the entry types linked to its records (from /map).
let relatedOf = {};
export function setRelated(map) { relatedOf = map; updateRelated($('entry').value, $('related').value); }

export function updateRelated(entry, value = $('related').value) {
  const sel = $('related');
  const opts = relatedOf[entry] || [];
  sel.replaceChildren(Object.assign(document.createElement('option'), { value: '', textContent: '—' }),
    ...opts.map(o => Object.assign(document.createElement('option'), { value: o, textContent: o })));
  if (value && !opts.includes(value)) sel.append(Object.assign(document.createElement('option'), { value, textContent: value }));
  sel.value = value;
  sel.disabled = $('record-id').value.trim() === '';
}

// read turns the form into a new state (skip reset: a new query starts at its first page),
// or returns {errors} naming each field that is wrong.
export function read(current, filterList) {
  const errors = validate(filterList);
  if (errors.length) return { errors };
  const entry = $('entry').value;
  const id = $('record-id').value.trim();
  const related = $('related').value;
  const path = id ? (related ? [entry, id, related] : [entry, id]) : [entry];
  const params = new URLSearchParams();
  for (const [k, v] of current.params) if (!PARAMS_OF_FORM.includes(k)) params.append(k, v);
  writeFilters(params, filterList.items());
  for (const name of VARIANT_PARAMS) {
    const v = $('v-' + name).value.trim().replace(/\s*,\s*/g, ',');
    if (v) params.set(name, v);
  }
  const g = document.querySelector('input[name=requestedGranularity]:checked');
  if (g) params.set('requestedGranularity', g.value);
  const limit = $('limit').value.trim();
  if (g?.value === 'record' && limit && limit !== '10') params.set('limit', limit);
  if ($('include').value) params.set('includeResultsetResponses', $('include').value);
  return { state: { path, params } };
}

// Bases as the beacon accepts them: IUPAC codes, '-' or '.'.
const BASES = /^[ACGTUNRYSWKMBDHV.-]+$/i;
const INT = /^\d+$/;

// validate mirrors the beacon's rules for a variant query (which parameters make a
// sequence, range or bracket query) and the form's own fields; it marks each bad field.
export function validate(filterList) {
  const errors = [];
  const bad = (field, msg) => errors.push({ field, msg });
  const v = name => $('v-' + name).value.trim();
  const list = name => v(name) === '' ? [] : v(name).split(/\s*,\s*/);
  const starts = list('start'), ends = list('end');
  for (const [name, xs] of [['start', starts], ['end', ends]]) {
    if (xs.length > 2) bad('v-' + name, `${name} takes one or two numbers`);
    else if (xs.some(x => !INT.test(x))) bad('v-' + name, `${name} must be whole numbers (0-based), comma-separated`);
  }
  if ((starts.length || ends.length) && !v('referenceName')) bad('v-referenceName', 'start and end need a reference name');
  if (ends.length && !starts.length) bad('v-start', 'end needs a start');
  if (starts.length === 2 && ends.length !== 2) bad('v-end', 'a bracket query (two starts) needs two ends');
  if (starts.length === 1 && ends.length === 2) bad('v-start', 'a bracket query needs two starts');
  if (starts.length === 1 && ends.length === 0 && !v('alternateBases')) bad('v-alternateBases', 'a sequence query (a start without an end) needs alternate bases');
  const n = xs => xs.map(Number);
  if (!errors.length && starts.length === 2) {
    const [s0, s1] = n(starts), [e0, e1] = n(ends);
    if (s0 > s1) bad('v-start', 'the first start must not be after the second');
    if (e0 > e1) bad('v-end', 'the first end must not be after the second');
  }
  if (!errors.length && starts.length === 1 && ends.length === 1 && Number(ends[0]) < Number(starts[0])) bad('v-end', 'end must not be before start');
  for (const name of ['referenceBases', 'alternateBases']) {
    if (v(name) && !BASES.test(v(name))) bad('v-' + name, 'bases are IUPAC codes (A, C, G, T, N, …), “-” or “.”');
  }
  for (const name of ['variantMinLength', 'variantMaxLength']) {
    if (v(name) && !INT.test(v(name))) bad('v-' + name, 'a length is a whole number');
  }
  if (INT.test(v('variantMinLength')) && INT.test(v('variantMaxLength')) && Number(v('variantMinLength')) > Number(v('variantMaxLength'))) {
    bad('v-variantMaxLength', 'max length is below min length');
  }
  const limit = $('limit').value.trim();
  if (limit && (!INT.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) bad('limit', 'records per page is a number from 1 to 1000');
  for (const f of filterList.items().flatMap(f => f.kind === 'or' ? f.items : [f])) {
    if (f.kind === 'alpha' && f.value.trim() === '') bad('term-input', `the filter on ${f.id} has no value`);
  }
  if ($('related').value && !$('record-id').value.trim()) bad('record-id', 'related entries need a record id');
  mark(errors);
  return errors;
}

// mark shows errors next to their fields (aria-invalid, a message the field describes)
// and in the summary at the top of the form, which takes the focus.
function mark(errors) {
  document.querySelectorAll('.field-error').forEach(e => e.remove());
  document.querySelectorAll('[aria-invalid]').forEach(e => {
    e.removeAttribute('aria-invalid');
    const d = (e.getAttribute('aria-describedby') || '').split(' ').filter(x => !x.endsWith('-err')).join(' ');
    if (d) e.setAttribute('aria-describedby', d); else e.removeAttribute('aria-describedby');
  });
  const summary = $('form-errors');
  if (!errors.length) { summary.hidden = true; return; }
  if (errors.some(e => e.field.startsWith('v-'))) $('variant-box').open = true;
  for (const { field, msg } of errors) {
    const el = $(field);
    if (el.getAttribute('aria-invalid')) continue;
    el.setAttribute('aria-invalid', 'true');
    const m = document.createElement('small');
    m.className = 'field-error error';
    m.id = field + '-err';
    m.textContent = msg;
    el.insertAdjacentElement('afterend', m);
    el.setAttribute('aria-describedby', ((el.getAttribute('aria-describedby') || '') + ' ' + m.id).trim());
  }
  summary.textContent = `Please fix ${errors.length === 1 ? 'this' : `these ${errors.length} marked fields`}: ${errors.map(e => e.msg).join('; ')}.`;
  summary.hidden = false;
  $(errors[0].field).focus();
}

// updateVariantSummary says in the closed variant box what it holds.
export function updateVariantSummary() {
  const set = VARIANT_PARAMS.filter(n => $('v-' + n).value.trim() !== '');
  $('variant-summary').textContent = set.length ? `(${set.map(n => `${n}=${$('v-' + n).value.trim()}`).join(', ')})` : '';
}

// filterFromText turns typed text into a filter: with an operator, alphanumeric.
export function filterFromText(text) { return parseItem(text); }
